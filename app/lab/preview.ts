/**
 * Plan previews: what running a spec takes (configurations × splits = jobs) and how long,
 * estimated from a cost model of training (multiply–adds of forward and backward passes plus
 * a per-row overhead) and a throughput: this library's finished runs when it has some,
 * otherwise a figure measured on the reference machine.
 */
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import type { Plan } from '../../shared/experiment/plan.ts';
import { plannedJobs } from '../../shared/experiment/run.ts';
import { describeEvaluation } from '../../shared/experiment/aggregate.ts';
import { cutSize } from '../../shared/data/split.ts';
import type { PlanPreview } from '../../shared/lab-api.ts';
import type { Library } from '../library/library.ts';

/** Per-row cost of a pass that is not multiply–adds (gathering, standardizing, the loss), in the same units. */
const ROW_OVERHEAD = 100;

/**
 * Cost units per millisecond of one core, measured with the WebAssembly kernels on a 2-core
 * laptop-class machine (the report-identity k-fold fixture: 67 M units in about 0.7 s of jobs).
 */
export const BENCHMARK_UNITS_PER_MS = 1e5;

/** Trainable parameters of a model on d features and `out` outputs. */
export function parameters(spec: ExperimentSpec, d: number, out: number): number {
  const m = spec.model;
  if (m.kind !== 'mlp') return d * out + out;
  let n = 0;
  let width = d;
  for (const h of m.hidden ?? []) {
    n += width * h + h + (m.batchNorm ? 2 * h : 0);
    width = h;
  }
  return n + width * out + out;
}

function outputs(spec: ExperimentSpec, task: string, classes: number): number {
  if (task === 'regression') return 1;
  if (spec.loss.kind === 'bce' || (spec.model.kind === 'logistic' && classes === 2)) return 1;
  return classes;
}

interface Shape {
  n: number;
  d: number;
  classes: number;
  task: string;
}

/** Cost units of one configuration's jobs on a data set of this shape. */
export function configurationUnits(spec: ExperimentSpec, shape: Shape): { units: number; jobs: number } {
  const dev = shape.n - cutSize(spec.dataset.testFraction ?? 0, shape.n);
  const ev = spec.evaluation ?? { kind: 'holdout' };
  const val = spec.dataset.valFraction ?? 0.2;
  let splits = 1;
  let train = dev * (1 - val);
  if (ev.kind === 'kfold') {
    splits = ev.k * (ev.repeats ?? 1);
    train = (dev * (ev.k - 1)) / ev.k;
  } else if (ev.kind === 'loo') {
    splits = dev;
    train = dev - 1;
  } else if (ev.kind === 'bootstrap') {
    splits = ev.replicates;
    train = dev;
  }
  if (spec.training.earlyStopping) train *= 1 - (val || 0.2);
  const models =
    spec.ensemble?.kind === 'bagging'
      ? spec.ensemble.members
      : spec.ensemble?.kind === 'boosting'
        ? spec.ensemble.rounds
        : 1;
  const p = parameters(spec, shape.d, outputs(spec, shape.task, shape.classes));
  const epochs = spec.training.epochs;
  const points = Math.ceil(epochs / (spec.training.curveEvery ?? 1));
  const perModel = train * epochs * (6 * p + ROW_OVERHEAD) + points * shape.n * (2 * p + ROW_OVERHEAD);
  return { units: splits * models * perModel, jobs: splits * models };
}

/** Milliseconds per cost unit: the median over this library's last finished experiments, or the benchmark figure. */
export function throughput(library: Library): { msPerUnit: number; basis: 'past-runs' | 'benchmark' } {
  const rates: number[] = [];
  for (const e of library.listExperiments({ status: 'done', limit: 10 })) {
    const rec = library.getExperiment(e.id);
    const info = rec?.datasets.length ? library.getDatasetInfo(rec.datasets[0]) : undefined;
    if (!rec || !info) continue;
    const ms = library.jobStates(e.id).jobs.reduce((s, j) => s + (j.ms ?? 0), 0);
    const { units } = configurationUnits(rec.spec, info);
    if (ms > 0 && units > 0) rates.push(ms / units);
  }
  if (!rates.length) return { msPerUnit: 1 / BENCHMARK_UNITS_PER_MS, basis: 'benchmark' };
  rates.sort((a, b) => a - b);
  return { msPerUnit: rates[Math.floor(rates.length / 2)], basis: 'past-runs' };
}

export function previewOf(plan: Plan, workers: number, library: Library): PlanPreview {
  const d0 = plan.data[0];
  const { msPerUnit, basis } = throughput(library);
  let units = 0;
  const parametersOf: number[] = [];
  const modelsPerSplit: number[] = [];
  plan.configurations.forEach((c, i) => {
    const ds = plan.data[i].data;
    units += configurationUnits(c.spec, ds).units;
    parametersOf.push(parameters(c.spec, ds.d, outputs(c.spec, ds.task, ds.classes)));
    const e = c.spec.ensemble;
    modelsPerSplit.push(e?.kind === 'bagging' ? e.members : e?.kind === 'boosting' ? e.rounds : 1);
  });
  const cpuSeconds = (units * msPerUnit) / 1000;
  const slots = Math.max(1, workers);
  return {
    configurations: plan.configurations.map((c) => ({ key: c.key, label: c.label })),
    evaluation: describeEvaluation(plan.spec),
    splits: d0.splits.length,
    jobs: plannedJobs(plan),
    modelsPerSplit,
    dataset: {
      name: d0.data.name,
      hash: d0.hash,
      rows: d0.data.n,
      features: d0.data.d,
      classes: d0.data.classes,
      dev: d0.dev.length,
      test: d0.test.length,
    },
    parameters: parametersOf,
    estimate: { cpuSeconds, seconds: cpuSeconds / slots, workers: slots, basis },
  };
}
