/**
 * The training spec (`optlab train SPEC.json`), the unit the experiment spec extends.
 * Names follow DESIGN.md; optimizer objects use PyTorch's keyword names.
 */

export type Activation = 'identity' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'gelu';

export interface DatasetSpec {
  /** Bundled set (`iris`, `wine`, `breast_cancer`, `digits`), synthetic (`circles`, `moons`, `spirals`, `xor`, `blobs`, `sine`, `polynomial`) or `csv`. */
  name: string;
  /** Path of a CSV file when name is `csv` (resolved by the Node side). */
  path?: string;
  /** Target column of a CSV (name or 0-based index; default: the last column). */
  target?: string | number;
  /** `classification` or `regression` for a CSV (default classification). */
  task?: 'classification' | 'regression';
  /** Rows for synthetic sets. */
  samples?: number;
  /** Noise level for synthetic sets (meaning depends on the generator). */
  noise?: number;
  /** Classes for `blobs` and `spirals`. */
  classes?: number;
  /** Polynomial degree for `polynomial`. */
  degree?: number;
  /** Fraction held out as the test part, cut first, never seen by training (default 0). */
  testFraction?: number;
  /** Fraction of the remaining rows used for validation (default 0.2). */
  valFraction?: number;
  /** Stratify the test/validation cuts by class (default true for classification). */
  stratify?: boolean;
  /** Standardize features with mean/std fitted on the training rows only (default true). */
  standardize?: boolean;
}

export interface ModelSpec {
  kind: 'linear' | 'logistic' | 'mlp';
  /** Hidden layer widths for `mlp`. */
  hidden?: number[];
  activation?: Activation;
  /** Negative slope of leaky_relu (PyTorch default 0.01). */
  negativeSlope?: number;
  /** Dropout probability after each hidden activation (inverted dropout). */
  dropout?: number;
  /** Batch norm after each hidden dense layer, before the activation. */
  batchNorm?: boolean;
}

export interface LossSpec {
  kind: 'mse' | 'cross_entropy' | 'bce';
  /** PyTorch's CrossEntropyLoss(label_smoothing=ε). */
  label_smoothing?: number;
}

/** PyTorch keyword names; see shared/optim. */
export interface OptimizerSpec {
  name: 'sgd' | 'adagrad' | 'adadelta' | 'rmsprop' | 'adam' | 'adamw' | 'nadam';
  [key: string]: unknown;
}

export interface ScheduleSpec {
  kind: 'step' | 'exponential' | 'cosine' | 'constant';
  step_size?: number;
  gamma?: number;
  T_max?: number;
  eta_min?: number;
  /** Linear warm-up epochs before the schedule (factor from warmup_start_factor to 1). */
  warmup_epochs?: number;
  warmup_start_factor?: number;
}

export interface EarlyStoppingSpec {
  monitor?: 'val_loss' | 'val_accuracy';
  patience?: number;
  min_delta?: number;
  restoreBest?: boolean;
}

/** A stopping rule on the training rows: train until the model fits them this well (`epochs` is the cap). */
export interface TargetSpec {
  /** `train_loss` stops when the inference-mode training loss is ≤ value; `train_accuracy` when it is ≥ value. */
  monitor: 'train_loss' | 'train_accuracy';
  /** The loss (or accuracy) to reach. */
  value: number;
}

export interface TrainingSpec {
  epochs: number;
  /** Mini-batch size; 0 or `"full"` means full-batch gradient descent. */
  batchSize: number | 'full';
  /** Learning-curve points every this many epochs (and at the last one); default 1. Needs 1 with early stopping. */
  curveEvery?: number;
  /** Shuffle the training rows every epoch (default true). */
  shuffle?: boolean;
  schedule?: ScheduleSpec | null;
  earlyStopping?: EarlyStoppingSpec | null;
  /** Stop at the end of the first scored epoch that reaches this training loss or accuracy (`epochs` caps it). */
  target?: TargetSpec | null;
  /** Stop after this many optimizer steps, inside an epoch if need be (`epochs` caps it). */
  maxSteps?: number;
}

export interface AugmentSpec {
  /** Random shift of images by up to this many pixels. */
  shift?: number;
  /** Random rotation of images by up to this many degrees. */
  rotate?: number;
  /** Random horizontal flip of images (off for digits by default: flipped digits change meaning). */
  flip?: boolean;
  /** Random crop-and-rescale of images: scale factor drawn in [1 - scale, 1]. */
  scale?: number;
  /** Gaussian jitter of tabular rows, std in standardized units. */
  jitter?: number;
}

export interface RegularizationSpec {
  l1?: number;
  l2?: number;
  /** Elastic net: penalty strength and mix (α·(ratio·L1 + (1-ratio)/2·L2)), scikit-learn's convention. */
  elasticNet?: { alpha: number; l1_ratio: number } | null;
  inputNoise?: number;
  augment?: AugmentSpec | null;
  mixup?: { alpha: number } | null;
  cutmix?: { alpha: number } | null;
}

export interface TrainSpec {
  name?: string;
  seed: number;
  dataset: DatasetSpec;
  model: ModelSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  training: TrainingSpec;
  regularization?: RegularizationSpec;
}
