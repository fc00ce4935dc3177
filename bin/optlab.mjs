#!/usr/bin/env node
// Entry point of the `optlab` command: registers tsx so the TypeScript sources run as they are.
// TypeBox (the spec's schema) is loaded first, by Node itself: through tsx's hooks its few
// hundred small modules would cost a third of a second at every start.
import 'typebox';
import { register } from 'tsx/esm/api';
register();
// `optlab ls | head`: a reader that goes away early is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}
const { main } = await import('../app/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
