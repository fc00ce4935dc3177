/**
 * The optimizers by name: `createOptimizer({ name: 'adam', lr: 1e-3 }, params)` builds the
 * torch.optim-equivalent class from a spec with PyTorch's keyword names, after checking the
 * whole spec (`validateOptimizerSpec`) so that a bad spec fails with every problem listed.
 */
import type { OptimizerSpec } from '../schema/types.ts';
import { Adadelta } from './adadelta.ts';
import { Adagrad } from './adagrad.ts';
import { Adam } from './adam.ts';
import { AdamW } from './adamw.ts';
import { NAdam } from './nadam.ts';
import type { OptParam, Optimizer } from './optimizer.ts';
import { RMSprop } from './rmsprop.ts';
import { SGD } from './sgd.ts';
import { validateOptimizerSpec } from './validate.ts';

export { Optimizer, zerosLike, fullLike, lerp } from './optimizer.ts';
export type { FloatArray, OptParam, BaseOptions } from './optimizer.ts';
export { SGD, SGD_DEFAULTS, sgdUpdate } from './sgd.ts';
export type { SGDOptions } from './sgd.ts';
export { Adagrad, ADAGRAD_DEFAULTS, adagradUpdate } from './adagrad.ts';
export type { AdagradOptions } from './adagrad.ts';
export { Adadelta, ADADELTA_DEFAULTS, adadeltaUpdate } from './adadelta.ts';
export type { AdadeltaOptions } from './adadelta.ts';
export { RMSprop, RMSPROP_DEFAULTS, rmspropUpdate } from './rmsprop.ts';
export type { RMSpropOptions } from './rmsprop.ts';
export { Adam, ADAM_DEFAULTS, adamUpdate } from './adam.ts';
export type { AdamOptions } from './adam.ts';
export { AdamW, ADAMW_DEFAULTS } from './adamw.ts';
export type { AdamWOptions } from './adamw.ts';
export { NAdam, NADAM_DEFAULTS, nadamUpdate, nadamMu } from './nadam.ts';
export type { NAdamOptions } from './nadam.ts';
export {
  OPTIMIZER_NAMES,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_PRESETS,
  OPTION_KINDS,
  OPTION_HELP,
  isOptimizerName,
} from './registry.ts';
export type { OptimizerName, OptionKind, OptionValue, OptimizerPreset } from './registry.ts';
export { validateOptimizerSpec } from './validate.ts';

/** Thrown for a spec that fails validation; `problems` lists every problem with its JSON path. */
export class OptimizerSpecError extends Error {
  /** The problems, one `<path>: <problem>` each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid optimizer spec:\n  ${problems.join('\n  ')}`);
    this.name = 'OptimizerSpecError';
    this.problems = problems;
  }
}

/**
 * The optimizer a spec names, over `params`; unspecified keywords take PyTorch's defaults.
 * Throws `OptimizerSpecError` listing every problem when the spec is invalid.
 */
export function createOptimizer(spec: OptimizerSpec, params: readonly OptParam[], path = 'optimizer'): Optimizer {
  const problems = validateOptimizerSpec(spec, path);
  if (problems.length > 0) throw new OptimizerSpecError(problems);
  const { name, ...rest } = spec;
  const o: Record<string, unknown> = { ...rest };
  if (Array.isArray(o.betas)) o.betas = [o.betas[0], o.betas[1]] as const;
  switch (name) {
    case 'sgd':
      return new SGD(params, o);
    case 'adagrad':
      return new Adagrad(params, o);
    case 'adadelta':
      return new Adadelta(params, o);
    case 'rmsprop':
      return new RMSprop(params, o);
    case 'adam':
      return new Adam(params, o);
    case 'adamw':
      return new AdamW(params, o);
    case 'nadam':
      return new NAdam(params, o);
  }
}
