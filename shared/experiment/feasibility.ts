/**
 * Whether an experiment can run on this machine, judged before anything is stored or planned:
 * the memory one fit needs (weights, gradients, optimizer state, activations at the batch
 * size, outputs kept), the size of the plan (jobs, the rows each one copies, the outputs the
 * Lab keeps until the report), and the stratified folds the classes can give. Pure arithmetic
 * on the spec and the shape of its data: the caller (app/feasibility.ts) loads the data and
 * says how much memory is allowed. (How long a plan takes is app/lab/preview.ts's estimate.)
 */
import type { Problems } from '../schema/check.ts';
import type { ModelSpec, OptimizerSpec } from '../schema/types.ts';
import type { Configuration, ExperimentSpec } from './types.ts';

const F32 = 4;
/** Rows per forward pass when scoring (shared/train/evaluate.ts): buffers grow to this many rows at least. */
const EVAL_CHUNK = 512;
/** What the Lab keeps per job besides its arrays: the job and result objects, keys, a library row. */
const JOB_OVERHEAD_BYTES = 2048;

/** What feasibility needs to know of the data a configuration trains on. */
export interface DataShape {
  /** Rows of the whole data set. */
  rows: number;
  /** Features per row. */
  features: number;
  /** Output units of the network: classes for cross-entropy, 1 for bce and regression. */
  outDim: number;
  /** Rows outside the held-out test part: what the evaluation splits. */
  devRows: number;
  /** Rows of the held-out test part, scored by every final model. */
  testRows: number;
  /** Members of each class among the development rows (empty for regression). */
  devClassCounts: number[];
}

/** Memory of one fit, in bytes, by part. */
export interface FitMemory {
  /** Trainable scalars (weights, biases, batch-norm scales and shifts). */
  params: number;
  /** Values and gradients. */
  weights: number;
  /** The optimizer's per-parameter state (momentum, second moments, …). */
  optimizer: number;
  /** Snapshots of the weights: the final state, and the best epoch's with restoreBest. */
  snapshots: number;
  /** Layer buffers at the batch size (or the scoring chunk, whichever is larger). */
  activations: number;
  /** The data set in the worker and its copy in the job thread. */
  data: number;
  /** Raw outputs returned for the sets the aggregator needs. */
  outputs: number;
  total: number;
}

/** The whole experiment, as the Lab will hold it. */
export interface PlanEstimate {
  /** Jobs the plan makes (boosting rounds included). */
  jobs: number;
  /** Row indices of the splits and jobs, held from planning to the report. */
  indexBytes: number;
  /** Results the Lab keeps until the report: outputs, curves, weights when kept, per-job overhead. */
  resultBytes: number;
  /** indexBytes + resultBytes. */
  bytes: number;
  /** The largest fit of any configuration. */
  largestFit: FitMemory;
}

/** Layer widths from input to output, and the units of one layer boundary. */
function widths(model: ModelSpec, features: number, outDim: number): number[] {
  return [features, ...(model.kind === 'mlp' ? (model.hidden ?? []) : []), outDim];
}

/** Trainable scalars of the network a spec builds (as Sequential.paramCount counts them). */
export function paramCount(model: ModelSpec, features: number, outDim: number): number {
  const w = widths(model, features, outDim);
  let n = 0;
  for (let i = 0; i + 1 < w.length; i++) n += (w[i] + 1) * w[i + 1];
  if (model.kind === 'mlp' && model.batchNorm) for (const h of model.hidden ?? []) n += 2 * h;
  return n;
}

/** Per-parameter state arrays of an optimizer, as shared/optim allocates them. */
export function optimizerSlots(o: OptimizerSpec): number {
  const momentum = typeof o.momentum === 'number' && o.momentum > 0;
  switch (o.name) {
    case 'sgd':
      return momentum ? 1 : 0;
    case 'adagrad':
      return 1;
    case 'adadelta':
      return 2;
    case 'rmsprop':
      return 1 + (momentum ? 1 : 0) + (o.centered === true ? 1 : 0);
    case 'adam':
    case 'adamw':
      return 2 + (o.amsgrad === true ? 1 : 0);
    case 'nadam':
      return 2;
  }
}

/** Rows of each kind one job of this evaluation trains and scores on. */
function splitShape(spec: ExperimentSpec, devRows: number): { splits: number; train: number; val: number } {
  const ev = spec.evaluation ?? { kind: 'holdout' };
  switch (ev.kind) {
    case 'kfold': {
      const val = Math.ceil(devRows / ev.k);
      return { splits: ev.k * (ev.repeats ?? 1), train: devRows - Math.floor(devRows / ev.k), val };
    }
    case 'loo':
      return { splits: devRows, train: Math.max(devRows - 1, 0), val: 1 };
    case 'bootstrap':
      // An out-of-bag part is about e⁻¹ of the rows.
      return { splits: ev.replicates, train: devRows, val: Math.ceil(devRows * 0.368) };
    case 'holdout': {
      const val = Math.round(devRows * (spec.dataset.valFraction ?? 0.2));
      return { splits: 1, train: devRows - val, val };
    }
  }
}

/** Memory of one fit of `spec` on `trainRows` rows of data shaped like `shape`. */
export function fitMemory(spec: ExperimentSpec, shape: DataShape, trainRows: number, evalRows = 0): FitMemory {
  const P = paramCount(spec.model, shape.features, shape.outDim);
  const bs = spec.training.batchSize;
  const batch = bs === 'full' || bs === 0 ? trainRows : Math.min(bs, trainRows);
  const rows = Math.max(batch, Math.min(EVAL_CHUNK, Math.max(evalRows, trainRows)));
  const w = widths(spec.model, shape.features, shape.outDim);
  // Dense: output, pre-activation gradient, input gradient; then per hidden layer the
  // activation (output, gradient), batch norm (normalized input, output, gradient, a spare)
  // and dropout (mask, output, gradient); then the input and target batches and the loss gradient.
  let units = 0;
  for (let i = 0; i + 1 < w.length; i++) units += 2 * w[i + 1] + w[i];
  const perHidden = 2 + (spec.model.batchNorm ? 4 : 0) + ((spec.model.dropout ?? 0) > 0 ? 3 : 0);
  for (const h of w.slice(1, -1)) units += perHidden * h;
  units += 2 * shape.features + 3 * shape.outDim;
  const restore = spec.training.earlyStopping?.restoreBest ? 1 : 0;
  const m = {
    params: P,
    weights: 2 * P * F32,
    optimizer: optimizerSlots(spec.optimizer) * P * F32,
    snapshots: (1 + restore) * P * F32,
    activations: rows * units * F32,
    data: 2 * shape.rows * (shape.features + 1) * F32,
    outputs: evalRows * shape.outDim * F32,
  };
  return { ...m, total: m.weights + m.optimizer + m.snapshots + m.activations + m.data + m.outputs };
}

/** The whole plan of an experiment whose configurations train on data shaped like `shapes` (one per configuration). */
export function estimatePlan(spec: ExperimentSpec, configs: Configuration[], shapes: DataShape[]): PlanEstimate {
  let jobs = 0,
    indexBytes = 0,
    resultBytes = 0;
  let largestFit: FitMemory | undefined;
  const splitsCounted = new Set<DataShape>();
  configs.forEach((c, i) => {
    const s = c.spec;
    const shape = shapes[i];
    const { splits, train, val } = splitShape(s, shape.devRows);
    // The splits of one data set are made once and shared by its configurations.
    if (!splitsCounted.has(shape)) {
      splitsCounted.add(shape);
      indexBytes += (splits * (train + val) + shape.rows) * F32;
    }
    const ens = s.ensemble;
    const perSplit = ens ? (ens.kind === 'bagging' ? ens.members : ens.rounds) : 1;
    const n = splits * perSplit;
    jobs += n;
    // Copies per job: a bootstrap sample for ensembles, the fit/inner cut with early stopping.
    const copies = (ens ? train : 0) + (s.training.earlyStopping ? train : 0);
    indexBytes += n * copies * F32;
    const scored = val + shape.testRows + (ens ? train : 0);
    const curvePoints = Math.ceil(s.training.epochs / (s.training.curveEvery ?? 1)) + 1;
    const P = paramCount(s.model, shape.features, shape.outDim);
    const kept = s.analysis?.keepWeights ? P * F32 : 0;
    resultBytes += n * (scored * shape.outDim * F32 + curvePoints * 16 * 8 + kept + JOB_OVERHEAD_BYTES);
    const fm = fitMemory(s, shape, train, scored);
    if (!largestFit || fm.total > largestFit.total) largestFit = fm;
  });
  return {
    jobs,
    indexBytes,
    resultBytes,
    bytes: indexBytes + resultBytes,
    largestFit: largestFit!,
  };
}

/** 17.2 GB, 640 MB, 12 kB: decimal units, three significant digits at most. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${units[u]}`;
}

/**
 * Problems of the folds the classes can give: stratified k-fold needs some class with k
 * members (scikit-learn refuses only then; a class smaller than k is left out of some test
 * folds, with a warning). k past the rows, and leave-one-out on one row, are data-checks.ts's.
 */
export function foldProblems(spec: ExperimentSpec, shape: DataShape): Problems {
  const ev = spec.evaluation;
  const out: Problems = [];
  if (ev?.kind === 'kfold' && ev.k <= shape.devRows && shape.devClassCounts.length && (ev.stratified ?? true)) {
    const largest = Math.max(...shape.devClassCounts);
    if (ev.k > largest)
      out.push(
        `evaluation.k: ${ev.k} stratified folds need a class with at least ${ev.k} members, but the largest has ${largest} (of ${shape.devRows} rows outside the test part); use k ≤ ${largest}, or "stratified": false`,
      );
  }
  if ((ev === undefined || ev.kind === 'holdout' || ev.kind === 'bootstrap') && shape.devRows < 2)
    out.push(`dataset: at least 2 rows must be left outside the test part to train and score, got ${shape.devRows}`);
  return out;
}

export interface Limits {
  /** Bytes one fit may use, and the plan (what the Lab holds) may use. */
  memoryBytes: number;
  /** How the user raises the limit, for the messages (`--memory-limit SIZE`). */
  raiseWith: string;
}

/** Problems of one configuration on its data: folds, and the memory of its largest fit. */
function configProblems(spec: ExperimentSpec, shape: DataShape, limits: Limits): Problems {
  const out = foldProblems(spec, shape);
  const { train, val } = splitShape(spec, shape.devRows);
  const fm = fitMemory(spec, shape, train, val + shape.testRows + (spec.ensemble ? train : 0));
  if (fm.total > limits.memoryBytes) out.push(fitMemoryProblem(fm, limits));
  return out;
}

/** `model: about 86 GB needed, 11.7 GB allowed (…)`, or the batch size's path when activations dominate. */
export function fitMemoryProblem(fm: FitMemory, limits: Limits): string {
  const parts: Array<[string, number]> = [
    ['weights and gradients', fm.weights],
    ['optimizer state', fm.optimizer],
    ['weight snapshots', fm.snapshots],
    ['activations at the batch size', fm.activations],
    ['data', fm.data],
    ['outputs kept', fm.outputs],
  ];
  const shown = parts
    .filter(([, b]) => b >= fm.total / 20)
    .map(([what, b]) => `${what} ${formatBytes(b)}`)
    .join(', ');
  const path = fm.activations > fm.weights + fm.optimizer ? 'training.batchSize' : 'model';
  return (
    `${path}: about ${formatBytes(fm.total)} needed, ${formatBytes(limits.memoryBytes)} allowed ` +
    `(${fm.params.toLocaleString('en-US')} parameters; ${shown}); use a smaller model or batch, or raise the limit with ${limits.raiseWith}`
  );
}

/**
 * Every reason the experiment cannot run here, each with its path: per configuration (prefixed
 * with the configuration when only some of a sweep's have it), then the plan as a whole.
 */
export function feasibilityProblems(
  spec: ExperimentSpec,
  configs: Configuration[],
  shapes: DataShape[],
  limits: Limits,
): Problems {
  const per = configs.map((c, i) => configProblems(c.spec, shapes[i], limits));
  const out: Problems = [];
  const everywhere = (p: string) => per.every((ps) => ps.includes(p));
  per.forEach((ps, i) => {
    for (const p of ps) {
      if (configs.length === 1 || everywhere(p)) {
        if (!out.includes(p)) out.push(p);
      } else out.push(`sweep (${configs[i].key}: ${configs[i].label}): ${p}`);
    }
  });
  if (out.length) return out;
  const plan = estimatePlan(spec, configs, shapes);
  if (plan.bytes > limits.memoryBytes) {
    out.push(
      `evaluation: the plan needs about ${formatBytes(plan.bytes)}, ${formatBytes(limits.memoryBytes)} allowed ` +
        `(${plan.jobs.toLocaleString('en-US')} jobs: row indices ${formatBytes(plan.indexBytes)}, results kept ${formatBytes(plan.resultBytes)}); ` +
        `use fewer folds (kfold instead of loo on large data), replicates or configurations, a smaller test part, or raise the limit with ${limits.raiseWith}`,
    );
  }
  return out;
}
