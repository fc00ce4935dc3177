import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { checkAdamOptions } from './adam.ts';
import { checkNonNegative, lerp, Optimizer, zerosLike } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';
import { pow } from '../math/index.ts';

/** torch.optim.NAdam keyword arguments. */
export interface NAdamOptions {
  /** γ, the learning rate. */
  lr: number;
  /** (β₁, β₂), the decays of the first and second moment estimates. */
  betas: readonly [number, number];
  /** ε, added to the bias-corrected root √v̂ (outside it). */
  eps: number;
  /** λ: L2 added to the gradient (g ← g + λθ), or θ ← θ(1 − γλ) when `decoupled_weight_decay`. */
  weight_decay: number;
  /** ψ, the momentum decay in μ_t = β₁(1 − ½·0.96^(tψ)). */
  momentum_decay: number;
  /** Apply `weight_decay` as AdamW does (NAdamW; PyTorch ≥ 2.1 keyword). */
  decoupled_weight_decay: boolean;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const NADAM_DEFAULTS: Readonly<NAdamOptions> = OPTIMIZER_DEFAULTS.nadam;

/** μ_t = β₁(1 − ½·0.96^(tψ)), Dozat's momentum schedule as torch writes it. */
export function nadamMu(beta1: number, momentumDecay: number, t: number): number {
  return beta1 * (1 - 0.5 * pow(0.96, t * momentumDecay));
}

/**
 * One NAdam step on one tensor at step t ≥ 1, in place (torch.optim.nadam `_single_tensor_nadam`).
 * The caller keeps the scalar state P_t = μ₁·…·μ_t (mu_product, already multiplied by μ_t):
 *
 *   g ← ±∇;  decoupled: θ ← θ(1 − γλ)   otherwise: g ← g + λθ
 *   m ← lerp(m, g, 1 − β₁);  v ← β₂v + (1 − β₂)g²
 *   d ← √(v / (1 − β₂ᵗ)) + ε
 *   θ ← θ − γ(1 − μ_t)/(1 − P_t) · g/d − γμ_{t+1}/(1 − P_t·μ_{t+1}) · m/d
 */
export function nadamUpdate(
  value: FloatArray,
  grad: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  t: number,
  muProduct: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  momentumDecay: number,
  decoupled: boolean,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const w1 = 1 - beta1;
  const c2 = 1 - beta2;
  const bc2 = 1 - pow(beta2, t);
  const mu = nadamMu(beta1, momentumDecay, t);
  const muNext = nadamMu(beta1, momentumDecay, t + 1);
  const cg = (-lr * (1 - mu)) / (1 - muProduct);
  const cm = (-lr * muNext) / (1 - muProduct * muNext);
  for (let i = 0; i < n; i++) {
    const th = shrink * value[i];
    const g = sign * grad[i] + l2 * th;
    const m = lerp(expAvg[i], g, w1);
    expAvg[i] = m;
    const v = beta2 * expAvgSq[i] + c2 * (g * g);
    expAvgSq[i] = v;
    const d = Math.sqrt(v / bc2) + eps;
    value[i] = th + cg * (g / d) + cm * (m / d);
  }
}

/** torch.optim.NAdam (Dozat 2016): Adam with Nesterov momentum and a warming momentum schedule. */
export class NAdam extends Optimizer<NAdamOptions> {
  /** torch's name of the algorithm, as in specs. */
  readonly name = 'nadam';
  /** m, the first moment estimate, one per tensor. */
  #expAvg: FloatArray[] = [];
  /** v, the second moment estimate, one per tensor. */
  #expAvgSq: FloatArray[] = [];
  /**
   * P_t = Π_{i≤t} μ_i, torch's `mu_product` (one scalar; every tensor has the same). Torch keeps it
   * in a default-dtype scalar tensor, so it is rounded to float32 when the params are float32.
   */
  #muProduct = 1;

  constructor(params: readonly OptParam[], options: Partial<NAdamOptions> = {}) {
    const o: NAdamOptions = { ...NADAM_DEFAULTS, ...options };
    checkAdamOptions(o);
    checkNonNegative(o.momentum_decay, 'momentum_decay value');
    super(params, o);
  }

  protected initState(): void {
    this.#expAvg = this.params.map((p) => zerosLike(p.value));
    this.#expAvgSq = this.params.map((p) => zerosLike(p.value));
    this.#muProduct = 1;
  }

  protected update(t: number): void {
    const { betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize } = this.defaults;
    const lr = this.lr;
    const mu = nadamMu(betas[0], momentum_decay, t);
    // float32 × float32 is exact in a double, so one fround gives torch's float32 product.
    this.#muProduct =
      this.params[0].value instanceof Float32Array
        ? Math.fround(this.#muProduct * Math.fround(mu))
        : this.#muProduct * mu;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      nadamUpdate(
        p.value,
        p.grad,
        this.#expAvg[i],
        this.#expAvgSq[i],
        t,
        this.#muProduct,
        lr,
        betas[0],
        betas[1],
        eps,
        weight_decay,
        momentum_decay,
        decoupled_weight_decay,
        maximize,
      );
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started) return {};
    return {
      step: this.stepCount,
      mu_product: this.#muProduct,
      exp_avg: this.#expAvg[i],
      exp_avg_sq: this.#expAvgSq[i],
    };
  }
}
