/**
 * Local queue workers: `optlab worker --engine URL` processes on this machine, started for a
 * run (`--workers N` with a Redis engine). The URL, password included, goes in the
 * environment (OPTLAB_ENGINE), never on the command line where `ps` would show it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LocalWorkers } from '../../coordinator/index.ts';
import { exited } from '../../coordinator/index.ts';
import { workerBackendArgs, type BackendOptions } from '../../backend.ts';

const BIN = fileURLToPath(new URL('../../../bin/optlab.mjs', import.meta.url));

export interface QueueWorkerSpawn {
  backend?: BackendOptions;
  /** Slots per process (default 1). */
  slots?: number;
  /** Names are `${prefix}-${i}` (default `local`). */
  prefix?: string;
  /** The workers' lock duration (s). */
  lockSeconds?: number;
  /** Their grace period on SIGTERM (s). */
  graceSeconds?: number;
  /** Where their output lines go, by name (default: dropped). */
  onLine?: (name: string, line: string) => void;
}

export function spawnQueueWorkers(n: number, url: string, o: QueueWorkerSpawn = {}): LocalWorkers {
  const prefix = o.prefix ?? 'local';
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  let failed = 0;
  let lastError = '';
  let allFailed!: (why: string) => void;
  const allFailedP = new Promise<string>((resolve) => (allFailed = resolve));
  const processes = names.map((name) => {
    const args = [BIN, 'worker', '--slots', String(o.slots ?? 1), '--name', name];
    if (o.lockSeconds !== undefined) args.push('--lock-seconds', String(o.lockSeconds));
    if (o.graceSeconds !== undefined) args.push('--grace', String(o.graceSeconds));
    args.push(...workerBackendArgs(o.backend ?? {}));
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OPTLAB_ENGINE: url },
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (stream === child.stderr && line.startsWith('optlab worker:')) lastError = line;
        o.onLine?.(name, line);
      });
    }
    child.once('exit', (code) => {
      if (code !== 0 && ++failed === n) allFailed(lastError || `exit code ${code}`);
    });
    return child;
  });
  return {
    processes,
    names,
    allFailed: allFailedP,
    async stop(timeoutMs = ((o.graceSeconds ?? 30) + 5) * 1000) {
      await Promise.all(
        processes.map(async (p) => {
          if (p.exitCode !== null || p.signalCode !== null) return;
          p.kill('SIGTERM');
          const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
          await exited(p);
          clearTimeout(t);
        }),
      );
    },
  };
}
