/**
 * What the Playground trains, as a plain value: its fields, how it sits in the URL, and the
 * spec it stands for. The spec is the whole truth of a run: `optlab train` on the spec the
 * Playground shows gives the same numbers, epoch for epoch, and "Save as experiment" starts
 * from it (`toExperimentSpec`).
 */
import type { Activation, TrainSpec } from '../../../../shared/schema/types.ts';
import type { ExperimentSpec } from '../../../../shared/experiment/types.ts';
import { OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, OPTION_KINDS } from '../../../../shared/optim/registry.ts';
import type { OptimizerName, OptionValue } from '../../../../shared/optim/registry.ts';
import { validateOptimizerSpec } from '../../../../shared/optim/validate.ts';
import { validateTrainSpec } from '../../../../shared/schema/validate.ts';
import { validateExperimentSpec } from '../../../../shared/experiment/validate.ts';
import { decode, encode, type Values } from '../../lib/params.ts';

/** The 2-D classification sets the Playground draws. */
export const PLAYGROUND_DATASETS = ['circles', 'moons', 'spirals', 'xor', 'blobs'] as const;
export type PlaygroundDataset = (typeof PLAYGROUND_DATASETS)[number];

/** `data` of a config: a generated set, or `csv`, a data set of the Lab's library named by `csv` (its hash). */
export const PLAYGROUND_DATA = [...PLAYGROUND_DATASETS, 'csv'] as const;

export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'leaky_relu', 'gelu', 'identity'];

/** How a run ends: after its epochs, at a target training loss, or by early stopping on a validation part. */
export const STOP_RULES = ['epochs', 'target', 'early'] as const;
export type StopRule = (typeof STOP_RULES)[number];

/** Share of the training points early stopping sets aside as its validation part. */
export const EARLY_STOPPING_VAL_FRACTION = 0.2;

/** Which engine a run asks for: a GPU through WebGPU when there is one, the CPU, or WebGPU even on a software adapter. */
export const ENGINE_CHOICES = ['auto', 'cpu', 'webgpu'] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

/** Data sets whose number of classes can be chosen. */
export const HAS_CLASSES: readonly PlaygroundDataset[] = ['spirals', 'blobs'];

/** The URL fields (everything but the optimizer's own keywords, which go in `o.<keyword>`). */
export const PLAYGROUND_PARAMS = {
  data: { kind: 'enum', default: 'moons', values: PLAYGROUND_DATA },
  /** With data=csv: the content hash of the imported data set (the Lab's library). */
  csv: { kind: 'text', default: null, pattern: /[0-9a-f]{16}/, what: "a data set's content hash (16 hex digits)" },
  n: { kind: 'number', default: 300, min: 20, max: 2000, integer: true },
  /** Noise of the generator; null: the Playground's default for the set (PLAYGROUND_NOISE). */
  noise: { kind: 'number', default: null, min: 0, max: 5 },
  /** Classes of spirals and blobs; null: the generator's default (3). */
  classes: { kind: 'number', default: null, min: 2, max: 5, integer: true },
  test: { kind: 'number', default: 0.5, min: 0.1, max: 0.9 },
  seed: { kind: 'number', default: 1, min: 0, max: 2147483647, integer: true },
  hidden: { kind: 'numbers', default: [8, 8], min: 1, max: 64, integer: true, maxLength: 6 },
  act: { kind: 'enum', default: 'tanh', values: ACTIVATIONS },
  dropout: { kind: 'number', default: 0, min: 0, max: 0.9 },
  bn: { kind: 'bool', default: false },
  loss: { kind: 'enum', default: 'cross_entropy', values: ['cross_entropy', 'bce'] },
  /** Regularizers: null is off, a number is on with that strength. */
  l1: { kind: 'number', default: null, min: 0, max: 1 },
  l2: { kind: 'number', default: null, min: 0, max: 1 },
  en: { kind: 'number', default: null, min: 0, max: 1 },
  enr: { kind: 'number', default: 0.5, min: 0, max: 1 },
  inoise: { kind: 'number', default: null, min: 0, max: 2 },
  ls: { kind: 'number', default: null, min: 0, max: 1 },
  mixup: { kind: 'number', default: null, gt: 0, max: 10 },
  opt: { kind: 'enum', default: 'adam', values: OPTIMIZER_NAMES },
  lr: { kind: 'number', default: 0.01, gt: 0, max: 100 },
  /** Mini-batch size; 0 is the full batch (gradient descent). */
  bs: { kind: 'number', default: 10, min: 0, max: 2000, integer: true },
  epochs: { kind: 'number', default: 300, min: 1, max: 10000, integer: true },
  stop: { kind: 'enum', default: 'epochs', values: STOP_RULES },
  target: { kind: 'number', default: 0.05, gt: 0, max: 10 },
  patience: { kind: 'number', default: 20, min: 1, max: 1000, integer: true },
  showTest: { kind: 'bool', default: true },
  /** The engine: a GPU through WebGPU when there is one (auto), the CPU, or WebGPU on any adapter. Not part of the spec. */
  engine: { kind: 'enum', default: 'auto', values: ENGINE_CHOICES },
} as const;

export type PlaygroundParams = Values<typeof PLAYGROUND_PARAMS>;

/** Everything the Playground trains and shows. */
export interface PlaygroundConfig extends PlaygroundParams {
  /** The optimizer's keywords other than lr that differ from PyTorch's defaults. */
  options: Record<string, OptionValue>;
}

export const DEFAULT_CONFIG: Readonly<PlaygroundConfig> = Object.freeze({
  ...decode(PLAYGROUND_PARAMS, new URLSearchParams()).values,
  options: {},
});

/** The optimizer's keywords (without lr) with PyTorch's defaults. */
export function optimizerKeywords(name: OptimizerName): [string, OptionValue][] {
  return Object.entries(OPTIMIZER_DEFAULTS[name]).filter(([k]) => k !== 'lr');
}

function parseOption(key: string, text: string): OptionValue | undefined {
  const kind = OPTION_KINDS[key];
  if (kind === 'boolean')
    return text === '1' || text === 'true' ? true : text === '0' || text === 'false' ? false : undefined;
  if (kind === 'betas') {
    const parts = text.split(',').map(Number);
    return parts.length === 2 && parts.every(Number.isFinite) ? [parts[0], parts[1]] : undefined;
  }
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) ? v : undefined;
}

function formatOption(v: OptionValue): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : Array.isArray(v) ? v.join(',') : String(v);
}

function sameOption(a: OptionValue, b: OptionValue): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a[0] === b[0] && a[1] === b[1] : a === b;
}

/** A config from the route's query; bad values fall back to defaults and are listed in `problems`. */
export function configFromQuery(query: URLSearchParams): { config: PlaygroundConfig; problems: string[] } {
  const { values, problems } = decode(PLAYGROUND_PARAMS, query);
  const name = values.opt as OptimizerName;
  const defaults = OPTIMIZER_DEFAULTS[name];
  const options: Record<string, OptionValue> = {};
  for (const [k, text] of query) {
    if (!k.startsWith('o.')) continue;
    const key = k.slice(2);
    const v = key !== 'lr' && Object.hasOwn(defaults, key) ? parseOption(key, text) : undefined;
    // Each value on its own; a combination torch refuses (Nesterov without momentum) is
    // the spec's problem, reported by specProblems, not a reason to drop a value.
    const alone = key === 'nesterov' ? { name, nesterov: v, momentum: 1 } : { name, [key]: v };
    if (v === undefined || validateOptimizerSpec(alone).length) {
      problems.push(`${k}: not a valid ${name} option value (${JSON.stringify(text)}); using the default`);
      continue;
    }
    if (!sameOption(v, defaults[key])) options[key] = v;
  }
  return { config: { ...values, options }, problems };
}

/** The route query of a config: only what differs from the defaults. */
export function configToQuery(config: PlaygroundConfig): URLSearchParams {
  const q = encode(PLAYGROUND_PARAMS, config);
  const defaults = OPTIMIZER_DEFAULTS[config.opt as OptimizerName];
  for (const [k, v] of Object.entries(config.options))
    if (Object.hasOwn(defaults, k) && !sameOption(v, defaults[k])) q.set(`o.${k}`, formatOption(v));
  return q;
}

/**
 * Noise each set starts with: enough that a large network can overfit it and a regularizer
 * visibly helps (the generators' own defaults draw nearly clean pictures).
 */
export const PLAYGROUND_NOISE: Readonly<Record<PlaygroundDataset, number>> = Object.freeze({
  circles: 0.12,
  moons: 0.25,
  spirals: 0.1,
  xor: 0.2,
  blobs: 1.5,
});

/** The generator's noise (the Playground's default for the set when the config leaves it out). */
export function noiseOf(config: PlaygroundConfig): number {
  return config.noise ?? PLAYGROUND_NOISE[config.data as PlaygroundDataset] ?? 0;
}

/** Whether the config trains on an imported data set (of the Lab's library) rather than a generated one. */
export function isImported(config: PlaygroundConfig): boolean {
  return config.data === 'csv';
}

/** The training spec the Playground runs; `optlab train` on it gives the same numbers. */
export function toTrainSpec(config: PlaygroundConfig): TrainSpec {
  const data = config.data as PlaygroundDataset;
  const early = config.stop === 'early';
  const split = {
    testFraction: config.test,
    valFraction: early ? EARLY_STOPPING_VAL_FRACTION : 0,
    standardize: true,
  };
  const spec: TrainSpec = {
    name: isImported(config) ? `Playground: imported data set ${config.csv ?? '(none chosen)'}` : `Playground: ${data}`,
    seed: config.seed,
    // An imported set is named by its hash, as the Lab's experiments name it.
    dataset: isImported(config)
      ? { name: 'csv', ...(config.csv !== null ? { hash: config.csv } : {}), ...split }
      : {
          name: data,
          samples: config.n,
          noise: noiseOf(config),
          ...(HAS_CLASSES.includes(data) && config.classes !== null ? { classes: config.classes } : {}),
          ...split,
        },
    model:
      config.hidden.length === 0
        ? { kind: 'logistic' }
        : {
            kind: 'mlp',
            hidden: [...config.hidden],
            activation: config.act as Activation,
            ...(config.dropout > 0 ? { dropout: config.dropout } : {}),
            ...(config.bn ? { batchNorm: true } : {}),
          },
    loss: {
      kind: config.loss as 'cross_entropy' | 'bce',
      ...(config.ls !== null && config.loss === 'cross_entropy' ? { label_smoothing: config.ls } : {}),
    },
    optimizer: {
      name: config.opt as OptimizerName,
      lr: config.lr,
      ...structuredClone(config.options),
    },
    training: {
      epochs: config.epochs,
      batchSize: config.bs === 0 ? 'full' : config.bs,
      ...(early ? { earlyStopping: { monitor: 'val_loss', patience: config.patience, restoreBest: false } } : {}),
    },
  };
  const reg: NonNullable<TrainSpec['regularization']> = {};
  if (config.l1 !== null) reg.l1 = config.l1;
  if (config.l2 !== null) reg.l2 = config.l2;
  if (config.en !== null) reg.elasticNet = { alpha: config.en, l1_ratio: config.enr };
  if (config.inoise !== null) reg.inputNoise = config.inoise;
  if (config.mixup !== null) reg.mixup = { alpha: config.mixup };
  if (Object.keys(reg).length) spec.regularization = reg;
  return spec;
}

/** Every problem of the config's spec, each with its JSON path (empty: it can run). */
export function specProblems(config: PlaygroundConfig): string[] {
  const problems = validateTrainSpec(toTrainSpec(config));
  const classes = HAS_CLASSES.includes(config.data as PlaygroundDataset) ? (config.classes ?? 3) : 2;
  if (config.loss === 'bce' && classes !== 2)
    problems.push(`loss.kind: "bce" needs exactly 2 classes, ${config.data} has ${classes}; use "cross_entropy"`);
  return problems;
}

/** Fields "Sweep this…" offers, with the values it proposes around the current one. */
export const SWEEPABLE = {
  'optimizer.lr': 'learning rate',
  'training.batchSize': 'batch size',
  'model.dropout': 'dropout',
  'regularization.l2': 'L2 strength',
  'model.hidden': 'hidden layers',
  optimizer: 'optimizer',
} as const;
export type SweepField = keyof typeof SWEEPABLE;

function round(v: number): number {
  return Number(v.toPrecision(3));
}

/** The values a sweep of `field` proposes, the current one among them. */
export function sweepValues(config: PlaygroundConfig, field: SweepField): unknown[] {
  const spec = toTrainSpec(config);
  switch (field) {
    case 'optimizer.lr':
      return [0.1, 0.3, 1, 3, 10].map((f) => round(config.lr * f));
    case 'training.batchSize': {
      const rows = Math.floor(config.n * (1 - config.test));
      return [...new Set([1, 4, 16, 64, rows].filter((b) => b <= rows))];
    }
    case 'model.dropout':
      return [0, 0.1, 0.2, 0.3, 0.5];
    case 'regularization.l2':
      return [0, 1e-4, 1e-3, 1e-2, 1e-1];
    case 'model.hidden': {
      const h = config.hidden.length ? config.hidden : [8];
      return [h.map((w) => Math.max(1, Math.round(w / 2))), h, h.map((w) => w * 2), [...h, h[h.length - 1]]];
    }
    case 'optimizer':
      return [spec.optimizer, ...OPTIMIZER_NAMES.filter((n) => n !== spec.optimizer.name).map((name) => ({ name }))];
  }
}

export interface ExperimentOptions {
  /** Folds of the cross-validation (default 5). */
  k?: number;
  /** A field to sweep and its values (default: none). */
  sweep?: { field: SweepField; values: unknown[] };
}

/**
 * The experiment "Save as experiment" and "Sweep this…" start from: the Playground's spec,
 * cross-validated (stratified k-fold on the points outside the test part), optionally swept.
 * Early stopping inside each fold watches a validation part cut from the fold's training rows.
 */
export function toExperimentSpec(config: PlaygroundConfig, options: ExperimentOptions = {}): ExperimentSpec {
  const base = toTrainSpec(config);
  const spec: ExperimentSpec = {
    ...base,
    name: options.sweep ? `${base.name ?? 'Playground'}: ${SWEEPABLE[options.sweep.field]} sweep` : base.name,
    evaluation: { kind: 'kfold', k: options.k ?? 5, stratified: true },
  };
  if (options.sweep) spec.sweep = { [options.sweep.field]: options.sweep.values };
  return spec;
}

/** `toExperimentSpec` with its problems (empty: `optlab run` accepts it). */
export function experimentProblems(spec: ExperimentSpec): string[] {
  return validateExperimentSpec(spec);
}
