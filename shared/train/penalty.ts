import type { Param } from '../nn/param.ts';
import type { RegularizationSpec } from '../schema/types.ts';

/**
 * Weight penalties, reported apart from the data loss:
 *   P(θ) = l1·Σ|θ| + (l2/2)·Σθ² + α·(r·Σ|θ| + (1−r)/2·Σθ²)     (elastic net as scikit-learn writes it)
 * over the weights only (params with `penalize`), never biases or batch-norm affine terms.
 * The l2/2 convention makes ∂P/∂θ = l2·θ, so `l2` equals PyTorch's coupled `weight_decay`.
 */
export interface PenaltyCoefficients {
  /** Coefficient of Σ|θ|. */
  l1: number;
  /** Coefficient of Σθ²/2. */
  l2: number;
}

export function penaltyCoefficients(reg: RegularizationSpec | null | undefined): PenaltyCoefficients {
  let l1 = reg?.l1 ?? 0;
  let l2 = reg?.l2 ?? 0;
  const en = reg?.elasticNet;
  if (en) {
    l1 += en.alpha * en.l1_ratio;
    l2 += en.alpha * (1 - en.l1_ratio);
  }
  return { l1, l2 };
}

/** P(θ) for the current weights. */
export function penaltyValue(params: Param[], c: PenaltyCoefficients): number {
  if (c.l1 === 0 && c.l2 === 0) return 0;
  let a = 0,
    s = 0;
  for (const p of params) {
    if (!p.penalize) continue;
    const v = p.value;
    for (let i = 0; i < v.length; i++) {
      a += Math.abs(v[i]);
      s += v[i] * v[i];
    }
  }
  return c.l1 * a + 0.5 * c.l2 * s;
}

/** Adds ∂P/∂θ to each weight's gradient (subgradient 0 at θ = 0 for the L1 term). */
export function addPenaltyGrad(params: Param[], c: PenaltyCoefficients): void {
  if (c.l1 === 0 && c.l2 === 0) return;
  const { l1, l2 } = c;
  for (const p of params) {
    if (!p.penalize) continue;
    const v = p.value,
      g = p.grad;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      g[i] += l2 * x + (x > 0 ? l1 : x < 0 ? -l1 : 0);
    }
  }
}
