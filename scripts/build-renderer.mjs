// Builds the renderer (renderer/, Svelte) to static files in dist/renderer with Vite: `npm run
// build`, and `npm ci` / `npm install` after the WebAssembly kernels (the `prepare` script).
// An install without devDependencies has no Vite: it says so and leaves the build out
// (`npm start` then says how to get one) instead of failing the install.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
if (!existsSync(vite)) {
  console.warn('build-renderer: vite (a devDependency) is not installed; the renderer is NOT built');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', ...process.argv.slice(2)], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
