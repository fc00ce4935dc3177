import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { checkNonNegative, Optimizer, zerosLike } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';

/** torch.optim.SGD keyword arguments. */
export interface SGDOptions {
  /** γ, the learning rate. */
  lr: number;
  /** μ, the momentum factor (0 turns momentum off). */
  momentum: number;
  /** τ, the dampening of the gradient added to the momentum buffer (ignored on the first step). */
  dampening: number;
  /** λ, the L2 coefficient added to the gradient: g ← g + λθ. */
  weight_decay: number;
  /** Nesterov momentum: step along g + μ·b instead of b. */
  nesterov: boolean;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const SGD_DEFAULTS: Readonly<SGDOptions> = OPTIMIZER_DEFAULTS.sgd;

/**
 * One SGD step on one tensor, in place (torch.optim.sgd `_single_tensor_sgd`):
 *
 *   g ← ±∇ + λθ
 *   if μ ≠ 0:  b ← g                      on the first step (a clone of g; no dampening)
 *              b ← μ·b + (1 − τ)·g        afterwards
 *              g ← g + μ·b  (nesterov)    or   g ← b
 *   θ ← θ − γ·g
 *
 * This is torch's convention (γ multiplies the whole buffer), not Sutskever et al.'s
 * v ← μv + γg; the two agree for a constant γ and differ when a schedule changes γ.
 * `buf` is null when μ = 0.
 */
export function sgdUpdate(
  value: FloatArray,
  grad: FloatArray,
  buf: FloatArray | null,
  first: boolean,
  lr: number,
  momentum: number,
  dampening: number,
  weightDecay: number,
  nesterov: boolean,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  if (buf === null) {
    for (let i = 0; i < n; i++) {
      const th = value[i];
      const g = sign * grad[i] + weightDecay * th;
      value[i] = th - lr * g;
    }
    return;
  }
  const c = 1 - dampening;
  for (let i = 0; i < n; i++) {
    const th = value[i];
    const g = sign * grad[i] + weightDecay * th;
    const b = first ? g : momentum * buf[i] + c * g;
    buf[i] = b;
    value[i] = th - lr * (nesterov ? g + momentum * b : b);
  }
}

/** torch.optim.SGD: plain gradient descent, heavy-ball momentum, or Nesterov momentum. */
export class SGD extends Optimizer<SGDOptions> {
  /** torch's name of the algorithm, as in specs. */
  readonly name = 'sgd';
  /** Momentum buffers b, one per tensor (empty when μ = 0 or before the first step). */
  #buf: FloatArray[] = [];

  constructor(params: readonly OptParam[], options: Partial<SGDOptions> = {}) {
    const o: SGDOptions = { ...SGD_DEFAULTS, ...options };
    checkNonNegative(o.lr, 'learning rate');
    checkNonNegative(o.momentum, 'momentum value');
    checkNonNegative(o.weight_decay, 'weight_decay value');
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, o);
  }

  protected initState(): void {
    if (this.defaults.momentum !== 0) this.#buf = this.params.map((p) => zerosLike(p.value));
  }

  protected update(t: number): void {
    const { momentum, dampening, weight_decay, nesterov, maximize } = this.defaults;
    const lr = this.lr;
    const useBuf = momentum !== 0;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      sgdUpdate(
        p.value,
        p.grad,
        useBuf ? this.#buf[i] : null,
        t === 1,
        lr,
        momentum,
        dampening,
        weight_decay,
        nesterov,
        maximize,
      );
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started || this.#buf.length === 0) return {};
    return { momentum_buffer: this.#buf[i] };
  }
}
