/**
 * The Lab API: the one contract between the Lab and every front end (the command line, the
 * desktop window, browser mode, tests). Types only: the Lab implements it in process
 * (app/lab.ts), `optlab serve` carries it over a WebSocket (app/api/), and the typed client
 * (shared/lab-client.ts) implements it on the far side. Whatever the transport, the rules are:
 *
 * - Every method is async and takes and returns plain JSON: no typed arrays, no callbacks,
 *   no `Date` (times are milliseconds since 1970, UTC), no `undefined` inside arrays.
 * - A `number` is always finite. Where a value can be undefined or infinite (a diverged
 *   run's loss, the mean of no values), the type says `number | null` and the value is null.
 * - A failure is an `OptLabError` (shared/lab-errors.ts): a stable `code` from
 *   `LabErrorCode`, a message a person can read, and for input errors every problem with
 *   its path. It is rebuilt with its class on the far side of every transport.
 * - Events (`LabEvent`) are light (no results, no weights), carry a sequence number, and
 *   progress is throttled; `snapshot()` gives a screen everything it needs to resync.
 */
import type { ExperimentReport } from './experiment/aggregate.ts';
import type { StudyKind } from './experiment/presets.ts';
import type { StudySeries } from './experiment/studies.ts';
import type { ExperimentSpec } from './experiment/types.ts';
import type { Task } from './data/dataset.ts';
import type { ExperimentExportFile } from './schema/export.ts';
import type { BackendSpec } from './protocol.ts';

// ── values as they cross ──────────────────────────────────────────────────────────────────

/**
 * A measured value as it crosses: `null` where it is not a finite number (NaN or ±Infinity,
 * which JSON cannot hold: a diverged run, a mean of no values, a t statistic of equal values).
 */
export type Measured = number | null;

/**
 * A computed structure as it crosses: every number in it may be null (see `Measured`). Used
 * for reports, learning curves and study series, which come from arbitrary training runs.
 */
export type Jsonified<T> = unknown extends T
  ? T
  : T extends number
    ? Measured
    : T extends string | boolean | null | undefined
      ? T
      : T extends ArrayBufferView
        ? never
        : { [K in keyof T]: Jsonified<T[K]> };

/** Any JSON value (what a spec, an export file or a JSON Schema is before it is checked). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// ── errors ────────────────────────────────────────────────────────────────────────────────

/**
 * Every code an OptLabError can carry. The list is the contract: front ends switch on the
 * code, never on the message.
 *
 * - `E_BAD_SPEC`: the experiment spec is wrong. `problems` lists every problem at once, each
 *   with its JSON path (`optimizer.lr` / `must be > 0, got -1`). Nothing was stored or run.
 * - `E_BAD_CSV`: a CSV cannot be read as a data set. `problems` lists each with its position
 *   as the path (`line 4, column 2 ("b")` / `not a number: "oops"`) and `line`, `column`.
 * - `E_BAD_IMPORT`: an export file fails its checks; `problems` lists each with its path.
 * - `E_BAD_ARGS`: a call's arguments do not match the method's schema; `problems` says where.
 * - `E_NOT_FOUND`: no experiment, data set, job or preset with that id, hash, key or name.
 * - `E_IN_USE`: the thing is used by another (a data set by experiments, a running experiment
 *   cannot be deleted); the message names who uses it.
 * - `E_BUSY`: the experiment is running already (start, resume, retry, delete), in this Lab or
 *   in another live process; the message names the process.
 * - `E_EXISTS`: the thing is in the library already (an export imported into the library it
 *   came from); the message says how to make a copy anyway.
 * - `E_STATE`: the operation does not apply in the experiment's state (retry with no failed
 *   job, a data set that changed under an experiment that already has results).
 * - `E_LIBRARY`: the library file cannot be used (written by a newer OptLab, not a library,
 *   a damaged result); the message says which file and what to do.
 * - `E_AUTH`: the session token is wrong or missing (the served API only).
 * - `E_TOO_BIG`: a message or file is over the size limit.
 * - `E_BAD_FRAME`: a message of the transport is not one (not JSON, unknown method).
 * - `E_DISCONNECTED`: the connection to the Lab was lost before the answer came (the client
 *   reconnects; the call may or may not have happened).
 * - `E_INTERNAL`: a bug in the Lab; the message says what happened.
 */
export type LabErrorCode =
  | 'E_BAD_SPEC'
  | 'E_BAD_CSV'
  | 'E_BAD_IMPORT'
  | 'E_BAD_ARGS'
  | 'E_NOT_FOUND'
  | 'E_IN_USE'
  | 'E_BUSY'
  | 'E_EXISTS'
  | 'E_STATE'
  | 'E_LIBRARY'
  | 'E_AUTH'
  | 'E_TOO_BIG'
  | 'E_BAD_FRAME'
  | 'E_DISCONNECTED'
  | 'E_INTERNAL';

/** One problem of an input: where (a JSON path, or a CSV position) and what. */
export interface LabProblem {
  /** `optimizer.lr`, `sweep[2].model.hidden[0]`, `line 4, column 2 ("b")`; empty for the input as a whole. */
  path: string;
  /** What is wrong, without the path: `must be > 0, got -1`. */
  message: string;
  /** CSV problems: the 1-based line of the file. */
  line?: number;
  /** CSV problems: the 1-based column (field number). */
  column?: number;
}

/** An OptLabError as data (what crosses a transport; see shared/lab-errors.ts for the class). */
export interface OptLabErrorData {
  code: LabErrorCode;
  /** The whole message as the command line prints it (problems included, one per line). */
  message: string;
  /** Every problem of the input, for the codes that have them (E_BAD_SPEC, E_BAD_CSV, E_BAD_IMPORT, E_BAD_ARGS). */
  problems?: LabProblem[];
}

// ── data sets ─────────────────────────────────────────────────────────────────────────────

/** A data set kept in the library, by content hash. */
export interface DatasetInfo {
  /** Content hash (16 hex digits): equal data, equal hash. */
  hash: string;
  name: string;
  task: Task;
  /** Rows. */
  n: number;
  /** Features per row. */
  d: number;
  /** Classes (0 for regression). */
  classes: number;
  /** When it was stored (ms since 1970). */
  createdAt: number;
  /** Bytes of its features and targets as stored. */
  bytes: number;
  /** Experiments that train on it (it cannot be deleted while this is above 0). */
  experiments: number;
}

/** A CSV file as a front end sends it: its text and its name, never a path on the Lab's disk. */
export interface CsvSource {
  /** The file's name as the user chose it (`iris.csv`); names the data set unless `name` does. */
  fileName: string;
  /** The file's whole text (UTF-8; a byte-order mark is ignored). */
  content: string;
  /** Target column: its header name, or its 0-based index (default: the last column). */
  target?: string | number;
  /** Whether the target holds class labels or real values (default classification). */
  task?: Task;
  /** Name of the data set (default: the file name without its extension). */
  name?: string;
}

/** One column of a CSV as the import would read it. */
export interface CsvColumn {
  /** 0-based index. */
  index: number;
  /** Header name. */
  name: string;
  /** `number`: every value is a number; `text`: some are not; `empty`: some are empty. */
  kind: 'number' | 'text' | 'empty';
  /** Whether it is the target column (the others are features). */
  target: boolean;
  /** Distinct values among the data rows. */
  distinct: number;
}

/** What an import of a CSV would give, without storing anything. */
export interface CsvPreview {
  fileName: string;
  /** Data rows (lines after the header that are not blank). */
  rows: number;
  columns: CsvColumn[];
  /** The first rows, field by field, as text. */
  head: string[][];
  task: Task;
  /** Classes the target holds (classification), or null. */
  classes: number | null;
  /** Every problem the import would report (empty when it would succeed). */
  problems: LabProblem[];
}

/** A stored data set with its first rows. */
export interface DatasetPreview {
  info: DatasetInfo;
  featureNames: string[];
  /** Class names by class id (empty for regression). */
  classNames: string[];
  /** Present for image data sets (digits): height × width × channels of a row's features. */
  image: { height: number; width: number; channels: number } | null;
  /** The first rows: their features and their target (class name or value). */
  head: { x: number[]; y: string | number }[];
}

// ── experiments ───────────────────────────────────────────────────────────────────────────

/**
 * `running`: a live process runs it now (`owner`); `interrupted`: it was running when its
 * process died (kill -9, a crash, a power cut) — what finished is kept, and a resume continues
 * it; `cancelled`: stopped on purpose, resumable too.
 */
export type ExperimentStatus = 'created' | 'running' | 'interrupted' | 'done' | 'failed' | 'cancelled';
export type JobState = 'pending' | 'leased' | 'done' | 'failed';

export interface ExperimentSummary {
  id: number;
  name: string;
  status: ExperimentStatus;
  tags: string[];
  notes: string;
  /** Why the last run failed or stopped; null otherwise. */
  error: string | null;
  /** Milliseconds since 1970 (UTC). */
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  jobs: { total: number; done: number; failed: number };
  hasReport: boolean;
  /** Where its last run's jobs went; null before its first run. */
  engine: RunEngine | null;
  /** The live process that runs it (status `running`); null otherwise. */
  owner: ExperimentOwner | null;
}

/** Where a run's jobs went: what a screen shows beside the experiment. */
export interface RunEngine {
  /**
   * `in-process`: the Lab's own process (a thread of it when served); `lan`: the WebSocket
   * coordinator with its local and LAN workers; `redis`: a BullMQ queue on Redis (cluster workers).
   */
  kind: 'in-process' | 'lan' | 'redis';
  /** `this process`, `ws://127.0.0.1:41234`, `redis://redis.lab:6379` (never a password). */
  where: string;
  /** The back end the run trains on (`auto` until a worker fixes it on the LAN). */
  backend: 'cpu' | 'webgpu' | 'auto';
  /** The queue the jobs went to (`redis` only). */
  queue?: string;
}

/** The process that runs an experiment. */
export interface ExperimentOwner {
  host: string;
  pid: number;
  /** When it last said it was alive (ms since 1970). */
  heartbeatAt: number;
}

/** The kernel set that computed an experiment's committed results (a resume must use the same). */
export interface KernelsUsed {
  /** `wasm-simd` or `js`. */
  name: string;
  /** The WebAssembly module's build (null for the JS kernels). */
  build: string | null;
}

export interface ExperimentRecord extends ExperimentSummary {
  spec: ExperimentSpec;
  /** Hashes of the stored data sets it trains on. */
  datasets: string[];
  /** The kernels of its committed results; null before its first run. */
  kernels: KernelsUsed | null;
}

export interface ListOptions {
  /** Case-insensitive substring of the name, the notes or a tag. */
  search?: string;
  status?: ExperimentStatus;
  /** Exactly this tag (case-insensitive). */
  tag?: string;
  limit?: number;
  offset?: number;
}

export interface CreateOptions {
  /** Defaults to the spec's name, else "Untitled experiment". */
  name?: string;
  /** Defaults to the spec's tags. */
  tags?: string[];
  /** Defaults to the spec's notes. */
  notes?: string;
}

/** createExperiment's options. */
export interface NewExperimentOptions extends CreateOptions {
  /**
   * The CSV a spec's `{"name": "csv"}` data set comes from, when it is not in the library yet:
   * the spec is checked against it, and it is stored (by content hash, which the stored spec
   * then names) with the experiment, and only if the experiment is.
   */
  csv?: CsvSource;
}

/** importExperiment's options. */
export interface ImportOptions {
  /** Store it even when the same experiment is in the library already (it came from here). */
  copy?: boolean;
}

export interface PresetOptions extends CreateOptions {
  /** The data set to run the preset on (default: the preset's own). */
  dataset?: string;
}

/** Name, tags or notes; the spec of an experiment never changes (duplicate it to change it). */
export interface ExperimentChanges {
  name?: string;
  tags?: string[];
  notes?: string;
}

/** The outcome of checking a spec without storing it. */
export interface SpecCheck {
  ok: boolean;
  /** Every problem, the data-dependent ones (classes against the loss, …) included. */
  problems: LabProblem[];
}

/** What running a spec would take: configurations × splits = jobs, and an estimated time. */
export interface PlanPreview {
  configurations: { key: string; label: string }[];
  /** How the rows are judged (`5-fold stratified`, `bootstrap × 20`, `holdout`, …). */
  evaluation: string;
  /** Splits per configuration. */
  splits: number;
  /** Jobs in all; boosting rounds counted at their maximum (a chain may stop early). */
  jobs: number;
  /** Models per split: bagging members or boosting rounds, else 1. */
  modelsPerSplit: number[];
  dataset: { name: string; hash: string; rows: number; features: number; classes: number; dev: number; test: number };
  /** Trainable parameters of one model of each configuration. */
  parameters: number[];
  estimate: {
    /** Summed job time (one core), seconds. */
    cpuSeconds: number;
    /** Wall time on `workers` workers (one slot each), seconds. */
    seconds: number;
    workers: number;
    /** `past-runs`: calibrated on this library's finished jobs; `benchmark`: the built-in throughput figure. */
    basis: 'past-runs' | 'benchmark';
  };
}

/**
 * The file `exportExperiment` writes and `importExperiment` reads (format `optlab-experiment`;
 * its schema: ExperimentExportSchema in shared/schema/export.ts). Data sets and job results
 * are base64 of the codec's blobs (shared/codec.ts).
 */
export type ExperimentExport = Omit<ExperimentExportFile, 'experiment' | 'report'> & {
  experiment: Omit<ExperimentExportFile['experiment'], 'spec'> & { spec: ExperimentSpec };
  report: ReportJson | null;
};

// ── runs and jobs ─────────────────────────────────────────────────────────────────────────

export interface RunOptions {
  /**
   * Local worker processes to start for the run. 0 runs the jobs in the Lab's process (in a
   * worker thread when the Lab is served, so its event loop never blocks). Default: the
   * Lab's setting.
   */
  workers?: number;
  /** Also use the workers that joined the Lab's coordinator (LAN, or started by hand). */
  joined?: boolean;
  /**
   * The engine the run's fits train on: `cpu` (default; the bit-for-bit reference), `webgpu`
   * (a GPU, or the run is refused with the reason), `auto` (a GPU where there is one). A run
   * never mixes back ends; a resumed one keeps the back end of its committed jobs.
   */
  backend?: 'cpu' | 'webgpu' | 'auto';
  /** Let a software adapter (SwiftShader) stand in for a GPU: for tests. */
  softwareGpu?: boolean;
}

/** A run has started: what it will do. */
export interface RunStarted {
  experimentId: number;
  /** Jobs the run will have done at most (boosting chains may stop early). */
  total: number;
  /** Of those, already done (a resumed run). */
  done: number;
}

/** How a run ended (or, if it is not running, how the last one did). */
export interface RunOutcome {
  experimentId: number;
  status: ExperimentStatus;
  error: string | null;
  hasReport: boolean;
}

export interface JobRow {
  /** Stable key: `config=2/repeat=0/fold=7`, `config=0/fold=3/member=4`, `config=1/replicate=9`. */
  key: string;
  state: JobState;
  /** Tries so far (a requeued job is tried again). */
  attempts: number;
  /** The worker that holds or ran it. */
  worker: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** Time it ran on its worker, ms. */
  ms: number | null;
  /** The last failure, kept after a requeue so a screen can say why a job ran again. */
  error: string | null;
}

export interface JobStates {
  total: number;
  counts: Record<JobState, number>;
  /** In key order. */
  jobs: JobRow[];
  /** Determinism faults: second deliveries of a result whose bytes differ from the committed one, oldest first. */
  faults: JobFault[];
}

/**
 * A job's result was delivered twice with different bytes. Results are deterministic, so one
 * of the two workers computed wrongly (other kernels, bad memory, a bug); the committed (first)
 * copy is the one the report uses, the other is kept in the library for inspection.
 */
export interface JobFault {
  key: string;
  /** The worker that delivered the differing copy. */
  worker: string;
  /** The worker whose copy was committed. */
  keptWorker: string | null;
  /** Where the two copies first differ (`result.final.val.loss: 0.231 committed, 0.232 delivered`). */
  detail: string;
  /** When the second copy arrived (ms since 1970). */
  at: number;
}

/** Scores of one set of rows: loss, and accuracy or mse and r2. */
export type SetScores = Record<string, Measured>;

/** One job in full: its row, and for a done job its learning curve and final scores. */
export interface JobDetail {
  job: JobRow;
  /** Per-epoch records (`epoch`, `lr`, `penalty`, `train_loss`, `val_accuracy`, …); null unless done. */
  history: Record<string, Measured>[] | null;
  /** Final scores by set (`train`, `val`, `test`, …); null unless done. */
  final: Record<string, SetScores> | null;
  bestEpoch: number | null;
  stoppedEarly: boolean | null;
  diverged: boolean | null;
  parameters: number | null;
}

/** A light summary of a finished job, carried by its `job` event. */
export interface JobOutcome {
  /** Epochs trained. */
  epochs: number;
  diverged: boolean;
  /** Final scores by set, as in JobDetail. */
  final: Record<string, SetScores>;
}

/** The latest epoch of a job in flight. */
export interface JobProgressView {
  key: string;
  epoch: number;
  epochs: number;
  /** That epoch's record (losses and scores by set, lr, penalty). */
  metrics: Record<string, Measured>;
}

// ── reports ───────────────────────────────────────────────────────────────────────────────

/** The aggregated report as stored, with the study's series when the experiment has a study. */
export type ReportJson = Jsonified<ExperimentReport & { study?: StudySeries }>;

type WithoutText<T> = T extends unknown ? Omit<T, 'title' | 'lines'> : never;

/** A study's chart series as typed data (the report's text lines are for the command line). */
export type StudyView = Jsonified<WithoutText<StudySeries>>;

// ── workers ───────────────────────────────────────────────────────────────────────────────

export interface WorkerView {
  /** Unique while the Lab runs (`w3`); names need not be unique. */
  id: string;
  name: string;
  /** The worker's IP address. */
  host: string;
  slots: number;
  /** Keys of the jobs in its hands. */
  jobs: string[];
  /** Milliseconds since it was last heard from. */
  heartbeatAgeMs: number;
  /** Results it delivered. */
  done: number;
  /** Jobs it reported as failed. */
  failed: number;
  /** It is shutting down and takes no new jobs. */
  draining: boolean;
  /** When it joined (ms since 1970). */
  joinedAt: number;
  /** The engine it trains with: the CPU, or a GPU's adapter and tolerance class (absent: the CPU). */
  backend?: BackendSpec;
  /** A queue worker (the Lab's engine is Redis): the queue it serves. */
  queue?: string;
}

/** Whether workers on other machines may join, and where. */
export interface LanState {
  enabled: boolean;
  /** The coordinator's port (0 while it is not listening). */
  port: number;
  /** URLs workers use: this machine's LAN addresses when enabled, else the loopback one. */
  urls: string[];
}

/** The one line that adds a worker from another shell or machine. */
export interface WorkerCommand {
  /** `OPTLAB_TOKEN=TOKEN node /abs/path/bin/optlab.mjs worker --connect ws://HOST:PORT` (the first URL): this installation, the token in the environment. */
  command: string;
  /** The same command for each URL the coordinator can be reached at. */
  commands: string[];
}

// ── presets and the schema ────────────────────────────────────────────────────────────────

export interface PresetInfo {
  name: StudyKind;
  title: string;
  description: string;
  /** The data set it runs on by default. */
  dataset: string;
  /** Every data set it accepts. */
  datasets: string[];
}

/** About the Lab a front end is talking to. */
export interface LabInfo {
  version: string;
  /** The library file (an absolute path on the Lab's machine, or `:memory:`). */
  libraryPath: string;
  /** Kernels the Lab and its workers train with (`wasm-simd` or `js`). */
  kernels: string;
  /** Local workers a run starts when it does not say (RunOptions.workers). */
  defaultWorkers: number;
  /** Where runs send their jobs: the Lab's own coordinator (`lan`) or a Redis queue (`redis`, where without a password). */
  engine: { kind: 'lan' | 'redis'; where: string };
}

// ── events ────────────────────────────────────────────────────────────────────────────────

/** Fields every event has. */
export interface EventBase {
  /** Increases by one with every event of this Lab process; a gap means events were missed. */
  seq: number;
  /** When it happened (ms since 1970). */
  at: number;
}

export type LabEvent = EventBase &
  (
    | { type: 'experiment-created'; experiment: ExperimentSummary }
    | { type: 'experiment-updated'; experiment: ExperimentSummary }
    | { type: 'experiment-deleted'; experimentId: number }
    | {
        type: 'status';
        experimentId: number;
        status: ExperimentStatus;
        error: string | null;
      }
    /** The number of jobs a run will do became known (at start, and when boosting adds rounds). */
    | { type: 'planned'; experimentId: number; total: number; done: number }
    | {
        type: 'job';
        experimentId: number;
        key: string;
        state: JobState;
        attempts: number;
        worker: string | null;
        /** Present when this change is a failed try: its error, and whether the job is given up. */
        failure?: { error: string; final: boolean };
        /** Present when the job is done. */
        result?: JobOutcome;
      }
    /**
     * The latest epoch of each job of one experiment that moved since the last such event;
     * at most about 10 a second per experiment, and the last epoch of a job always arrives
     * before the job's `done` event.
     */
    | { type: 'progress'; experimentId: number; jobs: JobProgressView[] }
    /** A job's result came again with other bytes: a determinism fault (the first result stays). */
    | { type: 'job-fault'; experimentId: number; fault: JobFault }
    | { type: 'report'; experimentId: number }
    | { type: 'worker-joined'; worker: WorkerView }
    | { type: 'worker-left'; worker: WorkerView; reason: string }
    | { type: 'lan'; lan: LanState }
    | { type: 'dataset-added'; dataset: DatasetInfo }
    | { type: 'dataset-deleted'; hash: string }
  );

export type LabEventType = LabEvent['type'];

/** Everything a monitor screen shows of one experiment, as of event `seq`. */
export interface ExperimentSnapshot {
  /** Apply only events with a larger seq on top of this snapshot. */
  seq: number;
  experiment: ExperimentRecord;
  jobs: JobStates;
  /** Whether a run of it is in progress in this Lab. */
  running: boolean;
  /** While running: jobs the run will do and how many are done. */
  planned: { total: number; done: number } | null;
  /** The latest epoch of each job in flight. */
  progress: JobProgressView[];
  workers: WorkerView[];
}

// ── the API ───────────────────────────────────────────────────────────────────────────────

export interface LabApi {
  /** Which Lab this is: its library, kernels and defaults. */
  about(): Promise<LabInfo>;

  // data sets
  /** Every stored data set, by name. */
  listDatasets(): Promise<DatasetInfo[]>;
  /** What importing the CSV would give (columns, first rows, every problem), storing nothing. */
  previewCsv(source: CsvSource, rows?: number): Promise<CsvPreview>;
  /** Stores a CSV as a data set (by content hash; importing it twice is harmless). E_BAD_CSV with every problem. */
  importCsv(source: CsvSource): Promise<DatasetInfo>;
  /** A stored data set's names and first rows. E_NOT_FOUND. */
  previewDataset(hash: string, rows?: number): Promise<DatasetPreview>;
  /** E_NOT_FOUND; E_IN_USE while an experiment trains on it. */
  deleteDataset(hash: string): Promise<void>;

  // experiments
  /**
   * Checks and stores a new experiment (status `created`). A CSV data set is named by its
   * hash (`"dataset": {"name": "csv", "hash": …}`, from importCsv) or given as `options.csv`;
   * a data set of the library may also be named by its name (`{"name": "mydata"}`).
   * E_BAD_SPEC with every problem, and then nothing is stored.
   */
  createExperiment(spec: unknown, options?: NewExperimentOptions): Promise<ExperimentRecord>;
  /** A built-in study as a new experiment (tags `preset`, NAME unless given). E_NOT_FOUND, E_BAD_SPEC. */
  createFromPreset(preset: string, options?: PresetOptions): Promise<ExperimentRecord>;
  /** Every problem of a spec, the data-dependent ones included; nothing is stored. */
  validateSpec(spec: unknown): Promise<SpecCheck>;
  /** Configurations × splits = jobs and an estimated time, for a spec or a stored experiment. E_BAD_SPEC, E_NOT_FOUND. */
  previewPlan(target: { spec: unknown } | { experimentId: number }, options?: RunOptions): Promise<PlanPreview>;
  /** Most recently changed first. */
  listExperiments(options?: ListOptions): Promise<ExperimentSummary[]>;
  /** E_NOT_FOUND. */
  getExperiment(id: number): Promise<ExperimentRecord>;
  /** E_NOT_FOUND. */
  updateExperiment(id: number, changes: ExperimentChanges): Promise<ExperimentRecord>;
  /** A new experiment with the same spec, tags, notes and data sets, and no jobs. E_NOT_FOUND. */
  duplicateExperiment(id: number): Promise<ExperimentRecord>;
  /** With its jobs, results and report (its data sets stay). E_NOT_FOUND; E_IN_USE while it runs. */
  deleteExperiment(id: number): Promise<void>;
  /** The experiment with its data sets, jobs, results and report, as one JSON object. E_NOT_FOUND. */
  exportExperiment(id: number): Promise<ExperimentExport>;
  /**
   * Stores an exported experiment under a new id. E_BAD_IMPORT with every problem; E_EXISTS
   * when the same experiment is in this library already (same creation time, name and spec),
   * unless `copy`.
   */
  importExperiment(file: unknown, options?: ImportOptions): Promise<ExperimentRecord>;

  // runs
  /**
   * Starts a run of a new experiment, or of one whose run was interrupted: jobs already done
   * are not run again. Returns once the jobs are planned; `status` events and `waitForRun`
   * tell the end. E_NOT_FOUND, E_BUSY, E_STATE (its data set changed since its results).
   */
  startRun(id: number, options?: RunOptions): Promise<RunStarted>;
  /** The same as startRun, for an experiment that has run before (cancelled, failed, or a done one: its report is recomputed). */
  resumeRun(id: number, options?: RunOptions): Promise<RunStarted>;
  /** Runs the failed jobs again (and anything else missing). E_STATE when no job failed. */
  retryFailed(id: number, options?: RunOptions): Promise<RunStarted>;
  /** Stops a run; what finished is kept. False when it was not running. E_NOT_FOUND. */
  cancelRun(id: number): Promise<boolean>;
  /** Resolves when the experiment's run ends (at once when none is in progress). E_NOT_FOUND. */
  waitForRun(id: number): Promise<RunOutcome>;
  /** Every job of an experiment with its state. E_NOT_FOUND. */
  getJobs(id: number): Promise<JobStates>;
  /** One job: its state, error, learning curve and scores. E_NOT_FOUND. */
  getJob(id: number, key: string): Promise<JobDetail>;

  // reports
  /** The stored report, or null before the first run finishes. E_NOT_FOUND. */
  getReport(id: number): Promise<ReportJson | null>;
  /** The report's study series as typed data, or null (no study, no report). E_NOT_FOUND. */
  getStudy(id: number): Promise<StudyView | null>;

  // live
  /** Everything a monitor screen needs of one experiment, with the event seq it is current to. E_NOT_FOUND. */
  snapshot(experimentId: number): Promise<ExperimentSnapshot>;

  // workers
  /** Workers that have joined the Lab's coordinator. */
  listWorkers(): Promise<WorkerView[]>;
  /** Whether workers from other machines may join. */
  getLan(): Promise<LanState>;
  /** Turns LAN mode on (listen on every interface; workers need the token) or off (this machine only). */
  setLan(enabled: boolean, options?: { port?: number }): Promise<LanState>;
  /** The command that adds a worker; starts the coordinator if it is not listening. */
  workerCommand(): Promise<WorkerCommand>;

  // presets and the schema
  listPresets(): Promise<PresetInfo[]>;
  /** A preset's spec, to edit before creating it. E_NOT_FOUND; E_BAD_ARGS for a data set it does not take. */
  presetSpec(preset: string, dataset?: string): Promise<ExperimentSpec>;
  /** The experiment spec's JSON Schema (a title, description and default on every field). */
  specSchema(): Promise<JsonValue>;
}

/** Where events come from: the in-process Lab, or a client's connection. */
export interface LabEventSource {
  /** Calls `listener` with every event from now on, in seq order; returns the function that stops it. */
  subscribe(listener: (e: LabEvent) => void): () => void;
}

/** What a front end holds: the API and its events. */
export type LabConnection = LabApi & LabEventSource;

/** The names of the API's methods (what the served API's frames name). */
export type LabMethod = keyof LabApi;
