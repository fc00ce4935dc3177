/**
 * What the Optimizer Paths screen shows, as a plain value: the function, the start, the
 * steps, which optimizers, their learning rates and the shared momentum and β's; how it sits
 * in the URL; and the torch.optim spec of each path.
 */
import { FUNCTION_2D_NAMES, getFunction2D, type Function2DName, type Point2 } from '../../../../shared/functions2d.ts';
import type { OptimizerSpec } from '../../../../shared/schema/types.ts';
import { decode, encode, type Values } from '../../lib/params.ts';

/** The methods drawn, in legend order (GD, Momentum and NAG are torch's SGD). */
export const PATH_OPTIMIZERS = [
  'gd',
  'momentum',
  'nag',
  'adagrad',
  'adadelta',
  'rmsprop',
  'adam',
  'adamw',
  'nadam',
] as const;
export type PathOptimizer = (typeof PATH_OPTIMIZERS)[number];

export const PATH_LABELS: Readonly<Record<PathOptimizer, string>> = Object.freeze({
  gd: 'GD',
  momentum: 'Momentum',
  nag: 'NAG',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  rmsprop: 'RMSprop',
  adam: 'Adam',
  adamw: 'AdamW',
  nadam: 'NAdam',
});

/**
 * Starting learning rates per function: each method makes visible progress in 500 steps
 * without diverging (chosen from a sweep of 1e-4…5 with the `optlab trace` code), so that the
 * first picture shows the methods' characters rather than one method's bad setting.
 */
export const DEFAULT_LR: Readonly<Record<Function2DName, Readonly<Record<PathOptimizer, number>>>> = Object.freeze({
  rosenbrock: {
    gd: 1e-3,
    momentum: 1e-3,
    nag: 1e-3,
    adagrad: 1,
    adadelta: 1,
    rmsprop: 1e-2,
    adam: 0.1,
    adamw: 0.1,
    nadam: 0.05,
  },
  beale: {
    gd: 1e-2,
    momentum: 1e-3,
    nag: 1e-3,
    adagrad: 0.5,
    adadelta: 1,
    rmsprop: 1e-2,
    adam: 0.05,
    adamw: 0.05,
    nadam: 0.05,
  },
  quadratic: {
    gd: 0.02,
    momentum: 5e-3,
    nag: 5e-3,
    adagrad: 0.5,
    adadelta: 1,
    rmsprop: 0.05,
    adam: 0.1,
    adamw: 0.1,
    nadam: 0.1,
  },
  saddle: {
    gd: 1e-2,
    momentum: 1e-3,
    nag: 1e-3,
    adagrad: 0.05,
    adadelta: 1,
    rmsprop: 1e-2,
    adam: 1e-2,
    adamw: 1e-2,
    nadam: 1e-2,
  },
  himmelblau: {
    gd: 1e-3,
    momentum: 2e-4,
    nag: 2e-4,
    adagrad: 0.2,
    adadelta: 1,
    rmsprop: 1e-2,
    adam: 0.05,
    adamw: 0.05,
    nadam: 0.05,
  },
});

/** URL key of an optimizer's learning rate. */
export const lrKey = (k: PathOptimizer) => `lr.${k}` as const;

const LR_FIELDS = Object.fromEntries(
  PATH_OPTIMIZERS.map((k) => [lrKey(k), { kind: 'number', default: null, gt: 0, max: 100 } as const]),
) as Record<`lr.${PathOptimizer}`, { kind: 'number'; default: null; gt: number; max: number }>;

export const PATHS_PARAMS = {
  fn: { kind: 'enum', default: 'rosenbrock', values: FUNCTION_2D_NAMES },
  /** Start; null: the function's suggested start. */
  x: { kind: 'number', default: null, min: -1e6, max: 1e6 },
  y: { kind: 'number', default: null, min: -1e6, max: 1e6 },
  steps: { kind: 'number', default: 500, min: 1, max: 5000, integer: true },
  /** The scrubbed step; null: the last. */
  t: { kind: 'number', default: null, min: 0, max: 5000, integer: true },
  show: { kind: 'subset', default: PATH_OPTIMIZERS, values: PATH_OPTIMIZERS },
  /** momentum μ of Momentum and NAG. */
  mom: { kind: 'number', default: 0.9, min: 0, max: 0.999 },
  /** β₁ and β₂ of Adam, AdamW and NAdam. */
  b1: { kind: 'number', default: 0.9, min: 0, max: 0.999 },
  b2: { kind: 'number', default: 0.999, min: 0, max: 0.99999 },
  ...LR_FIELDS,
} as const;

export type PathsParams = Values<typeof PATHS_PARAMS>;

export function paramsFromQuery(q: URLSearchParams): { params: PathsParams; problems: string[] } {
  const { values, problems } = decode(PATHS_PARAMS, q);
  return { params: values, problems };
}

export function paramsToQuery(p: PathsParams): URLSearchParams {
  return encode(PATHS_PARAMS, p);
}

/** The start point (the function's own unless the params set one). */
export function startOf(p: PathsParams): Point2 {
  const f = getFunction2D(p.fn);
  return [p.x ?? f.start[0], p.y ?? f.start[1]];
}

/** An optimizer's learning rate (the function's default unless the params set one). */
export function lrOf(p: PathsParams, k: PathOptimizer): number {
  return p[lrKey(k)] ?? DEFAULT_LR[p.fn as Function2DName][k];
}

/** The torch.optim spec of a path. */
export function pathSpec(p: PathsParams, k: PathOptimizer): OptimizerSpec {
  const lr = lrOf(p, k);
  const betas: [number, number] = [p.b1, p.b2];
  switch (k) {
    case 'gd':
      return { name: 'sgd', lr };
    case 'momentum':
      return { name: 'sgd', lr, momentum: p.mom };
    case 'nag':
      // torch refuses Nesterov without momentum; at μ = 0 NAG is GD.
      return p.mom > 0 ? { name: 'sgd', lr, momentum: p.mom, nesterov: true } : { name: 'sgd', lr };
    case 'adagrad':
      return { name: 'adagrad', lr };
    case 'adadelta':
      return { name: 'adadelta', lr };
    case 'rmsprop':
      return { name: 'rmsprop', lr };
    case 'adam':
      return { name: 'adam', lr, betas };
    case 'adamw':
      return { name: 'adamw', lr, betas };
    case 'nadam':
      return { name: 'nadam', lr, betas };
  }
}
