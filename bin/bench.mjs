#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts (TypeScript) in this process through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../bench/run.ts');
