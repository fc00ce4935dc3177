import { OPTIMIZER_DEFAULTS } from '../schema/optimizers.ts';
import { Adam, type AdamOptions } from './adam.ts';
import type { OptParam } from './optimizer.ts';

/** torch.optim.AdamW keyword arguments (Adam's, with the decay always decoupled). */
export interface AdamWOptions extends Omit<AdamOptions, 'decoupled_weight_decay'> {
  /** λ, the decoupled decay: θ ← θ(1 − γλ) before the Adam step, never added to the gradient. */
  weight_decay: number;
}

/** torch's defaults (the spec schema's table, shared/schema/optimizers.ts). */
export const ADAMW_DEFAULTS: Readonly<AdamWOptions> = OPTIMIZER_DEFAULTS.adamw;

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
