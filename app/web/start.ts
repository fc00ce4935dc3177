/**
 * `npm start`: the desktop app where Electron's binary is installed. Where it is not (Electron
 * fetches it on first use, which a machine with no internet cannot), one line says so and
 * browser mode starts instead: `optlab serve --open`, the same window in the default browser.
 * Either way the renderer is built first when missing.
 *
 *   npm start -- [--browser] [--no-open] [browser mode's options: --port P --db PATH --workers N]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveCommand } from '../cli/serve.ts';
import { buildElectron, electronBuilt, ensureRendererBuilt } from './build.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ELECTRON = fileURLToPath(new URL('../../node_modules/electron/', import.meta.url));

/** The Electron binary npm installed, or why there is none (without trying to download it). */
export function electronBinary(): { path: string } | { missing: string } {
  if (!existsSync(ELECTRON)) return { missing: 'the electron package is not installed' };
  const pathFile = `${ELECTRON}path.txt`;
  if (!existsSync(pathFile)) return { missing: "Electron's binary has not been downloaded" };
  const path = `${ELECTRON}dist/${readFileSync(pathFile, 'utf8').trim()}`;
  return existsSync(path) ? { path } : { missing: `Electron's binary is missing (${path})` };
}

export async function start(argv: string[]): Promise<number> {
  const browser = argv.includes('--browser');
  const open = !argv.includes('--no-open');
  const rest = argv.filter((a) => a !== '--browser' && a !== '--no-open');
  await ensureRendererBuilt((line) => console.log(line));
  const electron = browser ? null : electronBinary();
  if (electron && 'path' in electron) {
    if (!electronBuilt()) await buildElectron();
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(electron.path, [ROOT], { stdio: 'inherit', env });
    return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  }
  if (electron) console.log(`No desktop window: ${electron.missing}; starting browser mode instead.`);
  return serveCommand([...(open ? ['--open'] : []), ...rest]);
}
