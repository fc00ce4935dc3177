#!/usr/bin/env node
// `npm start`: builds the renderer when missing and serves it (app/web/start.ts, through tsx).
import { register } from 'tsx/esm/api';

register();
const { start } = await import('../app/web/start.ts');
const code = await start(process.argv.slice(2));
if (code) process.exit(code);
