/**
 * One job thread of a worker: runs `runJob` (the same code as the Lab's in-process executor,
 * so results match to the bit) and reports each epoch back. The thread is blocked for the
 * whole of a fit, so cancellation is a shared flag that the fit polls between batches, not a
 * message it would only read once the fit is over.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { runJob, runJobOn } from '../shared/experiment/executor.ts';
import type { Dataset } from '../shared/data/dataset.ts';
import type { Job, JobProgress, JobResult } from '../shared/experiment/types.ts';
import type { KernelsSpec } from '../shared/protocol.ts';
import { useKernels } from '../shared/linalg/use-kernels.ts';
import { threadEngine, type ThreadBackend } from './backend.ts';

/** Data sets a thread keeps; a job's data then crosses from the worker's main thread once, not per job. */
const KEEP = 4;

// Before any model is built: the pool's main thread has checked these kernels load here.
const wd = workerData as { kernels?: KernelsSpec; backend?: ThreadBackend } | undefined;
if (wd?.kernels) useKernels(wd.kernels.name, wd.kernels.build);
// A GPU worker's thread opens its own device (the main thread found the adapter); a failure
// here fails each job with its reason rather than the thread.
const engine = threadEngine(wd?.backend);
engine.catch(() => {});

const data = new Map<string, Dataset>();
let report: ((p: JobProgress) => Promise<void>) | undefined;

export const threadApi = {
  /** Where progress goes: a comlink proxy living in the worker's main thread. */
  setProgress(cb: (p: JobProgress) => Promise<void>): void {
    report = cb;
  },
  hasData(hash: string): boolean {
    return data.has(hash);
  },
  putData(hash: string, ds: Dataset): void {
    data.delete(hash);
    data.set(hash, ds);
    while (data.size > KEEP) data.delete(data.keys().next().value!);
  },
  /**
   * Runs one job; `flag[0] !== 0` cancels it (the fit then throws). Resolves only once every
   * progress report has been taken by the main thread: reports travel on another channel
   * than the answer, and none may trail the result.
   */
  async run(job: Job, flag: Int32Array): Promise<JobResult> {
    const ds = data.get(job.dataHash);
    if (!ds) throw new Error(`no data set with hash ${job.dataHash} in this thread`);
    // Most recently used last, so eviction drops the data set unused for longest.
    data.delete(job.dataHash);
    data.set(job.dataHash, ds);
    const sent: Promise<void>[] = [];
    const onProgress = (p: JobProgress) => {
      if (report) sent.push(report(p).catch(() => {}));
    };
    try {
      const gpu = await engine;
      const cancelled = () => Atomics.load(flag, 0) !== 0;
      return gpu ? await runJobOn(gpu, job, ds, onProgress, cancelled) : runJob(job, ds, onProgress, cancelled);
    } finally {
      await Promise.all(sent);
    }
  },
};

export type ThreadApi = typeof threadApi;

if (parentPort) Comlink.expose(threadApi, nodeEndpoint(parentPort));
