#!/usr/bin/env node
// Entry point of the `optlab` command: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../app/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
