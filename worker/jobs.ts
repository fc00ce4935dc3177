/**
 * The jobs a worker holds: each gets its data set (asked for once per hash, kept for the jobs
 * after it), runs in a thread of the pool, and streams its progress and then its result or
 * failure to the connection that leased it, unless it was stopped first (that connection
 * lost, or the job handed back), since the Lab then has given it to someone else.
 */
import { performance } from 'node:perf_hooks';
import type { ErrorCode, JobMsg, KernelsSpec, WorkerMessage } from '../shared/protocol.ts';
import { CodecError } from '../shared/codec.ts';
import { jobDataProblems, LIMITS } from '../shared/protocol-validate.ts';
import { datasetHash, type Dataset } from '../shared/data/dataset.ts';
import type { Job } from '../shared/experiment/types.ts';
import { ThreadPool, type ThreadTask } from './pool.ts';
import type { ThreadBackend } from './backend.ts';

/** Data sets kept by hash; a sweep over one data set needs one, a study a few. */
const KEEP_DATA = 8;

export const seconds = (ms: number) => (ms / 1000).toFixed(2);

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

class JobError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a job needs of the connection that leased it. */
export interface JobLink {
  readonly closed: boolean;
  /** Data sets asked for with need_data, by hash. */
  readonly pending: Map<string, Deferred<Dataset>>;
  send(msg: WorkerMessage): boolean;
  close(code: number, reason: string): void;
}

interface RunningJob {
  id: string;
  job: Job;
  conn: JobLink;
  t0: number;
  cancelled: boolean;
  released: boolean;
  task?: ThreadTask;
  /** Rejected when the job is cancelled or handed back, so a wait for data ends too. */
  abort: Deferred<never>;
}

export interface JobRunnerOptions {
  slots: number;
  /** The engine the threads train on. */
  backend?: ThreadBackend;
  out: (line: string) => void;
  /** A draining worker takes no new jobs. */
  draining: () => boolean;
  /** Called when a job of `link` ends, whatever its outcome (a draining worker may then close). */
  settled: (link: JobLink) => void;
}

export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #data = new Map<string, Dataset>();
  /** Jobs being run, this connection's and stopped ones of a lost connection whose threads have not returned yet. */
  readonly #running = new Set<RunningJob>();
  #pool?: ThreadPool;

  constructor(o: JobRunnerOptions) {
    this.#o = o;
  }

  /** Starts the threads, with the kernels the Lab trains with, unless they run already. */
  startThreads(kernels: KernelsSpec): void {
    this.#pool ??= new ThreadPool(this.#o.slots, kernels, this.#o.backend);
  }

  /** Ids of the jobs `link`'s Lab leased that are still ours to report. */
  heldIds(link: JobLink | undefined): string[] {
    return this.#held(link).map((r) => r.id);
  }

  #held(link: JobLink | undefined): RunningJob[] {
    return [...this.#running].filter((r) => r.conn === link && !r.released);
  }

  take(conn: JobLink, msg: JobMsg): void {
    // Stopped jobs of a lost connection do not count: the pool queues the new ones behind them.
    const held = this.#held(conn);
    if (this.#o.draining() || held.length >= this.#o.slots || held.some((r) => r.id === msg.id)) {
      conn.send({ type: 'released', id: msg.id });
      return;
    }
    const rj: RunningJob = {
      id: msg.id,
      job: msg.job,
      conn,
      t0: performance.now(),
      cancelled: false,
      released: false,
      abort: deferred<never>(),
    };
    this.#running.add(rj);
    void this.#execute(rj);
  }

  cancel(conn: JobLink, id: string): void {
    const rj = this.#held(conn).find((r) => r.id === id);
    if (rj && !rj.cancelled) {
      rj.cancelled = true;
      rj.task?.cancel();
      rj.abort.reject(new JobError('E_CANCELLED', 'cancelled by the Lab'));
    }
  }

  /** A data set the Lab sent, in answer to need_data. */
  dataArrived(conn: JobLink, hash: string, dataset: Dataset): void {
    const d = conn.pending.get(hash);
    conn.pending.delete(hash);
    if (datasetHash(dataset) !== hash) {
      d?.reject(new JobError('E_NO_DATA', `the data set sent for ${hash} does not have that hash`));
      return;
    }
    this.#keep(hash, dataset);
    d?.resolve(dataset);
  }

  /** The Lab cannot send the data set job `id` asked for. */
  dataRefused(conn: JobLink, id: string, message: string): void {
    const hash = this.#held(conn).find((r) => r.id === id)?.job.dataHash;
    if (hash) {
      conn.pending.get(hash)?.reject(new JobError('E_NO_DATA', message));
      conn.pending.delete(hash);
    }
  }

  /** The connection is gone: the Lab requeues what it held; results sent later would go nowhere. */
  linkLost(conn: JobLink): void {
    for (const d of conn.pending.values()) d.reject(new JobError('E_NO_DATA', 'connection to the Lab lost'));
    for (const rj of this.#held(conn)) this.#stop(rj);
  }

  #keep(hash: string, ds: Dataset): void {
    this.#data.delete(hash);
    this.#data.set(hash, ds);
    while (this.#data.size > KEEP_DATA) this.#data.delete(this.#data.keys().next().value!);
  }

  #dataFor(rj: RunningJob): Promise<Dataset> {
    const hash = rj.job.dataHash;
    const have = this.#data.get(hash);
    if (have) {
      this.#keep(hash, have);
      return Promise.resolve(have);
    }
    let d = rj.conn.pending.get(hash);
    if (!d) {
      d = deferred<Dataset>();
      rj.conn.pending.set(hash, d);
      rj.conn.send({ type: 'need_data', id: rj.id, hash });
    }
    return Promise.race([d.promise, rj.abort.promise]);
  }

  async #execute(rj: RunningJob): Promise<void> {
    const { job, conn } = rj;
    const live = () => !rj.released && !conn.closed;
    try {
      const data = await this.#dataFor(rj);
      if (rj.cancelled) throw new JobError('E_CANCELLED', 'cancelled by the Lab');
      const problems = jobDataProblems(job, data);
      if (problems.length)
        throw new JobError('E_JOB_FAILED', `the job does not fit its data set: ${problems.join('; ')}`);
      rj.task = this.#pool!.run(job, data, (progress) => {
        if (live() && !rj.cancelled) conn.send({ type: 'progress', id: rj.id, progress });
      });
      if (rj.cancelled || rj.released) rj.task.cancel();
      const result = await rj.task.result;
      if (!live()) return;
      const ms = performance.now() - rj.t0;
      let sent: boolean;
      try {
        sent = conn.send({ type: 'result', id: rj.id, result, ms });
      } catch (e) {
        if (!(e instanceof CodecError)) throw e;
        throw new JobError(e.code, `the result cannot be sent: ${e.message}`);
      }
      if (!sent) return;
      this.#o.out(`done ${job.key} in ${seconds(ms)} s`);
    } catch (e) {
      if (!live()) return;
      const after = seconds(performance.now() - rj.t0);
      if (rj.cancelled) {
        conn.send({ type: 'failed', id: rj.id, code: 'E_CANCELLED', message: 'cancelled by the Lab' });
        this.#o.out(`cancelled ${job.key} after ${after} s`);
      } else {
        const code = e instanceof JobError ? e.code : 'E_JOB_FAILED';
        const message = (e instanceof Error ? e.message : String(e)).slice(0, LIMITS.message);
        conn.send({ type: 'failed', id: rj.id, code, message });
        this.#o.out(`failed ${job.key} after ${after} s: ${message}`);
      }
    } finally {
      this.#running.delete(rj);
      this.#o.settled(conn);
    }
  }

  /** Stops a job whose outcome can no longer be reported. */
  #stop(rj: RunningJob): void {
    rj.released = true;
    rj.task?.cancel();
    rj.abort.reject(new JobError('E_CANCELLED', 'stopped'));
  }

  /** Hands every job back: to `conn`'s Lab those it leased, the others are only stopped. */
  releaseAll(conn: JobLink | undefined, why: string): void {
    for (const rj of this.#running) {
      if (rj.released) continue;
      if (rj.conn === conn) conn.send({ type: 'released', id: rj.id });
      this.#stop(rj);
      this.#o.out(`released ${rj.job.key} (${why})`);
    }
  }

  /** Stops every job and the threads. */
  async close(): Promise<void> {
    for (const rj of this.#running) this.#stop(rj);
    await this.#pool?.close();
  }
}
