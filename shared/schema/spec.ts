/**
 * The experiment spec's schema, defined once with TypeBox: the TypeScript types
 * (shared/schema/types.ts) are derived from it, validation walks it (shared/schema/walk.ts,
 * with the checks between fields kept as code beside each section), and `optlab schema`
 * prints it as JSON Schema with a title, description and default on every field, so a form
 * can be generated from it and an editor can complete a spec file.
 *
 * Walker annotations (left out of the printed JSON Schema): `x-type` is the message for a
 * value of the wrong type, `x-interval` says a range as one interval (`[0, 1)`), `x-finite`
 * words number problems as "finite number", `x-code` marks a field checked by code only,
 * `x-discriminator` names the field that picks a variant of a union, `x-noun` names what an
 * unknown variant is (`unknown schedule "linear"`).
 */
import { Type, type TSchema, type TSchemaOptions } from 'typebox';
import { OptimizerSchema } from './optimizers.ts';

// ── names the spec accepts (the modules that implement them import these lists) ──────────

export const BUNDLED_DATASETS = ['iris', 'wine', 'breast_cancer', 'digits'] as const;
export const SYNTHETIC_CLASSIFICATION_DATASETS = ['circles', 'moons', 'spirals', 'xor', 'blobs'] as const;
export const SYNTHETIC_REGRESSION_DATASETS = ['sine', 'polynomial'] as const;
export const SYNTHETIC_DATASETS = [...SYNTHETIC_CLASSIFICATION_DATASETS, ...SYNTHETIC_REGRESSION_DATASETS] as const;
export const DATASET_NAMES = [...BUNDLED_DATASETS, ...SYNTHETIC_DATASETS, 'csv'] as const;
export const MODEL_KINDS = ['linear', 'logistic', 'mlp'] as const;
export const ACTIVATIONS = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'gelu'] as const;
export const LOSS_KINDS = ['mse', 'cross_entropy', 'bce'] as const;
export const SCHEDULE_KINDS = ['constant', 'step', 'exponential', 'cosine'] as const;
export const EVALUATION_KINDS = ['holdout', 'kfold', 'loo', 'bootstrap'] as const;
export const ENSEMBLE_KINDS = ['bagging', 'boosting'] as const;
export const STUDY_KINDS = [
  'optimizers',
  'capacity',
  'bias-variance',
  'batch-size',
  'regularization',
  'ensembles',
] as const;

/** Largest synthetic set: beyond this a typo (an extra zero or two) is more likely than intent. */
export const MAX_SYNTHETIC_SAMPLES = 1_000_000;
/** Largest hidden width accepted, so that a typo cannot ask a worker for gigabytes. */
export const MAX_WIDTH = 65536;
/** LinearLR's default start factor. */
export const DEFAULT_WARMUP_START_FACTOR = 1 / 3;
/** StepLR's default decay. */
export const DEFAULT_STEP_GAMMA = 0.1;

/** Every field has a title and a description (and, where one makes sense, a default). */
type Doc = TSchemaOptions & { title: string; description: string };

/** A string that is one of `values` (a JSON Schema enum). */
function oneOf<const V extends string[]>(values: readonly [...V], doc: Doc) {
  return Type.Enum<V>(values, doc);
}

const opt = <T extends TSchema>(s: T) => Type.Optional(s);
/** Absent, null or the value: how the spec writes "off". */
const nullable = <T extends TSchema>(s: T) => Type.Optional(Type.Union([s, Type.Null()], { ...docOf(s) }));

function docOf(s: TSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s))
    if (['title', 'description', 'default'].includes(k) || k.startsWith('x-')) out[k] = v;
  return out;
}

// ── dataset ───────────────────────────────────────────────────────────────────────────────

export const DatasetSchema = Type.Object(
  {
    name: oneOf(DATASET_NAMES, {
      title: 'data set',
      description:
        'bundled (iris, wine, breast_cancer, digits: 8×8 images), synthetic classification (circles, moons, spirals, xor, blobs), synthetic regression with a known truth (sine, polynomial), or csv',
      default: 'iris',
    }),
    path: opt(
      Type.String({
        title: 'CSV file',
        description:
          'path of the CSV file when name is csv (relative to the spec file); the Lab imports it into its library',
        default: 'data.csv',
        'x-code': true,
      }),
    ),
    hash: opt(
      Type.String({
        title: 'library data set',
        description: 'content hash of a CSV data set kept in the library (optlab datasets), when name is csv',
        default: '0000000000000000',
        pattern: '^[0-9a-f]{16}$',
        'x-code': true,
      }),
    ),
    target: opt(
      Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], {
        title: 'target column',
        description: "the CSV's target column: its header name or 0-based index (default: the last column)",
        default: -1,
        'x-code': true,
      }),
    ),
    task: opt(
      oneOf(['classification', 'regression'], {
        title: 'task',
        description: "whether a CSV's target holds class labels or real values",
        default: 'classification',
      }),
    ),
    samples: opt(
      Type.Integer({
        title: 'rows',
        description: 'rows of a synthetic set (default 200; 100 for sine and polynomial)',
        minimum: 2,
        maximum: MAX_SYNTHETIC_SAMPLES,
        default: 200,
      }),
    ),
    noise: opt(
      Type.Number({
        title: 'noise',
        description: 'noise of a synthetic set: the std of the jitter, or σ of the regression targets',
        minimum: 0,
        default: 0.1,
      }),
    ),
    labelNoise: opt(
      Type.Number({
        title: 'label noise',
        description:
          'fraction of the rows of a synthetic classification set whose class is replaced by another one drawn at random (as scikit-learn’s flip_y)',
        minimum: 0,
        maximum: 0.5,
        default: 0,
      }),
    ),
    classes: opt(
      Type.Integer({
        title: 'classes',
        description: 'classes of spirals and blobs',
        minimum: 2,
        maximum: 100,
        default: 3,
      }),
    ),
    degree: opt(
      Type.Integer({
        title: 'degree',
        description: 'degree of the polynomial set',
        minimum: 0,
        maximum: 20,
        default: 3,
      }),
    ),
    testFraction: opt(
      Type.Number({
        title: 'test fraction',
        description:
          'fraction held out as the test part: cut first, never trained on or chosen by, scored once per final model',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0,
        'x-interval': '[0, 1)',
      }),
    ),
    valFraction: opt(
      Type.Number({
        title: 'validation fraction',
        description:
          'fraction of the rest used as the validation part (holdout), and held out of each fit for early stopping',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0.2,
        'x-interval': '[0, 1)',
      }),
    ),
    stratify: opt(
      Type.Boolean({
        title: 'stratify',
        description: 'keep class proportions in the test and validation cuts (classification)',
        default: true,
      }),
    ),
    standardize: opt(
      Type.Boolean({
        title: 'standardize',
        description: 'scale features by the mean and std of the training rows only',
        default: true,
      }),
    ),
  },
  {
    title: 'Data set',
    description: 'the rows to learn from and how they are cut',
    default: { name: 'iris', testFraction: 0.2 },
    additionalProperties: false,
    'x-type': `required object with a name (one of ${DATASET_NAMES.join(', ')})`,
  },
);

// ── model and loss ────────────────────────────────────────────────────────────────────────

export const ModelSchema = Type.Object(
  {
    kind: oneOf(MODEL_KINDS, {
      title: 'model',
      description: 'linear (regression), logistic (softmax regression), or mlp (a multilayer perceptron)',
      default: 'mlp',
    }),
    hidden: opt(
      Type.Array(Type.Integer({ minimum: 1, maximum: MAX_WIDTH }), {
        title: 'hidden widths',
        description: 'width of each hidden layer of an mlp',
        default: [64],
        'x-code': true,
      }),
    ),
    activation: opt(
      oneOf(ACTIVATIONS, { title: 'activation', description: 'after each hidden dense layer', default: 'relu' }),
    ),
    negativeSlope: opt(
      Type.Number({ title: 'negative slope', description: "leaky_relu's slope below 0", default: 0.01 }),
    ),
    dropout: opt(
      Type.Number({
        title: 'dropout',
        description: 'inverted dropout probability after each hidden activation',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0,
        'x-interval': '[0, 1)',
      }),
    ),
    batchNorm: opt(
      Type.Boolean({
        title: 'batch norm',
        description: 'batch normalization after each hidden dense layer, before its activation',
        default: false,
      }),
    ),
  },
  {
    title: 'Model',
    description: 'the network',
    default: { kind: 'mlp', hidden: [32], activation: 'relu' },
    additionalProperties: false,
    'x-type': 'must be an object',
  },
);

export const LossSchema = Type.Object(
  {
    kind: oneOf(LOSS_KINDS, {
      title: 'loss',
      description: 'mse (regression), cross_entropy (classes), bce (two classes, one logit)',
      default: 'cross_entropy',
    }),
    label_smoothing: opt(
      Type.Number({
        title: 'label smoothing',
        description: "ε of PyTorch's CrossEntropyLoss(label_smoothing=ε)",
        minimum: 0,
        maximum: 1,
        default: 0,
      }),
    ),
  },
  {
    title: 'Loss',
    description: 'the training loss',
    default: { kind: 'cross_entropy' },
    additionalProperties: false,
    'x-type': 'must be an object',
  },
);

// ── training ──────────────────────────────────────────────────────────────────────────────

const warmup = {
  warmup_epochs: opt(
    Type.Integer({
      title: 'warm-up epochs',
      description: 'linear warm-up epochs before the schedule (LinearLR)',
      minimum: 0,
      default: 0,
      'x-finite': true,
    }),
  ),
  warmup_start_factor: opt(
    Type.Number({
      title: 'warm-up start factor',
      description: 'lr factor at the first warm-up epoch, rising linearly to 1',
      exclusiveMinimum: 0,
      maximum: 1,
      default: DEFAULT_WARMUP_START_FACTOR,
      'x-interval': '(0, 1]',
      'x-finite': true,
    }),
  ),
};

const scheduleKind = <K extends (typeof SCHEDULE_KINDS)[number]>(kind: K, title: string) =>
  Type.Literal(kind, { title: 'schedule', description: title, default: kind });

export const ScheduleSchema = Type.Union(
  [
    Type.Object(
      { kind: scheduleKind('constant', 'the optimizer lr throughout'), ...warmup },
      { additionalProperties: false, title: 'constant' },
    ),
    Type.Object(
      {
        kind: scheduleKind('step', 'StepLR: lr·gamma^⌊epoch / step_size⌋'),
        step_size: Type.Integer({
          title: 'step size',
          description: 'epochs between decays',
          minimum: 1,
          default: 10,
          'x-finite': true,
        }),
        gamma: opt(
          Type.Number({
            title: 'gamma',
            description: 'decay factor',
            exclusiveMinimum: 0,
            default: DEFAULT_STEP_GAMMA,
            'x-finite': true,
          }),
        ),
        ...warmup,
      },
      { additionalProperties: false, title: 'step' },
    ),
    Type.Object(
      {
        kind: scheduleKind('exponential', 'ExponentialLR: lr·gamma^epoch'),
        gamma: Type.Number({
          title: 'gamma',
          description: 'decay factor per epoch',
          exclusiveMinimum: 0,
          default: 0.95,
          'x-finite': true,
        }),
        ...warmup,
      },
      { additionalProperties: false, title: 'exponential' },
    ),
    Type.Object(
      {
        kind: scheduleKind('cosine', 'CosineAnnealingLR: eta_min + (lr − eta_min)(1 + cos(π·epoch/T_max))/2'),
        T_max: Type.Integer({
          title: 'T_max',
          description: 'epochs of a half period',
          minimum: 1,
          default: 50,
          'x-finite': true,
        }),
        eta_min: opt(
          Type.Number({ title: 'eta_min', description: 'lowest lr', minimum: 0, default: 0, 'x-finite': true }),
        ),
        ...warmup,
      },
      { additionalProperties: false, title: 'cosine' },
    ),
  ],
  {
    title: 'Learning-rate schedule',
    description: 'as torch.optim.lr_scheduler computes it per epoch, with an optional linear warm-up',
    default: null,
    'x-code': true,
  },
);

export const EarlyStoppingSchema = Type.Object(
  {
    monitor: opt(
      oneOf(['val_loss', 'val_accuracy'], {
        title: 'monitor',
        description: 'what is watched, on the rows each fit holds out of its training rows',
        default: 'val_loss',
      }),
    ),
    patience: opt(
      Type.Integer({
        title: 'patience',
        description: 'epochs without improvement before stopping',
        minimum: 0,
        default: 5,
      }),
    ),
    min_delta: opt(
      Type.Number({
        title: 'min delta',
        description: 'smallest change that counts as an improvement',
        minimum: 0,
        default: 0,
      }),
    ),
    restoreBest: opt(
      Type.Boolean({ title: 'restore best', description: 'keep the weights of the best epoch', default: true }),
    ),
  },
  { title: 'Early stopping', description: 'as Keras defines it', default: null, additionalProperties: false },
);

export const TargetSchema = Type.Object(
  {
    monitor: oneOf(['train_loss', 'train_accuracy'], {
      title: 'monitor',
      description: 'the training rows’ loss (stop when ≤ value) or accuracy (stop when ≥ value), in inference mode',
      default: 'train_loss',
    }),
    value: Type.Number({
      title: 'value',
      description: 'the loss or accuracy to reach (an accuracy is at most 1)',
      minimum: 0,
      default: 0.01,
    }),
  },
  {
    title: 'Target',
    description:
      'train until the training rows are fitted this well, checked at each curve epoch (epochs is then a cap): the same stopping rule for every configuration',
    default: null,
    additionalProperties: false,
  },
);

export const TrainingSchema = Type.Object(
  {
    curveEvery: opt(
      Type.Integer({
        title: 'curve every',
        description: 'learning-curve points every k epochs and at the last one (1 with early stopping)',
        minimum: 1,
        default: 1,
      }),
    ),
    epochs: Type.Integer({
      title: 'epochs',
      description: 'passes over the training rows',
      minimum: 1,
      maximum: 100000,
      default: 30,
    }),
    batchSize: Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('full')], {
      title: 'batch size',
      description: 'rows per gradient step; 0 or "full" for full-batch gradient descent',
      default: 32,
    }),
    shuffle: opt(
      Type.Boolean({ title: 'shuffle', description: 'reshuffle the training rows every epoch', default: true }),
    ),
    schedule: nullable(ScheduleSchema),
    earlyStopping: nullable(EarlyStoppingSchema),
    target: nullable(TargetSchema),
    maxSteps: opt(
      Type.Integer({
        title: 'steps',
        description: 'stop after this many optimizer steps, inside an epoch if need be (epochs is then a cap)',
        minimum: 1,
        default: 1000,
      }),
    ),
  },
  {
    title: 'Training',
    description: 'epochs, batches, schedule and early stopping',
    default: { epochs: 30, batchSize: 32 },
    additionalProperties: false,
    'x-type': 'required object with epochs and batchSize',
  },
);

// ── regularization ────────────────────────────────────────────────────────────────────────

const alphaOnly = (title: string, description: string, def: number) =>
  Type.Object(
    { alpha: Type.Number({ title: 'alpha', description: 'λ ~ Beta(α, α)', exclusiveMinimum: 0, default: def }) },
    { title, description, default: null, additionalProperties: false },
  );

export const AugmentSchema = Type.Object(
  {
    shift: opt(
      Type.Integer({
        title: 'shift',
        description: 'random shift of images by up to this many pixels',
        minimum: 0,
        default: 0,
      }),
    ),
    rotate: opt(
      Type.Number({
        title: 'rotate',
        description: 'random rotation of images by up to this many degrees',
        minimum: 0,
        maximum: 180,
        default: 0,
      }),
    ),
    flip: opt(Type.Boolean({ title: 'flip', description: 'random horizontal flip of images', default: false })),
    scale: opt(
      Type.Number({
        title: 'scale',
        description: 'random crop-and-rescale of images by a factor in [1 − scale, 1]',
        minimum: 0,
        exclusiveMaximum: 1,
        default: 0,
      }),
    ),
    jitter: opt(
      Type.Number({
        title: 'jitter',
        description: 'Gaussian jitter of any rows, std in standardized units',
        minimum: 0,
        default: 0,
      }),
    ),
  },
  {
    title: 'Augmentation',
    description: 'random transformations of the training rows',
    default: null,
    additionalProperties: false,
  },
);

export const RegularizationSchema = Type.Object(
  {
    l1: opt(Type.Number({ title: 'L1', description: 'λ·Σ|w| on the weights', minimum: 0, default: 0 })),
    l2: opt(
      Type.Number({
        title: 'L2',
        description: '(λ/2)·Σw² on the weights (its gradient is PyTorch weight_decay)',
        minimum: 0,
        default: 0,
      }),
    ),
    inputNoise: opt(
      Type.Number({
        title: 'input noise',
        description: 'std of Gaussian noise on standardized inputs',
        minimum: 0,
        default: 0,
      }),
    ),
    elasticNet: nullable(
      Type.Object(
        {
          alpha: Type.Number({ title: 'alpha', description: 'penalty strength α', minimum: 0, default: 0.001 }),
          l1_ratio: Type.Number({
            title: 'L1 ratio',
            description: 'mix of L1 in α·(r·L1 + (1−r)/2·L2)',
            minimum: 0,
            maximum: 1,
            default: 0.5,
          }),
        },
        {
          title: 'Elastic net',
          description: "scikit-learn's mix of L1 and L2",
          default: null,
          additionalProperties: false,
        },
      ),
    ),
    augment: nullable(AugmentSchema),
    mixup: nullable(alphaOnly('Mixup', 'Zhang et al. 2018: train on convex mixes of row pairs', 0.2)),
    cutmix: nullable(alphaOnly('CutMix', 'Yun et al. 2019: paste a patch of one image into another (images only)', 1)),
  },
  {
    title: 'Regularization',
    description: 'penalties, noise, augmentation and mixing',
    default: {},
    additionalProperties: false,
  },
);

// ── evaluation, ensembles, sweeps, analysis ───────────────────────────────────────────────

const evaluationKind = <K extends (typeof EVALUATION_KINDS)[number]>(kind: K, description: string) =>
  Type.Literal(kind, { title: 'evaluation', description, default: kind });

export const EvaluationSchema = Type.Union(
  [
    Type.Object(
      { kind: evaluationKind('holdout', 'train on the training part, score on the validation part') },
      { additionalProperties: false, title: 'holdout' },
    ),
    Type.Object(
      {
        kind: evaluationKind('kfold', "k-fold cross-validation of the development rows (scikit-learn's fold sizes)"),
        k: Type.Integer({ title: 'folds', description: 'k', minimum: 2, maximum: 1000, default: 5 }),
        repeats: opt(
          Type.Integer({
            title: 'repeats',
            description: 'repeated k-fold: reshuffled each repeat',
            minimum: 1,
            maximum: 100,
            default: 1,
          }),
        ),
        stratified: opt(
          Type.Boolean({ title: 'stratified', description: 'keep class proportions in each fold', default: true }),
        ),
        shuffle: opt(
          Type.Boolean({ title: 'shuffle', description: 'shuffle the rows before cutting folds', default: true }),
        ),
      },
      { additionalProperties: false, title: 'k-fold' },
    ),
    Type.Object(
      { kind: evaluationKind('loo', 'leave-one-out: one fold per row') },
      { additionalProperties: false, title: 'leave-one-out' },
    ),
    Type.Object(
      {
        kind: evaluationKind(
          'bootstrap',
          'train on rows drawn with replacement, score on the rows left out (out-of-bag)',
        ),
        replicates: Type.Integer({
          title: 'replicates',
          description: 'bootstrap samples',
          minimum: 2,
          maximum: 10000,
          default: 50,
        }),
        trainingSets: opt(
          oneOf(['resample', 'fresh'], {
            title: 'training sets',
            description:
              'resample: bootstrap samples of the development rows; fresh: each replicate trains on new rows drawn from the known generator and is scored on the development rows (synthetic regression only; the textbook bias–variance protocol)',
            default: 'resample',
          }),
        ),
      },
      { additionalProperties: false, title: 'bootstrap' },
    ),
  ],
  {
    title: 'Evaluation',
    description: 'how the development rows are cut into splits, each trained on and judged on',
    default: { kind: 'holdout' },
    'x-discriminator': 'kind',
    'x-type': `must be an object with a kind (${EVALUATION_KINDS.join(', ')})`,
  },
);

export const EnsembleSchema = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('bagging', {
          title: 'ensemble',
          description: 'bootstrap samples of each split’s training rows',
          default: 'bagging',
        }),
        members: Type.Integer({
          title: 'members',
          description: 'models in the ensemble',
          minimum: 1,
          maximum: 1000,
          default: 10,
        }),
        vote: opt(
          oneOf(['hard', 'soft'], {
            title: 'vote',
            description: 'majority of classes, or mean of probabilities',
            default: 'soft',
          }),
        ),
      },
      { additionalProperties: false, title: 'bagging' },
    ),
    Type.Object(
      {
        kind: Type.Literal('boosting', {
          title: 'ensemble',
          description: 'AdaBoost SAMME: rounds on reweighted rows',
          default: 'boosting',
        }),
        rounds: Type.Integer({
          title: 'rounds',
          description: 'boosting rounds, run in sequence',
          minimum: 1,
          maximum: 1000,
          default: 10,
        }),
        learning_rate: opt(
          Type.Number({
            title: 'learning rate',
            description: "shrinks each round's weight",
            exclusiveMinimum: 0,
            default: 1,
          }),
        ),
        mode: opt(
          oneOf(['weights', 'resample'], {
            title: 'mode',
            description: 'train each round on the sample weights, or on rows drawn by weight',
            default: 'weights',
          }),
        ),
      },
      { additionalProperties: false, title: 'boosting' },
    ),
  ],
  {
    title: 'Ensemble',
    description: 'bagging or boosting of the model on each split (null: one model)',
    default: null,
    'x-discriminator': 'kind',
    'x-type': `must be an object with a kind (${ENSEMBLE_KINDS.join(', ')}) or null`,
  },
);

export const SweepSchema = Type.Union(
  [
    Type.Record(Type.String(), Type.Array(Type.Unknown(), { minItems: 1 }), {
      title: 'grid',
      description: 'each spec path a list of values; every combination is a configuration',
    }),
    Type.Array(Type.Record(Type.String(), Type.Unknown()), {
      minItems: 1,
      title: 'list',
      description: 'one override set per configuration (path → value, and an optional label)',
    }),
  ],
  {
    title: 'Sweep',
    description: 'the configurations to compare on the same splits',
    default: null,
    'x-code': true,
  },
);

export const AnalysisSchema = Type.Object(
  {
    sharpness: nullable(
      Type.Object(
        {
          epsilons: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
            minItems: 1,
            title: 'ε',
            description: 'box sizes, relative to each weight',
            default: [0.001, 0.0005],
          }),
        },
        {
          title: 'ε-sharpness',
          description: 'Keskar et al. 2017, in a box around the solution',
          default: null,
          additionalProperties: false,
          'x-code': true,
        },
      ),
    ),
    hessian: nullable(
      Type.Object(
        {
          iterations: opt(
            Type.Integer({
              title: 'iterations',
              description: 'Lanczos steps (exact Hessian-vector products) at most',
              minimum: 1,
              maximum: 1000,
              default: 100,
            }),
          ),
          tolerance: opt(
            Type.Number({
              title: 'tolerance',
              description: 'converged when the residual ‖Hy − λy‖ is at most this times the largest |Ritz value|',
              minimum: 0,
              maximum: 1,
              default: 1e-6,
            }),
          ),
        },
        {
          title: 'Hessian',
          description:
            'largest eigenvalue (with its sign) of the loss’s Hessian by Lanczos on exact Hessian-vector products, with a converged flag',
          default: null,
          additionalProperties: false,
        },
      ),
    ),
    objective: opt(
      oneOf(['data', 'training'], {
        title: 'objective',
        description:
          'data: the plain data loss every configuration is judged by; training: the objective the fit minimized (with its label smoothing and L1/L2 penalty)',
        default: 'data',
      }),
    ),
    keepWeights: opt(
      Type.Boolean({
        title: 'keep weights',
        description: 'keep the final weights with the results (loss interpolation between solutions)',
        default: false,
      }),
    ),
  },
  { title: 'Analysis', description: 'measurements of each trained model', default: null, additionalProperties: false },
);

export const TuningSchema = Type.Object(
  {
    path: Type.String({
      title: 'path',
      description: 'the spec value tuned, a number in every configuration (e.g. optimizer.lr)',
      default: 'optimizer.lr',
      'x-code': true,
    }),
    factors: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
      minItems: 1,
      maxItems: 20,
      title: 'factors',
      description: "candidates are the configuration's value times each factor",
      default: [0.1, 0.316, 1, 3.16, 10],
    }),
    by: opt(
      oneOf(['loss', 'accuracy'], {
        title: 'chosen by',
        description: 'the inner-validation score that chooses (lowest loss, or highest accuracy)',
        default: 'loss',
      }),
    ),
  },
  {
    title: 'Tuning',
    description:
      "nested tuning per configuration and split: each candidate trains on the split's inner training rows and the best on its inner validation rows is the split's model; the scored rows never choose",
    default: null,
    additionalProperties: false,
  },
);

export const SpeedSchema = Type.Object(
  {
    monitor: oneOf(['val_loss', 'val_accuracy', 'val_mse'], {
      title: 'monitor',
      description: 'the per-epoch validation score watched',
      default: 'val_loss',
    }),
    value: Type.Number({
      title: 'target',
      description: 'reached when the loss (mse) is ≤ value, or the accuracy ≥ value',
      minimum: 0,
      default: 0.15,
    }),
  },
  {
    title: 'Speed',
    description:
      'per split: epochs and steps until the validation score first reaches the target, and the area under the training-loss curve',
    default: null,
    additionalProperties: false,
  },
);

// ── the whole spec ────────────────────────────────────────────────────────────────────────

const trainProperties = {
  name: opt(
    Type.String({ title: 'name', description: 'what the library lists it as', default: 'Untitled experiment' }),
  ),
  seed: Type.Integer({
    title: 'seed',
    description: 'every random draw (splits, initial weights, shuffles, masks) derives from it',
    minimum: 0,
    maximum: 0xffffffff,
    default: 7,
  }),
  dataset: DatasetSchema,
  model: ModelSchema,
  loss: LossSchema,
  optimizer: OptimizerSchema,
  training: TrainingSchema,
  regularization: nullable(RegularizationSchema),
  tags: opt(
    Type.Array(Type.String(), {
      title: 'tags',
      description: 'free labels for the library',
      default: [],
      'x-code': true,
    }),
  ),
  notes: opt(Type.String({ title: 'notes', description: 'free text for the library', default: '', 'x-code': true })),
};

/** `optlab train`: one model. */
export const TrainSpecSchema = Type.Object(trainProperties, {
  title: 'OptLab training spec',
  description: 'one model trained as the spec says',
  additionalProperties: false,
});

/** `optlab run`: a training spec plus how to evaluate, ensemble, sweep and analyse it. */
export const ExperimentSpecSchema = Type.Object(
  {
    ...trainProperties,
    evaluation: opt(EvaluationSchema),
    ensemble: nullable(EnsembleSchema),
    sweep: nullable(SweepSchema),
    analysis: nullable(AnalysisSchema),
    tuning: nullable(TuningSchema),
    speed: nullable(SpeedSchema),
    study: opt(
      oneOf(STUDY_KINDS, {
        title: 'study',
        description: "which built-in study's chart series to add to the report",
        default: 'optimizers',
      }),
    ),
  },
  {
    title: 'OptLab experiment spec',
    description: 'a training spec plus evaluation, ensembles, a sweep of configurations and analyses',
    additionalProperties: false,
  },
);

/** The experiment spec as JSON Schema (draft 2020-12), without the validator's annotations. */
export function specJsonSchema(): Record<string, unknown> {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('x-')) out[k] = strip(x);
    return out;
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://optlab.invalid/schema/experiment-spec.json',
    ...(strip(ExperimentSpecSchema) as Record<string, unknown>),
  };
}
