import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { checkNonNegative, fullLike, Optimizer } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';

/** torch.optim.Adagrad keyword arguments. */
export interface AdagradOptions {
  /** γ, the learning rate. */
  lr: number;
  /** η, the learning-rate decay: step t uses γ / (1 + (t − 1)·η). */
  lr_decay: number;
  /** λ, the L2 coefficient added to the gradient: g ← g + λθ. */
  weight_decay: number;
  /** s₀, the starting value of the sum of squared gradients. */
  initial_accumulator_value: number;
  /** ε, added to √s in the denominator. */
  eps: number;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = OPTIMIZER_DEFAULTS.adagrad;

/**
 * One Adagrad step on one tensor, in place (torch.optim.adagrad `_single_tensor_adagrad`),
 * with clr = γ / (1 + (t − 1)·η) computed by the caller:
 *
 *   g ← ±∇ + λθ
 *   s ← s + g²
 *   θ ← θ − clr · g / (√s + ε)
 */
export function adagradUpdate(
  value: FloatArray,
  grad: FloatArray,
  sum: FloatArray,
  clr: number,
  eps: number,
  weightDecay: number,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const th = value[i];
    const g = sign * grad[i] + weightDecay * th;
    const s = sum[i] + g * g;
    sum[i] = s;
    value[i] = th - clr * (g / (Math.sqrt(s) + eps));
  }
}

/** torch.optim.Adagrad (Duchi et al. 2011): per-coordinate steps shrinking with the summed squared gradients. */
export class Adagrad extends Optimizer<AdagradOptions> {
  /** torch's name of the algorithm, as in specs. */
  readonly name = 'adagrad';
  /** s, the running sum of squared gradients, one per tensor. */
  #sum: FloatArray[] = [];

  constructor(params: readonly OptParam[], options: Partial<AdagradOptions> = {}) {
    const o: AdagradOptions = { ...ADAGRAD_DEFAULTS, ...options };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.lr_decay, 'lr_decay value');
    checkNonNegative(o.weight_decay, 'weight_decay value');
    checkNonNegative(o.initial_accumulator_value, 'initial_accumulator_value value');
    checkNonNegative(o.eps, 'epsilon value');
    super(params, o);
  }

  protected initState(): void {
    const s0 = this.defaults.initial_accumulator_value;
    this.#sum = this.params.map((p) => fullLike(p.value, s0));
  }

  protected update(t: number): void {
    const { lr_decay, eps, weight_decay, maximize } = this.defaults;
    const clr = this.lr / (1 + (t - 1) * lr_decay);
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      adagradUpdate(p.value, p.grad, this.#sum[i], clr, eps, weight_decay, maximize);
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started) return {};
    return { step: this.stepCount, sum: this.#sum[i] };
  }
}
