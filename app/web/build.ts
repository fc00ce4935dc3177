/**
 * Builds the renderer with Vite (a devDependency) when its files are missing: `npm start`
 * and anything else that must serve it call `ensureRendererBuilt()` first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RENDERER_DIR, rendererBuilt } from './static.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITE = fileURLToPath(new URL('../../node_modules/vite/bin/vite.js', import.meta.url));

/** Runs `vite build` (output to dist/renderer); rejects with its output when it fails. */
export function buildRenderer(log: (line: string) => void = () => {}): Promise<void> {
  if (!existsSync(VITE)) {
    return Promise.reject(
      new Error('cannot build the renderer: vite is not installed (run npm ci, which installs the devDependencies)'),
    );
  }
  return new Promise((ok, fail) => {
    // Spawned by path, not through npx: killing npx would leave vite running.
    const child = spawn(process.execPath, [VITE, 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code === 0) {
        if (out.trim()) log(out.trim());
        ok();
      } else fail(new Error(`vite build failed (exit ${code}):\n${out}`));
    });
  });
}

/** Builds the renderer unless dist/renderer already holds a build; says so through `log`. */
export async function ensureRendererBuilt(log: (line: string) => void = () => {}): Promise<string> {
  if (!(await rendererBuilt())) {
    log('building the renderer (first start)…');
    await buildRenderer(log);
  }
  return RENDERER_DIR;
}
