import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { checkNonNegative, lerp, Optimizer, zerosLike } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';

/** torch.optim.RMSprop keyword arguments. */
export interface RMSpropOptions {
  /** γ, the learning rate. */
  lr: number;
  /** α, the decay of the running average of g² (Hinton's ρ). */
  alpha: number;
  /** ε, added to the root (outside it). */
  eps: number;
  /** λ, the L2 coefficient added to the gradient: g ← g + λθ. */
  weight_decay: number;
  /** μ, momentum on the normalized step (0 turns it off). */
  momentum: number;
  /** Divide by the running standard deviation √(v − ḡ²) instead of the root mean square √v. */
  centered: boolean;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = OPTIMIZER_DEFAULTS.rmsprop;

/**
 * One RMSprop step on one tensor, in place (torch.optim.rmsprop `_single_tensor_rmsprop`):
 *
 *   g ← ±∇ + λθ
 *   v ← αv + (1 − α)g²                               (square_avg)
 *   centered:  ḡ ← lerp(ḡ, g, 1 − α);  d ← √(v − ḡ²) + ε   (grad_avg)
 *   otherwise: d ← √v + ε
 *   μ > 0:     b ← μb + g/d;  θ ← θ − γb              (momentum_buffer, starts at 0)
 *   otherwise: θ ← θ − γ·g/d
 *
 * `gradAvg` is null unless centered, `buf` null unless μ > 0.
 */
export function rmspropUpdate(
  value: FloatArray,
  grad: FloatArray,
  squareAvg: FloatArray,
  gradAvg: FloatArray | null,
  buf: FloatArray | null,
  lr: number,
  alpha: number,
  eps: number,
  weightDecay: number,
  momentum: number,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  const c = 1 - alpha;
  for (let i = 0; i < n; i++) {
    const th = value[i];
    const g = sign * grad[i] + weightDecay * th;
    const v = alpha * squareAvg[i] + c * (g * g);
    squareAvg[i] = v;
    let d: number;
    if (gradAvg !== null) {
      const m = lerp(gradAvg[i], g, c);
      gradAvg[i] = m;
      d = Math.sqrt(v - m * m) + eps;
    } else {
      d = Math.sqrt(v) + eps;
    }
    if (buf !== null) {
      const b = momentum * buf[i] + g / d;
      buf[i] = b;
      value[i] = th - lr * b;
    } else {
      value[i] = th - lr * (g / d);
    }
  }
}

/** torch.optim.RMSprop (Hinton's lecture 6e), optionally centered (Graves 2013) and with momentum. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /** torch's name of the algorithm, as in specs. */
  readonly name = 'rmsprop';
  /** v, the running average of g², one per tensor. */
  #squareAvg: FloatArray[] = [];
  /** ḡ, the running average of g, one per tensor (centered only). */
  #gradAvg: FloatArray[] = [];
  /** b, the momentum buffer, one per tensor (μ > 0 only). */
  #buf: FloatArray[] = [];

  constructor(params: readonly OptParam[], options: Partial<RMSpropOptions> = {}) {
    const o: RMSpropOptions = { ...RMSPROP_DEFAULTS, ...options };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.eps, 'epsilon value');
    checkNonNegative(o.momentum, 'momentum value');
    checkNonNegative(o.weight_decay, 'weight_decay value');
    checkNonNegative(o.alpha, 'alpha value');
    super(params, o);
  }

  protected initState(): void {
    this.#squareAvg = this.params.map((p) => zerosLike(p.value));
    if (this.defaults.centered) this.#gradAvg = this.params.map((p) => zerosLike(p.value));
    if (this.defaults.momentum > 0) this.#buf = this.params.map((p) => zerosLike(p.value));
  }

  protected update(): void {
    const { alpha, eps, weight_decay, momentum, centered, maximize } = this.defaults;
    const lr = this.lr;
    const useBuf = momentum > 0;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const gradAvg = centered ? this.#gradAvg[i] : null;
      const buf = useBuf ? this.#buf[i] : null;
      rmspropUpdate(
        p.value,
        p.grad,
        this.#squareAvg[i],
        gradAvg,
        buf,
        lr,
        alpha,
        eps,
        weight_decay,
        momentum,
        maximize,
      );
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started) return {};
    const s: Record<string, FloatArray | number> = { step: this.stepCount, square_avg: this.#squareAvg[i] };
    if (this.defaults.centered) s.grad_avg = this.#gradAvg[i];
    if (this.defaults.momentum > 0) s.momentum_buffer = this.#buf[i];
    return s;
  }
}
