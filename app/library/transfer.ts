/**
 * Moving one experiment between libraries: the rows behind an export file, and storing an
 * incoming one (exchange.ts holds the format and its checks).
 */
import { encodeDataset, encodeJobResult } from '../../shared/codec.ts';
import * as datasets from './datasets.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, parseExport, type ExperimentExport } from './exchange.ts';
import * as experiments from './experiments.ts';
import * as jobs from './jobs.ts';
import { blob, type Store } from './store.ts';

const base64 = (b: Uint8Array) => blob(b).toString('base64');

export function exportExperiment(store: Store, id: number): ExperimentExport {
  // One read transaction: the rows of a running experiment cannot change between the queries.
  return store.db.transaction((): ExperimentExport => {
    const e = experiments.get(store, id);
    if (!e) throw new Error(`no experiment ${id} in the library`);
    const results = new Map(
      (
        store.stmt('SELECT key, result FROM job_results WHERE experiment_id = ?').all(id) as {
          key: string;
          result: Buffer;
        }[]
      ).map((r) => [r.key, r.result]),
    );
    return {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      experiment: {
        name: e.name,
        spec: e.spec,
        status: e.status,
        tags: e.tags,
        notes: e.notes,
        error: e.error,
        createdAt: e.createdAt,
        updatedAt: e.updatedAt,
        startedAt: e.startedAt,
        finishedAt: e.finishedAt,
      },
      datasets: e.datasets.map((hash) => ({ hash, data: base64(encodeDataset(datasets.get(store, hash)!)) })),
      jobs: jobs.states(store, id).jobs.map((j) => {
        const r = j.state === 'done' ? results.get(j.key) : undefined;
        return { ...j, result: r ? r.toString('base64') : null };
      }),
      report: experiments.getReport(store, id) ?? null,
    };
  })();
}

/** The export is of an experiment this library holds already (it was exported from here, or imported before). */
export class AlreadyInLibraryError extends Error {
  constructor(readonly id: number) {
    super(`experiment ${id} of this library is the same experiment (same name, spec and creation time)`);
    this.name = 'AlreadyInLibraryError';
  }
}

export function importExperiment(store: Store, obj: unknown, options: { copy?: boolean } = {}): number {
  const p = parseExport(obj);
  return store.write(() => {
    const same = store
      .stmt('SELECT id FROM experiments WHERE created_at = ? AND name = ? AND spec = ? ORDER BY id LIMIT 1')
      .get(p.experiment.createdAt, p.experiment.name, JSON.stringify(p.experiment.spec)) as { id: number } | undefined;
    if (same && !options.copy) throw new AlreadyInLibraryError(same.id);
    for (const d of p.datasets) datasets.put(store, d.data);
    const x = p.experiment;
    const id = Number(
      store
        .stmt(
          `INSERT INTO experiments (name, spec, status, created_at, updated_at, started_at, finished_at, tags, notes, error)
                                  VALUES (@name, @spec, @status, @created, @now, @started, @finished, @tags, @notes, @error)`,
        )
        .run({
          name: x.name,
          spec: JSON.stringify(x.spec),
          status: x.status === 'running' || x.status === 'interrupted' ? 'cancelled' : x.status,
          created: x.createdAt,
          now: store.now(),
          started: x.startedAt,
          finished: x.finishedAt,
          tags: JSON.stringify(experiments.normalizeTags(x.tags)),
          notes: x.notes,
          error: x.error,
        }).lastInsertRowid,
    );
    for (const d of p.datasets)
      store.stmt('INSERT INTO experiment_datasets (experiment_id, hash) VALUES (?, ?)').run(id, d.hash);
    const job =
      store.stmt(`INSERT INTO jobs (experiment_id, key, state, attempts, worker, started_at, finished_at, ms, error)
                            VALUES (@id, @key, @state, @attempts, @worker, @started, @finished, @ms, @error)`);
    const result = store.stmt('INSERT INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)');
    for (const j of p.jobs) {
      const leased = j.state === 'leased';
      job.run({
        id,
        key: j.key,
        state: leased ? 'pending' : j.state,
        attempts: j.attempts,
        worker: leased ? null : j.worker,
        started: leased ? null : j.startedAt,
        finished: j.finishedAt,
        ms: j.ms,
        error: j.error,
      });
      // Re-encoded rather than copied: the stored blob is then the canonical form of what was checked.
      if (j.result) result.run(id, j.key, blob(encodeJobResult(j.result)));
    }
    if (p.report)
      store
        .stmt('INSERT INTO results (experiment_id, report, created_at) VALUES (?, ?, ?)')
        .run(id, JSON.stringify(p.report), store.now());
    return id;
  });
}
