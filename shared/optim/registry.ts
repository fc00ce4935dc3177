/**
 * What the lab knows about each optimizer by name: its PyTorch keyword arguments with their
 * defaults (for help text and forms), what each keyword accepts (for spec validation), and the
 * named presets of the classic lectures (GD, Momentum, NAG, …).
 */
import type { OptimizerSpec } from '../schema/types.ts';
import {
  OPTIMIZER_DEFAULTS as SPEC_DEFAULTS,
  OPTIMIZER_NAMES as SPEC_NAMES,
  OPTION_HELP,
  OPTION_KINDS,
  type OptimizerName,
  type OptionKind,
} from '../schema/optimizers.ts';

export { OPTION_HELP, OPTION_KINDS };
export type { OptimizerName, OptionKind };

/** Every optimizer name a spec may use, in the order help text lists them (the schema's list). */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = SPEC_NAMES;

/** A hyperparameter value as it appears in a spec (betas as a two-number array). */
export type OptionValue = number | boolean | readonly [number, number];

/** Each optimizer's keyword arguments and PyTorch's defaults, in torch's signature order (the schema's table). */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Readonly<Record<string, OptionValue>>>> = SPEC_DEFAULTS;

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
