/**
 * A real Lab for each end-to-end test: `optlab serve` (the built renderer and the Lab API) on
 * a fresh library in a temporary folder, with real local worker processes. The test opens
 * `lab.url` (its token in the fragment); the fixture stops the server by its PID and removes
 * the folder afterwards.
 */
import { test as base } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OPTLAB = join(ROOT, 'bin', 'optlab.mjs');

export interface ServedLab {
  /** The page to open: `http://127.0.0.1:PORT/#/library?token=…`. */
  url: string;
  origin: string;
  /** The temporary folder (library.db lives here). */
  dir: string;
  db: string;
  /** The server's process. */
  process: ChildProcess;
  /** Everything the server printed. */
  output: string[];
  /** PIDs of the server's child processes (its local workers). */
  children(): number[];
  /** The PID of the server's local worker called `name` (its `--name`), if it runs. */
  workerPid(name: string): number | undefined;
}

/** Starts `optlab serve` on a fresh library; resolves once it prints its address. */
export async function serveLab(workers = 2): Promise<ServedLab> {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-e2e-'));
  const db = join(dir, 'library.db');
  const child = spawn(process.execPath, [OPTLAB, 'serve', '--db', db, '--workers', String(workers), '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => output.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`optlab serve printed no address:\n${output.join('\n')}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      output.push(l);
      const m = /^Open (http:\/\/\S+)/.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`optlab serve exited (${code}):\n${output.join('\n')}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    dir,
    db,
    process: child,
    output,
    children: () =>
      (spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout ?? '')
        .split('\n')
        .map((s) => Number(s.trim()))
        .filter((n) => n > 0),
    workerPid: (name) => {
      const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout ?? '';
      const line = ps.split('\n').find((l) => l.includes(` --name ${name} `) || l.endsWith(` --name ${name}`));
      return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
    },
  };
}

/** Stops the server (SIGTERM: it cancels its run and closes the library) and removes its folder. */
export async function stopLab(lab: ServedLab): Promise<void> {
  if (lab.process.exitCode === null && lab.process.signalCode === null) {
    const exited = new Promise((r) => lab.process.once('exit', r));
    lab.process.kill('SIGTERM');
    const timer = setTimeout(() => lab.process.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(lab.dir, { recursive: true, force: true });
}

/** `test` with a `lab` fixture: a fresh served Lab per test. */
export const test = base.extend<{ lab: ServedLab }>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => {
    const lab = await serveLab();
    await use(lab);
    await stopLab(lab);
  },
});

export { expect } from '@playwright/test';
