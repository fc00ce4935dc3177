/**
 * electron-builder's configuration for the desktop app (`npm run package`, which first builds
 * the renderer and app/electron, then rebuilds better-sqlite3 for Electron with
 * `electron-builder install-app-deps`: at packaging time only, never in `npm ci`, whose
 * better-sqlite3 is built for Node and used by the tests).
 *
 * The Lab runs as `optlab serve` in a Node-mode child of the app (app/electron/lab-host.ts),
 * from the TypeScript sources through tsx, and its local workers are Node-mode children too:
 * those sources, the `optlab` entry and better-sqlite3's native module are unpacked from the
 * asar so that a plain Node runtime can read and load them.
 */
import type { Configuration } from 'electron-builder';

const config: Configuration = {
  appId: 'org.optlab.desktop',
  productName: 'OptLab',
  copyright: 'MIT licensed',
  directories: { output: 'out/packages', buildResources: 'build' },
  extraMetadata: { main: 'dist/electron/main.mjs' },
  files: [
    'package.json',
    'dist/electron/**',
    'dist/renderer/**',
    'bin/optlab.mjs',
    'app/**/*.ts',
    'app/library/migrations/**',
    'worker/**/*.ts',
    'shared/**/*.ts',
    '!**/*.test.ts',
    '!app/fixtures/**',
    '!shared/linalg/wasm/src/**',
  ],
  asarUnpack: ['node_modules/better-sqlite3/**', 'bin/optlab.mjs', 'app/**', 'worker/**', 'shared/**'],
  // better-sqlite3 is rebuilt for Electron by `electron-builder install-app-deps` in `npm run package`.
  npmRebuild: false,
  linux: { target: ['AppImage', 'deb'], category: 'Science', maintainer: 'OptLab' },
  mac: { target: 'dmg', category: 'public.app-category.education' },
  win: { target: 'nsis' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};

export default config;
