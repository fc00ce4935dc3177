/**
 * The LAN engine: runs go to the Lab's WebSocket coordinator (local worker processes, and LAN
 * workers when the run joins them) or, with no workers, to this process. Nothing outlives the
 * Lab here: leases die with it, so reconcile has nothing to import, and a resumed run simply
 * runs what is not committed.
 */
import type { WorkerView } from '../../shared/lab-api.ts';
import type { LabWorkers } from '../lab/workers.ts';
import { runBackend } from '../backend.ts';
import {
  NOTHING_RECONCILED,
  type EngineRun,
  type EngineSession,
  type JobEngine,
  type ReconcileSummary,
} from './types.ts';

export class LanEngine implements JobEngine {
  readonly #workers: LabWorkers;

  constructor(workers: LabWorkers) {
    this.#workers = workers;
  }

  get info() {
    return { kind: 'lan' as const, where: 'this machine and the LAN (WebSocket coordinator)' };
  }

  async open(run: EngineRun): Promise<EngineSession> {
    const opened = await this.#workers.executor(run.workers, run.joined, run.backend);
    const executor = opened.executor;
    const stop = () => opened.stop();
    const backend = run.backend.backend ?? 'cpu';
    if (run.workers === 0 && !run.joined)
      return { executor, stop, engine: { kind: 'in-process', where: 'this process', backend } };
    const c = await this.#workers.coordinator();
    return { executor, stop, engine: { kind: 'lan', where: c.url, backend: runBackend(run.backend) ?? 'auto' } };
  }

  async reconcile(): Promise<ReconcileSummary> {
    return NOTHING_RECONCILED;
  }

  workers(): Promise<WorkerView[]> {
    return this.#workers.list();
  }

  async close(): Promise<void> {
    await this.#workers.close();
  }
}
