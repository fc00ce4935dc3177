import { writeFileSync } from 'node:fs';
import { parse, SpecError, UsageError } from './args.ts';
import { readSpecFile } from './train.ts';
import { Progress } from './progress.ts';
import { formatReport } from './report.ts';
import { loadDataset } from '../datasets.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import { plan as makePlan } from '../../shared/experiment/plan.ts';
import { runPlan } from '../../shared/experiment/run.ts';
import { InProcessExecutor } from '../../shared/experiment/executor.ts';
import { PRESETS, presetSpec } from '../../shared/experiment/presets.ts';
import { studySeries } from '../../shared/experiment/studies.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

/** The spec of `optlab run`: a file, or a preset (optionally on another data set). */
export function resolveSpec(positionals: string[], preset: string | undefined, dataset: string | undefined): { spec: ExperimentSpec; source: string } {
  if (preset !== undefined) {
    if (positionals.length) throw new UsageError('give a spec file or --preset, not both');
    if (!(PRESETS as Record<string, unknown>)[preset]) throw new UsageError(`unknown preset "${preset}" (known: ${Object.keys(PRESETS).join(', ')}); see optlab presets`);
    const spec = presetSpec(preset, dataset);
    const problems = validateExperimentSpec(spec);
    if (problems.length) throw new SpecError(problems, `preset ${preset}${dataset ? ` on ${dataset}` : ''}`);
    return { spec, source: `preset ${preset}` };
  }
  if (dataset !== undefined) throw new UsageError('--dataset goes with --preset (a spec file names its own data set)');
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `expected one spec file, got ${positionals.length}` : 'missing the spec file (or --preset NAME)');
  const raw = readSpecFile(positionals[0]);
  const problems = validateExperimentSpec(raw);
  if (problems.length) throw new SpecError(problems, positionals[0]);
  return { spec: raw as ExperimentSpec, source: positionals[0] };
}

/** `optlab run`: an experiment in this process, with a progress bar and a summary table. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean', default: false },
    out: { type: 'string' },
    preset: { type: 'string' },
    dataset: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  }, true);
  const { spec, source } = resolveSpec(positionals, values.preset, values.dataset);
  const specFile = values.preset ? undefined : positionals[0];
  const plan = makePlan(spec, (ds, rng) => loadDataset(ds, rng, specFile));
  const progress = new Progress(!values.quiet);
  const executor = new InProcessExecutor();
  const onSignal = () => executor.cancel();
  process.once('SIGINT', onSignal);
  const t0 = performance.now();
  try {
    const { report, results } = await runPlan(plan, executor, {
      onPlanned: (total, done) => progress.planned(total, done),
      onProgress: (p) => progress.epoch(p.key, p.epoch, p.epochs),
      onResult: (r) => {
        const v = r.final.val;
        const score = v?.accuracy !== undefined ? `val_accuracy ${v.accuracy.toFixed(4)}` : v?.mse !== undefined ? `val_mse ${v.mse.toPrecision(4)}` : '';
        progress.jobDone(r.key, `${r.history.length} epochs ${score}${r.diverged ? ' DIVERGED' : ''}`);
      },
    });
    progress.finish();
    const seconds = (performance.now() - t0) / 1000;
    const study = studySeries(plan, report, results, values.preset);
    const full = study ? { ...report, study } : report;
    const json = JSON.stringify(full);
    if (values.out) writeFileSync(values.out, json + '\n');
    if (values.json) console.log(json);
    else {
      console.log(formatReport(full, source));
      console.log(`\n${results.size} jobs in ${seconds.toFixed(1)} s${values.out ? `; full results in ${values.out}` : ''}`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

/** `optlab presets`: the built-in studies. */
export async function presetsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean', default: false } }, false);
  if (values.json) {
    console.log(JSON.stringify(Object.entries(PRESETS).map(([name, p]) => ({ name, title: p.title, description: p.description, dataset: p.defaultDataset, datasets: p.datasets }))));
    return 0;
  }
  const width = Math.max(...Object.keys(PRESETS).map((k) => k.length));
  console.log('Built-in studies (optlab run --preset NAME [--dataset NAME]):\n');
  for (const [name, p] of Object.entries(PRESETS)) {
    console.log(`  ${name.padEnd(width)}  ${p.title}`);
    console.log(`  ${''.padEnd(width)}  ${p.description}`);
    console.log(`  ${''.padEnd(width)}  data: ${p.defaultDataset} (default); also ${p.datasets.filter((d) => d !== p.defaultDataset).join(', ')}\n`);
  }
  return 0;
}
