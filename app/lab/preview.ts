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
 * Cost units per millisecond of one core, when the library has no finished run to calibrate
 * on. Measured with the WebAssembly kernels on the 2-core development machine (shared with
 * other work, so on the slow side), as the cost units of a finished experiment's plan over the
 * time its jobs took (the sum the workers report, one core each): see the measurements in
 * docs/architecture.md ("Plan estimates"). The figure before them (1e5) came from one small
 * fixture whose jobs are mostly fixed costs, and was about 50× too slow for larger runs.
 */
export const BENCHMARK_UNITS_PER_MS = 1.5e6;

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

/**
 * A finished run whose jobs took less than this (ms, summed) says more about fixed costs
 * (starting a job, copying its data) than about throughput: it is not used to calibrate.
 */
export const MIN_CALIBRATION_MS = 2000;

/** How many of the last finished runs calibrate the throughput. */
const CALIBRATION_RUNS = 10;

/**
 * Milliseconds per cost unit: the median rate (job time over the plan's cost units) of this
 * library's last finished experiments that ran long enough to tell, or the benchmark figure.
 */
export function throughput(library: Pick<Library, 'costs'>): { msPerUnit: number; basis: 'past-runs' | 'benchmark' } {
  const rates = library
    .costs(CALIBRATION_RUNS)
    .filter((c) => c.ms >= MIN_CALIBRATION_MS && c.units > 0)
    .map((c) => c.ms / c.units)
    .sort((a, b) => a - b);
  if (!rates.length) return { msPerUnit: 1 / BENCHMARK_UNITS_PER_MS, basis: 'benchmark' };
  const mid = rates.length >> 1;
  const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  return { msPerUnit: median, basis: 'past-runs' };
}

/** The cost units of a whole plan: every configuration's jobs on its data set. */
export function planUnits(plan: Plan): number {
  return plan.configurations.reduce((sum, c, i) => sum + configurationUnits(c.spec, plan.data[i].data).units, 0);
}

export function previewOf(plan: Plan, workers: number, library: Library): PlanPreview {
  const d0 = plan.data[0];
  const { msPerUnit, basis } = throughput(library);
  const units = planUnits(plan);
  const parametersOf: number[] = [];
  const modelsPerSplit: number[] = [];
  plan.configurations.forEach((c, i) => {
    const ds = plan.data[i].data;
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
