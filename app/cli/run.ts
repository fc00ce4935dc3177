import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { parse, SpecError, UsageError } from './args.ts';
import { memoryLimitOption, readSpecFile } from './train.ts';
import { Progress } from './progress.ts';
import { onInterrupt } from './interrupt.ts';
import { checkOutFile } from './out-file.ts';
import { formatReport, wrap } from './report.ts';
import { openLab, type LabHandle } from '../lab.ts';
import { BACKEND_CHOICES, type BackendChoice, type BackendOptions } from '../backend.ts';
import type { CoordinatorLogger } from '../coordinator/index.ts';
import { OptLabError, problemText } from '../../shared/lab-errors.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import { isObject } from '../../shared/schema/check.ts';
import { PRESETS, presetSpec } from '../../shared/experiment/presets.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import type { CsvSource } from '../../shared/lab-api.ts';
import { DATASET_NAMES } from '../../shared/schema/spec.ts';

/** The spec of `optlab run`: a file, or a preset (optionally on another data set). */
export function resolveSpec(
  positionals: string[],
  preset: string | undefined,
  dataset: string | undefined,
): { spec: ExperimentSpec; source: string } {
  if (preset !== undefined) {
    if (positionals.length) throw new UsageError('give a spec file or --preset, not both');
    if (!(PRESETS as Record<string, unknown>)[preset])
      throw new UsageError(
        `unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(', ')}); see optlab presets`,
      );
    const takes = PRESETS[preset as keyof typeof PRESETS].datasets;
    if (dataset !== undefined && !takes.includes(dataset))
      throw new UsageError(`--dataset: preset "${preset}" does not take "${dataset}" (it takes: ${takes.join(', ')})`);
    const spec = presetSpec(preset, dataset);
    const problems = validateExperimentSpec(spec);
    if (problems.length) throw new SpecError(problems, `preset ${preset}${dataset ? ` on ${dataset}` : ''}`);
    return { spec, source: `preset ${preset}` };
  }
  if (dataset !== undefined) throw new UsageError('--dataset goes with --preset (a spec file names its own data set)');
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `expected one spec file, got ${positionals.length}`
        : 'missing the spec file (or --preset NAME)',
    );
  const raw = readSpecFile(positionals[0]);
  // A data set named by a name that is not built in may be one of the library's: the Lab decides.
  const named = isObject(raw) && isObject(raw.dataset) ? raw.dataset.name : undefined;
  const library = typeof named === 'string' && !(DATASET_NAMES as readonly string[]).includes(named);
  const problems = validateExperimentSpec(raw).filter((p) => !(library && p.startsWith('dataset.name: ')));
  if (problems.length) throw new SpecError(problems, positionals[0]);
  return { spec: raw as ExperimentSpec, source: positionals[0] };
}

/** A plan estimated to take longer than this is announced with its job count and time. */
const LONG_PLAN_SECONDS = 10 * 60;

/** 45 s, 12 min, 3.5 h, 2.1 days. */
function duration(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

/** Local workers by default: one per core (the Lab itself mostly waits); one for a GPU. */
export function defaultWorkers(backend: BackendChoice = 'cpu'): number {
  return backend === 'cpu' ? Math.max(1, availableParallelism()) : 1;
}

/** `--backend`, checked. */
export function parseBackend(v: string | undefined): BackendChoice {
  const b = (v ?? 'cpu') as BackendChoice;
  if (!BACKEND_CHOICES.includes(b))
    throw new UsageError(`--backend: must be one of ${BACKEND_CHOICES.join(', ')}, got "${v}"`);
  return b;
}

export function parseWorkers(v: string | undefined, backend: BackendChoice = 'cpu'): number {
  if (v === undefined) return defaultWorkers(backend);
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new UsageError(`--workers: must be a whole number from 0 (run in this process) to 256, got "${v}"`);
  return n;
}

/**
 * `--engine URL`, else OPTLAB_ENGINE (which keeps a password out of `ps`): a Redis queue for
 * the run's jobs; undefined means the LAN coordinator.
 */
export function engineUrl(v: string | undefined): string | undefined {
  return v ?? (process.env.OPTLAB_ENGINE || undefined);
}

/**
 * The coordinator's lines: on stderr, its info lines only when not --quiet. With a progress
 * bar they go through it, so that no line is printed into the middle of the bar.
 */
export function cliLogger(quiet: boolean, progress?: Progress): CoordinatorLogger {
  const say = progress ? (l: string) => progress.log(l) : (l: string) => console.error(l);
  return { info: quiet ? () => {} : say, warn: say };
}

/**
 * Local workers past the cores compete for them: each is a Node process of its own (about
 * 100 MB with its job thread, its own copy of the data), and the jobs then take longer, not shorter. Said, not
 * refused: the machine is the user's.
 */
export function workersWarning(workers: number, cores = availableParallelism()): string | undefined {
  if (workers <= cores) return undefined;
  return (
    `--workers ${workers} on ${cores} core${cores === 1 ? '' : 's'}: more workers than cores share the cores, and each is a process of its own ` +
    `(about 100 MB, with a copy of the data), so jobs take longer, not shorter; --workers ${cores} is usually fastest`
  );
}

/**
 * A spec file's CSV data set: the CLI reads the file (the Lab never reads paths) and hands its
 * text to createExperiment, which checks the spec against it and stores the data set (by
 * hash) with the experiment, and only if the experiment is stored. The spec keeps the file's
 * absolute path as a note of where the data came from.
 */
export function specCsv(spec: ExperimentSpec, specFile: string | undefined): { spec: ExperimentSpec; csv?: CsvSource } {
  const ds = spec.dataset;
  if (ds.name !== 'csv' || ds.hash !== undefined || ds.path === undefined) return { spec };
  const file = resolve(specFile ? dirname(resolve(specFile)) : process.cwd(), ds.path);
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (code ?? (e as Error).message);
    throw new Error(`cannot read CSV file ${file}: ${why}`, { cause: e });
  }
  return {
    spec: { ...spec, dataset: { ...ds, path: file } },
    csv: { fileName: file, content, target: ds.target, task: ds.task },
  };
}

/** createExperiment, with its spec problems printed under the spec's own name. */
export async function createIn(
  lab: LabHandle,
  spec: ExperimentSpec,
  source: string,
  tags: string[] | undefined,
  csv?: CsvSource,
): Promise<number> {
  try {
    return (await lab.createExperiment(spec, { tags, ...(csv ? { csv } : {}) })).id;
  } catch (e) {
    if (e instanceof OptLabError && e.code === 'E_BAD_SPEC' && e.problems)
      throw new SpecError(e.problems.map(problemText), source);
    throw e;
  }
}

/** The width tables are laid out in: the terminal's (or $COLUMNS), none with --wide or into a file. */
export function tableWidth(wide: boolean): number | undefined {
  if (wide) return undefined;
  if (process.stdout.isTTY) return process.stdout.columns;
  const env = Number(process.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : undefined;
}

/** Runs (or resumes) an experiment in the Lab with live progress; prints or writes the report. */
export async function runInLab(
  lab: LabHandle,
  id: number,
  o: {
    workers: number;
    json: boolean;
    /** A file already checked by checkOutFile. */
    out?: string;
    quiet: boolean;
    source: string;
    resume?: boolean;
    /** The bar the Lab's logger writes through (one is made when absent). */
    progress?: Progress;
    /** Table width (undefined: no limit). */
    width?: number;
  } & BackendOptions,
): Promise<number> {
  const progress = o.progress ?? new Progress(!o.quiet);
  const { libraryPath } = await lab.about();
  const stored = `experiment ${id} in ${libraryPath}`;
  const off = lab.subscribe((e) => {
    if (!('experimentId' in e) || e.experimentId !== id) return;
    if (e.type === 'planned') progress.planned(e.total, e.done);
    else if (e.type === 'progress') for (const j of e.jobs) progress.epoch(j.key, j.epoch, j.epochs);
    else if (e.type === 'job' && e.result) {
      const v = e.result.final.val;
      const num = (x: number | null | undefined, f: (x: number) => string) => (x === null ? 'NaN' : f(x!));
      const score =
        v && 'accuracy' in v
          ? `val_accuracy ${num(v.accuracy, (x) => x.toFixed(4))}`
          : v && 'mse' in v
            ? `val_mse ${num(v.mse, (x) => x.toPrecision(4))}`
            : '';
      progress.jobDone(e.key, `${e.result.epochs} epochs ${score}${e.result.diverged ? ' DIVERGED' : ''}`);
    } else if (e.type === 'job-fault')
      progress.log(
        `DETERMINISM FAULT: ${e.fault.key}: worker "${e.fault.worker}" delivered a result that differs from the committed one: ${e.fault.detail}`,
      );
    else if (e.type === 'job' && e.failure)
      progress.log(
        `${e.key} failed (attempt ${e.attempts}${e.failure.final ? ', giving up' : ', will retry'}): ${e.failure.error}`,
      );
  });
  const signal = onInterrupt(() => {
    progress.log(
      `optlab: cancelling experiment ${id}; what finished is kept (optlab resume ${id}); press Ctrl-C again to stop at once`,
    );
    void lab.cancelRun(id);
  });
  const t0 = performance.now();
  try {
    const e = await lab.getExperiment(id);
    if (e.status === 'done' && e.hasReport && o.resume) {
      // Nothing to run: no coordinator and no workers are started; the stored report is shown.
      console.error(`experiment ${id} is done: nothing to run (its report, from ${libraryPath}:)`);
      const report = await lab.getReport(id);
      if (report) {
        if (o.json) console.log(JSON.stringify(report));
        else console.log(formatReport(report, e.name, { width: o.width }));
        if (o.out) return writeOut(o.out, report, stored, id);
      }
      return 0;
    }
    const options = { workers: o.workers, backend: o.backend, softwareGpu: o.softwareGpu };
    // Started first: a run that is refused (running elsewhere, other kernels) starts nothing.
    if (o.resume) await lab.resumeRun(id, options);
    else await lab.startRun(id, options);
    const { engine } = await lab.about();
    if (o.workers > 0 || engine.kind === 'redis') {
      const c = await lab.workerCommand();
      // This Lab ends with the run: a worker added by hand gives up on it after a while.
      if (!o.quiet)
        progress.log(
          engine.kind === 'redis'
            ? `experiment ${id} on the queue at ${engine.where}${o.workers ? ` and ${o.workers} local worker${o.workers === 1 ? '' : 's'}` : ''}; add a worker on any machine that reaches it with:\n  ${c.command}`
            : `experiment ${id} on ${o.workers} local worker${o.workers === 1 ? '' : 's'}; add one from another shell with:\n  ${c.command} --retry-for 10m`,
        );
    }
    const outcome = await lab.waitForRun(id);
    progress.finish();
    if (outcome.status === 'cancelled' && signal.interrupted) {
      console.error(
        `experiment ${id} cancelled; what finished is kept in ${libraryPath} (optlab resume ${id} continues it)`,
      );
      return 130;
    }
    if (outcome.status !== 'done')
      throw new Error(
        `${outcome.error ?? `experiment ${id} ended ${outcome.status}`}\nwhat finished is kept: ${stored} (optlab show ${id}; optlab resume ${id} continues it)`,
      );
    const report = await lab.getReport(id);
    if (!report) throw new Error(`${stored} is done but its report is missing`);
    const seconds = (performance.now() - t0) / 1000;
    if (o.json) console.log(JSON.stringify(report));
    else {
      console.log(formatReport(report, o.source, { width: o.width }));
      const jobs = (await lab.getJobs(id)).total;
      console.log(
        '\n' +
          wrap(
            `experiment ${id}: ${jobs} jobs in ${seconds.toFixed(1)} s on ${engine.kind === 'redis' ? `the queue at ${engine.where}` : o.workers ? `${o.workers} local worker${o.workers === 1 ? '' : 's'}` : 'this process'}; stored in ${libraryPath}`,
            o.width,
          ),
      );
    }
    return o.out ? writeOut(o.out, report, stored, id) : 0;
  } finally {
    progress.finish();
    off();
    signal.off();
  }
}

/** Writes the report to --out; a failure is said with where the results are, exit 1. */
function writeOut(out: string, report: unknown, stored: string, id: number): number {
  try {
    writeFileSync(out, JSON.stringify(report) + '\n');
    console.error(`full results in ${out} (and in the library: ${stored})`);
    return 0;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    console.error(
      `optlab: cannot write ${out}: ${code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'read-only media' : (code ?? (e as Error).message)}; ` +
        `the results are safe in the library as ${stored} (optlab export ${id} --out FILE writes them elsewhere)`,
    );
    return 1;
  }
}

/** `optlab run`: store the experiment in the library and run it on local workers. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      preset: { type: 'string' },
      dataset: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      workers: { type: 'string' },
      db: { type: 'string' },
      tag: { type: 'string', multiple: true },
      queue: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'software-gpu': { type: 'boolean', default: false },
      engine: { type: 'string' },
      'memory-limit': { type: 'string' },
      wide: { type: 'boolean', default: false },
    },
    true,
  );
  const backend = parseBackend(values.backend);
  const engine = engineUrl(values.engine);
  // On a queue the cluster's workers do the work: none are started here unless asked.
  const workers = engine !== undefined && values.workers === undefined ? 0 : parseWorkers(values.workers, backend);
  const memoryLimit = memoryLimitOption(values['memory-limit']);
  // Before anything is stored or run: a run is never lost to an unwritable file at its end.
  const out = values.out === undefined ? undefined : checkOutFile(values.out);
  // Said first: it is about the arguments, and no worker is started yet.
  const warning = values.queue ? undefined : workersWarning(workers);
  if (warning) console.error(`optlab run: ${warning}`);
  const { spec, source } = resolveSpec(positionals, values.preset, values.dataset);
  const progress = new Progress(!values.quiet);
  const lab = openLab(values.db, { logger: cliLogger(values.quiet, progress), memoryLimit, engine });
  try {
    const given = specCsv(spec, values.preset ? undefined : positionals[0]);
    const id = await createIn(
      lab,
      given.spec,
      source,
      values.tag ?? (values.preset ? ['preset', values.preset] : undefined),
      given.csv,
    );
    // A long plan is announced before it starts (the spec passed every check, so it fits here).
    // Only a notice: a plan that cannot be made is reported by the run itself.
    const p = values.quiet
      ? undefined
      : await lab.previewPlan({ experimentId: id }, { workers }).catch(() => undefined);
    if (p) {
      if (p.estimate.seconds > LONG_PLAN_SECONDS)
        progress.log(
          `${source}: ${p.jobs.toLocaleString('en-US')} jobs, about ${duration(p.estimate.seconds)} on ${p.estimate.workers} worker${p.estimate.workers === 1 ? '' : 's'}`,
        );
    }
    if (values.queue) {
      console.log(
        `queued experiment ${id} in ${(await lab.about()).libraryPath}; a running optlab serve-workers on this library picks it up`,
      );
      return 0;
    }
    return await runInLab(lab, id, {
      workers,
      json: values.json,
      out,
      quiet: values.quiet,
      source,
      backend,
      softwareGpu: values['software-gpu'],
      progress,
      width: tableWidth(values.wide),
    });
  } finally {
    await lab.close();
  }
}

/** `optlab presets`: the built-in studies. */
export async function presetsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, false);
  if (values.json) {
    console.log(
      JSON.stringify(
        Object.entries(PRESETS).map(([name, p]) => ({
          name,
          title: p.title,
          description: p.description,
          dataset: p.defaultDataset,
          datasets: p.datasets,
        })),
      ),
    );
    return 0;
  }
  const width = Math.max(...Object.keys(PRESETS).map((k) => k.length));
  console.log('Built-in studies (optlab run --preset NAME [--dataset NAME]):\n');
  for (const [name, p] of Object.entries(PRESETS)) {
    console.log(`  ${name.padEnd(width)}  ${p.title}`);
    console.log(`  ${''.padEnd(width)}  ${p.description}`);
    console.log(
      `  ${''.padEnd(width)}  data: ${p.defaultDataset} (default); also ${p.datasets.filter((d) => d !== p.defaultDataset).join(', ')}\n`,
    );
  }
  return 0;
}
