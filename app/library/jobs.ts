/** The jobs and job_results tables: each experiment's jobs by key, their states and their committed results. */
import type { JobResult } from '../../shared/experiment/types.ts';
import { CodecError, decodeJobResult, encodeJobResult } from '../../shared/codec.ts';
import { blob, type Store } from './store.ts';
import { JOB_STATES, type JobRow, type JobState, type JobStates } from './types.ts';

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

export function commitResult(
  store: Store,
  experimentId: number,
  key: string,
  result: JobResult,
  ms: number,
  worker: string,
): boolean {
  if (result.key !== key)
    throw new Error(`commitResult: the result is for ${JSON.stringify(result.key)}, not ${JSON.stringify(key)}`);
  if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`commitResult: ms must be a non-negative number, got ${ms}`);
  // Encoded before the lock is taken: a large result should not hold other writers up.
  const bytes = blob(encodeJobResult(result));
  return store.write(() => {
    store.requireExperiment(experimentId);
    const r = store.stmt('SELECT state FROM jobs WHERE experiment_id = ? AND key = ?').get(experimentId, key) as
      { state: JobState } | undefined;
    if (r?.state === 'done') return false;
    const now = store.now();
    store
      .stmt(
        `INSERT INTO jobs (experiment_id, key, state, attempts, worker, started_at, finished_at, ms, error)
                VALUES (@id, @key, 'done', 1, @worker, @now, @now, @ms, NULL)
                ON CONFLICT (experiment_id, key) DO UPDATE SET
                  state = 'done', attempts = max(attempts, 1), worker = @worker, finished_at = @now, ms = @ms, error = NULL`,
      )
      .run({ id: experimentId, key, worker, now, ms });
    store
      .stmt(
        `INSERT INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)
                ON CONFLICT (experiment_id, key) DO UPDATE SET result = excluded.result`,
      )
      .run(experimentId, key, bytes);
    return true;
  });
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
  return { total: rows.length, counts, jobs: rows.map(jobRow) };
}
