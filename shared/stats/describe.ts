/**
 * Summaries of repeated measurements (a metric over folds, repeats or seeds): mean, sample
 * standard deviation and the Student-t 95% confidence interval of the mean.
 *
 * The numeric functions return NaN where a quantity is undefined (no values, or a single
 * value for the standard deviation); `summarize` turns those into `null`, because JSON has no
 * NaN (JSON.stringify would silently write null anyway) and a reader of stored results
 * should see "not defined" rather than a number.
 */
import { tQuantile } from './studentt.ts';

function check(xs: ArrayLike<number>, where: string): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]))
      throw new RangeError(`${where}: value ${i} is ${xs[i]}; leave diverged runs out and report them apart`);
  }
}

/** Arithmetic mean Σx/n (NaN when there are no values). */
export function mean(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  const m = s / n;
  // One correction pass: the residual sum is tiny, so adding its mean recovers the digits the first sum dropped.
  let r = 0;
  for (let i = 0; i < n; i++) r += xs[i] - m;
  return m + r / n;
}

/** Sample variance Σ(x − x̄)²/(n − 1), Bessel-corrected (NaN for fewer than two values). */
export function sampleVariance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const m = mean(xs);
  // Two-pass with the compensation term of Chan, Golub & LeVeque: Σd² − (Σd)²/n.
  let s2 = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - m;
    s2 += d * d;
    s1 += d;
  }
  return Math.max(0, (s2 - (s1 * s1) / n) / (n - 1));
}

/** Sample standard deviation √(sample variance) (NaN for fewer than two values). */
export function sampleStd(xs: ArrayLike<number>): number {
  return Math.sqrt(sampleVariance(xs));
}

/**
 * Two-sided confidence interval of the mean at `level`: x̄ ± t_((1+level)/2, n−1)·s/√n, or
 * null when it is undefined (fewer than two values).
 */
export function confidenceInterval(xs: ArrayLike<number>, level = 0.95): [lo: number, hi: number] | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidenceInterval: level must be in (0, 1), got ${level}`);
  check(xs, 'confidenceInterval');
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  const half = (tQuantile(0.5 + level / 2, n - 1) * sampleStd(xs)) / Math.sqrt(n);
  return [m - half, m + half];
}

/** A JSON-safe summary of repeated measurements. */
export interface Summary {
  /** Mean Σx/n; null when n = 0. */
  mean: number | null;
  /** Sample standard deviation with n − 1 in the denominator; null when n < 2. */
  std: number | null;
  /** 95% interval x̄ ± t_(0.975, n−1)·s/√n; null when n < 2. */
  ci95: [lo: number, hi: number] | null;
  /** Number of values. */
  n: number;
  /** The values themselves, in the order given (key order of the jobs that produced them). */
  values: number[];
  /**
   * True when the t-interval left the range the quantity can take (an accuracy above 1, a loss
   * below 0: few values near a bound) and `ci95` was clipped to that range; absent otherwise.
   */
  ci95Clipped?: true;
}

/**
 * The summary with its 95% interval clipped to [lo, hi], the range the measured quantity can
 * take. The t-interval assumes a normal mean and can leave that range; the clipped interval
 * keeps its coverage (the true mean lies in the range) and says it was clipped.
 */
export function clipToRange(s: Summary, lo: number, hi: number): Summary {
  if (!s.ci95) return s;
  const [a, b] = s.ci95;
  if (a >= lo && b <= hi) return s;
  return { ...s, ci95: [Math.min(Math.max(a, lo), hi), Math.max(Math.min(b, hi), lo)], ci95Clipped: true };
}

/** Mean, standard deviation and 95% t interval; non-finite values are an error, not a NaN summary. */
export function summarize(xs: ArrayLike<number>): Summary {
  check(xs, 'summarize');
  const n = xs.length;
  const values = Array.from(xs);
  if (n === 0) return { mean: null, std: null, ci95: null, n, values };
  const m = mean(xs);
  if (n === 1) return { mean: m, std: null, ci95: null, n, values };
  return { mean: m, std: sampleStd(xs), ci95: confidenceInterval(xs, 0.95), n, values };
}
