/**
 * The Lab: the LabApi (shared/lab-api.ts) over the experiment library (SQLite), the planner,
 * the executors (in process, a worker thread, or the WebSocket coordinator with local and
 * LAN workers) and the aggregator. Every front end talks to it through that contract only:
 * the command line in process, browser mode through `optlab serve`, the desktop window
 * through IPC. Plain Node: no Electron import.
 *
 * Its parts: lab/events.ts (numbered, throttled events), lab/runs.ts (one run per
 * experiment), lab/workers.ts (the coordinator and its workers), lab/data.ts (data from the
 * library), lab/preview.ts (plan previews), lab/views.ts (internals as plain JSON).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type {
  CsvPreview,
  CsvSource,
  DatasetInfo,
  DatasetPreview,
  ExperimentChanges,
  ExperimentExport,
  ExperimentRecord,
  ExperimentSnapshot,
  ExperimentSummary,
  JobDetail,
  JobStates,
  ImportOptions,
  JsonValue,
  KernelsUsed,
  LabApi,
  LabEvent,
  LabEventSource,
  LabInfo,
  LabProblem,
  LanState,
  ListOptions,
  NewExperimentOptions,
  PlanPreview,
  PresetInfo,
  PresetOptions,
  ReportJson,
  RunOptions,
  RunOutcome,
  RunStarted,
  SpecCheck,
  StudyView,
  WorkerCommand,
  WorkerView,
} from '../shared/lab-api.ts';
import { OptLabError, parseProblem } from '../shared/lab-errors.ts';
import { datasetHash, type Dataset } from '../shared/data/dataset.ts';
import { CsvError, parseCsv } from '../shared/data/csv.ts';
import { previewCsvText } from '../shared/data/csv-preview.ts';
import { validateExperimentSpec } from '../shared/experiment/validate.ts';
import { dataProblems } from '../shared/experiment/data-checks.ts';
import { plan as makePlan, type Plan } from '../shared/experiment/plan.ts';
import { PRESETS, presetSpec, type StudyKind } from '../shared/experiment/presets.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';
import type { KernelsSpec } from '../shared/protocol.ts';
import { Rng } from '../shared/rng.ts';
import {
  AlreadyInLibraryError,
  CodecError,
  Library,
  LibraryError,
  NewerSchemaError,
  NotALibraryError,
  ProblemsError,
} from './library/library.ts';
import { checkFeasible } from './feasibility.ts';
import { ownMark, type OwnerMark } from './library/owner.ts';
import { defaultDbPath } from './library/paths.ts';
import { useFastKernels } from './kernels.ts';
import type { CoordinatorLogger, CoordinatorOptions } from './coordinator/index.ts';
import { EventHub } from './lab/events.ts';
import { Runs, outcomeOf } from './lab/runs.ts';
import { resumeBackend, type BackendOptions } from './backend.ts';
import { LabWorkers } from './lab/workers.ts';
import { loadSpecData } from './lab/data.ts';
import { previewOf } from './lab/preview.ts';
import { jobDetail } from './lab/views.ts';
import { DATASET_NAMES, specJsonSchema } from '../shared/schema/spec.ts';
import { isObject } from '../shared/schema/check.ts';
import {
  createEngine,
  reconcileExperiment,
  reconcileOnStart,
  type EngineTuning,
  type JobEngine,
} from './engine/index.ts';

export const VERSION = '0.1.0';

/**
 * The token workers prove they know, generated once per library and kept beside it (mode
 * 0600), so LAN workers started with it keep working after the Lab restarts.
 */
export function workerToken(dbPath: string): string {
  const file = join(dirname(resolve(dbPath)), 'worker-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32,}$/.test(t)) return t;
  }
  const t = randomBytes(32).toString('hex');
  writeFileSync(file, t + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return t;
}

export interface LabOptions {
  /** Local workers a run starts when its options do not say (default 0: in this process). */
  defaultWorkers?: number;
  /** Run in-process jobs in a worker thread, so fits never block the event loop (a served Lab). */
  fitsInThread?: boolean;
  /** Where the coordinator's info and warning lines go (default: stderr). */
  logger?: CoordinatorLogger;
  /** The coordinator's port (default: any free one). */
  port?: number;
  /** Start with LAN mode on. */
  lan?: boolean;
  /** Local worker processes kept up for the Lab's whole life (they join its coordinator). */
  standingWorkers?: number;
  /** The engine the standing workers train on (their --backend, --software-gpu; default the CPU). */
  standingBackend?: BackendOptions;
  /** Coordinator settings for tests (heartbeats, timeouts). */
  coordinator?: CoordinatorOptions;
  /**
   * Where runs send their jobs: `redis[s]://[user:password@]host[:port][?prefix=NAME]` for a
   * BullMQ queue on Redis (workers: `optlab worker --engine …`); absent, the LAN coordinator.
   */
  engine?: string;
  /** Settings of a Redis engine for tests and the benchmark (tries, backoff, lock). */
  engineTuning?: EngineTuning;
  /** Memory one fit, or a plan, may use (bytes, or a size such as `24G`); default: OPTLAB_MEMORY_LIMIT, else half of this machine's. */
  memoryLimit?: string | number;
  /** Open the library for reading only (commands that only read; then it works on read-only media). */
  readonly?: boolean;
}

const problemsOf = (lines: readonly string[]): LabProblem[] => lines.map(parseProblem);

/** Library and data errors as OptLabErrors; anything else passes unchanged. */
function asLabError(e: unknown): unknown {
  if (e instanceof OptLabError) return e;
  if (e instanceof CsvError)
    return new OptLabError(
      'E_BAD_CSV',
      e.message,
      e.problems.map((p) => ({ ...parseProblem(p.message), line: p.line, column: p.column })),
    );
  if (e instanceof ProblemsError) return new OptLabError('E_BAD_ARGS', e.message, problemsOf(e.problems));
  if (
    e instanceof NewerSchemaError ||
    e instanceof NotALibraryError ||
    e instanceof CodecError ||
    e instanceof LibraryError
  )
    return new OptLabError('E_LIBRARY', e.message);
  return e;
}

export class Lab implements LabApi, LabEventSource {
  readonly #library: Library;
  readonly #hub: EventHub;
  readonly #runs = new Runs();
  readonly #workers: LabWorkers;
  /** The job engine (a promise: the Redis engine's modules load on first use). */
  readonly #engine: Promise<JobEngine>;
  /** The reconcile a Lab on a queue does when it opens; runs wait for it. */
  readonly #startup: Promise<void>;
  readonly #defaultWorkers: number;
  readonly #kernels: KernelsUsed;
  readonly #memoryLimit: string | number | undefined;
  /** Recorded as the owner of the experiments this Lab runs. */
  readonly #mark: OwnerMark = ownMark(randomBytes(8).toString('hex'));
  #closed = false;

  private constructor(library: Library, o: LabOptions) {
    this.#library = library;
    const logger = o.logger;
    const warn = logger ? (l: string) => logger.warn(l) : (l: string) => console.error(l);
    this.#hub = new EventHub(warn);
    this.#defaultWorkers = o.defaultWorkers ?? 0;
    this.#memoryLimit = o.memoryLimit;
    const k = useFastKernels();
    this.#kernels = { name: k.name, build: k.build ?? null };
    this.#workers = new LabWorkers(
      {
        // A read-only library (ls, show, export) runs nothing and must not write a token beside it.
        token: library.path === ':memory:' || library.readonly ? undefined : workerToken(library.path),
        port: o.port,
        lan: o.lan,
        standing: o.standingWorkers,
        standingBackend: o.standingBackend,
        fitsInThread: o.fitsInThread ?? false,
        kernels: k.build === undefined ? { name: k.name } : { name: k.name, build: k.build },
        logger: o.logger,
        coordinator: o.coordinator,
      },
      this.#hub,
    );
    const kernels: KernelsSpec = k.build === undefined ? { name: k.name } : { name: k.name, build: k.build };
    const log = logger ?? { info: (l: string) => console.error(l), warn };
    this.#engine = createEngine({
      url: o.engine,
      tuning: o.engineTuning,
      library,
      workers: this.#workers,
      kernels,
      logger: log,
    });
    this.#startup =
      o.engine === undefined
        ? Promise.resolve()
        : this.#engine.then((engine) =>
            reconcileOnStart(
              engine,
              library,
              this.#hub,
              (e) => this.#plan(e),
              log,
              (id) => this.#runs.isRunning(id),
            ),
          );
    this.#startup.catch(() => {});
  }

  /** Opens the library at `dbPath` (default: the user's data folder, or $OPTLAB_DB). */
  static open(dbPath?: string, options: LabOptions = {}): Lab {
    try {
      const library = Library.open(dbPath ?? defaultDbPath(), { readonly: options.readonly });
      // Runs whose process died (kill -9, a crash) are recorded as interrupted (a read-only
      // library shows them so without the record).
      if (!library.readonly) {
        try {
          library.recordInterrupted();
        } catch (e) {
          library.close();
          throw e;
        }
      }
      return new Lab(library, options);
    } catch (e) {
      throw asLabError(e);
    }
  }

  subscribe(listener: (e: LabEvent) => void): () => void {
    return this.#hub.subscribe(listener);
  }

  /** Cancels the runs (what finished is kept), stops the workers and closes the library. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#startup.catch(() => {});
    await this.#runs.stopAll();
    await (await this.#engine).close();
    await this.#workers.close();
    this.#hub.close();
    this.#library.close();
  }

  async about(): Promise<LabInfo> {
    return {
      version: VERSION,
      libraryPath: this.#library.path,
      kernels: this.#kernels.name,
      defaultWorkers: this.#defaultWorkers,
      engine: (await this.#engine).info,
    };
  }

  // ── data sets ──────────────────────────────────────────────────────────────────────────

  async listDatasets(): Promise<DatasetInfo[]> {
    return this.#library.listDatasets();
  }

  async previewCsv(source: CsvSource, rows = 10): Promise<CsvPreview> {
    const p = previewCsvText(source.content, this.#csvOptions(source), rows);
    return {
      fileName: source.fileName,
      rows: p.rows,
      columns: p.columns,
      head: p.head,
      task: p.task,
      classes: p.classes,
      problems: p.problems.map((x) => ({ ...parseProblem(x.message), line: x.line, column: x.column })),
    };
  }

  async importCsv(source: CsvSource): Promise<DatasetInfo> {
    return this.#guard(() => {
      return this.#storeDataset(this.#parseCsv(source));
    });
  }

  /** Stores a data set (once: by content hash) and announces it when it is new. */
  #storeDataset(ds: Dataset): DatasetInfo {
    const known = this.#library.getDatasetInfo(datasetHash(ds));
    const info = known ?? this.#library.getDatasetInfo(this.#library.putDataset(ds))!;
    if (!known) this.#hub.emit({ type: 'dataset-added', dataset: info });
    return info;
  }

  /** A CSV read as a data set, its problems as E_BAD_CSV naming the file. */
  #parseCsv(source: CsvSource): Dataset {
    try {
      return parseCsv(source.content, this.#csvOptions(source));
    } catch (e) {
      if (e instanceof CsvError) {
        const err = asLabError(e) as OptLabError;
        // The message names the file, so the user knows which file the lines refer to.
        throw new OptLabError('E_BAD_CSV', `${source.fileName}: ${e.message}`, err.problems);
      }
      throw e;
    }
  }

  /** createExperiment's `csv`: the data set, and the spec naming it by its hash. */
  #csvFor(spec: unknown, source: CsvSource): { spec: unknown; data: Map<string, Dataset> } {
    const ds = isObject(spec) && isObject(spec.dataset) ? spec.dataset : undefined;
    if (!isObject(spec) || ds?.name !== 'csv')
      throw OptLabError.withProblems('E_BAD_SPEC', 'spec', [
        {
          path: 'dataset.name',
          message: `must be "csv" when a CSV is given with the spec, got ${JSON.stringify(ds?.name)}`,
        },
      ]);
    const data = this.#parseCsv(source);
    const hash = datasetHash(data);
    return { spec: { ...spec, dataset: { ...ds, hash } }, data: new Map([[hash, data]]) };
  }

  async previewDataset(hash: string, rows = 10): Promise<DatasetPreview> {
    const info = this.#library.getDatasetInfo(hash);
    const ds = info && this.#library.getDataset(hash);
    if (!info || !ds) throw this.#noDataset(hash);
    const head: DatasetPreview['head'] = [];
    for (let i = 0; i < Math.min(ds.n, Math.max(0, rows)); i++) {
      const y = ds.y[i];
      head.push({
        x: Array.from(ds.x.subarray(i * ds.d, (i + 1) * ds.d)),
        y: ds.task === 'classification' ? (ds.classNames[y] ?? String(y)) : y,
      });
    }
    return {
      info,
      featureNames: ds.featureNames,
      classNames: ds.classNames,
      image: ds.image ?? null,
      head,
    };
  }

  async deleteDataset(hash: string): Promise<void> {
    const info = this.#library.getDatasetInfo(hash);
    if (!info) throw this.#noDataset(hash);
    try {
      this.#library.deleteDataset(hash);
    } catch (e) {
      if (info.experiments > 0) throw new OptLabError('E_IN_USE', (e as Error).message);
      throw asLabError(e);
    }
    this.#hub.emit({ type: 'dataset-deleted', hash });
  }

  // ── experiments ────────────────────────────────────────────────────────────────────────

  async createExperiment(spec: unknown, options: NewExperimentOptions = {}): Promise<ExperimentRecord> {
    return this.#guard(() => {
      // The spec's CSV, when given with it, is checked with the spec and stored only with it.
      const csv = options.csv ? this.#csvFor(spec, options.csv) : undefined;
      const s = this.#checkedSpec(csv ? csv.spec : spec, csv?.data);
      for (const data of csv?.data.values() ?? []) this.#storeDataset(data);
      const hashes = s.dataset.name === 'csv' && s.dataset.hash ? [s.dataset.hash] : [];
      const id = this.#library.createExperiment(s, {
        name: options.name,
        tags: options.tags ?? s.tags,
        notes: options.notes ?? s.notes,
        datasets: hashes,
      });
      const record = this.#record(id);
      this.#hub.emit({ type: 'experiment-created', experiment: summaryOf(record) });
      return record;
    });
  }

  async createFromPreset(preset: string, options: PresetOptions = {}): Promise<ExperimentRecord> {
    const spec = await this.presetSpec(preset, options.dataset);
    return this.createExperiment(spec, { ...options, tags: options.tags ?? ['preset', preset] });
  }

  async validateSpec(spec: unknown): Promise<SpecCheck> {
    try {
      this.#checkedSpec(spec);
      return { ok: true, problems: [] };
    } catch (e) {
      if (e instanceof OptLabError && e.code === 'E_BAD_SPEC') return { ok: false, problems: e.problems ?? [] };
      throw asLabError(e);
    }
  }

  async previewPlan(
    target: { spec: unknown } | { experimentId: number },
    options: RunOptions = {},
  ): Promise<PlanPreview> {
    return this.#guard(() => {
      const workers = options.workers ?? this.#defaultWorkers;
      if ('experimentId' in target)
        return previewOf(this.#plan(this.#record(target.experimentId)), workers, this.#library);
      const spec = this.#checkedSpec(target.spec);
      return previewOf(
        makePlan(spec, (ds, rng) => loadSpecData(this.#library, ds, rng)),
        workers,
        this.#library,
      );
    });
  }

  async listExperiments(options: ListOptions = {}): Promise<ExperimentSummary[]> {
    return this.#guard(() => {
      try {
        return this.#library.listExperiments(options);
      } catch (e) {
        if (e instanceof LibraryError) throw e;
        throw new OptLabError('E_BAD_ARGS', (e as Error).message);
      }
    });
  }

  async getExperiment(id: number): Promise<ExperimentRecord> {
    return this.#record(id);
  }

  async updateExperiment(id: number, changes: ExperimentChanges): Promise<ExperimentRecord> {
    return this.#guard(() => {
      this.#record(id);
      this.#library.updateExperiment(id, changes);
      const record = this.#record(id);
      this.#hub.emit({ type: 'experiment-updated', experiment: summaryOf(record) });
      return record;
    });
  }

  async duplicateExperiment(id: number): Promise<ExperimentRecord> {
    return this.#guard(() => {
      this.#record(id);
      const record = this.#record(this.#library.duplicate(id));
      this.#hub.emit({ type: 'experiment-created', experiment: summaryOf(record) });
      return record;
    });
  }

  async deleteExperiment(id: number): Promise<void> {
    const rec = this.#record(id);
    if (this.#runs.isRunning(id)) throw new OptLabError('E_IN_USE', `experiment ${id} is running; cancel it first`);
    if (rec.owner)
      throw new OptLabError(
        'E_IN_USE',
        `experiment ${id} is running in another process (pid ${rec.owner.pid} on ${rec.owner.host}); stop it there first`,
      );
    this.#library.deleteExperiment(id);
    this.#hub.emit({ type: 'experiment-deleted', experimentId: id });
  }

  async exportExperiment(id: number): Promise<ExperimentExport> {
    return this.#guard(() => {
      this.#record(id);
      return this.#library.exportExperiment(id);
    });
  }

  async importExperiment(file: unknown, options: ImportOptions = {}): Promise<ExperimentRecord> {
    return this.#guard(() => {
      let id: number;
      try {
        id = this.#library.importExperiment(file, { copy: options.copy });
      } catch (e) {
        if (e instanceof ProblemsError) throw new OptLabError('E_BAD_IMPORT', e.message, problemsOf(e.problems));
        if (e instanceof AlreadyInLibraryError)
          throw new OptLabError(
            'E_EXISTS',
            `this export is experiment ${e.id} of this library already (same name, spec and creation time); nothing was imported. To have a second copy anyway: optlab import FILE --copy (or duplicate experiment ${e.id})`,
          );
        throw e;
      }
      const record = this.#record(id);
      this.#hub.emit({ type: 'experiment-created', experiment: summaryOf(record) });
      return record;
    });
  }

  // ── runs ───────────────────────────────────────────────────────────────────────────────

  async startRun(id: number, options: RunOptions = {}): Promise<RunStarted> {
    return this.#start(id, options);
  }

  async resumeRun(id: number, options: RunOptions = {}): Promise<RunStarted> {
    return this.#start(id, options);
  }

  async retryFailed(id: number, options: RunOptions = {}): Promise<RunStarted> {
    const rec = this.#record(id);
    if (!this.#runs.isRunning(id) && !this.#library.jobStates(id).counts.failed)
      throw new OptLabError('E_STATE', `experiment ${id} has no failed jobs (it is ${rec.status})`);
    return this.#start(id, options);
  }

  async cancelRun(id: number): Promise<boolean> {
    this.#record(id);
    return this.#runs.cancel(id);
  }

  async waitForRun(id: number): Promise<RunOutcome> {
    const rec = this.#record(id);
    return (await this.#runs.outcome(id)) ?? outcomeOf(rec);
  }

  async getJobs(id: number): Promise<JobStates> {
    this.#record(id);
    return this.#library.jobStates(id);
  }

  async getJob(id: number, key: string): Promise<JobDetail> {
    return this.#guard(() => {
      this.#record(id);
      const row = this.#library.jobStates(id).jobs.find((j) => j.key === key);
      if (!row) throw new OptLabError('E_NOT_FOUND', `experiment ${id} has no job ${JSON.stringify(key)}`);
      return jobDetail(row, row.state === 'done' ? this.#library.jobResult(id, key) : undefined);
    });
  }

  // ── reports ────────────────────────────────────────────────────────────────────────────

  async getReport(id: number): Promise<ReportJson | null> {
    this.#record(id);
    // Stored as JSON: a number that was not finite is null already.
    return (this.#library.getReport(id) as ReportJson | undefined) ?? null;
  }

  async getStudy(id: number): Promise<StudyView | null> {
    const study = (await this.getReport(id))?.study;
    if (!study) return null;
    // The typed series and the computed summary sentences; the title is the CLI's.
    const { kind, series, summary } = study;
    return { kind, series, summary } as StudyView;
  }

  // ── live ───────────────────────────────────────────────────────────────────────────────

  async snapshot(experimentId: number): Promise<ExperimentSnapshot> {
    // Everything below is read in one turn of the event loop: no event slips in between.
    const seq = this.#hub.seq;
    const experiment = this.#record(experimentId);
    return {
      seq,
      experiment,
      jobs: this.#library.jobStates(experimentId),
      running: this.#runs.isRunning(experimentId),
      planned: this.#runs.planned(experimentId),
      progress: this.#hub.inFlight(experimentId),
      workers: await (await this.#engine).workers(),
    };
  }

  // ── workers ────────────────────────────────────────────────────────────────────────────

  async listWorkers(): Promise<WorkerView[]> {
    return (await this.#engine).workers();
  }

  async getLan(): Promise<LanState> {
    return this.#workers.lan();
  }

  async setLan(enabled: boolean, options: { port?: number } = {}): Promise<LanState> {
    return this.#workers.setLan(enabled, options.port);
  }

  async workerCommand(): Promise<WorkerCommand> {
    return (await this.#engine).command?.() ?? this.#workers.command();
  }

  // ── presets and the schema ─────────────────────────────────────────────────────────────

  async listPresets(): Promise<PresetInfo[]> {
    return Object.entries(PRESETS).map(([name, p]) => ({
      name: name as StudyKind,
      title: p.title,
      description: p.description,
      dataset: p.defaultDataset,
      datasets: [...p.datasets],
    }));
  }

  async presetSpec(preset: string, dataset?: string): Promise<ExperimentSpec> {
    const p = (PRESETS as Record<string, (typeof PRESETS)[StudyKind]>)[preset];
    if (!p)
      throw new OptLabError(
        'E_NOT_FOUND',
        `unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(', ')}); see optlab presets`,
      );
    if (dataset !== undefined && !p.datasets.includes(dataset))
      throw new OptLabError(
        'E_BAD_ARGS',
        `preset "${preset}" does not take data set "${dataset}" (it takes: ${p.datasets.join(', ')})`,
      );
    return presetSpec(preset, dataset);
  }

  async specSchema(): Promise<JsonValue> {
    return specJsonSchema() as JsonValue;
  }

  // ── inside ─────────────────────────────────────────────────────────────────────────────

  async #start(id: number, options: RunOptions): Promise<RunStarted> {
    const rec = this.#record(id);
    // A finished experiment has nothing to run: no coordinator, no workers, its report stays.
    if (rec.status === 'done' && rec.hasReport && !this.#runs.isRunning(id))
      return { experimentId: id, total: rec.jobs.total, done: rec.jobs.done };
    const workers = options.workers ?? this.#defaultWorkers;
    const joined = options.joined ?? false;
    return this.#guardAsync(() =>
      this.#runs.start(rec, {
        library: this.#library,
        hub: this.#hub,
        mark: this.#mark,
        kernels: this.#kernels,
        plan: (e) => this.#plan(e),
        executor: async (done) =>
          (await this.#engine).open({
            experimentId: id,
            workers,
            joined,
            backend: resumeBackend(id, done.values(), options),
          }),
        reconcile: async (exp, plan) => {
          await this.#startup;
          await reconcileExperiment(await this.#engine, this.#library, this.#hub, exp, plan);
        },
      }),
    );
  }

  /** The stored experiment, or E_NOT_FOUND. */
  #record(id: number): ExperimentRecord {
    const e = this.#library.getExperiment(id);
    if (!e)
      throw new OptLabError('E_NOT_FOUND', `no experiment with id ${id} in ${this.#library.path} (see optlab ls)`);
    return e;
  }

  #noDataset(hash: string): OptLabError {
    return new OptLabError('E_NOT_FOUND', `no data set ${hash} in the library (see optlab datasets)`);
  }

  #plan(e: ExperimentRecord): Plan {
    return makePlan(e.spec, (ds, rng) => loadSpecData(this.#library, ds, rng, e.datasets));
  }

  #csvOptions(source: CsvSource) {
    return {
      name: source.name ?? basename(source.fileName, extname(source.fileName)),
      target: source.target,
      task: source.task,
    };
  }

  /**
   * A spec that can be stored and run, or E_BAD_SPEC with every problem: its shape first,
   * then its CSV data set (by hash, in this library), then the checks against the data.
   */
  #checkedSpec(input: unknown, extra: ReadonlyMap<string, Dataset> = new Map()): ExperimentSpec {
    const spec = this.#libraryNames(input);
    const shape = validateExperimentSpec(spec).map((p) => this.#withLibraryHint(p));
    if (shape.length) throw OptLabError.withProblems('E_BAD_SPEC', 'spec', problemsOf(shape));
    const s = structuredClone(spec) as ExperimentSpec;
    const ds = s.dataset;
    if (ds.name === 'csv') {
      const problem =
        ds.hash === undefined
          ? 'required: a Lab runs CSV data from its library; import the file (importCsv, optlab datasets import) and name the data set by its hash'
          : this.#library.getDatasetInfo(ds.hash) || extra.has(ds.hash)
            ? undefined
            : `no data set ${ds.hash} in the library (see optlab datasets)`;
      if (problem) throw OptLabError.withProblems('E_BAD_SPEC', 'spec', [{ path: 'dataset.hash', message: problem }]);
    }
    const cache = new Map<string, Dataset>();
    const base = new Rng(s.seed);
    const load = (d: ExperimentSpec['dataset']) => {
      const given = d.name === 'csv' && d.hash !== undefined ? extra.get(d.hash) : undefined;
      if (given) return given;
      const key = JSON.stringify(d);
      let data = cache.get(key);
      if (!data) cache.set(key, (data = loadSpecData(this.#library, d, base.fork('data'))));
      return data;
    };
    const problems = dataProblems(s, load);
    // Then what this machine can hold (memory of a fit and of the plan) and the stratified folds: before anything is planned or stored.
    if (!problems.length) problems.push(...checkFeasible(s, load, { memoryLimit: this.#memoryLimit }).problems);
    if (problems.length) throw OptLabError.withProblems('E_BAD_SPEC', 'spec', problemsOf(problems));
    return s;
  }

  /**
   * A spec whose data set is named by the name (or hash) of a data set in this library, as
   * `{"name": "mydata"}`, becomes `{"name": "csv", "hash": …}`: what it means, in the words
   * the rest of the Lab reads. Built-in names win; a name two stored data sets share is left
   * for the check to refuse, naming their hashes.
   */
  #libraryNames(spec: unknown): unknown {
    if (!isObject(spec) || !isObject(spec.dataset)) return spec;
    const name = spec.dataset.name;
    if (typeof name !== 'string' || (DATASET_NAMES as readonly string[]).includes(name)) return spec;
    const found = this.#library.listDatasets().filter((d) => d.hash === name || d.name === name);
    if (found.length !== 1) return spec;
    const { name: _name, ...rest } = spec.dataset;
    return { ...spec, dataset: { ...rest, name: 'csv', hash: found[0].hash } };
  }

  /** The problem of an unknown data set name says that the library's data sets count too. */
  #withLibraryHint(problem: string): string {
    if (!problem.startsWith('dataset.name: ')) return problem;
    const named = /"([^"]*)"/.exec(problem)?.[1];
    const same = named === undefined ? [] : this.#library.listDatasets().filter((d) => d.name === named);
    if (same.length > 1)
      return `dataset.name: "${named}" names ${same.length} data sets of the library (${same.map((d) => d.hash).join(', ')}); name one by its hash: {"name": "csv", "hash": "${same[0].hash}"}`;
    return `${problem}; or the name or hash of a data set in the library (optlab datasets lists them)`;
  }

  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw asLabError(e);
    }
  }

  async #guardAsync<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw asLabError(e);
    }
  }
}

function summaryOf(r: ExperimentRecord): ExperimentSummary {
  const { spec: _spec, datasets: _datasets, ...summary } = r;
  return summary;
}

/** A Lab in this process, seen through its contract only (what the command line holds). */
export type LabHandle = LabApi & LabEventSource & { close(): Promise<void> };

/** Opens the library at `dbPath` (default: the user's data folder, or $OPTLAB_DB) as a LabHandle. */
export function openLab(dbPath?: string, options: LabOptions = {}): LabHandle {
  return Lab.open(dbPath, options);
}
