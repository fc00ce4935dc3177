/**
 * The experiment library: data sets, experiments, their jobs and results, in one SQLite file.
 * Synchronous (better-sqlite3): every call is a short transaction, and the Lab's event loop
 * is never left holding a half-written state.
 *
 * This class is the face; the SQL lives with its tables in datasets.ts, experiments.ts,
 * jobs.ts and transfer.ts, sharing one Store (store.ts).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Dataset } from '../../shared/data/dataset.ts';
import type { CsvOptions } from '../../shared/data/csv.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import { migrate, schemaVersion, SCHEMA_VERSION, NewerSchemaError } from './migrate.ts';
import type { ExperimentExport } from './exchange.ts';
import { Store } from './store.ts';
import { damagedRecordError, explainLibraryError, LibraryError, readOnlyError } from './errors.ts';
import { CodecError } from '../../shared/codec.ts';
import * as datasets from './datasets.ts';
import * as experiments from './experiments.ts';
import type { CreateOptions } from './experiments.ts';
import * as jobs from './jobs.ts';
import type { CommitOutcome } from './jobs.ts';
import * as transfer from './transfer.ts';
import type { OwnerMark } from './owner.ts';
import type {
  DatasetInfo,
  ExperimentOwner,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentSummary,
  JobStates,
  KernelsUsed,
  ListOptions,
  RunEngine,
  StoredReport,
} from './types.ts';

export { ProblemsError } from './exchange.ts';
export { AlreadyInLibraryError } from './transfer.ts';
export { LibraryError };
export { NewerSchemaError, NotALibraryError } from './migrate.ts';
export { CodecError };
export type * from './types.ts';
export { EXPERIMENT_STATUSES, JOB_STATES } from './types.ts';
export type { ExperimentExport } from './exchange.ts';
export type { CreateOptions } from './experiments.ts';
export type { CommitOutcome } from './jobs.ts';

export interface OpenOptions {
  /** Clock in milliseconds since 1970; injectable so tests can pin times. */
  now?: () => number;
  /** How long a write waits for another process's lock before failing (SQLite busy_timeout). */
  busyTimeoutMs?: number;
  /**
   * Open for reading only (ls, show, export): nothing is created, migrated or written, and a
   * library on read-only media can be read. A file that does not exist yet, or that an older
   * OptLab wrote, is opened as usual instead (created, or brought up to date).
   */
  readonly?: boolean;
}

function isSqliteError(e: unknown, code: string): boolean {
  return e instanceof Error && (e as Error & { code?: string }).code === code;
}

// SQLite reads "file:" names as URIs only when asked to (better-sqlite3 reads this when its
// native module loads, at the first open). A read-only WAL library whose folder cannot take
// the shared-memory file is then opened as immutable (see openReadOnly); plain paths, which is
// all OptLab passes otherwise (always absolute), are not affected.
process.env.SQLITE_USE_URI ??= '1';

export class Library {
  readonly path: string;
  /** Opened with `readonly`: every write fails (SQLITE_READONLY), reported as a read-only library. */
  readonly readonly: boolean;
  readonly #store: Store;

  private constructor(path: string, db: Database.Database, now: () => number, readonly = false) {
    this.path = path;
    this.readonly = readonly;
    this.#store = new Store(db, now);
  }

  /**
   * Opens (creating the file and its folders if needed) and brings the schema up to date.
   * A file that cannot be opened, read or written is reported as a LibraryError naming it and
   * saying what to do (a folder, read-only media, a damaged file, a full disk).
   */
  static open(path: string, options: OpenOptions = {}): Library {
    const memory = path === ':memory:';
    const full = memory ? path : resolve(path);
    try {
      if (options.readonly && !memory && existsSync(full)) {
        const lib = Library.#openReadOnly(full, options);
        if (lib) return lib;
        try {
          return Library.#openWritable(full, memory, options);
        } catch (e) {
          const why = explainLibraryError(e, full);
          if (why instanceof LibraryError && why.kind === 'read-only')
            throw new LibraryError(
              full,
              'old-schema',
              `the library ${full} was written by an older OptLab; this one must upgrade it before reading it, which cannot be done on read-only media. Copy it to a writable folder first`,
              { cause: e },
            );
          throw why;
        }
      }
      if (options.readonly && !memory) {
        try {
          return Library.#openWritable(full, memory, options);
        } catch (e) {
          const why = explainLibraryError(e, full);
          if (why instanceof LibraryError && why.kind === 'read-only')
            throw new LibraryError(
              full,
              'missing',
              `there is no library at ${full} (and none can be created there: read-only media)`,
              {
                cause: e,
              },
            );
          throw why;
        }
      }
      return Library.#openWritable(full, memory, options);
    } catch (e) {
      throw explainLibraryError(e, full);
    }
  }

  static #openWritable(full: string, memory: boolean, options: OpenOptions): Library {
    if (!memory) mkdirSync(dirname(full), { recursive: true });
    const db = new Database(full, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      db.pragma('foreign_keys = ON');
      // Before WAL: switching the journal mode writes to the file, and a newer OptLab's file is not ours to touch.
      const found = schemaVersion(db);
      if (found > SCHEMA_VERSION) throw new NewerSchemaError(memory ? full : basename(full), found, SCHEMA_VERSION);
      if (!memory) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new Error(`${full}: cannot switch to WAL mode (journal mode stays ${String(mode)})`);
      }
      // WAL's default (NORMAL) may lose the last commits on power loss; a committed result must survive it.
      db.pragma('synchronous = FULL');
      migrate(db);
    } catch (e) {
      db.close();
      throw e;
    }
    return new Library(full, db, options.now ?? Date.now);
  }

  /**
   * A read-only connection, or undefined when the file needs a writable open (an older schema
   * to migrate, or a file that is not a library yet). WAL needs a shared-memory file beside the
   * library; where that cannot be created (read-only media) the file is opened as immutable,
   * which reads the main file only: changes still in a write-ahead log there are not seen.
   */
  static #openReadOnly(full: string, options: OpenOptions): Library | undefined {
    let db: Database.Database;
    try {
      db = new Database(full, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
      schemaVersion(db);
    } catch (e) {
      if (!isSqliteError(e, 'SQLITE_CANTOPEN')) throw e;
      db = new Database(`file:${encodeURI(full).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, {
        readonly: true,
        fileMustExist: true,
      });
    }
    try {
      const found = schemaVersion(db);
      if (found > SCHEMA_VERSION) throw new NewerSchemaError(basename(full), found, SCHEMA_VERSION);
      if (found < SCHEMA_VERSION) {
        db.close();
        return undefined;
      }
      db.pragma('foreign_keys = ON');
    } catch (e) {
      db.close();
      throw e;
    }
    return new Library(full, db, options.now ?? Date.now, true);
  }

  close(): void {
    if (this.#store.db.open) this.#store.db.close();
  }

  /** The connection's settings, for diagnostics (`optlab doctor`, an About box) and tests. */
  settings(): {
    schemaVersion: number;
    journalMode: string;
    foreignKeys: boolean;
    busyTimeoutMs: number;
    synchronous: number;
  } {
    const { db } = this.#store;
    return {
      schemaVersion: schemaVersion(db),
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      foreignKeys: db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: db.pragma('busy_timeout', { simple: true }) as number,
      synchronous: db.pragma('synchronous', { simple: true }) as number,
    };
  }

  // ── data sets ──────────────────────────────────────────────────────────────────────────

  /** Stores a data set under its content hash (storing it again is a no-op) and returns the hash. */
  putDataset(ds: Dataset): string {
    return datasets.put(this.#store, ds);
  }

  getDataset(hash: string): Dataset | undefined {
    return datasets.get(this.#store, hash);
  }

  listDatasets(): DatasetInfo[] {
    return datasets.list(this.#store);
  }

  getDatasetInfo(hash: string): DatasetInfo | undefined {
    return datasets.info(this.#store, hash);
  }

  /** Deletes a data set no experiment uses; returns whether there was one. */
  deleteDataset(hash: string): boolean {
    return datasets.remove(this.#store, hash);
  }

  /** Deletes every data set no experiment uses; returns how many went. */
  pruneDatasets(): number {
    return datasets.prune(this.#store);
  }

  /** Reads a CSV file (app/datasets.ts loadCsvFile) and stores it. */
  importCsv(path: string, options: Partial<CsvOptions> = {}): DatasetInfo {
    return datasets.importCsv(this.#store, path, options);
  }

  /** Records that an experiment trains on a stored data set (which then cannot be deleted under it). */
  linkDataset(experimentId: number, hash: string): void {
    datasets.link(this.#store, experimentId, hash);
  }

  // ── experiments ────────────────────────────────────────────────────────────────────────

  /** Stores a valid spec as a new experiment (status `created`); an invalid one is refused with every problem. */
  createExperiment(spec: ExperimentSpec, options: CreateOptions = {}): number {
    return experiments.create(this.#store, spec, options);
  }

  getExperiment(id: number): ExperimentRecord | undefined {
    return experiments.get(this.#store, id);
  }

  /** Most recently changed first. */
  listExperiments(options: ListOptions = {}): ExperimentSummary[] {
    return experiments.list(this.#store, options);
  }

  /** Name, tags or notes; the spec of an experiment never changes (duplicate it to change it). */
  updateExperiment(id: number, changes: { name?: string; tags?: string[]; notes?: string }): void {
    experiments.update(this.#store, id, changes);
  }

  /** A new experiment with the same spec, tags, notes and data sets, and none of the jobs or results. */
  duplicate(id: number): number {
    return experiments.duplicate(this.#store, id);
  }

  /** Deletes the experiment with its jobs, results and report (the data sets stay); returns whether there was one. */
  deleteExperiment(id: number): boolean {
    return experiments.remove(this.#store, id);
  }

  /**
   * `running` stamps the start (once) and clears an old error and finish; `done`, `failed`
   * and `cancelled` stamp the finish; `error` is kept only with them.
   */
  setStatus(id: number, status: ExperimentStatus, error?: string): void {
    experiments.setStatus(this.#store, id, status, error);
  }

  /**
   * Takes the experiment for a run of the Lab whose mark this is; returns the live owner that
   * holds it instead (another process, or another Lab of this one), and then takes nothing.
   */
  claimRun(id: number, mark: OwnerMark): ExperimentOwner | undefined {
    return experiments.claim(this.#store, id, mark);
  }

  /** Clears the Lab's mark on an experiment whose run did not start. */
  releaseRun(id: number, lab: string): void {
    experiments.release(this.#store, id, lab);
  }

  /** Refreshes the heartbeat of the experiments the Lab `lab` runs. */
  heartbeat(lab: string): void {
    experiments.heartbeat(this.#store, lab);
  }

  /** Records `interrupted` for running experiments whose process is gone; returns their ids. */
  recordInterrupted(): number[] {
    return experiments.recordInterrupted(this.#store);
  }

  /** Records the plan's cost in the preview's units (app/lab/preview.ts). */
  setCostUnits(id: number, units: number): void {
    experiments.setCostUnits(this.#store, id, units);
  }

  /** Cost units and job time of the last `limit` finished experiments with a recorded cost, newest first. */
  costs(limit: number): { units: number; ms: number }[] {
    return experiments.costs(this.#store, limit);
  }

  /** The kernels the experiment's results are computed with. */
  setKernels(id: number, kernels: KernelsUsed): void {
    experiments.setKernels(this.#store, id, kernels);
  }

  // ── jobs ───────────────────────────────────────────────────────────────────────────────

  /** Adds the keys as pending jobs; keys already there keep their state. Returns how many were new. */
  planJobs(experimentId: number, keys: readonly string[]): number {
    return jobs.plan(this.#store, experimentId, keys);
  }

  /** Hands a pending job to a worker; false when it is not pending (leased to another, done, failed). */
  leaseJob(experimentId: number, key: string, worker: string): boolean {
    return jobs.lease(this.#store, experimentId, key, worker);
  }

  /** A leased or failed job goes back to pending (its worker was lost, or the user retries); false otherwise. */
  requeueJob(experimentId: number, key: string): boolean {
    return jobs.requeue(this.#store, experimentId, key);
  }

  /**
   * Every leased job (of one worker, or of all) back to pending: after a Lab restart nothing is
   * really in flight, and after a worker drops its jobs are not. Returns how many.
   */
  requeueLeased(experimentId: number, worker?: string): number {
    return jobs.requeueLeased(this.#store, experimentId, worker);
  }

  /** Marks a job failed with its error; false if it was already done (a late failure report loses to a result). */
  failJob(experimentId: number, key: string, error: string): boolean {
    return jobs.fail(this.#store, experimentId, key, error);
  }

  /**
   * Stores a job's result and marks the job done, in one transaction that is on disk when
   * this returns. A key that was never planned is added (boosting rounds appear as results
   * arrive). A second result for a done job is ignored and false returned: results are
   * deterministic, so the first one is as good, and the row is not rewritten.
   */
  commitResult(experimentId: number, key: string, result: JobResult, ms: number, worker: string): boolean {
    return jobs.commitResult(this.#store, experimentId, key, result, ms, worker) === 'committed';
  }

  /**
   * `commitResult` for a delivery that may be a second one (a queue delivers at least once):
   * INSERT OR IGNORE on (experiment, key); a second copy with the same bytes is `same`, one
   * with other bytes is `differs` and recorded as a determinism fault (jobStates().faults).
   */
  deliverResult(experimentId: number, key: string, result: JobResult, ms: number, worker: string): CommitOutcome {
    return jobs.commitResult(this.#store, experimentId, key, result, ms, worker);
  }

  /** Every committed result, by key (what a resumed run passes as `done`). */
  doneResults(experimentId: number): Map<string, JobResult> {
    return jobs.doneResults(this.#store, experimentId);
  }

  /** One done job's committed result (undefined unless the job is done). */
  jobResult(experimentId: number, key: string): JobResult | undefined {
    return jobs.result(this.#store, experimentId, key);
  }

  /** This library's random id (made once, by migration 3): job ids in a shared queue start with it. */
  libraryId(): string {
    return (this.#store.stmt(`SELECT value FROM library_meta WHERE name = 'library_id'`).get() as { value: string })
      .value;
  }

  /** Records where a run of the experiment sends its jobs. */
  setEngine(id: number, engine: RunEngine): void {
    experiments.setEngine(this.#store, id, engine);
  }

  jobStates(experimentId: number): JobStates {
    return jobs.states(this.#store, experimentId);
  }

  // ── results ────────────────────────────────────────────────────────────────────────────

  saveReport(experimentId: number, report: StoredReport): void {
    experiments.saveReport(this.#store, experimentId, report);
  }

  getReport(experimentId: number): StoredReport | undefined {
    return experiments.getReport(this.#store, experimentId);
  }

  // ── exchange ───────────────────────────────────────────────────────────────────────────

  /** One experiment as a JSON-ready object (exchange.ts describes the format). */
  exportExperiment(id: number): ExperimentExport {
    return transfer.exportExperiment(this.#store, id);
  }

  /**
   * Stores an exported experiment as a new one and returns its id. Nothing is stored unless
   * the whole file checks out. Its data sets are stored by hash (already there: untouched).
   * Jobs that were leased when it was exported come back pending, and an experiment that was
   * running comes back `cancelled`: nothing runs it here until the user resumes it. The same
   * experiment (exported from this library, or imported before) is refused with
   * AlreadyInLibraryError unless `copy`.
   */
  importExperiment(obj: unknown, options: { copy?: boolean } = {}): number {
    return transfer.importExperiment(this.#store, obj, options);
  }
}

// Every call on an open library reports a full disk, a damaged file or a read-only library
// as a LibraryError with the path and what to do, whichever query met it; and a stored record
// that no longer parses (damaged bytes inside an intact file) as a damaged library too.
for (const name of Object.getOwnPropertyNames(Library.prototype)) {
  const d = Object.getOwnPropertyDescriptor(Library.prototype, name);
  if (name === 'constructor' || !d || typeof d.value !== 'function') continue;
  const method = d.value as (this: Library, ...args: unknown[]) => unknown;
  // An import decodes the user's file, whose problems are not the library's.
  const readsOwnRecords = name !== 'importExperiment';
  Object.defineProperty(Library.prototype, name, {
    ...d,
    value: function (this: Library, ...args: unknown[]): unknown {
      try {
        return method.apply(this, args);
      } catch (e) {
        if (this.readonly && (e as { code?: string } | null)?.code?.startsWith('SQLITE_READONLY'))
          throw readOnlyError(this.path, e);
        if (readsOwnRecords && (e instanceof SyntaxError || e instanceof CodecError))
          throw damagedRecordError(this.path, e);
        throw explainLibraryError(e, this.path);
      }
    },
  });
}
