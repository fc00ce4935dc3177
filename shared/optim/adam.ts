import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { kernels } from '../linalg/gemm.ts';
import { checkBetas, checkNonNegative, kernelZerosLike, lerp, Optimizer } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';
import { pow } from '../math/index.ts';

/** torch.optim.Adam keyword arguments. */
export interface AdamOptions {
  /** γ, the learning rate. */
  lr: number;
  /** (β₁, β₂), the decays of the first and second moment estimates. */
  betas: readonly [number, number];
  /** ε, added to the bias-corrected root √v̂ (outside it). */
  eps: number;
  /** λ: L2 added to the gradient (g ← g + λθ), or decoupled decay θ ← θ(1 − γλ) when `decoupled_weight_decay`. */
  weight_decay: number;
  /** AMSGrad (Reddi et al. 2018): divide by the running maximum of v instead of v. */
  amsgrad: boolean;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
  /** Apply `weight_decay` as AdamW does (PyTorch ≥ 2.7 keyword; AdamW is Adam with this on). */
  decoupled_weight_decay: boolean;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = OPTIMIZER_DEFAULTS.adam;

/**
 * One Adam step on one tensor at step t ≥ 1, in place (torch.optim.adam `_single_tensor_adam`,
 * not capturable):
 *
 *   g ← ±∇;  decoupled: θ ← θ(1 − γλ)   otherwise: g ← g + λθ
 *   m ← lerp(m, g, 1 − β₁)              (exp_avg)
 *   v ← β₂v + (1 − β₂)g²                (exp_avg_sq)
 *   amsgrad: v_max ← max(v_max, v), and v_max replaces v below
 *   d ← √v / √(1 − β₂ᵗ) + ε
 *   θ ← θ − γ/(1 − β₁ᵗ) · m/d
 *
 * (the same as the paper's m̂/(√v̂ + ε), written with the bias corrections where torch puts them).
 * `maxExpAvgSq` is null unless amsgrad.
 */
export function adamUpdate(
  value: FloatArray,
  grad: FloatArray,
  expAvg: FloatArray,
  expAvgSq: FloatArray,
  maxExpAvgSq: FloatArray | null,
  t: number,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  decoupled: boolean,
  maximize: boolean,
): void {
  const n = value.length;
  const sign = maximize ? -1 : 1;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const w1 = 1 - beta1;
  const c2 = 1 - beta2;
  const stepSize = lr / (1 - pow(beta1, t));
  const bc2Sqrt = Math.sqrt(1 - pow(beta2, t));
  for (let i = 0; i < n; i++) {
    const th = shrink * value[i];
    const g = sign * grad[i] + l2 * th;
    const m = lerp(expAvg[i], g, w1);
    expAvg[i] = m;
    let v = beta2 * expAvgSq[i] + c2 * (g * g);
    expAvgSq[i] = v;
    if (maxExpAvgSq !== null) {
      v = Math.max(maxExpAvgSq[i], v);
      maxExpAvgSq[i] = v;
    }
    const d = Math.sqrt(v) / bc2Sqrt + eps;
    value[i] = th - stepSize * (m / d);
  }
}

/** torch.optim.Adam (Kingma & Ba 2015), with AMSGrad as an option. */
export class Adam extends Optimizer<AdamOptions> {
  /** torch's name of the algorithm, as in specs (AdamW overrides it). */
  readonly name: string = 'adam';
  /** m, the first moment estimate, one per tensor. */
  #expAvg: FloatArray[] = [];
  /** v, the second moment estimate, one per tensor. */
  #expAvgSq: FloatArray[] = [];
  /** v_max, the running maximum of v, one per tensor (amsgrad only). */
  #maxExpAvgSq: FloatArray[] = [];

  constructor(params: readonly OptParam[], options: Partial<AdamOptions> = {}) {
    const o: AdamOptions = { ...ADAM_DEFAULTS, ...options };
    checkAdamOptions(o);
    super(params, o);
  }

  protected initState(): void {
    this.#expAvg = this.params.map((p) => kernelZerosLike(p.value));
    this.#expAvgSq = this.params.map((p) => kernelZerosLike(p.value));
    if (this.defaults.amsgrad) this.#maxExpAvgSq = this.params.map((p) => kernelZerosLike(p.value));
  }

  protected update(t: number): void {
    const { betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay } = this.defaults;
    const lr = this.lr;
    // The kernel gives adamUpdate's bits for float32 tensors; its square roots and divisions
    // run two at a time, which is most of the step's time outside the products on a wide layer.
    const fast = kernels().adamF32;
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      const m = this.#expAvg[i];
      const v = this.#expAvgSq[i];
      const vmax = amsgrad ? this.#maxExpAvgSq[i] : null;
      if (
        fast &&
        p.value instanceof Float32Array &&
        p.grad instanceof Float32Array &&
        m instanceof Float32Array &&
        v instanceof Float32Array &&
        (vmax === null || vmax instanceof Float32Array)
      ) {
        fast(
          p.value,
          p.grad,
          m,
          v,
          vmax,
          t,
          lr,
          betas[0],
          betas[1],
          eps,
          weight_decay,
          decoupled_weight_decay,
          maximize,
        );
      } else {
        adamUpdate(
          p.value,
          p.grad,
          m,
          v,
          vmax,
          t,
          lr,
          betas[0],
          betas[1],
          eps,
          weight_decay,
          decoupled_weight_decay,
          maximize,
        );
      }
    }
  }

  stateOf(i: number): Readonly<Record<string, FloatArray | number>> {
    if (!this.started) return {};
    const s: Record<string, FloatArray | number> = {
      step: this.stepCount,
      exp_avg: this.#expAvg[i],
      exp_avg_sq: this.#expAvgSq[i],
    };
    if (this.defaults.amsgrad) s.max_exp_avg_sq = this.#maxExpAvgSq[i];
    return s;
  }
}

/** The argument checks torch's Adam, AdamW and NAdam constructors share, in their order and with their messages. */
export function checkAdamOptions(o: {
  lr: number;
  eps: number;
  betas: readonly [number, number];
  weight_decay: number;
}): void {
  checkNonNegative(o.lr, 'learning rate');
  checkNonNegative(o.eps, 'epsilon value');
  checkBetas(o.betas);
  checkNonNegative(o.weight_decay, 'weight_decay value');
}
