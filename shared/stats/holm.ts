/**
 * Holm–Bonferroni step-down correction for m simultaneous tests (Holm 1979), with adjusted
 * p-values as statsmodels' `multipletests(method='holm')` computes them.
 *
 * Sort the p-values ascending, p_(1) ≤ … ≤ p_(m); the adjusted value of the i-th smallest is
 *
 *   p̃_(i) = max over j ≤ i of min(1, (m − j + 1)·p_(j)),
 *
 * and hypothesis (i) is rejected at level α iff p̃_(i) ≤ α, which is the same as Holm's
 * procedure (reject while p_(j) ≤ α/(m − j + 1), stop at the first failure). Equal p-values
 * are ordered by their position, as a stable sort does; their adjusted values come out equal.
 */

/** Adjusted p-values and decisions, in the order the p-values were given. */
export interface HolmResult {
  /** Holm-adjusted p̃_i, in the caller's order. */
  adjusted: number[];
  /** Whether hypothesis i is rejected at α (p̃_i ≤ α). */
  rejected: boolean[];
  /** The family-wise error level α used for the decisions. */
  alpha: number;
}

/** Holm-adjusted p-values, in the order given. */
export function holmAdjust(p: ArrayLike<number>): number[] {
  const m = p.length;
  for (let i = 0; i < m; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) throw new RangeError(`holmAdjust: p[${i}] must be in [0, 1], got ${p[i]}`);
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a] - p[b] || a - b);
  const adjusted = new Array<number>(m);
  let running = 0;
  for (let j = 0; j < m; j++) {
    running = Math.max(running, Math.min(1, (m - j) * p[order[j]]));
    adjusted[order[j]] = running;
  }
  return adjusted;
}

/** Holm's step-down procedure at family-wise level α (default 0.05). */
export function holm(p: ArrayLike<number>, alpha = 0.05): HolmResult {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`holm: alpha must be in (0, 1), got ${alpha}`);
  const adjusted = holmAdjust(p);
  return { adjusted, rejected: adjusted.map((q) => q <= alpha), alpha };
}
