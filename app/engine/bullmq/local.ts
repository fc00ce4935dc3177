/**
 * Local queue workers: `optlab worker --engine URL` processes on this machine, started for a
 * run (`--workers N` with a Redis engine). The URL, password included, goes in the
 * environment (OPTLAB_ENGINE), never on the command line where `ps` would show it.
 */
import type { LocalWorkers, WorkerProcessOptions } from '../../coordinator/index.ts';
import { spawnWorkerProcesses } from '../../coordinator/index.ts';
import { workerBackendArgs, type BackendOptions } from '../../backend.ts';

export interface QueueWorkerSpawn extends WorkerProcessOptions {
  backend?: BackendOptions;
  /** Slots per process (default 1). */
  slots?: number;
  /** The workers' lock duration (s). */
  lockSeconds?: number;
}

export function spawnQueueWorkers(n: number, url: string, o: QueueWorkerSpawn = {}): LocalWorkers {
  const args = (name: string) => [
    '--slots',
    String(o.slots ?? 1),
    '--name',
    name,
    ...(o.lockSeconds !== undefined ? ['--lock-seconds', String(o.lockSeconds)] : []),
    ...workerBackendArgs(o.backend ?? {}),
  ];
  return spawnWorkerProcesses(n, args, { OPTLAB_ENGINE: url }, o);
}
