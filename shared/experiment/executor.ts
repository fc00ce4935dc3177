/**
 * Executors run jobs and hand back results in any order; the aggregator sorts by key, so
 * the order never shows in the numbers. `runJob` is the whole of a job's work, the same in
 * this process, in a worker thread, or on another machine.
 */
import type { Dataset } from '../data/dataset.ts';
import { fit, fitAsync, type FitInput, type FitResult } from '../train/fit.ts';
import type { TrainEngine } from '../train/engine.ts';
import { analyze } from '../analysis/analyze.ts';
import type { Job, JobProgress, JobResult } from './types.ts';

export interface ExecutorHooks {
  /** After every epoch of every job. */
  onProgress?: (p: JobProgress) => void;
  /** A job was handed to a worker (the library marks it leased). */
  onLeased?: (key: string, worker: string) => void;
  /** A try of a job failed; `final` when it will not be tried again (the run then fails). */
  onAttemptFailed?: (key: string, error: string, attempts: number, final: boolean) => void;
  /** When a job's result is in (the Lab commits it here); `meta` says where and how long it ran. */
  onResult?: (r: JobResult, meta?: ResultMeta) => void;
  /**
   * A second delivery of a result already handed to `onResult` (a queue delivers at least
   * once). Never part of the run's results: the Lab compares its bytes with the committed ones.
   */
  onDuplicate?: (r: JobResult, meta?: ResultMeta) => void;
}

/** Where and how long a job ran (for the library and the UI; never part of the results). */
export interface ResultMeta {
  /** Wall time of the job on its worker, ms. */
  ms: number;
  /** Name of the worker that ran it. */
  worker: string;
}

export interface Executor {
  /** Runs the jobs; resolves with every result (in any order) or rejects with the first failure. */
  run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks?: ExecutorHooks): Promise<JobResult[]>;
  /** Stops what is running; the pending run rejects with a cancellation error. */
  cancel(): void;
}

/** Thrown inside a job when its run was cancelled. */
export class JobCancelled extends Error {
  constructor(key: string) {
    super(`job ${key} cancelled`);
  }
}

/** One job, start to finish: the fit, then the analyses its spec asks for. */
export function runJob(
  job: Job,
  data: Dataset,
  onProgress?: (p: JobProgress) => void,
  cancelled?: () => boolean,
): JobResult {
  return jobResult(job, data, fit(fitInput(job, data, onProgress, cancelled)));
}

/**
 * `runJob` with the fit on `engine` (a GPU engine answers asynchronously). Analyses run on the
 * host from the weights the engine trained.
 */
export async function runJobOn(
  engine: TrainEngine,
  job: Job,
  data: Dataset,
  onProgress?: (p: JobProgress) => void,
  cancelled?: () => boolean,
): Promise<JobResult> {
  return jobResult(job, data, await fitAsync(fitInput(job, data, onProgress, cancelled), engine));
}

function fitInput(
  job: Job,
  data: Dataset,
  onProgress: ((p: JobProgress) => void) | undefined,
  cancelled: (() => boolean) | undefined,
): FitInput {
  const epochs = job.fitConfig.training.epochs;
  return {
    data,
    train: job.train,
    evals: job.evals,
    curves: job.curves,
    monitor: job.monitor,
    config: job.fitConfig,
    seed: job.seed,
    initSeed: job.initSeed,
    weights: job.weights,
    outputsFor: job.outputsFor,
    cancelled,
    onEpoch: onProgress ? (record) => onProgress({ key: job.key, epoch: record.epoch, epochs, record }) : undefined,
  };
}

function jobResult(job: Job, data: Dataset, r: FitResult): JobResult {
  const result: JobResult = {
    key: job.key,
    history: r.history,
    final: r.final,
    bestEpoch: r.bestEpoch,
    stoppedEarly: r.stoppedEarly,
    diverged: r.diverged,
    paramCount: r.paramCount,
    outDim: r.outDim,
    outputs: r.outputs,
  };
  if (r.engine) result.engine = r.engine;
  if (job.analysis && (job.analysis.sharpness || job.analysis.hessian) && !r.diverged) {
    result.analysis = analyze(job, data, r);
  }
  if (job.analysis?.keepWeights) result.state = r.state;
  return result;
}

/** Runs jobs one after another in this thread: the reference every other executor must match. */
export class InProcessExecutor implements Executor {
  #cancelled = false;
  /** The engine fits run on (the CPU's plain `fit` when absent). */
  readonly #engine: TrainEngine | undefined;

  constructor(engine?: TrainEngine) {
    this.#engine = engine;
  }

  async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    this.#cancelled = false;
    const out: JobResult[] = [];
    for (const job of jobs) {
      if (this.#cancelled) throw new JobCancelled(job.key);
      const ds = data.get(job.dataHash);
      if (!ds) throw new Error(`job ${job.key}: no data set with hash ${job.dataHash}`);
      const t0 = performance.now();
      hooks.onLeased?.(job.key, 'in-process');
      let r: JobResult;
      try {
        r = this.#engine
          ? await runJobOn(this.#engine, job, ds, hooks.onProgress, () => this.#cancelled)
          : runJob(job, ds, hooks.onProgress, () => this.#cancelled);
      } catch (e) {
        if (!this.#cancelled) hooks.onAttemptFailed?.(job.key, e instanceof Error ? e.message : String(e), 1, true);
        throw e;
      }
      hooks.onResult?.(r, { ms: performance.now() - t0, worker: 'in-process' });
      out.push(r);
      // Yield between jobs so progress can be drawn and a cancel can arrive.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return out;
  }

  cancel(): void {
    this.#cancelled = true;
  }
}
