#!/usr/bin/env node
// Bundles the desktop app's main process and preload (app/electron/) into dist/electron/:
// main.mjs (ESM, packages left to node_modules) and preload.cjs (CommonJS, everything but
// `electron` inlined: a sandboxed preload can require nothing else). `npm start` runs it when
// Electron's binary is installed, `npm run package` before electron-builder.
//
//   node scripts/build-electron.mjs [OUT_DIR]
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? `${root}dist/electron`);
const common = { bundle: true, platform: 'node', target: 'node22', logLevel: 'warning', absWorkingDir: root };

await Promise.all([
  build({
    ...common,
    entryPoints: ['app/electron/main.ts'],
    outfile: `${out}/main.mjs`,
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['app/electron/preload.ts'],
    outfile: `${out}/preload.cjs`,
    format: 'cjs',
    external: ['electron'],
  }),
]);
