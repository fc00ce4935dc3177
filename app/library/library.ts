/**
 * The experiment library: data sets, experiments, their jobs and results, in one SQLite file.
 * Synchronous (better-sqlite3): every call is a short transaction, and the Lab's event loop
 * is never left holding a half-written state.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { datasetHash, datasetProblems, type Dataset, type ImageShape, type RegressionTruth, type Task } from '../../shared/data/dataset.ts';
import type { CsvOptions } from '../../shared/data/csv.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import { loadCsvFile } from '../datasets.ts';
import { bytesFloat32, decodeJobResult, encodeDataset, encodeJobResult, float32Bytes, CodecError } from './codec.ts';
import { migrate, schemaVersion, SCHEMA_VERSION, NewerSchemaError } from './migrate.ts';
import { EXPORT_FORMAT, EXPORT_VERSION, parseExport, ProblemsError, type ExperimentExport } from './exchange.ts';
import {
  EXPERIMENT_STATUSES, JOB_STATES,
  type DatasetInfo, type ExperimentRecord, type ExperimentStatus, type ExperimentSummary, type JobRow, type JobState, type JobStates,
  type ListOptions, type StoredReport,
} from './types.ts';

export { ProblemsError } from './exchange.ts';
export { NewerSchemaError, NotALibraryError } from './migrate.ts';
export { CodecError } from './codec.ts';
export type * from './types.ts';
export { EXPERIMENT_STATUSES, JOB_STATES } from './types.ts';
export type { ExperimentExport } from './exchange.ts';

export interface OpenOptions {
  /** Clock in milliseconds since 1970; injectable so tests can pin times. */
  now?: () => number;
  /** How long a write waits for another process's lock before failing (SQLite busy_timeout). */
  busyTimeoutMs?: number;
}

export interface CreateOptions {
  /** Defaults to the spec's name, else "Untitled experiment". */
  name?: string;
  /** Defaults to the spec's tags. */
  tags?: string[];
  /** Defaults to the spec's notes. */
  notes?: string;
  /** Hashes of stored data sets the experiment trains on. */
  datasets?: string[];
}

interface ExperimentRow {
  id: number;
  name: string;
  status: ExperimentStatus;
  tags: string;
  notes: string;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  jobs_total: number;
  jobs_done: number;
  jobs_failed: number;
  has_report: number;
}

interface DatasetRow {
  hash: string;
  name: string;
  task: Task;
  n: number;
  d: number;
  classes: number;
  metadata: string;
  x: Buffer;
  y: Buffer;
  created_at: number;
}

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

/** What the datasets table's metadata column holds. */
interface DatasetMetadata {
  classNames: string[];
  featureNames: string[];
  image?: ImageShape;
  truth?: RegressionTruth;
}

const SUMMARY_COLUMNS = `
  e.id, e.name, e.status, e.tags, e.notes, e.error, e.created_at, e.updated_at, e.started_at, e.finished_at,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id) AS jobs_total,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id AND j.state = 'done') AS jobs_done,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id AND j.state = 'failed') AS jobs_failed,
  EXISTS (SELECT 1 FROM results AS r WHERE r.experiment_id = e.id) AS has_report`;

/** better-sqlite3 binds Buffers; a view over the same memory avoids a copy. */
const blob = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const base64 = (b: Uint8Array) => blob(b).toString('base64');

function summary(r: ExperimentRow): ExperimentSummary {
  return {
    id: r.id, name: r.name, status: r.status, tags: JSON.parse(r.tags) as string[], notes: r.notes, error: r.error,
    createdAt: r.created_at, updatedAt: r.updated_at, startedAt: r.started_at, finishedAt: r.finished_at,
    jobs: { total: r.jobs_total, done: r.jobs_done, failed: r.jobs_failed }, hasReport: r.has_report === 1,
  };
}

function jobRow(r: JobDbRow): JobRow {
  return { key: r.key, state: r.state, attempts: r.attempts, worker: r.worker, startedAt: r.started_at, finishedAt: r.finished_at, ms: r.ms, error: r.error };
}

/** Trimmed, non-empty, each tag once (case-insensitively, as the tag index compares them), in the user's order. */
function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new ProblemsError('tags', [`must be a list of strings, got ${typeof tags}`]);
  const problems: string[] = [];
  const out: string[] = [];
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    if (typeof t !== 'string') return void problems.push(`tags[${i}]: must be a string, got ${JSON.stringify(t)}`);
    const s = t.trim();
    if (s && !seen.has(s.toLowerCase())) {
      seen.add(s.toLowerCase());
      out.push(s);
    }
  });
  if (problems.length) throw new ProblemsError('tags', problems);
  return out;
}

/** LIKE pattern for a substring, with the user's % and _ taken literally. */
const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function isSqliteError(e: unknown, code: string): boolean {
  return e instanceof Error && (e as Error & { code?: string }).code === code;
}

export class Library {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #statements = new Map<string, Database.Statement>();

  private constructor(path: string, db: Database.Database, now: () => number) {
    this.path = path;
    this.#db = db;
    this.#now = now;
  }

  /** Opens (creating the file and its folders if needed) and brings the schema up to date. */
  static open(path: string, options: OpenOptions = {}): Library {
    const memory = path === ':memory:';
    const full = memory ? path : resolve(path);
    if (!memory) mkdirSync(dirname(full), { recursive: true });
    const db = new Database(full, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      db.pragma('foreign_keys = ON');
      // Before WAL: switching the journal mode writes to the file, and a newer OptLab's file is not ours to touch.
      const found = schemaVersion(db);
      if (found > SCHEMA_VERSION) throw new NewerSchemaError(memory ? path : basename(full), found, SCHEMA_VERSION);
      if (!memory) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`${full}: cannot switch to WAL mode (journal mode stays ${String(mode)})`);
      }
      // WAL's default (NORMAL) may lose the last commits on power loss; a committed result must survive it.
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (e) {
      db.close();
      if (isSqliteError(e, 'SQLITE_NOTADB')) throw new Error(`${full} is not an SQLite database; open another --db`);
      throw e;
    }
    return new Library(full, db, options.now ?? Date.now);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** The connection's settings, for diagnostics (`optlab doctor`, an About box) and tests. */
  settings(): { schemaVersion: number; journalMode: string; foreignKeys: boolean; busyTimeoutMs: number; synchronous: number } {
    return {
      schemaVersion: schemaVersion(this.#db),
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      foreignKeys: this.#db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: this.#db.pragma('busy_timeout', { simple: true }) as number,
      synchronous: this.#db.pragma('synchronous', { simple: true }) as number,
    };
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  /** A write transaction that takes the lock at BEGIN, so it never fails half-way on a lock upgrade. */
  #write<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  #requireExperiment(id: number): void {
    if (!this.#stmt('SELECT 1 FROM experiments WHERE id = ?').get(id)) throw new Error(`no experiment ${id} in the library`);
  }

  #touch(id: number): void {
    this.#stmt('UPDATE experiments SET updated_at = ? WHERE id = ?').run(this.#now(), id);
  }

  // ── data sets ──────────────────────────────────────────────────────────────────────────

  /** Stores a data set under its content hash (storing it again is a no-op) and returns the hash. */
  putDataset(ds: Dataset): string {
    const problems = datasetProblems(ds);
    if (problems.length) throw new ProblemsError(`data set ${ds.name}`, problems);
    const hash = datasetHash(ds);
    const metadata: DatasetMetadata = { classNames: ds.classNames, featureNames: ds.featureNames };
    if (ds.image) metadata.image = ds.image;
    if (ds.truth) metadata.truth = ds.truth;
    this.#stmt(`INSERT INTO datasets (hash, name, task, n, d, classes, metadata, x, y, created_at)
                VALUES (@hash, @name, @task, @n, @d, @classes, @metadata, @x, @y, @now)
                ON CONFLICT (hash) DO NOTHING`).run({
      hash, name: ds.name, task: ds.task, n: ds.n, d: ds.d, classes: ds.classes, metadata: JSON.stringify(metadata),
      x: blob(float32Bytes(ds.x.subarray(0, ds.n * ds.d))), y: blob(float32Bytes(ds.y.subarray(0, ds.n))), now: this.#now(),
    });
    return hash;
  }

  getDataset(hash: string): Dataset | undefined {
    const r = this.#stmt('SELECT * FROM datasets WHERE hash = ?').get(hash) as DatasetRow | undefined;
    if (!r) return undefined;
    const m = JSON.parse(r.metadata) as DatasetMetadata;
    const ds: Dataset = {
      name: r.name, task: r.task, n: r.n, d: r.d,
      x: bytesFloat32(r.x, `data set ${hash}: x`), y: bytesFloat32(r.y, `data set ${hash}: y`),
      classes: r.classes, classNames: m.classNames, featureNames: m.featureNames,
    };
    if (m.image) ds.image = m.image;
    if (m.truth) ds.truth = m.truth;
    return ds;
  }

  #datasetInfo(where: string, ...params: unknown[]): DatasetInfo[] {
    const rows = this.#stmt(`SELECT hash, name, task, n, d, classes, created_at, length(x) + length(y) AS bytes,
                                    (SELECT count(*) FROM experiment_datasets AS l WHERE l.hash = datasets.hash) AS experiments
                             FROM datasets ${where} ORDER BY name COLLATE NOCASE, created_at, hash`).all(...params) as (Omit<DatasetInfo, 'createdAt'> & { created_at: number })[];
    return rows.map(({ created_at, ...r }) => ({ ...r, createdAt: created_at }));
  }

  listDatasets(): DatasetInfo[] {
    return this.#datasetInfo('');
  }

  getDatasetInfo(hash: string): DatasetInfo | undefined {
    return this.#datasetInfo('WHERE hash = ?', hash)[0];
  }

  /** Deletes a data set no experiment uses; returns whether there was one. */
  deleteDataset(hash: string): boolean {
    return this.#write(() => {
      const users = this.#stmt(`SELECT e.id, e.name FROM experiment_datasets AS l JOIN experiments AS e ON e.id = l.experiment_id
                                WHERE l.hash = ? ORDER BY e.id`).all(hash) as { id: number; name: string }[];
      if (users.length) {
        const name = (this.#stmt('SELECT name FROM datasets WHERE hash = ?').get(hash) as { name: string }).name;
        const list = users.slice(0, 5).map((u) => `${u.id} (${JSON.stringify(u.name)})`).join(', ') + (users.length > 5 ? `, and ${users.length - 5} more` : '');
        throw new Error(`data set ${name} (${hash}) is used by experiment${users.length > 1 ? 's' : ''} ${list}; delete ${users.length > 1 ? 'those' : 'that'} first`);
      }
      return this.#stmt('DELETE FROM datasets WHERE hash = ?').run(hash).changes > 0;
    });
  }

  /** Deletes every data set no experiment uses; returns how many went. */
  pruneDatasets(): number {
    return this.#stmt('DELETE FROM datasets WHERE hash NOT IN (SELECT hash FROM experiment_datasets)').run().changes;
  }

  /** Reads a CSV file (app/datasets.ts loadCsvFile) and stores it. */
  importCsv(path: string, options: Partial<CsvOptions> = {}): DatasetInfo {
    const hash = this.putDataset(loadCsvFile(path, options));
    return this.getDatasetInfo(hash)!;
  }

  /** Records that an experiment trains on a stored data set (which then cannot be deleted under it). */
  linkDataset(experimentId: number, hash: string): void {
    this.#write(() => {
      this.#requireExperiment(experimentId);
      if (!this.#stmt('SELECT 1 FROM datasets WHERE hash = ?').get(hash)) throw new Error(`no data set ${hash} in the library; store it first (putDataset)`);
      this.#stmt('INSERT INTO experiment_datasets (experiment_id, hash) VALUES (?, ?) ON CONFLICT DO NOTHING').run(experimentId, hash);
    });
  }

  // ── experiments ────────────────────────────────────────────────────────────────────────

  /** Stores a valid spec as a new experiment (status `created`); an invalid one is refused with every problem. */
  createExperiment(spec: ExperimentSpec, options: CreateOptions = {}): number {
    const problems = validateExperimentSpec(spec);
    if (problems.length) throw new ProblemsError('experiment spec', problems);
    const tags = normalizeTags(options.tags ?? spec.tags ?? []);
    const name = (options.name ?? spec.name ?? '').trim() || 'Untitled experiment';
    const notes = options.notes ?? spec.notes ?? '';
    return this.#write(() => {
      const now = this.#now();
      const id = Number(this.#stmt(`INSERT INTO experiments (name, spec, status, created_at, updated_at, tags, notes)
                                    VALUES (@name, @spec, 'created', @now, @now, @tags, @notes)`)
        .run({ name, spec: JSON.stringify(spec), now, tags: JSON.stringify(tags), notes }).lastInsertRowid);
      for (const h of options.datasets ?? []) this.linkDataset(id, h);
      return id;
    });
  }

  getExperiment(id: number): ExperimentRecord | undefined {
    const r = this.#stmt(`SELECT ${SUMMARY_COLUMNS}, e.spec FROM experiments AS e WHERE e.id = ?`).get(id) as (ExperimentRow & { spec: string }) | undefined;
    if (!r) return undefined;
    const datasets = (this.#stmt('SELECT hash FROM experiment_datasets WHERE experiment_id = ? ORDER BY hash').all(id) as { hash: string }[]).map((d) => d.hash);
    return { ...summary(r), spec: JSON.parse(r.spec) as ExperimentSpec, datasets };
  }

  /** Most recently changed first. */
  listExperiments(options: ListOptions = {}): ExperimentSummary[] {
    const { search, status, tag, limit, offset } = options;
    if (status !== undefined && !EXPERIMENT_STATUSES.includes(status)) throw new Error(`status: must be one of ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    for (const [k, v] of [['limit', limit], ['offset', offset]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new Error(`${k}: must be a non-negative integer, got ${v}`);
    }
    const s = search?.trim() ? containing(search.trim()) : null;
    const rows = this.#stmt(`SELECT ${SUMMARY_COLUMNS} FROM experiments AS e
      WHERE (@status IS NULL OR e.status = @status)
        AND (@search IS NULL OR e.name LIKE @search ESCAPE '\\' OR e.notes LIKE @search ESCAPE '\\'
             OR EXISTS (SELECT 1 FROM experiment_tags AS t WHERE t.experiment_id = e.id AND t.tag LIKE @search ESCAPE '\\'))
        AND (@tag IS NULL OR EXISTS (SELECT 1 FROM experiment_tags AS t WHERE t.experiment_id = e.id AND t.tag = @tag))
      ORDER BY e.updated_at DESC, e.id DESC
      LIMIT @limit OFFSET @offset`).all({ status: status ?? null, search: s, tag: tag?.trim() || null, limit: limit ?? -1, offset: offset ?? 0 }) as ExperimentRow[];
    return rows.map(summary);
  }

  /** Name, tags or notes; the spec of an experiment never changes (duplicate it to change it). */
  updateExperiment(id: number, changes: { name?: string; tags?: string[]; notes?: string }): void {
    const tags = changes.tags === undefined ? null : JSON.stringify(normalizeTags(changes.tags));
    const name = changes.name === undefined ? null : changes.name.trim() || 'Untitled experiment';
    this.#write(() => {
      this.#requireExperiment(id);
      this.#stmt(`UPDATE experiments SET name = coalesce(@name, name), tags = coalesce(@tags, tags), notes = coalesce(@notes, notes), updated_at = @now
                  WHERE id = @id`).run({ id, name, tags, notes: changes.notes ?? null, now: this.#now() });
    });
  }

  /** A new experiment with the same spec, tags, notes and data sets, and none of the jobs or results. */
  duplicate(id: number): number {
    return this.#write(() => {
      this.#requireExperiment(id);
      const now = this.#now();
      const copy = Number(this.#stmt(`INSERT INTO experiments (name, spec, status, created_at, updated_at, tags, notes)
                                      SELECT name || ' (copy)', spec, 'created', @now, @now, tags, notes FROM experiments WHERE id = @id`).run({ id, now }).lastInsertRowid);
      this.#stmt('INSERT INTO experiment_datasets (experiment_id, hash) SELECT ?, hash FROM experiment_datasets WHERE experiment_id = ?').run(copy, id);
      return copy;
    });
  }

  /** Deletes the experiment with its jobs, results and report (the data sets stay); returns whether there was one. */
  deleteExperiment(id: number): boolean {
    return this.#stmt('DELETE FROM experiments WHERE id = ?').run(id).changes > 0;
  }

  /**
   * `running` stamps the start (once) and clears an old error and finish; `done`, `failed`
   * and `cancelled` stamp the finish; `error` is kept only with them.
   */
  setStatus(id: number, status: ExperimentStatus, error?: string): void {
    if (!EXPERIMENT_STATUSES.includes(status)) throw new Error(`status: must be one of ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    const finished = status === 'done' || status === 'failed' || status === 'cancelled';
    this.#write(() => {
      this.#requireExperiment(id);
      this.#stmt(`UPDATE experiments SET
                    status = @status,
                    started_at = CASE WHEN @status = 'running' THEN coalesce(started_at, @now) WHEN @status = 'created' THEN NULL ELSE started_at END,
                    finished_at = CASE WHEN @finished THEN @now ELSE NULL END,
                    error = CASE WHEN @finished THEN @error ELSE NULL END,
                    updated_at = @now
                  WHERE id = @id`).run({ id, status, finished: finished ? 1 : 0, error: error ?? null, now: this.#now() });
    });
  }

  // ── jobs ───────────────────────────────────────────────────────────────────────────────

  /** Adds the keys as pending jobs; keys already there keep their state. Returns how many were new. */
  planJobs(experimentId: number, keys: readonly string[]): number {
    for (const k of keys) if (typeof k !== 'string' || !k) throw new Error(`planJobs: a job key must be a non-empty string, got ${JSON.stringify(k)}`);
    return this.#write(() => {
      this.#requireExperiment(experimentId);
      const insert = this.#stmt(`INSERT INTO jobs (experiment_id, key, state) VALUES (?, ?, 'pending') ON CONFLICT DO NOTHING`);
      let added = 0;
      for (const k of keys) added += insert.run(experimentId, k).changes;
      return added;
    });
  }

  #requireJob(experimentId: number, key: string): JobState {
    const r = this.#stmt('SELECT state FROM jobs WHERE experiment_id = ? AND key = ?').get(experimentId, key) as { state: JobState } | undefined;
    if (!r) {
      this.#requireExperiment(experimentId);
      throw new Error(`experiment ${experimentId} has no job ${JSON.stringify(key)}; plan it first (planJobs)`);
    }
    return r.state;
  }

  /** Hands a pending job to a worker; false when it is not pending (leased to another, done, failed). */
  leaseJob(experimentId: number, key: string, worker: string): boolean {
    return this.#write(() => {
      this.#requireJob(experimentId, key);
      return this.#stmt(`UPDATE jobs SET state = 'leased', worker = @worker, attempts = attempts + 1, started_at = @now, finished_at = NULL, ms = NULL
                         WHERE experiment_id = @id AND key = @key AND state = 'pending'`).run({ id: experimentId, key, worker, now: this.#now() }).changes > 0;
    });
  }

  /** A leased or failed job goes back to pending (its worker was lost, or the user retries); false otherwise. */
  requeueJob(experimentId: number, key: string): boolean {
    return this.#write(() => {
      this.#requireJob(experimentId, key);
      return this.#stmt(`UPDATE jobs SET state = 'pending', worker = NULL, started_at = NULL, finished_at = NULL
                         WHERE experiment_id = ? AND key = ? AND state IN ('leased', 'failed')`).run(experimentId, key).changes > 0;
    });
  }

  /**
   * Every leased job (of one worker, or of all) back to pending: after a Lab restart nothing is
   * really in flight, and after a worker drops its jobs are not. Returns how many.
   */
  requeueLeased(experimentId: number, worker?: string): number {
    return this.#stmt(`UPDATE jobs SET state = 'pending', worker = NULL, started_at = NULL
                       WHERE experiment_id = @id AND state = 'leased' AND (@worker IS NULL OR worker = @worker)`).run({ id: experimentId, worker: worker ?? null }).changes;
  }

  /** Marks a job failed with its error; false if it was already done (a late failure report loses to a result). */
  failJob(experimentId: number, key: string, error: string): boolean {
    return this.#write(() => {
      this.#requireJob(experimentId, key);
      return this.#stmt(`UPDATE jobs SET state = 'failed', error = @error, finished_at = @now
                         WHERE experiment_id = @id AND key = @key AND state != 'done'`).run({ id: experimentId, key, error, now: this.#now() }).changes > 0;
    });
  }

  /**
   * Stores a job's result and marks the job done, in one transaction that is on disk when
   * this returns. A key that was never planned is added (boosting rounds appear as results
   * arrive). A second result for a done job is ignored and false returned: results are
   * deterministic, so the first one is as good, and the row is not rewritten.
   */
  commitResult(experimentId: number, key: string, result: JobResult, ms: number, worker: string): boolean {
    if (result.key !== key) throw new Error(`commitResult: the result is for ${JSON.stringify(result.key)}, not ${JSON.stringify(key)}`);
    if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`commitResult: ms must be a non-negative number, got ${ms}`);
    // Encoded before the lock is taken: a large result should not hold other writers up.
    const bytes = blob(encodeJobResult(result));
    return this.#write(() => {
      this.#requireExperiment(experimentId);
      const r = this.#stmt('SELECT state FROM jobs WHERE experiment_id = ? AND key = ?').get(experimentId, key) as { state: JobState } | undefined;
      if (r?.state === 'done') return false;
      const now = this.#now();
      this.#stmt(`INSERT INTO jobs (experiment_id, key, state, attempts, worker, started_at, finished_at, ms, error)
                  VALUES (@id, @key, 'done', 1, @worker, @now, @now, @ms, NULL)
                  ON CONFLICT (experiment_id, key) DO UPDATE SET
                    state = 'done', attempts = max(attempts, 1), worker = @worker, finished_at = @now, ms = @ms, error = NULL`)
        .run({ id: experimentId, key, worker, now, ms });
      this.#stmt(`INSERT INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)
                  ON CONFLICT (experiment_id, key) DO UPDATE SET result = excluded.result`).run(experimentId, key, bytes);
      return true;
    });
  }

  /** Every committed result, by key (what a resumed run passes as `done`). */
  doneResults(experimentId: number): Map<string, JobResult> {
    const out = new Map<string, JobResult>();
    const rows = this.#stmt(`SELECT r.key, r.result FROM job_results AS r JOIN jobs AS j USING (experiment_id, key)
                             WHERE r.experiment_id = ? AND j.state = 'done' ORDER BY r.key`).all(experimentId) as { key: string; result: Buffer }[];
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

  jobStates(experimentId: number): JobStates {
    const rows = this.#stmt('SELECT key, state, attempts, worker, started_at, finished_at, ms, error FROM jobs WHERE experiment_id = ? ORDER BY key').all(experimentId) as JobDbRow[];
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const r of rows) counts[r.state]++;
    return { total: rows.length, counts, jobs: rows.map(jobRow) };
  }

  // ── results ────────────────────────────────────────────────────────────────────────────

  saveReport(experimentId: number, report: StoredReport): void {
    const text = JSON.stringify(report);
    this.#write(() => {
      this.#requireExperiment(experimentId);
      const now = this.#now();
      this.#stmt(`INSERT INTO results (experiment_id, report, created_at) VALUES (?, ?, ?)
                  ON CONFLICT (experiment_id) DO UPDATE SET report = excluded.report, created_at = excluded.created_at`).run(experimentId, text, now);
      this.#touch(experimentId);
    });
  }

  getReport(experimentId: number): StoredReport | undefined {
    const r = this.#stmt('SELECT report FROM results WHERE experiment_id = ?').get(experimentId) as { report: string } | undefined;
    return r ? (JSON.parse(r.report) as StoredReport) : undefined;
  }

  // ── exchange ───────────────────────────────────────────────────────────────────────────

  /** One experiment as a JSON-ready object (exchange.ts describes the format). */
  exportExperiment(id: number): ExperimentExport {
    // One read transaction: the rows of a running experiment cannot change between the queries.
    return this.#db.transaction((): ExperimentExport => {
      const e = this.getExperiment(id);
      if (!e) throw new Error(`no experiment ${id} in the library`);
      const results = new Map((this.#stmt('SELECT key, result FROM job_results WHERE experiment_id = ?').all(id) as { key: string; result: Buffer }[]).map((r) => [r.key, r.result]));
      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        experiment: {
          name: e.name, spec: e.spec, status: e.status, tags: e.tags, notes: e.notes, error: e.error,
          createdAt: e.createdAt, updatedAt: e.updatedAt, startedAt: e.startedAt, finishedAt: e.finishedAt,
        },
        datasets: e.datasets.map((hash) => ({ hash, data: base64(encodeDataset(this.getDataset(hash)!)) })),
        jobs: this.jobStates(id).jobs.map((j) => {
          const r = j.state === 'done' ? results.get(j.key) : undefined;
          return { ...j, result: r ? r.toString('base64') : null };
        }),
        report: this.getReport(id) ?? null,
      };
    })();
  }

  /**
   * Stores an exported experiment as a new one and returns its id. Nothing is stored unless
   * the whole file checks out. Its data sets are stored by hash (already there: untouched).
   * Jobs that were leased when it was exported come back pending, and an experiment that was
   * running comes back `cancelled`: nothing runs it here until the user resumes it.
   */
  importExperiment(obj: unknown): number {
    const p = parseExport(obj);
    return this.#write(() => {
      for (const d of p.datasets) this.putDataset(d.data);
      const x = p.experiment;
      const id = Number(this.#stmt(`INSERT INTO experiments (name, spec, status, created_at, updated_at, started_at, finished_at, tags, notes, error)
                                    VALUES (@name, @spec, @status, @created, @now, @started, @finished, @tags, @notes, @error)`).run({
        name: x.name, spec: JSON.stringify(x.spec), status: x.status === 'running' ? 'cancelled' : x.status,
        created: x.createdAt, now: this.#now(), started: x.startedAt, finished: x.finishedAt,
        tags: JSON.stringify(normalizeTags(x.tags)), notes: x.notes, error: x.error,
      }).lastInsertRowid);
      for (const d of p.datasets) this.#stmt('INSERT INTO experiment_datasets (experiment_id, hash) VALUES (?, ?)').run(id, d.hash);
      const job = this.#stmt(`INSERT INTO jobs (experiment_id, key, state, attempts, worker, started_at, finished_at, ms, error)
                              VALUES (@id, @key, @state, @attempts, @worker, @started, @finished, @ms, @error)`);
      const result = this.#stmt('INSERT INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)');
      for (const j of p.jobs) {
        const leased = j.state === 'leased';
        job.run({
          id, key: j.key, state: leased ? 'pending' : j.state, attempts: j.attempts, worker: leased ? null : j.worker,
          started: leased ? null : j.startedAt, finished: j.finishedAt, ms: j.ms, error: j.error,
        });
        // Re-encoded rather than copied: the stored blob is then the canonical form of what was checked.
        if (j.result) result.run(id, j.key, blob(encodeJobResult(j.result)));
      }
      if (p.report) this.#stmt('INSERT INTO results (experiment_id, report, created_at) VALUES (?, ?, ?)').run(id, JSON.stringify(p.report), this.#now());
      return id;
    });
  }
}
