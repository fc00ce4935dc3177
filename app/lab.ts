/**
 * The Lab: one typed API over the experiment library (SQLite), the planner, the executors
 * (in-process, or the WebSocket coordinator with local and LAN workers) and the aggregator.
 * The command line uses it now; the desktop shell and the browser UI sit on top of it later.
 * Plain Node: no Electron import.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Library } from './library/library.ts';
import { defaultDbPath } from './library/paths.ts';
import type {
  DatasetInfo,
  ExperimentRecord,
  ExperimentSummary,
  JobStates,
  ListOptions,
  StoredReport,
} from './library/types.ts';
import type { CsvOptions } from '../shared/data/csv.ts';
import { loadDataset } from './datasets.ts';
import { previewExperiment, type Preview } from './feasibility.ts';
import {
  Coordinator,
  spawnLocalWorkers,
  type CoordinatorOptions,
  type LocalWorkers,
  type WorkerInfo,
} from './coordinator/index.ts';
import { validateExperimentSpec } from '../shared/experiment/validate.ts';
import { plan as makePlan, type Plan } from '../shared/experiment/plan.ts';
import { runPlan } from '../shared/experiment/run.ts';
import { InProcessExecutor, JobCancelled, type Executor } from '../shared/experiment/executor.ts';
import { FitCancelled } from '../shared/train/fit.ts';
import { presetSpec } from '../shared/experiment/presets.ts';
import { studySeries } from '../shared/experiment/studies.ts';
import type { ExperimentSpec, JobProgress, JobResult } from '../shared/experiment/types.ts';
import type { EpochRecord } from '../shared/train/fit.ts';

/** What subscribers hear while experiments run. */
export type LabEvent =
  | { type: 'status'; experiment: number; status: ExperimentSummary['status']; error?: string }
  | { type: 'planned'; experiment: number; total: number; done: number }
  | { type: 'progress'; experiment: number; key: string; epoch: number; epochs: number; record?: EpochRecord }
  | { type: 'job-done'; experiment: number; key: string; result: JobResult }
  | { type: 'job-failed'; experiment: number; key: string; error: string; attempts: number; final: boolean }
  | { type: 'workers'; workers: WorkerInfo[] };

/** A spec that cannot run: every problem with its JSON path. */
export class LabSpecError extends Error {
  constructor(
    readonly problems: string[],
    readonly source: string,
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

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

export interface RunOptions {
  /** Local worker processes to start (0: run in this process). */
  workers?: number;
  /** Use this executor instead (tests, or a coordinator the caller manages). */
  executor?: Executor;
}

export class Lab {
  readonly library: Library;
  #listeners = new Set<(e: LabEvent) => void>();
  #coordinator: Coordinator | undefined;
  #running = new Map<number, Executor>();

  private constructor(library: Library) {
    this.library = library;
  }

  /** Opens the library at `dbPath` (default: the user's data folder, or $OPTLAB_DB); `readonly` for commands that only read. */
  static open(dbPath?: string, options: { readonly?: boolean } = {}): Lab {
    return new Lab(Library.open(dbPath ?? defaultDbPath(), options));
  }

  subscribe(listener: (e: LabEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(e: LabEvent): void {
    for (const l of this.#listeners) l(e);
  }

  // ---- datasets ----

  listDatasets(): DatasetInfo[] {
    return this.library.listDatasets();
  }

  /** Parses a CSV file (errors name the line and column) and keeps it in the library by content hash. */
  importCsv(path: string, options: Partial<CsvOptions> = {}): DatasetInfo {
    return this.library.importCsv(path, options);
  }

  /** Refused while an experiment uses the data set. */
  deleteDataset(hash: string): boolean {
    return this.library.deleteDataset(hash);
  }

  // ---- experiments ----

  /**
   * Stores a new experiment after validating it; a CSV path is made absolute against the
   * spec file's folder so the experiment can be resumed from anywhere.
   */
  createExperiment(
    spec: unknown,
    options: {
      source?: string;
      specFile?: string;
      tags?: string[];
      notes?: string;
      /** Memory one fit or the plan may use (bytes, or a size such as `24G`); default: see app/feasibility.ts. */
      memoryLimit?: string | number;
      /** Hears the preview (jobs, memory, estimated time) of a spec that can run, before it is stored. */
      onPreview?: (p: Preview) => void;
    } = {},
  ): number {
    const problems = validateExperimentSpec(spec);
    if (problems.length) throw new LabSpecError(problems, options.source ?? 'spec');
    const s = structuredClone(spec) as ExperimentSpec;
    if (s.dataset.name === 'csv' && s.dataset.path && !isAbsolute(s.dataset.path)) {
      s.dataset.path = resolve(options.specFile ? dirname(options.specFile) : process.cwd(), s.dataset.path);
    }
    // Checks that need the data (folds, memory, plan size): nothing is stored unless it can run here.
    const preview = previewExperiment(s, { memoryLimit: options.memoryLimit });
    if (preview.problems.length) throw new LabSpecError(preview.problems, options.source ?? 'spec');
    options.onPreview?.(preview);
    return this.library.createExperiment(s, { tags: options.tags ?? s.tags, notes: options.notes ?? s.notes });
  }

  createFromPreset(name: string, dataset?: string, options: { tags?: string[]; notes?: string } = {}): number {
    return this.createExperiment(presetSpec(name, dataset), {
      source: `preset ${name}`,
      tags: options.tags ?? ['preset', name],
      notes: options.notes,
    });
  }

  listExperiments(options: ListOptions = {}): ExperimentSummary[] {
    return this.library.listExperiments(options);
  }

  getExperiment(id: number): ExperimentRecord {
    const e = this.library.getExperiment(id);
    if (!e) throw new Error(`no experiment with id ${id} in ${this.library.path} (see optlab ls)`);
    return e;
  }

  jobStates(id: number): JobStates {
    this.getExperiment(id);
    return this.library.jobStates(id);
  }

  getReport(id: number): StoredReport | undefined {
    return this.library.getReport(id);
  }

  duplicate(id: number): number {
    return this.library.duplicate(id);
  }

  deleteExperiment(id: number): boolean {
    if (this.#running.has(id)) throw new Error(`experiment ${id} is running; cancel it first`);
    return this.library.deleteExperiment(id);
  }

  exportExperiment(id: number) {
    return this.library.exportExperiment(id);
  }

  importExperiment(obj: unknown): number {
    return this.library.importExperiment(obj);
  }

  // ---- runs ----

  /** The plan of an experiment (deterministic: the same spec always gives the same jobs). */
  plan(id: number): Plan {
    const e = this.getExperiment(id);
    return makePlan(e.spec, (ds, rng) => loadDataset(ds, rng));
  }

  /**
   * Runs an experiment to the end, or resumes it: jobs whose results are committed are not run
   * again. Each result is committed the moment it arrives. Resolves with the stored report.
   */
  async run(id: number, options: RunOptions = {}): Promise<StoredReport> {
    if (this.#running.has(id)) throw new Error(`experiment ${id} is already running`);
    const exp = this.getExperiment(id);
    const plan = this.plan(id);
    for (const dp of plan.data) {
      if (exp.datasets.length && !exp.datasets.includes(dp.hash) && exp.jobs.done > 0) {
        throw new Error(
          `experiment ${id}: its data set changed since the run started (hash ${dp.hash}, stored ${exp.datasets.join(', ')}); duplicate the experiment to start over`,
        );
      }
      this.library.putDataset(dp.data);
      this.library.linkDataset(id, dp.hash);
    }
    this.library.planJobs(
      id,
      plan.jobs.map((j) => j.key),
    );
    this.library.requeueLeased(id);
    // A resumed run tries failed jobs again (their last error stays on the row until they succeed).
    for (const j of this.library.jobStates(id).jobs) if (j.state === 'failed') this.library.requeueJob(id, j.key);
    const done = this.library.doneResults(id);
    let local: LocalWorkers | undefined;
    let executor = options.executor;
    if (!executor) {
      if ((options.workers ?? 0) > 0) {
        const c = await this.coordinator();
        local = spawnLocalWorkers(options.workers!, c.url, c.token);
        executor = c.executor();
        this.#emit({ type: 'workers', workers: c.workers() });
      } else executor = new InProcessExecutor();
    }
    this.#running.set(id, executor);
    this.library.setStatus(id, 'running');
    this.#emit({ type: 'status', experiment: id, status: 'running' });
    const started = new Map<string, number>();
    try {
      const { report, results } = await runPlan(plan, executor, {
        done,
        onPlanned: (total, n) => this.#emit({ type: 'planned', experiment: id, total, done: n }),
        onSubmit: (jobs) => {
          this.library.planJobs(
            id,
            jobs.map((j) => j.key),
          );
          const now = performance.now();
          for (const j of jobs) started.set(j.key, now);
        },
        onProgress: (p: JobProgress) => this.#emit({ type: 'progress', experiment: id, ...p }),
        onLeased: (key, worker) => {
          this.library.leaseJob(id, key, worker);
        },
        onAttemptFailed: (key, error, attempts, final) => {
          // A failed try is kept with its error; the job goes back to pending unless it is final.
          this.library.failJob(id, key, `attempt ${attempts}: ${error}`);
          if (!final) this.library.requeueJob(id, key);
          this.#emit({ type: 'job-failed', experiment: id, key, error, attempts, final });
        },
        onResult: (r, meta) => {
          const ms = meta?.ms ?? performance.now() - (started.get(r.key) ?? performance.now());
          this.library.commitResult(id, r.key, r, ms, meta?.worker ?? 'in-process');
          this.#emit({ type: 'job-done', experiment: id, key: r.key, result: r });
        },
      });
      const study = studySeries(plan, report, results, exp.spec.study);
      const stored: StoredReport = study ? { ...report, study } : report;
      this.library.saveReport(id, stored);
      this.library.setStatus(id, 'done');
      this.#emit({ type: 'status', experiment: id, status: 'done' });
      return stored;
    } catch (e) {
      const cancelled = e instanceof JobCancelled || e instanceof FitCancelled;
      const message = e instanceof Error ? e.message : String(e);
      this.library.requeueLeased(id);
      this.library.setStatus(id, cancelled ? 'cancelled' : 'failed', message);
      this.#emit({ type: 'status', experiment: id, status: cancelled ? 'cancelled' : 'failed', error: message });
      throw e;
    } finally {
      this.#running.delete(id);
      await local?.stop();
    }
  }

  /** Stops a running experiment everywhere; what was committed stays, `resume` continues it. */
  cancel(id: number): boolean {
    const ex = this.#running.get(id);
    if (!ex) return false;
    ex.cancel();
    return true;
  }

  // ---- workers ----

  /** The WebSocket coordinator, started on first use (127.0.0.1 unless `lan`). */
  async coordinator(options: CoordinatorOptions = {}): Promise<Coordinator> {
    if (!this.#coordinator) {
      const token = options.token ?? (this.library.path === ':memory:' ? undefined : workerToken(this.library.path));
      const c = new Coordinator({ ...options, token });
      await c.listen();
      c.on('worker-joined', () => this.#emit({ type: 'workers', workers: c.workers() }));
      c.on('worker-left', () => this.#emit({ type: 'workers', workers: c.workers() }));
      this.#coordinator = c;
    }
    return this.#coordinator;
  }

  workers(): WorkerInfo[] {
    return this.#coordinator?.workers() ?? [];
  }

  async close(): Promise<void> {
    for (const ex of this.#running.values()) ex.cancel();
    await this.#coordinator?.close();
    this.#coordinator = undefined;
    this.library.close();
  }
}
