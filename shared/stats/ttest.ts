/**
 * Comparing two configurations scored on the same folds: the corrected resampled t-test of
 * Nadeau & Bengio (2003), and the plain paired t-test it corrects.
 *
 * With J paired differences d_j (one per fold and repeat, same rows for both configurations),
 * the plain test treats the d_j as independent: t = d̄ / √(s²/J). They are not: the training
 * sets of different folds overlap, so the plain variance is too small and the test rejects far
 * too often. Nadeau & Bengio's correction replaces 1/J by 1/J + n_test/n_train:
 *
 *   t = d̄ / √((1/J + n_test/n_train)·s²),   s² = Σ(d_j − d̄)²/(J − 1),   ν = J − 1,
 *
 * with the two-sided p-value 2·P(T_ν > |t|). For k-fold cross-validation n_test/n_train =
 * 1/(k − 1); when fold sizes differ by a row (n mod k ≠ 0), pass the average sizes.
 *
 * Zero variance (every difference equal) leaves t as 0/0 or d̄/0; we define t = 0, p = 1
 * when d̄ = 0 (the configurations scored identically on every fold: no evidence of a
 * difference) and t = ±∞, p = 0 otherwise (the same nonzero difference on every fold), which
 * is the limit of the formula as s → 0. Note that JSON.stringify writes ±∞ as null.
 */
import { mean, sampleVariance } from './describe.ts';
import { tTwoSidedP } from './studentt.ts';

/** The outcome of a paired test on differences d_j = score_A,j − score_B,j. */
export interface TTestResult {
  /** Test statistic t = d̄ / SE (±∞ when every difference is the same nonzero number). */
  t: number;
  /** Degrees of freedom ν = J − 1. */
  df: number;
  /** Two-sided p-value 2·P(T_ν > |t|). */
  p: number;
  /** Mean difference d̄ = Σd_j / J. */
  meanDiff: number;
  /** Sample variance of the differences s² = Σ(d_j − d̄)²/(J − 1). */
  variance: number;
  /** Standard error of d̄ used in the denominator: √(factor·s²). */
  standardError: number;
  /** The factor multiplying s²: 1/J for the plain test, 1/J + n_test/n_train for the corrected one. */
  factor: number;
  /** Number of paired differences J. */
  J: number;
}

/** d_j = a_j − b_j for paired scores of two configurations (same folds, same order). */
export function pairedDifferences(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw new RangeError(`pairedDifferences: ${a.length} scores against ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return d;
}

function testWithFactor(d: ArrayLike<number>, factor: number, where: string): TTestResult {
  const J = d.length;
  if (J < 2) throw new RangeError(`${where}: needs at least 2 paired differences, got ${J}`);
  for (let i = 0; i < J; i++) {
    if (!Number.isFinite(d[i])) throw new RangeError(`${where}: difference ${i} is ${d[i]}`);
  }
  const m = mean(d);
  const v = sampleVariance(d);
  const se = Math.sqrt(factor * v);
  const df = J - 1;
  if (se === 0) {
    if (m === 0) return { t: 0, df, p: 1, meanDiff: m, variance: v, standardError: se, factor, J };
    return { t: m > 0 ? Infinity : -Infinity, df, p: 0, meanDiff: m, variance: v, standardError: se, factor, J };
  }
  const t = m / se;
  return { t, df, p: tTwoSidedP(t, df), meanDiff: m, variance: v, standardError: se, factor, J };
}

/**
 * Nadeau & Bengio's corrected resampled t-test on J paired differences, with the sizes of the
 * test and training parts of each split (the ratio is what matters).
 */
export function correctedResampledTTest(d: ArrayLike<number>, nTrain: number, nTest: number): TTestResult {
  if (!(nTrain > 0) || !(nTest > 0))
    throw new RangeError(`correctedResampledTTest: nTrain and nTest must be > 0, got ${nTrain}, ${nTest}`);
  return testWithFactor(d, 1 / d.length + nTest / nTrain, 'correctedResampledTTest');
}

/** The plain paired t-test t = d̄ / √(s²/J), for comparison (it assumes independent differences). */
export function pairedTTest(d: ArrayLike<number>): TTestResult {
  return testWithFactor(d, 1 / d.length, 'pairedTTest');
}
