/**
 * The job threads of a worker, one per slot. Each is a worker_threads Worker driven through
 * comlink, so the worker's main thread stays free for the socket (heartbeats, progress,
 * cancels) while fits run. A thread that dies (out of memory, a crash in native code) fails
 * the job it held and is replaced; the worker process goes on.
 */
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Dataset } from '../shared/data/dataset.ts';
import type { Job, JobProgress, JobResult } from '../shared/experiment/types.ts';
import type { ThreadApi } from './thread.ts';
import type { KernelsSpec } from '../shared/protocol.ts';
import type { ThreadBackend } from './backend.ts';

interface Slot {
  worker: Worker;
  api: Comlink.Remote<ThreadApi>;
  busy: boolean;
  dead: boolean;
  onProgress?: (p: JobProgress) => void;
  fail?: (e: Error) => void;
}

/** A job handed to the pool: its outcome, and a cancel that reaches the fit between two batches. */
export interface ThreadTask {
  result: Promise<JobResult>;
  cancel(): void;
}

export class ThreadPool {
  readonly #slots: Slot[];
  readonly #waiters: Array<{ take: (s: Slot) => void; refuse: (e: Error) => void }> = [];
  #closed = false;

  /** The kernels every thread trains with (the Lab's choice). */
  readonly #kernels: KernelsSpec;
  /** The engine every thread trains on (the worker's --backend). */
  readonly #backend: ThreadBackend;

  constructor(
    readonly size: number,
    kernels: KernelsSpec = { name: 'js' },
    backend: ThreadBackend = { name: 'cpu' },
  ) {
    this.#kernels = kernels;
    this.#backend = backend;
    this.#slots = Array.from({ length: size }, () => this.#spawn());
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./thread.mjs', import.meta.url), {
      workerData: { kernels: this.#kernels, backend: this.#backend },
    });
    const api = Comlink.wrap<ThreadApi>(nodeEndpoint(worker));
    const slot: Slot = { worker, api, busy: false, dead: false };
    api.setProgress(Comlink.proxy(async (p: JobProgress) => slot.onProgress?.(p))).catch(() => {});
    worker.on('error', (e) => this.#lost(slot, e));
    worker.on('exit', (code) => this.#lost(slot, new Error(`the job thread exited (code ${code})`)));
    return slot;
  }

  #lost(slot: Slot, err: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    slot.fail?.(new Error(`job thread lost: ${err.message}`));
    if (this.#closed) return;
    const i = this.#slots.indexOf(slot);
    const fresh = this.#spawn();
    this.#slots[i] = fresh;
    this.#hand(fresh);
  }

  /** Gives a free slot to the first job waiting for one. */
  #hand(slot: Slot): void {
    const w = this.#waiters.shift();
    if (!w) return;
    slot.busy = true;
    w.take(slot);
  }

  #acquire(): Promise<Slot> {
    if (this.#closed) return Promise.reject(new Error('the thread pool is closed'));
    const free = this.#slots.find((s) => !s.busy && !s.dead);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((take, refuse) => this.#waiters.push({ take, refuse }));
  }

  #release(slot: Slot): void {
    slot.busy = false;
    slot.onProgress = undefined;
    slot.fail = undefined;
    if (!slot.dead) this.#hand(slot);
  }

  /** Runs a job on the next free thread (its data set crosses once per thread, by hash). */
  run(job: Job, data: Dataset, onProgress: (p: JobProgress) => void): ThreadTask {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const result = (async () => {
      const slot = await this.#acquire();
      try {
        if (Atomics.load(flag, 0) !== 0) throw new Error('cancelled before it started');
        slot.onProgress = onProgress;
        const lost = new Promise<never>((_, reject) => {
          slot.fail = reject;
        });
        const work = (async () => {
          if (!(await slot.api.hasData(job.dataHash))) await slot.api.putData(job.dataHash, data);
          return await slot.api.run(job, flag);
        })();
        return await Promise.race([work, lost]);
      } finally {
        this.#release(slot);
      }
    })();
    return { result, cancel: () => void Atomics.store(flag, 0, 1) };
  }

  /** Stops every thread, running or not. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.refuse(new Error('the thread pool is closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }
}
