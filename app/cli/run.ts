import { writeFileSync } from 'node:fs';
import { parse, SpecError, UsageError } from './args.ts';
import { memoryLimitOption, readSpecFile } from './train.ts';
import { Progress } from './progress.ts';
import { formatReport } from './report.ts';
import { availableParallelism } from 'node:os';
import { Lab } from '../lab.ts';
import { workerCommandLine } from '../coordinator/index.ts';
import { formatPreview, previewOn } from '../feasibility.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import { PRESETS, presetSpec } from '../../shared/experiment/presets.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

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
  const problems = validateExperimentSpec(raw);
  if (problems.length) throw new SpecError(problems, positionals[0]);
  return { spec: raw as ExperimentSpec, source: positionals[0] };
}

/** Local workers by default: one per core (the Lab itself mostly waits). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

function parseWorkers(v: string | undefined): number {
  if (v === undefined) return defaultWorkers();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new UsageError(`--workers: must be a whole number from 0 (run in this process) to 256, got "${v}"`);
  return n;
}

/** Runs (or resumes) an experiment in the Lab with live progress; prints or writes the report. */
export async function runInLab(
  lab: Lab,
  id: number,
  o: { workers: number; json: boolean; out?: string; quiet: boolean; source: string },
): Promise<number> {
  const progress = new Progress(!o.quiet);
  const off = lab.subscribe((e) => {
    if (e.type === 'planned') progress.planned(e.total, e.done);
    else if (e.type === 'progress') progress.epoch(e.key, e.epoch, e.epochs);
    else if (e.type === 'job-done') {
      const v = e.result.final.val;
      const score =
        v?.accuracy !== undefined
          ? `val_accuracy ${v.accuracy.toFixed(4)}`
          : v?.mse !== undefined
            ? `val_mse ${v.mse.toPrecision(4)}`
            : '';
      progress.jobDone(
        e.key,
        `${e.result.history.at(-1)?.epoch ?? 0} epochs ${score}${e.result.diverged ? ' DIVERGED' : ''}`,
      );
    } else if (e.type === 'job-failed') {
      progress.finish();
      console.error(`${e.key} failed (attempt ${e.attempts}${e.final ? ', giving up' : ', will retry'}): ${e.error}`);
    }
  });
  const onSignal = () => {
    progress.finish();
    console.error(`optlab: cancelling experiment ${id}; what finished is kept (optlab resume ${id})`);
    lab.cancel(id);
  };
  process.once('SIGINT', onSignal);
  const t0 = performance.now();
  try {
    if (o.workers > 0) {
      const c = await lab.coordinator(o.quiet ? { logger: { info: () => {}, warn: (l) => console.error(l) } } : {});
      if (!o.quiet)
        console.error(
          `experiment ${id} on ${o.workers} local worker${o.workers === 1 ? '' : 's'}; add one from another shell with:\n  ${workerCommandLine(c.url, c.token, { retryFor: '10m' })}`,
        );
    }
    const report = await lab.run(id, { workers: o.workers });
    progress.finish();
    const seconds = (performance.now() - t0) / 1000;
    const json = JSON.stringify(report);
    if (o.out) writeFileSync(o.out, json + '\n');
    if (o.json) console.log(json);
    else {
      console.log(formatReport(report, o.source));
      const jobs = lab.jobStates(id).total;
      console.log(
        `\nexperiment ${id}: ${jobs} jobs in ${seconds.toFixed(1)} s on ${o.workers ? `${o.workers} local worker${o.workers === 1 ? '' : 's'}` : 'this process'}; stored in ${lab.library.path}` +
          `${o.out ? `; full results in ${o.out}` : ''}`,
      );
    }
    return 0;
  } finally {
    progress.finish();
    off();
    process.off('SIGINT', onSignal);
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
      'memory-limit': { type: 'string' },
    },
    true,
  );
  const workers = parseWorkers(values.workers);
  const memoryLimit = memoryLimitOption(values['memory-limit']);
  const { spec, source } = resolveSpec(positionals, values.preset, values.dataset);
  const lab = Lab.open(values.db);
  try {
    const id = lab.createExperiment(spec, {
      source,
      specFile: values.preset ? undefined : positionals[0],
      tags: values.tag ?? (values.preset ? ['preset', values.preset] : undefined),
      memoryLimit,
      onPreview: (p) => {
        const here = previewOn(p, workers);
        if (here.long && !values.quiet) console.error(`${source}: ${formatPreview(here)}`);
      },
    });
    if (values.queue) {
      console.log(
        `queued experiment ${id} in ${lab.library.path}; a running optlab serve-workers on this library picks it up`,
      );
      return 0;
    }
    return await runInLab(lab, id, { workers, json: values.json, out: values.out, quiet: values.quiet, source });
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
