/**
 * Jobs run one after another in a worker thread of the Lab's process: what `--workers 0`
 * means when a front end is attached, so that no fit ever blocks the Lab's event loop (the
 * loop that answers the window, the WebSocket and the coordinator). The thread runs the
 * same `runJob` with the same kernels as the in-process executor, so results match to the bit.
 */
import type { Dataset } from '../../shared/data/dataset.ts';
import { JobCancelled, type Executor, type ExecutorHooks } from '../../shared/experiment/executor.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import type { KernelsSpec } from '../../shared/protocol.ts';
import { ThreadPool, type ThreadTask } from '../../worker/pool.ts';
import type { ThreadBackend } from '../../worker/backend.ts';

/** The name job rows show for jobs run here. */
export const LAB_THREAD = 'lab-thread';

export class ThreadExecutor implements Executor {
  readonly #kernels: KernelsSpec;
  /** The engine the thread trains on. */
  readonly #backend: ThreadBackend;
  #pool?: ThreadPool;
  #task?: ThreadTask;
  #cancelled = false;

  constructor(kernels: KernelsSpec, backend: ThreadBackend = { name: 'cpu' }) {
    this.#kernels = kernels;
    this.#backend = backend;
  }

  async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    this.#cancelled = false;
    this.#pool ??= new ThreadPool(1, this.#kernels, this.#backend);
    const out: JobResult[] = [];
    for (const job of jobs) {
      if (this.#cancelled) throw new JobCancelled(job.key);
      const ds = data.get(job.dataHash);
      if (!ds) throw new Error(`job ${job.key}: no data set with hash ${job.dataHash}`);
      const t0 = performance.now();
      hooks.onLeased?.(job.key, LAB_THREAD);
      const task = this.#pool.run(job, ds, (p) => hooks.onProgress?.(p));
      this.#task = task;
      let r: JobResult;
      try {
        r = await task.result;
      } catch (e) {
        if (this.#cancelled) throw new JobCancelled(job.key);
        hooks.onAttemptFailed?.(job.key, e instanceof Error ? e.message : String(e), 1, true);
        throw e;
      } finally {
        this.#task = undefined;
      }
      hooks.onResult?.(r, { ms: performance.now() - t0, worker: LAB_THREAD });
      out.push(r);
    }
    return out;
  }

  cancel(): void {
    this.#cancelled = true;
    this.#task?.cancel();
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    await this.#pool?.close();
    this.#pool = undefined;
  }
}
