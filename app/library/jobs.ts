/** The jobs and job_results tables: each experiment's jobs by key, their states and their committed results. */
import type { JobResult } from '../../shared/experiment/types.ts';
import { CodecError, decodeJobResult, encodeJobResult } from '../../shared/codec.ts';
import { blob, type Store } from './store.ts';
import { JOB_STATES, type JobFault, type JobRow, type JobState, type JobStates } from './types.ts';

interface JobDbRow {
  key: string;
  state: JobState;
  attempts: number;
  worker: string | null;
  started_at: number | null;
  finished_at: number | null;
  ms: number | null;
  error: string | null;
}

function jobRow(r: JobDbRow): JobRow {
  return {
    key: r.key,
    state: r.state,
    attempts: r.attempts,
    worker: r.worker,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    ms: r.ms,
    error: r.error,
  };
}

function requireJob(store: Store, experimentId: number, key: string): JobState {
  const r = store.stmt('SELECT state FROM jobs WHERE experiment_id = ? AND key = ?').get(experimentId, key) as
    { state: JobState } | undefined;
  if (!r) {
    store.requireExperiment(experimentId);
    throw new Error(`experiment ${experimentId} has no job ${JSON.stringify(key)}; plan it first (planJobs)`);
  }
  return r.state;
}

export function plan(store: Store, experimentId: number, keys: readonly string[]): number {
  for (const k of keys)
    if (typeof k !== 'string' || !k)
      throw new Error(`planJobs: a job key must be a non-empty string, got ${JSON.stringify(k)}`);
  return store.write(() => {
    store.requireExperiment(experimentId);
    const insert = store.stmt(
      `INSERT INTO jobs (experiment_id, key, state) VALUES (?, ?, 'pending') ON CONFLICT DO NOTHING`,
    );
    let added = 0;
    for (const k of keys) added += insert.run(experimentId, k).changes;
    return added;
  });
}

export function lease(store: Store, experimentId: number, key: string, worker: string): boolean {
  return store.write(() => {
    requireJob(store, experimentId, key);
    return (
      store
        .stmt(
          `UPDATE jobs SET state = 'leased', worker = @worker, attempts = attempts + 1, started_at = @now, finished_at = NULL, ms = NULL
                       WHERE experiment_id = @id AND key = @key AND state = 'pending'`,
        )
        .run({ id: experimentId, key, worker, now: store.now() }).changes > 0
    );
  });
}

export function requeue(store: Store, experimentId: number, key: string): boolean {
  return store.write(() => {
    requireJob(store, experimentId, key);
    return (
      store
        .stmt(
          `UPDATE jobs SET state = 'pending', worker = NULL, started_at = NULL, finished_at = NULL
                       WHERE experiment_id = ? AND key = ? AND state IN ('leased', 'failed')`,
        )
        .run(experimentId, key).changes > 0
    );
  });
}

export function requeueLeased(store: Store, experimentId: number, worker?: string): number {
  return store
    .stmt(
      `UPDATE jobs SET state = 'pending', worker = NULL, started_at = NULL
                     WHERE experiment_id = @id AND state = 'leased' AND (@worker IS NULL OR worker = @worker)`,
    )
    .run({ id: experimentId, worker: worker ?? null }).changes;
}

export function fail(store: Store, experimentId: number, key: string, error: string): boolean {
  return store.write(() => {
    requireJob(store, experimentId, key);
    return (
      store
        .stmt(
          `UPDATE jobs SET state = 'failed', error = @error, finished_at = @now
                       WHERE experiment_id = @id AND key = @key AND state != 'done'`,
        )
        .run({ id: experimentId, key, error, now: store.now() }).changes > 0
    );
  });
}

/**
 * What became of a delivered result: `committed` (the first for its job), `same` (a second
 * delivery, the same bytes: nothing to do) or `differs` (a second delivery whose bytes differ:
 * recorded in job_faults, the first stays).
 */
export type CommitOutcome = 'committed' | 'same' | 'differs';

/**
 * Commits a job's result once: INSERT OR IGNORE on (experiment, key). The bytes of a second
 * delivery are compared with the committed ones, in the same transaction.
 */
export function commitResult(
  store: Store,
  experimentId: number,
  key: string,
  result: JobResult,
  ms: number,
  worker: string,
): CommitOutcome {
  if (result.key !== key)
    throw new Error(`commitResult: the result is for ${JSON.stringify(result.key)}, not ${JSON.stringify(key)}`);
  if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`commitResult: ms must be a non-negative number, got ${ms}`);
  // Encoded before the lock is taken: a large result should not hold other writers up.
  const bytes = blob(encodeJobResult(result));
  return store.write(() => {
    store.requireExperiment(experimentId);
    const now = store.now();
    store
      .stmt(
        `INSERT INTO jobs (experiment_id, key, state) VALUES (?, ?, 'pending') ON CONFLICT (experiment_id, key) DO NOTHING`,
      )
      .run(experimentId, key);
    const inserted =
      store
        .stmt('INSERT OR IGNORE INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)')
        .run(experimentId, key, bytes).changes > 0;
    if (!inserted) {
      const kept = store
        .stmt(
          `SELECT r.result, j.worker, j.state FROM job_results AS r JOIN jobs AS j USING (experiment_id, key)
                   WHERE r.experiment_id = ? AND r.key = ?`,
        )
        .get(experimentId, key) as { result: Buffer; worker: string | null; state: JobState };
      if (kept.state !== 'done') markDone(store, experimentId, key, worker, ms, now);
      if (kept.result.equals(bytes)) return 'same';
      store
        .stmt(
          `INSERT INTO job_faults (experiment_id, key, worker, kept_worker, detail, result, at)
                  VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(experimentId, key, worker, kept.worker, describeDifference(kept.result, result), bytes, now);
      return 'differs';
    }
    markDone(store, experimentId, key, worker, ms, now);
    return 'committed';
  });
}

function markDone(store: Store, experimentId: number, key: string, worker: string, ms: number, now: number): void {
  store
    .stmt(
      `UPDATE jobs SET state = 'done', attempts = max(attempts, 1), worker = @worker, started_at = coalesce(started_at, @now),
                     finished_at = @now, ms = @ms, error = NULL
                   WHERE experiment_id = @id AND key = @key`,
    )
    .run({ id: experimentId, key, worker, now, ms });
}

/** Where a differing copy first departs from the committed one (the committed bytes may not decode: say so). */
function describeDifference(kept: Buffer, other: JobResult): string {
  let first: JobResult;
  try {
    first = decodeJobResult(kept);
  } catch (e) {
    return `the committed copy does not decode (${e instanceof Error ? e.message : String(e)})`;
  }
  return firstDifference(first, other) ?? 'the encodings differ, the values do not';
}

/** One difference between the committed (`a`) and the other copy (`b`), by path, or undefined. */
export function firstDifference(a: unknown, b: unknown, path = 'result'): string | undefined {
  const show = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 60));
  if (Object.is(a, b)) return undefined;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (a.constructor !== b.constructor) return `${path}: ${a.constructor.name} vs ${b.constructor.name}`;
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${show(x[i])} committed, ${show(y[i])} delivered`;
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`,
      );
      if (d) return d;
    }
    return undefined;
  }
  return `${path}: ${show(a)} committed, ${show(b)} delivered`;
}

/** The determinism faults of an experiment, oldest first. */
export function faults(store: Store, experimentId: number): JobFault[] {
  const rows = store
    .stmt('SELECT key, worker, kept_worker, detail, at FROM job_faults WHERE experiment_id = ? ORDER BY at, id')
    .all(experimentId) as { key: string; worker: string; kept_worker: string | null; detail: string; at: number }[];
  return rows.map((r) => ({ key: r.key, worker: r.worker, keptWorker: r.kept_worker, detail: r.detail, at: r.at }));
}

export function doneResults(store: Store, experimentId: number): Map<string, JobResult> {
  const out = new Map<string, JobResult>();
  const rows = store
    .stmt(
      `SELECT r.key, r.result FROM job_results AS r JOIN jobs AS j USING (experiment_id, key)
                           WHERE r.experiment_id = ? AND j.state = 'done' ORDER BY r.key`,
    )
    .all(experimentId) as { key: string; result: Buffer }[];
  for (const r of rows) {
    try {
      out.set(r.key, decodeJobResult(r.result));
    } catch (e) {
      if (e instanceof CodecError) throw new CodecError(`experiment ${experimentId}, job ${r.key}: ${e.message}`);
      throw e;
    }
  }
  return out;
}

export function result(store: Store, experimentId: number, key: string): JobResult | undefined {
  const r = store
    .stmt(
      `SELECT r.result FROM job_results AS r JOIN jobs AS j USING (experiment_id, key)
                           WHERE r.experiment_id = ? AND r.key = ? AND j.state = 'done'`,
    )
    .get(experimentId, key) as { result: Buffer } | undefined;
  if (!r) return undefined;
  try {
    return decodeJobResult(r.result);
  } catch (e) {
    if (e instanceof CodecError) throw new CodecError(`experiment ${experimentId}, job ${key}: ${e.message}`);
    throw e;
  }
}

export function states(store: Store, experimentId: number): JobStates {
  const rows = store
    .stmt(
      'SELECT key, state, attempts, worker, started_at, finished_at, ms, error FROM jobs WHERE experiment_id = ? ORDER BY key',
    )
    .all(experimentId) as JobDbRow[];
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const r of rows) counts[r.state]++;
  return { total: rows.length, counts, jobs: rows.map(jobRow), faults: faults(store, experimentId) };
}
