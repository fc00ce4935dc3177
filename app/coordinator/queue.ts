/**
 * The coordinator's jobs: queued per run, leased to the worker with the most free slots (never
 * more than its slots), requeued when the worker fails the job, disconnects, goes silent or
 * overruns the lease timeout, up to `maxAttempts` tries. A result is taken once per key,
 * whichever copy of a requeued job finishes first; the aggregator sorts by key, so which
 * worker ran what never shows in the numbers.
 */
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Executor, ExecutorHooks, ResultMeta } from '../../shared/experiment/executor.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import { encodeMessage } from '../../shared/codec.ts';
import { sendTo } from './connection.ts';
import { CoordinatorError, JobFailedError, RunCancelled } from './errors.ts';
import type { Conn, CoordinatorLogger, Item, Lease, Run } from './types.ts';

export type { Item, Lease, Run };

export interface QueueSettings {
  /** The connections jobs may be leased to (only ready ones that are not draining get any). */
  workers: ReadonlySet<Conn>;
  /** The coordinator's counter, shared with connection ids so that no two ids repeat. */
  nextId: () => number;
  leaseTimeoutMs: number;
  maxAttempts: number;
  maxFrame: number;
  log: CoordinatorLogger;
}

export class JobQueue {
  readonly #workers: ReadonlySet<Conn>;
  readonly #nextId: () => number;
  readonly #leaseTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #maxFrame: number;
  readonly #log: CoordinatorLogger;
  readonly #runs = new Set<Run>();
  #queue: Item[] = [];
  #pumping = false;
  #pumpAgain = false;
  #closed = false;

  constructor(s: QueueSettings) {
    this.#workers = s.workers;
    this.#nextId = s.nextId;
    this.#leaseTimeoutMs = s.leaseTimeoutMs;
    this.#maxAttempts = s.maxAttempts;
    this.#maxFrame = s.maxFrame;
    this.#log = s.log;
  }

  /** Coordinator.submit: queues the jobs of one run. */
  submit(
    jobs: Job[],
    data: ReadonlyMap<string, Dataset>,
    hooks: ExecutorHooks,
    owner: Executor | undefined,
    backend?: Run['backend'],
  ): { done: Promise<JobResult[]>; cancel(): void } {
    let resolve!: (r: JobResult[]) => void, reject!: (e: Error) => void;
    const done = new Promise<JobResult[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const run: Run = {
      id: this.#nextId(),
      owner,
      items: new Map(),
      data,
      hooks,
      results: [],
      done: new Set(),
      settled: false,
      resolve,
      reject,
      backend,
    };
    const refuse = (why: string) => {
      run.settled = true;
      reject(new CoordinatorError(why));
      return { done, cancel() {} };
    };
    if (this.#closed) return refuse('the coordinator is closed');
    for (const job of jobs) {
      if (run.items.has(job.key)) return refuse(`two jobs have the key ${job.key}`);
      if (!data.has(job.dataHash)) return refuse(`job ${job.key}: no data set with hash ${job.dataHash}`);
      run.items.set(job.key, { run, job, attempts: 0, queued: true });
    }
    if (run.items.size === 0) {
      run.settled = true;
      resolve([]);
      return { done, cancel() {} };
    }
    this.#runs.add(run);
    this.#queue.push(...run.items.values());
    this.pump();
    return { done, cancel: () => this.#cancelRun(run) };
  }

  /** Cancels the pending runs of one executor (all runs when none is named). */
  cancelRuns(owner?: Executor): void {
    for (const run of [...this.#runs]) if (!owner || run.owner === owner) this.#cancelRun(run);
  }

  /** Fails every pending run and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const run of [...this.#runs]) this.failRun(run, new CoordinatorError('the coordinator was closed'));
  }

  /** Leases queued jobs to free slots until one or the other runs out. */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (this.#queue.length) {
          let best: Conn | undefined;
          let free = 0;
          for (const c of this.#workers) {
            if (c.state !== 'ready' || c.draining) continue;
            const f = c.slots - c.leases.size;
            if (f > free) {
              free = f;
              best = c;
            }
          }
          if (!best) break;
          const i = this.#pick(best);
          if (i < 0) {
            // Nothing queued may run on this worker's back end: let the others have a look.
            if (!this.#pumpOthers(best)) break;
            continue;
          }
          const [item] = this.#queue.splice(i, 1);
          item.queued = false;
          this.#lease(best, item);
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The queued job `conn` should take: one of a run on its back end (a run never mixes back
   * ends), preferring among the first 64 one it did not fail last (the failure may be the
   * worker's); -1 when none fits.
   */
  #pick(conn: Conn): number {
    let first = -1;
    for (let k = 0; k < this.#queue.length; k++) {
      const b = this.#queue[k].run.backend;
      if (b !== undefined && b !== conn.backend.name) continue;
      if (first < 0) first = k;
      if (k >= 64) break;
      if (this.#queue[k].lastWorker !== conn.id) return k;
    }
    return first;
  }

  /** Leases to free workers other than `skip` on another back end; whether any got a job. */
  #pumpOthers(skip: Conn): boolean {
    let any = false;
    for (const c of this.#workers) {
      if (c === skip || c.state !== 'ready' || c.draining || c.backend.name === skip.backend.name) continue;
      while (c.slots > c.leases.size) {
        const i = this.#pick(c);
        if (i < 0) break;
        const [item] = this.#queue.splice(i, 1);
        item.queued = false;
        this.#lease(c, item);
        any = true;
      }
    }
    return any;
  }

  #lease(conn: Conn, item: Item): void {
    item.run.backend ??= conn.backend.name;
    const lease: Lease = { id: `${item.run.id}.${this.#nextId()}`, item, conn, revoked: false };
    let frame: Uint8Array;
    try {
      frame = encodeMessage({ type: 'job', id: lease.id, job: item.job }, this.#maxFrame);
    } catch (e) {
      return this.failRun(
        item.run,
        new CoordinatorError(`job ${item.job.key} cannot be sent: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
    conn.leases.set(lease.id, lease);
    item.lease = lease;
    this.#notify(() => item.run.hooks.onLeased?.(item.job.key, conn.name));
    item.lastWorker = conn.id;
    if (this.#leaseTimeoutMs > 0) lease.timer = setTimeout(() => this.#leaseExpired(lease), this.#leaseTimeoutMs);
    conn.ws.send(frame);
  }

  #leaseExpired(lease: Lease): void {
    if (lease.revoked || lease.conn.state === 'closed') return;
    this.#revoke(lease);
    this.#log.warn(
      `job ${lease.item.job.key} overran its lease of ${this.#leaseTimeoutMs / 1000} s on worker "${lease.conn.name}": requeued`,
    );
    this.attemptFailed(
      lease.item,
      `lease of ${this.#leaseTimeoutMs / 1000} s timed out on worker "${lease.conn.name}"`,
    );
    this.pump();
  }

  /** Tells the worker to stop the job; its slot stays taken until it answers. */
  #revoke(lease: Lease): void {
    if (lease.revoked) return;
    lease.revoked = true;
    clearTimeout(lease.timer);
    if (lease.item.lease === lease) lease.item.lease = undefined;
    sendTo(lease.conn, { type: 'cancel', id: lease.id }, this.#maxFrame);
  }

  endLease(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.conn.leases.delete(lease.id);
    if (lease.item.lease === lease) lease.item.lease = undefined;
  }

  /** A connection is gone: each of its live leases counts as a failed attempt. Returns how many leases it held. */
  reclaim(conn: Conn, reason: string): number {
    const leases = [...conn.leases.values()];
    conn.leases.clear();
    for (const lease of leases) {
      clearTimeout(lease.timer);
      if (lease.revoked) continue;
      if (lease.item.lease === lease) lease.item.lease = undefined;
      this.attemptFailed(lease.item, `worker "${conn.name}" ${reason}`);
    }
    return leases.length;
  }

  accepted(item: Item, result: JobResult, meta: ResultMeta): void {
    const { run } = item;
    if (run.settled || run.done.has(item.job.key)) {
      this.#log.info(`job ${item.job.key}: a second result arrived and was ignored`);
      return;
    }
    // A requeued copy may be waiting or running elsewhere: the first result wins.
    if (item.queued) {
      this.#queue.splice(this.#queue.indexOf(item), 1);
      item.queued = false;
    }
    if (item.lease) this.#revoke(item.lease);
    run.done.add(item.job.key);
    run.results.push(result);
    try {
      run.hooks.onResult?.(result, meta);
    } catch (e) {
      return this.failRun(run, e instanceof Error ? e : new Error(String(e)));
    }
    // The hook may have cancelled or failed the run.
    if (!run.settled && run.done.size === run.items.size) {
      run.settled = true;
      this.#runs.delete(run);
      run.resolve(run.results);
    }
  }

  requeue(item: Item, front: boolean): void {
    if (item.run.settled || item.run.done.has(item.job.key) || item.queued || item.lease) return;
    item.queued = true;
    if (front) this.#queue.unshift(item);
    else this.#queue.push(item);
  }

  /** Calls a hook of the Lab; a hook that throws is logged, never allowed to break the queue. */
  #notify(call: () => void): void {
    try {
      call();
    } catch (e) {
      this.#log.warn(`coordinator: a run hook threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  attemptFailed(item: Item, why: string): void {
    if (item.run.settled || item.run.done.has(item.job.key)) return;
    item.attempts++;
    item.lastError = why;
    const final = item.attempts >= this.#maxAttempts;
    this.#notify(() => item.run.hooks.onAttemptFailed?.(item.job.key, why, item.attempts, final));
    if (final) this.failRun(item.run, new JobFailedError(item.job.key, item.attempts, why));
    // At the front: the rest of the run is probably waiting on this straggler.
    else this.requeue(item, true);
  }

  #cancelRun(run: Run): void {
    if (run.settled) return;
    const unfinished = [...run.items.keys()].filter((k) => !run.done.has(k));
    this.#log.info(`run ${run.id} cancelled (${unfinished.length} job(s) unfinished)`);
    this.failRun(run, new RunCancelled(unfinished.length, unfinished[0]));
  }

  failRun(run: Run, err: Error): void {
    if (run.settled) return;
    run.settled = true;
    this.#runs.delete(run);
    this.#queue = this.#queue.filter((it) => it.run !== run);
    for (const item of run.items.values()) {
      item.queued = false;
      if (item.lease) this.#revoke(item.lease);
    }
    run.reject(err);
    this.pump();
  }
}
