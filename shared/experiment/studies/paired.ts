/**
 * The statistics every study's finding rests on: two configurations scored on the same splits,
 * compared by the corrected resampled t-test (Nadeau & Bengio 2003) on their per-split
 * differences, with the 95% interval of the mean difference that the same corrected variance
 * gives, and Holm's correction over the family of comparisons a study makes.
 */
import { holmAdjust } from '../../stats/holm.ts';
import { tQuantile } from '../../stats/studentt.ts';
import { correctedResampledTTest } from '../../stats/ttest.ts';
import type { Plan } from '../plan.ts';

/** Significance level of every study's decisions (Holm-adjusted p ≤ ALPHA). */
export const ALPHA = 0.05;

/** A paired comparison of one quantity between two configurations. */
export interface PairedDifference {
  /** Mean over splits of (a − b). */
  mean: number;
  /** 95% interval of the mean difference: mean ± t(0.975, J−1)·SE with the corrected SE; null with fewer than 2 splits. */
  ci95: [lo: number, hi: number] | null;
  /** Corrected resampled t statistic (±∞ when every split differs by the same nonzero amount). */
  t: number;
  /** Two-sided p-value (1 when there is nothing to test). */
  p: number;
  /** Splits with a finite value on both sides. */
  n: number;
}

/** Average training and scored rows per split: the n_train and n_test of the corrected test. */
export function splitSizes(plan: Plan, config: number): { nTrain: number; nTest: number } {
  const splits = plan.data[config].splits;
  const nTrain = splits.reduce((s, x) => s + x.train.length, 0) / splits.length;
  const nTest = splits.reduce((s, x) => s + x.scored.length, 0) / splits.length;
  return { nTrain, nTest };
}

/** a − b split by split (both in split order), skipping splits where either is not finite. */
export function pairedDifference(
  a: readonly number[],
  b: readonly number[],
  sizes: { nTrain: number; nTest: number },
): PairedDifference {
  const d: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) d.push(a[i] - b[i]);
  if (d.length < 2) {
    const mean = d.length ? d[0] : Number.NaN;
    return { mean, ci95: null, t: Number.NaN, p: 1, n: d.length };
  }
  const r = correctedResampledTTest(d, sizes.nTrain, sizes.nTest);
  const half = tQuantile(0.975, r.df) * r.standardError;
  return { mean: r.meanDiff, ci95: [r.meanDiff - half, r.meanDiff + half], t: r.t, p: r.p, n: d.length };
}

/** Holm-adjusted p-values for a family of comparisons, in the order given. */
export function holmFamily(ps: readonly number[]): number[] {
  return ps.length ? holmAdjust(ps) : [];
}

/** `p = 0.003`, `p < 0.001`, for sentences. */
export function formatP(p: number | null | undefined, name = 'p'): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return `${name} undefined`;
  if (p < 0.001) return `${name} < 0.001`;
  return `${name} = ${p.toFixed(3)}`;
}

/** A number to `digits` significant digits for sentences (— when undefined). */
export function sig(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1);
  return v.toPrecision(digits).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1');
}

/** The interval as `[lo, hi]` for sentences. */
export function formatInterval(ci: [number | null, number | null] | null, digits = 3): string {
  return ci ? `[${sig(ci[0], digits)}, ${sig(ci[1], digits)}]` : '[—]';
}
