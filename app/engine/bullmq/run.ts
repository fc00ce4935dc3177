/**
 * One run on the queue, seen by the Lab as an Executor. `run(jobs)` writes the data sets (by
 * hash), adds the jobs with their stable ids (adding one that is there already is a no-op),
 * then looks at what the queue already holds for them: a result finished while no Lab listened
 * is delivered at once, a failure left by an earlier run is cleared and the job added again.
 * From then on the queue's events drive it (engine.ts routes them here by job id), with a
 * sweep every few seconds for anything an event did not bring (a Redis restart).
 *
 * A result is checked against its job, handed to the Lab (which commits it), and only then
 * removed from the queue. A second delivery of a key goes to `onDuplicate`, where the Lab
 * compares bytes.
 */
import type { Queue } from 'bullmq';
import type { Dataset } from '../../../shared/data/dataset.ts';
import { type Executor, type ExecutorHooks } from '../../../shared/experiment/executor.ts';
import type { Job, JobProgress, JobResult } from '../../../shared/experiment/types.ts';
import { resultProblems } from '../../../shared/protocol-validate.ts';
import { parseKey } from '../../../shared/experiment/keys.ts';
import { DATA_TTL_S } from '../../../worker/queue/layout.ts';
import { dataBytes, jobData, PayloadError, queueJobId, readJobReturn } from '../../../worker/queue/payload.ts';
import { JobFailedError, RunCancelled } from '../../coordinator/errors.ts';
import type { CoordinatorLogger } from '../../coordinator/types.ts';
import type { RedisCommands } from './commands.ts';

export interface RunSettings {
  lab: string;
  experimentId: number;
  /** `<lab>.run<experiment>`: the cancel flag's and owner's name. */
  runId: string;
  queue: Queue;
  cmd: RedisCommands;
  /** Tries of a job before the run fails (BullMQ `attempts`). */
  attempts: number;
  /** First backoff delay between tries (ms, doubling). */
  backoffMs: number;
  log: CoordinatorLogger;
  /** Tells the engine which job ids this run answers for (events are routed by id). */
  claim(id: string, run: QueueRun): void;
}

interface Item {
  job: Job;
  /** Its result was handed to the Lab. */
  delivered: boolean;
  /** Leases seen (tries started). */
  leases: number;
  worker?: string;
}

/** Boosting rounds first: the rest of a chain waits on each of them. */
const priorityOf = (key: string) => (parseKey(key)?.round !== undefined ? 1 : 2);

export class QueueRun implements Executor {
  readonly #s: RunSettings;
  readonly #items = new Map<string, Item>();
  #hooks: ExecutorHooks = {};
  #batch?: { ids: Set<string>; resolve(r: JobResult[]): void; reject(e: Error): void; results: JobResult[] };
  #cancelled = false;
  #settled = false;
  #clearing: Promise<void> = Promise.resolve();
  /** While a batch is being added and checked, the sweep keeps off (a stale failure is not yet cleared). */
  #submitting = false;

  constructor(s: RunSettings) {
    this.#s = s;
  }

  /** Job ids of this run not yet delivered (what the sweep looks for). */
  outstanding(): string[] {
    return [...this.#items].filter(([, it]) => !it.delivered).map(([id]) => id);
  }

  async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    if (this.#cancelled) throw new RunCancelled(jobs.length, jobs[0]?.key ?? '-');
    this.#hooks = hooks;
    this.#settled = false;
    if (!jobs.length) return [];
    const { lab, experimentId } = this.#s;
    const started = Date.now();
    const ids = new Set<string>();
    for (const job of jobs) {
      if (!data.has(job.dataHash)) throw new Error(`job ${job.key}: no data set with hash ${job.dataHash}`);
      const id = queueJobId(lab, experimentId, job.key);
      if (ids.has(id)) throw new Error(`two jobs have the key ${job.key}`);
      ids.add(id);
      this.#items.set(id, { job, delivered: false, leases: 0 });
      this.#s.claim(id, this);
    }
    const done = new Promise<JobResult[]>((resolve, reject) => {
      this.#batch = { ids, resolve, reject, results: [] };
    });
    done.catch(() => {});
    this.#submitting = true;
    try {
      await this.#submit(ids, jobs, data, started);
    } finally {
      this.#submitting = false;
    }
    return done;
  }

  async #submit(ids: Set<string>, jobs: Job[], data: ReadonlyMap<string, Dataset>, started: number): Promise<void> {
    const { queue, lab, experimentId } = this.#s;
    await this.enqueue(jobs, data);
    // What was there before we added: results of a run the Lab did not see end, failures of an earlier run.
    const found = await Promise.all([...ids].map(async (id) => ({ id, job: await queue.getJob(id) })));
    for (const { id, job } of found) {
      if (!job) continue;
      const state = await job.getState();
      if (state === 'completed') this.deliver(id, job.returnvalue);
      else if (state === 'failed' && job.timestamp < started) {
        const it = this.#items.get(id)!;
        await queue.remove(id);
        await queue.add('fit', jobData(lab, experimentId, it.job), this.#options(it.job, id));
      } else if (state === 'failed') await this.failed(id);
    }
  }

  /** Writes the jobs' data sets and adds the jobs (those already in the queue stay as they are). */
  async enqueue(jobs: readonly Job[], data: ReadonlyMap<string, Dataset>): Promise<void> {
    await this.#writeData(new Set(jobs.map((j) => j.dataHash)), data);
    await this.#s.queue.addBulk(jobs.map((job) => this.#entry(job)));
  }

  /**
   * Looks the outstanding jobs up: a result or a final failure whose event went missing is
   * acted on, and a job the queue no longer has (a Redis that lost data) is added again.
   */
  async sweep(ids: readonly string[]): Promise<void> {
    if (this.#settled || this.#cancelled || this.#submitting || !ids.length) return;
    const { queue, cmd } = this.#s;
    const pipe = cmd.redis.pipeline();
    for (const id of ids) {
      pipe.exists(queue.toKey(id));
      pipe.zscore(queue.toKey('completed'), id);
      pipe.zscore(queue.toKey('failed'), id);
    }
    const replies = (await pipe.exec()) ?? [];
    for (let i = 0; i < ids.length; i++) {
      const [exists, completed, failed] = replies.slice(3 * i, 3 * i + 3).map(([err, v]) => (err ? undefined : v));
      const id = ids[i];
      const it = this.#items.get(id);
      if (!it || it.delivered || this.#settled) continue;
      if (completed !== null && completed !== undefined) {
        const job = await queue.getJob(id);
        if (job) this.deliver(id, job.returnvalue);
      } else if (failed !== null && failed !== undefined) await this.failed(id);
      else if (exists === 0) {
        this.#s.log.warn(`job ${it.job.key} is no longer in the queue; added again`);
        await queue.add('fit', jobData(this.#s.lab, this.#s.experimentId, it.job), this.#options(it.job, id));
      }
    }
  }

  /** Resolves once a cancel has cleared the queue of this run's waiting jobs. */
  async settle(): Promise<void> {
    await this.#clearing;
  }

  #entry(job: Job) {
    const id = queueJobId(this.#s.lab, this.#s.experimentId, job.key);
    return { name: 'fit', data: jobData(this.#s.lab, this.#s.experimentId, job), opts: this.#options(job, id) };
  }

  #options(job: Job, id: string) {
    return {
      jobId: id,
      attempts: this.#s.attempts,
      backoff: { type: 'exponential', delay: this.#s.backoffMs },
      priority: priorityOf(job.key),
      removeOnComplete: false,
      removeOnFail: false,
    };
  }

  /** Each data set once per run, by hash; one already there only gets its expiry pushed back. */
  async #writeData(hashes: Set<string>, data: ReadonlyMap<string, Dataset>): Promise<void> {
    const { cmd } = this.#s;
    for (const hash of hashes) {
      const key = cmd.keys.data(hash);
      if ((await cmd.redis.expire(key, DATA_TTL_S)) === 1) continue;
      await cmd.redis.set(key, dataBytes(hash, data.get(hash)!), 'EX', DATA_TTL_S);
    }
  }

  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    const open = this.outstanding();
    const { cmd, queue, runId, log } = this.#s;
    // Workers read the flag every second and stop the fits they hold; what waits is removed.
    this.#clearing = (async () => {
      try {
        await cmd.redis.set(cmd.keys.cancel(runId), '1', 'EX', 3600);
        for (const id of open) await queue.remove(id);
      } catch (e) {
        log.warn(`cancelling ${runId}: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
    this.#fail(new RunCancelled(open.length, this.#items.get(open[0])?.job.key ?? '-'));
  }

  #fail(e: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#batch?.reject(e);
  }

  #notify(call: () => void): void {
    try {
      call();
    } catch (e) {
      this.#s.log.warn(`queue: a run hook threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ── events, routed here by job id ──────────────────────────────────────────────────────

  leased(id: string, worker: string): void {
    const it = this.#items.get(id);
    if (!it || it.delivered || this.#settled) return;
    it.leases++;
    it.worker = worker;
    this.#notify(() => this.#hooks.onLeased?.(it.job.key, worker));
  }

  progress(id: string, data: unknown): void {
    const it = this.#items.get(id);
    if (!it || it.delivered || this.#settled) return;
    const p = data as Partial<JobProgress> | null;
    if (!p || p.key !== it.job.key || typeof p.epoch !== 'number' || typeof p.epochs !== 'number') return;
    this.#notify(() => this.#hooks.onProgress?.(p as JobProgress));
  }

  /** A try failed and BullMQ will try again after its backoff. */
  retrying(id: string, reason: string, attemptsMade: number): void {
    const it = this.#items.get(id);
    if (!it || it.delivered || this.#settled) return;
    this.#s.log.warn(`job ${it.job.key} failed (try ${attemptsMade} of ${this.#s.attempts}): ${reason}`);
    this.#notify(() => this.#hooks.onAttemptFailed?.(it.job.key, this.#why(it, reason), attemptsMade, false));
  }

  /** Its worker stopped renewing the lock (killed, or lost): BullMQ put it back in the queue. */
  stalled(id: string): void {
    const it = this.#items.get(id);
    if (!it || it.delivered || this.#settled) return;
    const who = it.worker ? `worker "${it.worker}"` : 'its worker';
    this.#s.log.warn(`job ${it.job.key}: ${who} stopped renewing its lock; requeued`);
    this.#notify(() =>
      this.#hooks.onAttemptFailed?.(it.job.key, `${who} went silent (lock expired)`, it.leases, false),
    );
  }

  /** The job failed for good (tries used up, or a failure that retrying cannot mend). */
  async failed(id: string): Promise<void> {
    const it = this.#items.get(id);
    if (!it || it.delivered || this.#settled) return;
    const job = await this.#s.queue.getJob(id);
    const reason = job?.failedReason ?? 'failed';
    const tries = Math.max(job?.attemptsMade ?? 1, 1);
    if (/^E_CANCELLED: /.test(reason) && this.#cancelled) return;
    const why = this.#why(it, reason);
    this.#notify(() => this.#hooks.onAttemptFailed?.(it.job.key, why, tries, true));
    this.#fail(new JobFailedError(it.job.key, tries, why));
    this.cancel();
  }

  #why(it: Item, reason: string): string {
    return it.worker ? `${reason} (worker "${it.worker}")` : reason;
  }

  /** A result arrived (an event, the sweep, or found at submit): checked, handed over, then removed. */
  deliver(id: string, value: unknown): void {
    const it = this.#items.get(id);
    if (!it) return;
    const { queue, log } = this.#s;
    let got;
    try {
      got = readJobReturn(value, id);
      const problems = resultProblems(it.job, got.result);
      if (problems.length) throw new PayloadError(`does not match its job: ${problems.slice(0, 3).join('; ')}`);
    } catch (e) {
      if (!(e instanceof PayloadError)) throw e;
      // A worker delivered something that is not this job's result: the job runs again.
      log.warn(`job ${it.job.key}: a bad result (${e.message}); the job runs again`);
      void queue
        .remove(id)
        .then(() => queue.add('fit', jobData(this.#s.lab, this.#s.experimentId, it.job), this.#options(it.job, id)))
        .catch((err: unknown) => log.warn(`job ${it.job.key}: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    const meta = { ms: got.ms, worker: got.worker };
    if (it.delivered || this.#settled) {
      // A second delivery (a stalled job finished twice, a result met again at a restart).
      this.#notify(() => this.#hooks.onDuplicate?.(got.result, meta));
    } else {
      it.delivered = true;
      this.#notify(() => this.#hooks.onResult?.(got.result, meta));
      const b = this.#batch;
      if (b?.ids.has(id)) {
        b.results.push(got.result);
        if ([...b.ids].every((x) => this.#items.get(x)?.delivered)) {
          this.#settled = true;
          b.resolve(b.results);
        }
      }
    }
    // Committed by the hook above (synchronously): only now may the queue forget it.
    queue
      .remove(id)
      .catch((e: unknown) => log.warn(`job ${it.job.key}: ${e instanceof Error ? e.message : String(e)}`));
  }
}
