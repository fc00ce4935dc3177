/**
 * One training run: a model fitted on one set of rows and scored on others. This is the
 * `fit` job of the lab: a fold, a bootstrap replicate, a bagging member and a boosting round
 * are all this function with other index sets or sample weights.
 *
 * Each batch: gather raw rows → image warps (before scaling, so zero fill means blank
 * pixels) → standardize (statistics of the training rows only) → jitter → input noise →
 * mixup/cutmix → forward (training mode) → loss (+ label smoothing) → backward → penalty
 * gradient → optimizer step. Each curve epoch is then scored in inference mode. Training
 * ends after `epochs`, or sooner: early stopping, a diverged loss, `training.target` reached
 * on the training rows (checked at each scored epoch), or `training.maxSteps` steps taken.
 */
import type { Dataset } from '../data/dataset.ts';
import { fitStandardizer, type Standardizer } from '../data/standardize.ts';
import { Augmenter, addInputNoise } from '../data/augment.ts';
import { BatchMixer } from '../data/mix.ts';
import { allocScope } from '../linalg/alloc.ts';
import { Scratch } from '../linalg/mat.ts';
import { makeLoss } from '../nn/loss.ts';
import { buildModel } from '../nn/model.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { createOptimizer } from '../optim/index.ts';
import { lrAt } from '../optim/schedule.ts';
import { Rng } from '../rng.ts';
import type { LossSpec, ModelSpec, OptimizerSpec, RegularizationSpec, TrainingSpec } from '../schema/types.ts';
import { gatherRaw, gatherTargets, gatherWeights, standardizeBatch, type TargetKind } from './batches.ts';
import { EarlyStopping } from './early-stopping.ts';
import { Evaluator, type SetMetrics } from './evaluate.ts';
import { addPenaltyGrad, penaltyCoefficients, penaltyValue } from './penalty.ts';

/** The resolved parts of a spec that a fit needs. */
export interface FitConfig {
  model: ModelSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  training: TrainingSpec;
  regularization?: RegularizationSpec | null;
  /** `dataset.standardize` (default true). */
  dataset?: { standardize?: boolean };
}

export interface FitInput {
  data: Dataset;
  /** Rows the model is trained on (a row may repeat: bootstrap samples). */
  train: Uint32Array;
  /** Sets scored at the end, by name. */
  evals?: Record<string, Uint32Array>;
  /** Eval sets also scored after every epoch for the learning curve (default: all of them). */
  curves?: readonly string[];
  /** The eval set early stopping watches (default `val`); it must be among the curves. */
  monitor?: string;
  config: FitConfig;
  /** Seed of this fit; initial weights, shuffles, masks and augmentations all derive from it. */
  seed: number;
  /** Seed of the initial weights when it must differ from `seed` (paired sweeps share it). */
  initSeed?: number;
  /** Per-row sample weights, indexed by data row (weighted learners: boosting rounds). */
  weights?: Float32Array;
  /** Eval sets whose raw outputs are returned (for ensembles and the aggregator). */
  outputsFor?: readonly string[];
  /** Called after every epoch with its record. */
  onEpoch?: (record: EpochRecord) => void;
  /** Polled between batches; true cancels the fit (it throws FitCancelled). */
  cancelled?: () => boolean;
}

/** One line of the learning curve: `${set}_${metric}` for each eval set, plus lr and penalty. */
export interface EpochRecord {
  epoch: number;
  lr: number;
  /** Weight penalty P(θ) at the end of the epoch (0 without L1/L2). */
  penalty: number;
  [metric: string]: number;
}

export interface FitResult {
  history: EpochRecord[];
  /** Scores of the final model (the best epoch's weights when early stopping restores them). */
  final: Record<string, SetMetrics>;
  /** Epoch whose weights were kept (the last one without early stopping). */
  bestEpoch: number;
  /** Epochs trained (fewer than asked when stopped early or diverged). */
  epochsRun: number;
  stoppedEarly: boolean;
  /** The training loss became NaN or infinite and training stopped. */
  diverged: boolean;
  /** Optimizer steps taken. */
  steps: number;
  /** `training.target` was reached (false without a target). */
  reachedTarget: boolean;
  paramCount: number;
  /** Network outputs per row (rows×outDim) for the sets named in `outputsFor`. */
  outputs: Record<string, Float32Array>;
  /** Output units: classes for cross-entropy, 1 for bce and regression. */
  outDim: number;
  /** Final weights and buffers (Sequential.getState order). */
  state: Float32Array;
  /** Statistics the inputs were standardized with (null when off). */
  standardizer: Standardizer | null;
}

export class FitCancelled extends Error {
  constructor() {
    super('fit cancelled');
  }
}

/**
 * Optimizer steps in one epoch over n rows in batches of B: ⌈n/B⌉, less the lone last row
 * that batch norm cannot take (see the training loop). With `maxSteps` the last epoch may stop short.
 */
export function stepsPerEpoch(n: number, batchSize: number | 'full', batchNorm: boolean): number {
  const B = batchSize === 'full' || batchSize === 0 ? n : Math.min(batchSize, n);
  const full = Math.ceil(n / B);
  return batchNorm && n > 1 && n % B === 1 ? full - 1 : full;
}

export function targetKind(data: Dataset, loss: LossSpec): { kind: TargetKind; outDim: number } {
  if (data.task === 'regression') return { kind: 'value', outDim: 1 };
  if (loss.kind === 'bce') {
    if (data.classes !== 2) throw new Error(`loss "bce" needs 2 classes, the data set has ${data.classes}`);
    return { kind: 'binary', outDim: 1 };
  }
  if (loss.kind === 'mse') throw new Error('loss "mse" is for regression; use "cross_entropy" or "bce" for classes');
  return { kind: 'onehot', outDim: data.classes };
}

/**
 * Trains and scores one model. Everything it allocates through allocF32 (model, optimizer
 * state, batch buffers) lives in one allocation scope, closed when it returns or throws, so
 * that any number of fits can run one after another in a process without the kernels'
 * memory filling up. What it returns is in plain arrays, never in that memory.
 */
export function fit(input: FitInput): FitResult {
  const close = allocScope();
  try {
    return fitInScope(input);
  } finally {
    close();
  }
}

function fitInScope(input: FitInput): FitResult {
  const { data, train, config } = input;
  const evals = input.evals ?? {};
  if (train.length === 0) throw new Error('fit: no training rows');
  const tr = config.training;
  const rng = new Rng(input.seed);
  const initRng = input.initSeed === undefined ? rng.fork('init') : new Rng(input.initSeed).fork('init');
  const shuffleRng = rng.fork('shuffle');
  const layerRng = rng.fork('layers');
  const augRng = rng.fork('augment');
  const mixRng = rng.fork('mix');

  const standardizer = config.dataset?.standardize === false ? null : fitStandardizer(data.x, data.d, train);
  const { kind, outDim } = targetKind(data, config.loss);
  const model = buildModel(config.model, data.d, outDim, initRng);
  const params = model.params();
  const loss = makeLoss(config.loss);
  const evaluator = new Evaluator(data, standardizer, kind, makeLoss({ kind: config.loss.kind }));
  const optimizer = createOptimizer(config.optimizer, params);
  const baseLr = optimizer.lr;
  const coef = penaltyCoefficients(config.regularization);
  const reg = config.regularization ?? {};
  // Image warps act on raw pixels (zero fill means blank); jitter is in standardized units for every kind of row.
  const warps = reg.augment && data.image ? new Augmenter({ ...reg.augment, jitter: 0 }, data.image) : null;
  const jitter = reg.augment?.jitter ?? 0;
  const mixer = reg.mixup || reg.cutmix ? new BatchMixer() : null;
  const stopper = tr.earlyStopping ? new EarlyStopping(tr.earlyStopping) : null;
  const monitor = input.monitor ?? 'val';
  const curves = input.curves ?? Object.keys(evals);
  if (stopper && (!evals[monitor]?.length || !curves.includes(monitor)))
    throw new Error(`fit: early stopping needs validation rows (evals.${monitor})`);
  const hasBatchNorm = model.layers.some((l) => l instanceof BatchNorm1d);

  const n = train.length;
  const B = tr.batchSize === 'full' || tr.batchSize === 0 ? n : Math.min(tr.batchSize, n);
  const order = new Uint32Array(train);
  const xs = new Scratch(),
    ts = new Scratch();
  const wbuf = input.weights ? new Float32Array(B) : null;
  const ctx = { training: true, rng: layerRng };
  const evalCtxRng = new Rng(0);
  const history: EpochRecord[] = [];
  let best: Float32Array | null = null;
  let stoppedEarly = false,
    diverged = false;
  let epochsRun = 0;
  const curveEvery = tr.curveEvery ?? 1;
  // Training to a target: scored on the training rows at every curve epoch, stopped when reached.
  const target = tr.target ?? null;
  if (target && !(evals.train?.length && curves.includes('train')))
    throw new Error('fit: training.target needs the training rows scored every curve epoch (evals.train)');
  const maxSteps = tr.maxSteps ?? Number.POSITIVE_INFINITY;
  let steps = 0,
    reachedTarget = false;
  if (stopper && curveEvery !== 1)
    throw new Error('fit: early stopping checks every epoch; training.curveEvery must be 1');

  for (let epoch = 1; epoch <= tr.epochs; epoch++) {
    optimizer.lr = lrAt(tr.schedule, baseLr, epoch - 1);
    if (tr.shuffle !== false) shuffleRng.shuffle(order);
    for (let start = 0; start < n && steps < maxSteps; start += B) {
      const count = Math.min(B, n - start);
      // PyTorch refuses batch statistics of one row; a lone last row is left out of this epoch.
      if (count === 1 && hasBatchNorm && n > 1) continue;
      if (input.cancelled?.()) throw new FitCancelled();
      const xb = xs.get(count, data.d);
      const tb = ts.get(count, outDim);
      gatherRaw(data, order, start, count, xb);
      if (warps?.active) warps.apply(xb, augRng);
      standardizeBatch(standardizer, count, xb);
      if (jitter > 0) addInputNoise(xb, jitter, augRng);
      if (reg.inputNoise) addInputNoise(xb, reg.inputNoise, augRng);
      gatherTargets(data, kind, order, start, count, tb);
      if (reg.mixup) mixer!.mixup(xb, tb, reg.mixup.alpha, mixRng);
      else if (reg.cutmix) mixer!.cutmix(xb, tb, reg.cutmix.alpha, mixRng, data.image);
      const out = model.forward(xb, ctx);
      const w = wbuf ? gatherWeights(input.weights!, order, start, count, wbuf) : null;
      const l = loss.compute(out, tb, w);
      if (!Number.isFinite(l)) {
        diverged = true;
        break;
      }
      model.backwardParams(loss.grad);
      addPenaltyGrad(params, coef);
      optimizer.step();
      steps++;
    }

    epochsRun = epoch;
    const outOfSteps = steps >= maxSteps;
    // Scoring every row of every curve set each epoch can cost as much as the training itself.
    if (!diverged && !outOfSteps && epoch % curveEvery !== 0 && epoch !== tr.epochs) continue;
    const record: EpochRecord = { epoch, lr: optimizer.lr, penalty: penaltyValue(params, coef) };
    for (const name of curves) {
      const m = evaluator.score(model, evals[name], evalCtxRng);
      for (const [k, v] of Object.entries(m)) record[`${name}_${k}`] = v as number;
    }
    history.push(record);
    input.onEpoch?.(record);
    if (diverged) break;
    if (stopper) {
      const monitored = record[stopper.monitor.replace('val', monitor)];
      const { improved, stop } = stopper.update(epoch, monitored);
      if (improved && stopper.restoreBest) best = model.getState(best ?? undefined);
      if (stop) {
        stoppedEarly = epoch < tr.epochs;
        break;
      }
    }
    if (target) {
      const v = record[target.monitor];
      if (target.monitor === 'train_loss' ? v <= target.value : v >= target.value) {
        reachedTarget = true;
        break;
      }
    }
    if (outOfSteps) break;
  }

  let bestEpoch = epochsRun;
  if (stopper && stopper.restoreBest && best) {
    model.setState(best);
    bestEpoch = stopper.bestEpoch;
  }
  const final: Record<string, SetMetrics> = {};
  const outputs: Record<string, Float32Array> = {};
  for (const [name, rows] of Object.entries(evals)) {
    const want = input.outputsFor?.includes(name);
    const buf = want ? new Float32Array(rows.length * outDim) : undefined;
    final[name] = evaluator.score(model, rows, evalCtxRng, buf);
    if (buf) outputs[name] = buf;
  }
  return {
    history,
    final,
    bestEpoch,
    epochsRun,
    stoppedEarly,
    diverged,
    steps,
    reachedTarget,
    paramCount: model.paramCount(),
    outputs,
    outDim,
    state: model.getState(),
    standardizer,
  };
}
