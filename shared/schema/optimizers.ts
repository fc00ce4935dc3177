/**
 * The optimizer section of the spec schema: every optimizer by name with its PyTorch keyword
 * arguments, their defaults (torch's, in its signature order), what each accepts and a line
 * of help. This is the one place those facts live; the optimizers (shared/optim) take their
 * defaults from here, and validation and forms read the same table.
 */
import { Type, type TSchema } from 'typebox';

export const OPTIMIZER_NAMES = ['sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'nadam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

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

const betas = (b1: number, b2: number) => Object.freeze([b1, b2] as [number, number]);

/** torch.optim's defaults by optimizer, in each constructor's keyword order (lr = 1e-3 for SGD since PyTorch 2.2). */
export const OPTIMIZER_DEFAULTS = Object.freeze({
  sgd: Object.freeze({ lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false }),
  adagrad: Object.freeze({
    lr: 1e-2,
    lr_decay: 0,
    weight_decay: 0,
    initial_accumulator_value: 0,
    eps: 1e-10,
    maximize: false,
  }),
  adadelta: Object.freeze({ lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false }),
  rmsprop: Object.freeze({
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weight_decay: 0,
    momentum: 0,
    centered: false,
    maximize: false,
  }),
  adam: Object.freeze({
    lr: 1e-3,
    betas: betas(0.9, 0.999),
    eps: 1e-8,
    weight_decay: 0,
    amsgrad: false,
    maximize: false,
    decoupled_weight_decay: false,
  }),
  adamw: Object.freeze({
    lr: 1e-3,
    betas: betas(0.9, 0.999),
    eps: 1e-8,
    weight_decay: 1e-2,
    amsgrad: false,
    maximize: false,
  }),
  nadam: Object.freeze({
    lr: 2e-3,
    betas: betas(0.9, 0.999),
    eps: 1e-8,
    weight_decay: 0,
    momentum_decay: 4e-3,
    decoupled_weight_decay: false,
    maximize: false,
  }),
});

const TITLES: Record<OptimizerName, string> = {
  sgd: 'SGD (with momentum and Nesterov: GD, Momentum, NAG)',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  rmsprop: 'RMSprop',
  adam: 'Adam (AMSGrad with amsgrad)',
  adamw: 'AdamW',
  nadam: 'NAdam',
};

/** The schema of one keyword of one optimizer, with that optimizer's default. */
function keyword(key: string, def: unknown): TSchema {
  const o = { title: key, description: OPTION_HELP[key], default: def };
  switch (OPTION_KINDS[key]) {
    case 'boolean':
      return Type.Boolean(o);
    case 'betas':
      return Type.Tuple(
        [Type.Number({ minimum: 0, exclusiveMaximum: 1 }), Type.Number({ minimum: 0, exclusiveMaximum: 1 })],
        o,
      );
    case 'positive':
      return Type.Number({ ...o, exclusiveMinimum: 0 });
    case 'nonnegative':
      return Type.Number({ ...o, minimum: 0 });
    case 'unit':
      return Type.Number({ ...o, minimum: 0, maximum: 1 });
    default:
      return Type.Number(o);
  }
}

function optimizer<N extends OptimizerName>(name: N) {
  const props: Record<string, TSchema> = {};
  for (const [k, v] of Object.entries(OPTIMIZER_DEFAULTS[name])) props[k] = Type.Optional(keyword(k, v));
  return Type.Object(
    { name: Type.Literal(name, { title: 'optimizer', description: 'the torch.optim class', default: name }), ...props },
    { title: TITLES[name], additionalProperties: false },
  );
}

/**
 * An optimizer spec: `name` and any of that optimizer's PyTorch keywords. The TypeScript type
 * is deliberately loose (every keyword optional and typed by kind) so that code can read any
 * keyword of any optimizer; the validator holds each name to its own keywords.
 */
export const OptimizerSchema = Type.Union(
  OPTIMIZER_NAMES.map((n) => optimizer(n)),
  {
    title: 'Optimizer',
    description: "torch.optim with PyTorch's keyword names and defaults",
    default: { name: 'adam', lr: 0.001 },
    'x-code': true,
  },
);

/** An optimizer spec as code reads it. */
export interface OptimizerSpec {
  name: OptimizerName;
  lr?: number;
  momentum?: number;
  dampening?: number;
  weight_decay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  lr_decay?: number;
  initial_accumulator_value?: number;
  eps?: number;
  rho?: number;
  alpha?: number;
  centered?: boolean;
  betas?: readonly [number, number];
  amsgrad?: boolean;
  decoupled_weight_decay?: boolean;
  momentum_decay?: number;
}
