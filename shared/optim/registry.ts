/**
 * What the lab knows about each optimizer by name: its PyTorch keyword arguments with their
 * defaults (for help text and forms), what each keyword accepts (for spec validation), and the
 * named presets of the classic lectures (GD, Momentum, NAG, …).
 */
import type { OptimizerSpec } from '../schema/types.ts';
import { ADADELTA_DEFAULTS } from './adadelta.ts';
import { ADAGRAD_DEFAULTS } from './adagrad.ts';
import { ADAM_DEFAULTS } from './adam.ts';
import { ADAMW_DEFAULTS } from './adamw.ts';
import { NADAM_DEFAULTS } from './nadam.ts';
import { RMSPROP_DEFAULTS } from './rmsprop.ts';
import { SGD_DEFAULTS } from './sgd.ts';

export type OptimizerName = OptimizerSpec['name'];

/** Every optimizer name a spec may use, in the order help text lists them. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = Object.freeze([
  'sgd',
  'adagrad',
  'adadelta',
  'rmsprop',
  'adam',
  'adamw',
  'nadam',
] as const);

/** A hyperparameter value as it appears in a spec (betas as a two-number array). */
export type OptionValue = number | boolean | readonly [number, number];

/** Each optimizer's keyword arguments and PyTorch's defaults, in torch's signature order. */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Readonly<Record<string, OptionValue>>>> = Object.freeze(
  {
    sgd: SGD_DEFAULTS,
    adagrad: ADAGRAD_DEFAULTS,
    adadelta: ADADELTA_DEFAULTS,
    rmsprop: RMSPROP_DEFAULTS,
    adam: ADAM_DEFAULTS,
    adamw: ADAMW_DEFAULTS,
    nadam: NADAM_DEFAULTS,
  },
);

/**
 * What a keyword accepts in a spec: `positive` (> 0), `nonnegative` (≥ 0), `unit` ([0, 1]),
 * `real` (any finite number), `betas` (two numbers in [0, 1)) or `boolean`. The ranges are
 * torch's constructor checks, except that a spec's lr must be > 0 (an lr of 0 trains nothing).
 */
export type OptionKind = 'positive' | 'nonnegative' | 'unit' | 'real' | 'betas' | 'boolean';

/** The kind of every keyword any optimizer takes. */
export const OPTION_KINDS: Readonly<Record<string, OptionKind>> = Object.freeze({
  lr: 'positive',
  momentum: 'nonnegative',
  dampening: 'real',
  weight_decay: 'nonnegative',
  nesterov: 'boolean',
  maximize: 'boolean',
  lr_decay: 'nonnegative',
  initial_accumulator_value: 'nonnegative',
  eps: 'nonnegative',
  rho: 'unit',
  alpha: 'nonnegative',
  centered: 'boolean',
  betas: 'betas',
  amsgrad: 'boolean',
  decoupled_weight_decay: 'boolean',
  momentum_decay: 'nonnegative',
});

/** One line of help per keyword. */
export const OPTION_HELP: Readonly<Record<string, string>> = Object.freeze({
  lr: 'learning rate γ',
  momentum: 'momentum factor μ (0 = none)',
  dampening: 'dampening τ of the gradient added to the momentum buffer',
  weight_decay: 'weight decay λ (L2 added to the gradient; decoupled for adamw)',
  nesterov: 'Nesterov momentum (needs momentum > 0 and dampening 0)',
  maximize: 'maximize the objective instead of minimizing it',
  lr_decay: 'learning-rate decay: step t uses lr / (1 + (t − 1)·lr_decay)',
  initial_accumulator_value: 'starting value of the sum of squared gradients',
  eps: 'ε added to the denominator for numerical stability',
  rho: 'decay ρ of the running averages',
  alpha: 'decay α of the running average of squared gradients',
  centered: 'normalize by the estimated variance instead of the mean square',
  betas: 'decays (β₁, β₂) of the first and second moment estimates',
  amsgrad: 'AMSGrad: use the running maximum of the second moment',
  decoupled_weight_decay: 'apply weight_decay as AdamW does (θ ← θ(1 − γλ))',
  momentum_decay: 'momentum decay ψ of NAdam’s schedule μ_t = β₁(1 − ½·0.96^(tψ))',
});

/** A named starting point: an optimizer spec plus whether it means full-batch training. */
export interface OptimizerPreset {
  /** Short name shown in lists and legends. */
  label: string;
  /** The optimizer spec (PyTorch keywords; unspecified ones take torch's defaults). */
  optimizer: OptimizerSpec;
  /** Whether the preset means full-batch training (batchSize "full"), as plain GD does. */
  fullBatch: boolean;
  /** One sentence saying what the method does. */
  description: string;
}

/** The classic methods as presets; GD, Momentum and NAG are all torch's SGD. */
export const OPTIMIZER_PRESETS: Readonly<Record<string, Readonly<OptimizerPreset>>> = deepFreeze({
  gd: {
    label: 'GD',
    optimizer: { name: 'sgd' },
    fullBatch: true,
    description: 'Gradient descent on the full training set: θ ← θ − γ∇L.',
  },
  sgd: {
    label: 'SGD',
    optimizer: { name: 'sgd' },
    fullBatch: false,
    description: 'Stochastic gradient descent on mini-batches.',
  },
  momentum: {
    label: 'Momentum',
    optimizer: { name: 'sgd', momentum: 0.9 },
    fullBatch: false,
    description: 'Heavy-ball momentum: b ← 0.9b + g, θ ← θ − γb.',
  },
  nag: {
    label: 'NAG',
    optimizer: { name: 'sgd', momentum: 0.9, nesterov: true },
    fullBatch: false,
    description: 'Nesterov momentum: b ← 0.9b + g, θ ← θ − γ(g + 0.9b).',
  },
  adagrad: {
    label: 'Adagrad',
    optimizer: { name: 'adagrad' },
    fullBatch: false,
    description: 'Per-coordinate steps divided by the root of the summed squared gradients.',
  },
  adadelta: {
    label: 'Adadelta',
    optimizer: { name: 'adadelta' },
    fullBatch: false,
    description: 'Steps scaled by the ratio of running RMS of updates and of gradients.',
  },
  rmsprop: {
    label: 'RMSprop',
    optimizer: { name: 'rmsprop' },
    fullBatch: false,
    description: 'Steps divided by a running root mean square of the gradients.',
  },
  adam: {
    label: 'Adam',
    optimizer: { name: 'adam' },
    fullBatch: false,
    description: 'Bias-corrected running first and second moments of the gradient.',
  },
  amsgrad: {
    label: 'AMSGrad',
    optimizer: { name: 'adam', amsgrad: true },
    fullBatch: false,
    description: 'Adam dividing by the running maximum of the second moment.',
  },
  adamw: {
    label: 'AdamW',
    optimizer: { name: 'adamw' },
    fullBatch: false,
    description: 'Adam with weight decay decoupled from the gradient.',
  },
  nadam: {
    label: 'NAdam',
    optimizer: { name: 'nadam' },
    fullBatch: false,
    description: 'Adam with Nesterov momentum.',
  },
});

/** Freezes an object and everything below it, so that shared presets cannot be edited by one user of them. */
function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}

/** Whether `name` is an optimizer name a spec may use. */
export function isOptimizerName(name: unknown): name is OptimizerName {
  return typeof name === 'string' && (OPTIMIZER_NAMES as readonly string[]).includes(name);
}
