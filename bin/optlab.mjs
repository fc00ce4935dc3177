#!/usr/bin/env node
// Entry point of the `optlab` command: registers tsx so the TypeScript sources run as they are.
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
