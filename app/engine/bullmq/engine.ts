/**
 * The BullMQ engine: runs go to a queue on Redis (or Valkey), workers on any machine that
 * reaches it take them (`optlab worker --engine redis://…`). What BullMQ gives is what the
 * coordinator does by hand: a lease is a lock renewed while a job runs, tries with backoff,
 * priorities, progress events, idempotent job ids and a failed set.
 *
 * SQLite stays the source of truth. Job ids are stable (`<library>.run<id>.<key>`, payload.ts),
 * so adding a job twice is a no-op; a result is committed by the Lab (once, on experiment and
 * key) before the queue forgets it; results that finish while no Lab listens wait in the queue
 * for `reconcile`. A run's queue is fixed by its back end and the Lab's kernels (layout.ts):
 * a CPU run's jobs never reach a GPU worker, and no worker with other kernels takes them.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { KernelsSpec } from '../../../shared/protocol.ts';
import type { LabInfo, RunEngine, WorkerCommand, WorkerView } from '../../../shared/lab-api.ts';
import { OptLabError } from '../../../shared/lab-errors.ts';
import { probe, RedisRefused, redisOptions } from '../../../worker/queue/connect.ts';
import { queueName, redisKeys, type RedisTarget } from '../../../worker/queue/layout.ts';
import { queueJobId, readJobReturn, runId, PayloadError } from '../../../worker/queue/payload.ts';
import { keyOfQueueJobId } from '../../../shared/experiment/keys.ts';
import type { CoordinatorLogger } from '../../coordinator/types.ts';
import type { RedisCommands } from './commands.ts';
import { failFast } from '../../backend.ts';
import { optlabCommandLine, shellWord } from '../../coordinator/local.ts';
import type { EngineRun, EngineSession, JobEngine, ReconcileSummary, ReconcileTarget } from '../types.ts';
import { QueueRun } from './run.ts';
import { ownerName, RunOwner } from './owner.ts';
import { spawnQueueWorkers } from './local.ts';
import { liveWorkers } from './workers.ts';

export interface BullMqEngineOptions {
  target: RedisTarget;
  /** The library's id: every job id of this Lab starts with it. */
  libraryId: string;
  /** The kernels this Lab trains with: they name the queue (only workers with the same ones serve it). */
  kernels: KernelsSpec;
  logger: CoordinatorLogger;
  /** Tries of a job before its run fails (default 3, as on the LAN). */
  attempts?: number;
  /** First delay between two tries (ms, doubling; default 1000). */
  backoffMs?: number;
  /** How often outstanding jobs are looked up in case an event was missed (ms, default 5000). */
  sweepMs?: number;
  /** Lifetime of a run's owner mark (s, default 15): how long a dead Lab on another host holds its runs. */
  ownerTtlS?: number;
  /** Lock duration given to the local workers a run starts (s; default theirs). */
  workerLockSeconds?: number;
}

interface QueueHandle {
  queue: Queue;
  events: QueueEvents;
}

export class BullMqEngine implements JobEngine {
  readonly #o: Required<Omit<BullMqEngineOptions, 'workerLockSeconds'>> & { workerLockSeconds?: number };
  readonly #cmd: RedisCommands;
  readonly #queues = new Map<string, QueueHandle>();
  readonly #runs = new Map<string, QueueRun>();
  readonly #ready: Promise<void>;
  readonly #sweep: NodeJS.Timeout;
  /** This engine's name in run owner marks. */
  readonly #me = ownerName();
  #closed = false;

  constructor(o: BullMqEngineOptions) {
    this.#o = { attempts: 3, backoffMs: 1000, sweepMs: 5000, ownerTtlS: 15, ...o };
    const redis = new Redis({ ...redisOptions(o.target, 'optlab-lab'), lazyConnect: true });
    redis.on('error', () => {});
    this.#cmd = { redis, keys: redisKeys(o.target.prefix) };
    this.#ready = this.#connect();
    this.#ready.catch(() => {});
    this.#sweep = setInterval(() => void this.#sweepAll(), this.#o.sweepMs);
    this.#sweep.unref();
  }

  get info(): LabInfo['engine'] {
    return { kind: 'redis', where: this.#o.target.display };
  }

  /** Resolves once the server took the credentials; a refusal is E_BAD_ARGS naming the server. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async #connect(): Promise<void> {
    try {
      await probe(this.#o.target);
    } catch (e) {
      if (e instanceof RedisRefused) throw new OptLabError('E_BAD_ARGS', `--engine: ${e.message}`);
      throw e;
    }
    await this.#cmd.redis.connect();
  }

  #handle(name: string): QueueHandle {
    let h = this.#queues.get(name);
    if (h) return h;
    const { target } = this.#o;
    const queue = new Queue(name, { connection: redisOptions(target, 'optlab-lab'), prefix: target.prefix });
    const events = new QueueEvents(name, {
      connection: redisOptions(target, 'optlab-lab-events'),
      prefix: target.prefix,
    });
    queue.on('error', (e) => this.#o.logger.warn(`queue ${name}: ${e.message}`));
    events.on('error', (e) => this.#o.logger.warn(`queue ${name} events: ${e.message}`));
    const get = (id: string) => queue.getJob(id);
    // One job's events are handled in the stream's order. A lease needs a look-up first (which
    // worker took it), and a short job's 'completed' can come in the same read: handled at once,
    // its result would land before its lease was counted, and the lease would then be dropped.
    const pending = new Map<string, Promise<unknown>>();
    const inOrder = (jobId: string, step: () => unknown) => {
      const before = pending.get(jobId);
      if (!before) return void step();
      const next = before.then(step);
      pending.set(jobId, next);
      void next
        .catch((e: unknown) =>
          this.#o.logger.warn(`queue ${name}: job ${jobId}: ${e instanceof Error ? e.message : String(e)}`),
        )
        .finally(() => pending.get(jobId) === next && pending.delete(jobId));
    };
    const lookUp = (jobId: string, then: (j: Awaited<ReturnType<typeof get>>) => unknown) => {
      const looked = (pending.get(jobId) ?? Promise.resolve()).then(() => get(jobId)).then(then, () => {});
      pending.set(jobId, looked);
      void looked.finally(() => pending.get(jobId) === looked && pending.delete(jobId));
    };
    events.on('completed', ({ jobId, returnvalue }) =>
      inOrder(jobId, () => this.#runs.get(jobId)?.deliver(jobId, returnvalue)),
    );
    events.on('progress', ({ jobId, data }) => inOrder(jobId, () => this.#runs.get(jobId)?.progress(jobId, data)));
    events.on('active', ({ jobId }) => {
      const run = this.#runs.get(jobId);
      if (run) lookUp(jobId, (j) => run.leased(jobId, j?.processedBy ?? 'a queue worker'));
    });
    events.on('delayed', ({ jobId }) => {
      const run = this.#runs.get(jobId);
      if (run) lookUp(jobId, (j) => j && run.retrying(jobId, j.failedReason ?? 'failed', j.attemptsMade));
    });
    events.on('stalled', ({ jobId }) => inOrder(jobId, () => this.#runs.get(jobId)?.stalled(jobId)));
    events.on('failed', ({ jobId }) => inOrder(jobId, () => this.#runs.get(jobId)?.failed(jobId)));
    h = { queue, events };
    this.#queues.set(name, h);
    return h;
  }

  /** The queue a back end's runs use here. */
  queueFor(backend: 'cpu' | 'webgpu'): string {
    return queueName(backend, this.#o.kernels);
  }

  async open(run: EngineRun): Promise<EngineSession> {
    await this.#ready;
    if (this.#closed) throw new Error('the engine is closed');
    const asked = run.backend.backend ?? 'cpu';
    // `auto`: a GPU queue when a GPU worker with these kernels is there to serve it, else the CPU's.
    const backend =
      asked === 'auto'
        ? (await this.workers()).some((w) => w.queue === this.queueFor('webgpu'))
          ? 'webgpu'
          : 'cpu'
        : asked;
    const name = this.queueFor(backend);
    const h = this.#handle(name);
    await h.events.waitUntilReady();
    const id = runId(this.#o.libraryId, run.experimentId);
    const owner = await RunOwner.claim(this.#cmd, id, this.#me, this.#o.ownerTtlS);
    if (typeof owner === 'string')
      throw new OptLabError(
        'E_BUSY',
        `experiment ${run.experimentId} is being run by another Lab (${owner}) on ${this.#o.target.display}; if that Lab is gone, its claim lapses within ${this.#o.ownerTtlS} s`,
      );
    await this.#cmd.redis.del(this.#cmd.keys.cancel(id));
    const claimed: string[] = [];
    const queueRun = new QueueRun({
      lab: this.#o.libraryId,
      experimentId: run.experimentId,
      runId: id,
      queue: h.queue,
      cmd: this.#cmd,
      attempts: this.#o.attempts,
      backoffMs: this.#o.backoffMs,
      log: this.#o.logger,
      claim: (jobId, r) => {
        claimed.push(jobId);
        this.#runs.set(jobId, r);
      },
    });
    const local =
      run.workers > 0
        ? spawnQueueWorkers(run.workers, this.#o.target.url, {
            backend: run.backend,
            lockSeconds: this.#o.workerLockSeconds,
            onExit: (wname, { code, signal, lastLine }) =>
              this.#o.logger.warn(
                `local worker ${wname} exited unexpectedly (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
              ),
          })
        : undefined;
    if (!local && !(await this.workers()).some((w) => w.queue === name))
      this.#o.logger.info(
        `no worker serves queue ${name} on ${this.#o.target.display} yet; start one with: ${this.command().command}`,
      );
    const engine: RunEngine = { kind: 'redis', where: this.#o.target.display, backend, queue: name };
    return {
      executor: local ? failFast(queueRun, local) : queueRun,
      engine,
      stop: async () => {
        await queueRun.settle();
        for (const jobId of claimed) if (this.#runs.get(jobId) === queueRun) this.#runs.delete(jobId);
        await owner.release();
        await local?.stop();
      },
    };
  }

  async reconcile(t: ReconcileTarget): Promise<ReconcileSummary> {
    const summary: ReconcileSummary = { imported: 0, duplicates: 0, faults: 0, readded: 0 };
    await this.#ready;
    const e = t.engine;
    if (!e || e.kind !== 'redis' || e.where !== this.#o.target.display || !e.queue) return summary;
    const id = runId(this.#o.libraryId, t.experimentId);
    const other = await RunOwner.holder(this.#cmd, id, this.#me);
    if (other) return { ...summary, ownedBy: other };
    const { queue } = this.#handle(e.queue);
    const planned = new Map(t.jobs.map((j) => [queueJobId(this.#o.libraryId, t.experimentId, j.key), j]));
    // Every entry of this experiment that finished, planned or not (boosting rounds are not planned up front).
    const completed = (await queue.getRanges(['completed'], 0, -1)).filter(
      (x) => keyOfQueueJobId(this.#o.libraryId, t.experimentId, x) !== undefined,
    );
    for (const jobId of completed) {
      const job = await queue.getJob(jobId);
      if (!job) continue;
      let got;
      try {
        got = readJobReturn(job.returnvalue, jobId);
      } catch (err) {
        if (!(err instanceof PayloadError)) throw err;
        this.#o.logger.warn(`reconcile: ${jobId}: a bad result (${err.message}); dropped`);
        await queue.remove(jobId);
        continue;
      }
      const outcome = t.commit(got.result, { ms: got.ms, worker: got.worker });
      if (outcome === 'committed') summary.imported++;
      else if (outcome === 'same') summary.duplicates++;
      else summary.faults++;
      await queue.remove(jobId);
    }
    if (t.readd && t.data) {
      const imported = new Set(completed);
      const missing = [];
      for (const [jobId, job] of planned) {
        if (t.done.has(job.key) || imported.has(jobId)) continue;
        if ((await queue.getJobState(jobId)) === 'unknown') missing.push(job);
      }
      if (missing.length) {
        const r = new QueueRun({
          lab: this.#o.libraryId,
          experimentId: t.experimentId,
          runId: id,
          queue,
          cmd: this.#cmd,
          attempts: this.#o.attempts,
          backoffMs: this.#o.backoffMs,
          log: this.#o.logger,
          claim: () => {},
        });
        await r.enqueue(missing, t.data);
        summary.readded = missing.length;
      }
    }
    return summary;
  }

  /** Looks up the outstanding jobs of every open run: a result or a failure an event did not bring, a job the queue lost. */
  async #sweepAll(): Promise<void> {
    if (this.#closed) return;
    const byRun = new Map<QueueRun, string[]>();
    for (const run of this.#runs.values()) if (!byRun.has(run)) byRun.set(run, run.outstanding());
    for (const [run, ids] of byRun) {
      try {
        await run.sweep(ids);
      } catch {
        // Redis is away: the next sweep tries again.
      }
    }
  }

  /** Queue workers alive now (their entries expire a few seconds after they stop beating). */
  async workers(): Promise<WorkerView[]> {
    await this.#ready;
    return liveWorkers(this.#cmd.redis, this.#cmd.keys);
  }

  /**
   * The worker command for this queue, of this very installation (as the coordinator's, never
   * `npx optlab`): the URL goes in the environment, its password is the user's to fill in.
   */
  command(): WorkerCommand {
    const { target } = this.#o;
    const url = target.password
      ? target.display.replace('://', `://${target.username ? encodeURIComponent(target.username) : ''}:PASSWORD@`)
      : target.display;
    const command = `OPTLAB_ENGINE=${shellWord(url)} ${optlabCommandLine(['worker'])}`;
    return { command, commands: [command] };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const { queue, events } of this.#queues.values()) {
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
      // A connection that never became ready (refused rights) is not ended by close().
      await events.disconnect().catch(() => {});
      await queue.disconnect().catch(() => {});
    }
    this.#cmd.redis.disconnect();
  }
}
