#!/usr/bin/env node
// `npm start`: the desktop app, or browser mode where Electron's binary is absent (app/web/start.ts, through tsx).
// TypeBox is loaded before tsx registers, as in bin/optlab.mjs.
import 'typebox';
import { register } from 'tsx/esm/api';

register();
const { start } = await import('../app/web/start.ts');
const { UsageError } = await import('../app/cli/args.ts');
try {
  process.exitCode = await start(process.argv.slice(2));
} catch (e) {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
