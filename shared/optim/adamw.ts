import { Adam, ADAM_DEFAULTS } from './adam.ts';
import type { OptParam } from './optimizer.ts';

/** torch.optim.AdamW keyword arguments (Adam's, with the decay always decoupled). */
export interface AdamWOptions {
  /** γ, the learning rate. */
  lr: number;
  /** (β₁, β₂), the decays of the first and second moment estimates. */
  betas: readonly [number, number];
  /** ε, added to the bias-corrected root √v̂ (outside it). */
  eps: number;
  /** λ, the decoupled decay: θ ← θ(1 − γλ) before the Adam step, never added to the gradient. */
  weight_decay: number;
  /** AMSGrad: divide by the running maximum of v instead of v. */
  amsgrad: boolean;
  /** Ascend instead of descend (g ← −∇). */
  maximize: boolean;
}

/** torch's defaults (weight_decay 1e-2, unlike Adam's 0). */
export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = Object.freeze({
  lr: ADAM_DEFAULTS.lr,
  betas: ADAM_DEFAULTS.betas,
  eps: ADAM_DEFAULTS.eps,
  weight_decay: 1e-2,
  amsgrad: false,
  maximize: false,
});

/**
 * torch.optim.AdamW (Loshchilov & Hutter 2019). Per step t, in place:
 *
 *   θ ← θ(1 − γλ)                       (first, with the current γ)
 *   then Adam's step with λ = 0:  m ← lerp(m, g, 1 − β₁),  v ← β₂v + (1 − β₂)g²,
 *   θ ← θ − γ/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)
 *
 * As in PyTorch ≥ 2.7 it is Adam with `decoupled_weight_decay` on; the update is `adamUpdate`.
 */
export class AdamW extends Adam {
  /** torch's name of the algorithm, as in specs. */
  override readonly name: string = 'adamw';

  constructor(params: readonly OptParam[], options: Partial<AdamWOptions> = {}) {
    super(params, { ...ADAMW_DEFAULTS, ...options, decoupled_weight_decay: true });
  }
}
