/** What a fit takes and gives back (see fit.ts): its spec parts, inputs, curve lines and result. */
import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import type { LossSpec, ModelSpec, OptimizerSpec, RegularizationSpec, TrainingSpec } from '../schema/types.ts';
import type { SetMetrics } from './evaluate.ts';
import type { EngineInfo } from './engine.ts';
import type { Observer } from './observe.ts';

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
  /** Called before the first epoch (0) and after each (after `onEpoch`) with the model being trained. */
  observe?: Observer;
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
  /** `training.target` was reached (false without one). */
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
  /** The engine that trained it, when it was not the CPU engine's plain `fit` (absent there). */
  engine?: EngineInfo;
}

export class FitCancelled extends Error {
  constructor() {
    super('fit cancelled');
  }
}
