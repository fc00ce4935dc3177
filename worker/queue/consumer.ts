/**
 * `optlab worker --engine redis://…`: a BullMQ worker on the queue of its back end and
 * kernels (layout.ts). Jobs run in the same threads as a LAN worker's (pool.ts, so the same
 * bits), which leaves this event loop free to renew the jobs' locks however long an epoch
 * takes; the lock then only has to outlast a pause of this loop, not a job.
 *
 * A job's data set is read once from Redis by content hash, checked against that hash and
 * kept. Progress goes out at most every 200 ms per job (the last epoch always). Every second
 * the cancel flags of the runs it holds are read; a cancelled job stops between two batches.
 * SIGTERM drains: no new jobs, the held ones finish within the grace period, the rest are
 * handed back to the queue (not counted as a failed try), then the process exits 0.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { UnrecoverableError, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { datasetHash, type Dataset } from '../../shared/data/dataset.ts';
import type { JobProgress } from '../../shared/experiment/types.ts';
import { jobDataProblems, LIMITS } from '../../shared/protocol-validate.ts';
import type { KernelsSpec } from '../../shared/protocol.ts';
import { ThreadPool, type ThreadTask } from '../pool.ts';
import { CPU_BACKEND, type WorkerBackend } from '../backend.ts';
import { Backoff } from '../backoff.ts';
import { seconds } from '../jobs.ts';
import { probe, RedisRefused, RedisUnreachable, redisOptions } from './connect.ts';
import {
  queueName,
  redisKeys,
  WORKER_BEAT_MS,
  WORKER_TTL_S,
  type QueueWorkerInfo,
  type RedisTarget,
} from './layout.ts';
import { jobReturn, PayloadError, readDataBytes, readJobData, runId, type QueueJobReturn } from './payload.ts';

export interface QueueWorkerOptions {
  target: RedisTarget;
  name: string;
  slots: number;
  /** How long a draining worker lets its jobs finish before handing them back (ms). */
  graceMs: number;
  /** BullMQ lock duration (ms): renewed every half of it by this loop while a job runs. */
  lockMs: number;
  kernels: KernelsSpec;
  backend?: WorkerBackend;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Data sets kept by hash (a sweep over one data set needs one, a study a few). */
const KEEP_DATA = 8;
/** Fewest milliseconds between two progress reports of one job. */
const PROGRESS_MS = 200;

interface Held {
  key: string;
  run: string;
  task?: ThreadTask;
  cancelled: boolean;
  released: boolean;
}

export class QueueWorker {
  readonly #o: Required<QueueWorkerOptions>;
  readonly #id = randomBytes(4).toString('hex');
  readonly #keys;
  readonly #queue: string;
  readonly #data = new Map<string, Dataset>();
  readonly #held = new Map<string, Held>();
  #cmd?: Redis;
  #pool?: ThreadPool;
  #worker?: Worker;
  #beat?: NodeJS.Timeout;
  #poll?: NodeJS.Timeout;
  #grace?: NodeJS.Timeout;
  #draining = false;
  #stopped = false;
  #wake?: () => void;
  #done = 0;
  #failed = 0;
  readonly #joinedAt = Date.now();
  #lastError = '';

  constructor(o: QueueWorkerOptions) {
    this.#o = { backend: CPU_BACKEND, out: (l) => console.log(l), err: (l) => console.error(l), ...o };
    this.#keys = redisKeys(o.target.prefix);
    this.#queue = queueName(this.#o.backend.spec.name, o.kernels);
  }

  get queue(): string {
    return this.#queue;
  }

  /** Serves the queue until drained (0), or refused by the server (2). */
  async run(): Promise<number> {
    const { target } = this.#o;
    const backoff = new Backoff(this.#o.name);
    for (;;) {
      if (this.#draining) return 0;
      try {
        await probe(target);
        break;
      } catch (e) {
        if (e instanceof RedisRefused) {
          this.#o.err(`optlab worker: ${e.message}`);
          return 2;
        }
        if (!(e instanceof RedisUnreachable)) throw e;
        const delay = backoff.next();
        this.#o.out(`${e.message}; retrying in ${seconds(delay)} s`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
    this.#cmd = new Redis(redisOptions(target, `optlab-worker-${this.#o.name}`));
    this.#cmd.on('error', (e: Error) => this.#warn(`redis: ${e.message}`));
    this.#pool = new ThreadPool(this.#o.slots, this.#o.kernels, this.#o.backend.thread);
    const worker = new Worker(this.#queue, (job, token) => this.#process(job, token), {
      connection: redisOptions(target, `optlab-worker-${this.#o.name}`),
      prefix: target.prefix,
      name: this.#o.name,
      concurrency: this.#o.slots,
      lockDuration: this.#o.lockMs,
      stalledInterval: this.#o.lockMs,
      maxStalledCount: 2,
      autorun: false,
    });
    this.#worker = worker;
    worker.on('error', (e) => this.#warn(`queue: ${e.message}`));
    const closed = new Promise<void>((resolve) => worker.once('closed', () => resolve()));
    await this.#publish();
    this.#beat = setInterval(() => void this.#publish(), WORKER_BEAT_MS);
    this.#poll = setInterval(() => void this.#pollCancels(), 1000);
    this.#o.out(
      `serving ${target.display} queue ${this.#queue} as "${this.#o.name}" (${this.#o.slots} slot${this.#o.slots === 1 ? '' : 's'})`,
    );
    void worker.run().catch((e: unknown) => this.#warn(`queue: ${e instanceof Error ? e.message : String(e)}`));
    if (this.#draining) void this.#close();
    await closed;
    await this.#shutdown();
    return 0;
  }

  /**
   * SIGTERM: take no new jobs, let the held ones finish within the grace period, hand the rest
   * back, exit. A second call hands everything back at once.
   */
  drain(): void {
    if (this.#draining) return this.#releaseAll('asked again to stop');
    this.#draining = true;
    this.#wake?.();
    if (!this.#worker) return;
    this.#o.out(`draining: ${this.#held.size} job(s) to finish within ${seconds(this.#o.graceMs)} s`);
    void this.#publish();
    if (this.#held.size) this.#grace = setTimeout(() => this.#releaseAll('grace period over'), this.#o.graceMs);
    void this.#close();
  }

  async #close(): Promise<void> {
    try {
      await this.#worker?.close();
    } catch (e) {
      this.#warn(`closing: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #releaseAll(why: string): void {
    for (const h of this.#held.values()) {
      if (h.released) continue;
      h.released = true;
      h.task?.cancel();
      this.#o.out(`released ${h.key} (${why})`);
    }
  }

  async #shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#grace);
    clearInterval(this.#beat);
    clearInterval(this.#poll);
    try {
      await this.#cmd?.multi().srem(this.#keys.workers, this.#id).del(this.#keys.worker(this.#id)).exec();
    } catch {
      // The entry expires by itself.
    }
    this.#cmd?.disconnect();
    await this.#pool?.close();
  }

  #warn(line: string): void {
    // The same error repeats while Redis is away: once is enough.
    if (line === this.#lastError) return;
    this.#lastError = line;
    this.#o.out(line);
  }

  async #process(job: BullJob, token: string | undefined): Promise<QueueJobReturn> {
    const id = job.id!;
    let parsed;
    try {
      parsed = readJobData(job.data, id);
    } catch (e) {
      if (!(e instanceof PayloadError)) throw e;
      this.#failed++;
      this.#o.out(`refused job ${id}: malformed payload: ${e.message}`);
      throw new UnrecoverableError(`malformed job payload: ${e.message}`);
    }
    const { job: j } = parsed;
    const held: Held = { key: j.key, run: runId(parsed.lab, parsed.experiment), cancelled: false, released: false };
    this.#held.set(id, held);
    const t0 = performance.now();
    try {
      const data = await this.#dataset(j.dataHash);
      const problems = jobDataProblems(j, data);
      if (problems.length) throw new Error(`E_JOB_FAILED: the job does not fit its data set: ${problems.join('; ')}`);
      let last = 0;
      let pending: JobProgress | undefined;
      let flush: NodeJS.Timeout | undefined;
      const send = (p: JobProgress) => {
        last = performance.now();
        pending = undefined;
        job.updateProgress(p as unknown as object).catch(() => {});
      };
      held.task = this.#pool!.run(j, data, (p) => {
        if (held.cancelled || held.released) return;
        if (performance.now() - last >= PROGRESS_MS || p.epoch === p.epochs) send(p);
        else if (!pending) {
          pending = p;
          flush = setTimeout(() => pending && send(pending), PROGRESS_MS);
        } else pending = p;
      });
      if (held.cancelled || held.released) held.task.cancel();
      let result;
      try {
        result = await held.task.result;
      } finally {
        clearTimeout(flush);
      }
      const ms = performance.now() - t0;
      this.#done++;
      this.#o.out(`done ${j.key} in ${seconds(ms)} s`);
      return jobReturn(id, result, ms, this.#o.name);
    } catch (e) {
      const after = seconds(performance.now() - t0);
      if (held.released) {
        // Handed back unfinished: not the job's fault, so no try is counted.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (held.cancelled) {
        this.#o.out(`cancelled ${j.key} after ${after} s`);
        throw new UnrecoverableError('E_CANCELLED: cancelled by the Lab');
      }
      this.#failed++;
      const message = (e instanceof Error ? e.message : String(e)).slice(0, LIMITS.message);
      this.#o.out(`failed ${j.key} after ${after} s: ${message}`);
      throw new Error(/^E_[A-Z_]+: /.test(message) ? message : `E_JOB_FAILED: ${message}`, { cause: e });
    } finally {
      this.#held.delete(id);
      void this.#publish();
    }
  }

  /** A data set by hash: kept here, else read from Redis once and checked against its hash. */
  async #dataset(hash: string): Promise<Dataset> {
    const have = this.#data.get(hash);
    if (have) {
      this.#data.delete(hash);
      this.#data.set(hash, have);
      return have;
    }
    const bytes = await this.#cmd!.getBuffer(this.#keys.data(hash));
    if (!bytes) throw new Error(`E_NO_DATA: data set ${hash} is not in Redis (the Lab writes it when a run starts)`);
    let ds: Dataset;
    try {
      ds = readDataBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), hash);
    } catch (e) {
      throw new Error(`E_NO_DATA: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (datasetHash(ds) !== hash) throw new Error(`E_NO_DATA: the data set stored as ${hash} does not have that hash`);
    this.#data.set(hash, ds);
    while (this.#data.size > KEEP_DATA) this.#data.delete(this.#data.keys().next().value!);
    return ds;
  }

  /** Stops the jobs whose run the Lab cancelled. */
  async #pollCancels(): Promise<void> {
    const held = [...this.#held.values()].filter((h) => !h.cancelled && !h.released);
    if (!held.length || !this.#cmd) return;
    try {
      const flags = await Promise.all(held.map((h) => this.#cmd!.exists(this.#keys.cancel(h.run))));
      held.forEach((h, i) => {
        if (flags[i]) {
          h.cancelled = true;
          h.task?.cancel();
        }
      });
    } catch {
      // Redis is away; the next poll tries again.
    }
  }

  /** Writes this worker's entry (what `optlab workers` lists); it expires unless refreshed. */
  async #publish(): Promise<void> {
    if (!this.#cmd || this.#stopped) return;
    const info: QueueWorkerInfo = {
      id: this.#id,
      name: this.#o.name,
      host: hostname(),
      slots: this.#o.slots,
      backend: this.#o.backend.spec,
      kernels: this.#o.kernels,
      queue: this.#queue,
      jobs: [...this.#held.values()].map((h) => h.key),
      done: this.#done,
      failed: this.#failed,
      draining: this.#draining,
      joinedAt: this.#joinedAt,
      seenAt: Date.now(),
    };
    try {
      await this.#cmd
        .multi()
        .sadd(this.#keys.workers, this.#id)
        .set(this.#keys.worker(this.#id), JSON.stringify(info), 'EX', WORKER_TTL_S)
        .exec();
    } catch {
      // Redis is away; the next beat writes it again.
    }
  }
}
