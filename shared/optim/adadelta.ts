import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { checkNonNegative, Optimizer, zerosLike } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';

/** torch.optim.Adadelta keyword arguments. */
export interface AdadeltaOptions {
  /** γ, a factor on the step (Zeiler's method has none, i.e. 1). */
  lr: number;
  /** ρ, the decay of both running averages. */
  rho: number;
  /** ε, added inside both square roots. */
  eps: number;
  /** λ, the L2 coefficient added to the gradient: g ← g + λθ. */
  weight_decay: number;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = OPTIMIZER_DEFAULTS.adadelta;

/**
 * One Adadelta step on one tensor, in place (torch.optim.adadelta `_single_tensor_adadelta`):
 *
 *   g ← ±∇ + λθ
 *   v ← ρv + (1 − ρ)g²                       (square_avg)
 *   Δ ← √(u + ε) / √(v + ε) · g
 *   u ← ρu + (1 − ρ)Δ²                       (acc_delta, updated after Δ is taken)
 *   θ ← θ − γΔ
 */
export function adadeltaUpdate(
  value: FloatArray,
  grad: FloatArray,
  squareAvg: FloatArray,
  accDelta: FloatArray,
  lr: number,
  rho: number,
  eps: number,
  weightDecay: number,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  const c = 1 - rho;
  for (let i = 0; i < n; i++) {
    const th = value[i];
    const g = sign * grad[i] + weightDecay * th;
    const v = rho * squareAvg[i] + c * (g * g);
    squareAvg[i] = v;
    const u = accDelta[i];
    const delta = (Math.sqrt(u + eps) / Math.sqrt(v + eps)) * g;
    accDelta[i] = rho * u + c * (delta * delta);
    value[i] = th - lr * delta;
  }
}

/** torch.optim.Adadelta (Zeiler 2012): steps scaled by the ratio of running RMS of updates and of gradients. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /** torch's name of the algorithm, as in specs. */
  readonly name = 'adadelta';
  /** v, the running average of g², one per tensor. */
  #squareAvg: FloatArray[] = [];
  /** u, the running average of Δ², one per tensor. */
  #accDelta: FloatArray[] = [];

  constructor(params: readonly OptParam[], options: Partial<AdadeltaOptions> = {}) {
    const o: AdadeltaOptions = { ...ADADELTA_DEFAULTS, ...options };
    checkNonNegative(o.lr, 'learning rate');
    if (!(o.rho >= 0 && o.rho <= 1)) throw new RangeError(`Invalid rho value: ${o.rho}`);
    checkNonNegative(o.eps, 'epsilon value');
    checkNonNegative(o.weight_decay, 'weight_decay value');
    super(params, o);
  }

  protected initState(): void {
    this.#squareAvg = this.params.map((p) => zerosLike(p.value));
    this.#accDelta = this.params.map((p) => zerosLike(p.value));
  }

  protected update(): void {
    const { rho, eps, weight_decay, maximize } = this.defaults;
    const lr = this.lr;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      adadeltaUpdate(p.value, p.grad, this.#squareAvg[i], this.#accDelta[i], lr, rho, eps, weight_decay, maximize);
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started) return {};
    return { step: this.stepCount, square_avg: this.#squareAvg[i], acc_delta: this.#accDelta[i] };
  }
}
