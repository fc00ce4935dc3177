/**
 * Student's t distribution with ν degrees of freedom (ν > 0, not necessarily an integer;
 * ν = ∞ is the standard normal): density, CDF, tails, two-sided p-value and quantile.
 *
 * The tail is P(T > t) = ½·I_(ν/(ν+t²))(ν/2, ½) for t ≥ 0 (Abramowitz & Stegun 26.7.1 via
 * 26.5.27), with 1 − x = t²/(ν + t²) passed separately so that neither side of the
 * distribution loses digits. The quantile solves that tail by safeguarded Newton steps on
 * its logarithm (the tail spans hundreds of orders of magnitude, its logarithm is nearly
 * linear), inside a bracket that falls back to bisection.
 */
import { incompleteBeta, logBeta } from './special.ts';
import { normalCdf, normalPdf, normalQuantile, normalSf } from './normal.ts';

function checkDf(df: number, where: string): void {
  if (!(df > 0)) throw new RangeError(`${where}: degrees of freedom must be > 0, got ${df}`);
}

/** P(T > |t|) and P(T ≤ |t|) for |t|, each computed on its own side. */
function tails(t: number, df: number): { upper: number; lower: number } {
  const at = Math.abs(t);
  if (df === Infinity) return { upper: normalSf(at), lower: normalCdf(at) };
  const t2 = at * at;
  if (t2 === Infinity) return { upper: 0, lower: 1 };
  const s = df + t2;
  const { lower: i, upper: ic } = incompleteBeta(df / s, df / 2, 0.5, t2 / s);
  return { upper: 0.5 * i, lower: 0.5 + 0.5 * ic };
}

/** Density f(t) = (1 + t²/ν)^(−(ν+1)/2) / (√ν·B(ν/2, ½)). */
export function tPdf(t: number, df: number): number {
  checkDf(df, 'tPdf');
  if (df === Infinity) return normalPdf(t);
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - logBeta(df / 2, 0.5));
}

/** P(T ≤ t). */
export function tCdf(t: number, df: number): number {
  checkDf(df, 'tCdf');
  if (Number.isNaN(t)) return Number.NaN;
  const { upper, lower } = tails(t, df);
  return t < 0 ? upper : lower;
}

/** P(T > t), the survival function; accurate where the CDF rounds to 1. */
export function tSf(t: number, df: number): number {
  checkDf(df, 'tSf');
  if (Number.isNaN(t)) return Number.NaN;
  const { upper, lower } = tails(t, df);
  return t < 0 ? lower : upper;
}

/** Two-sided p-value P(|T| ≥ |t|) = 2·P(T > |t|). */
export function tTwoSidedP(t: number, df: number): number {
  checkDf(df, 'tTwoSidedP');
  if (Number.isNaN(t)) return Number.NaN;
  return Math.min(1, 2 * tails(t, df).upper);
}

/** The t ≥ 0 with P(T > t) = q, for q in (0, ½]. */
function upperQuantile(q: number, df: number): number {
  if (q === 0.5) return 0;
  const logQ = Math.log(q);
  // The normal quantile undershoots the t quantile, so it is a valid lower end; the upper end doubles until it brackets.
  let lo = 0;
  let hi = Math.max(1, -normalQuantile(q));
  while (tails(hi, df).upper > q) {
    lo = hi;
    hi *= 2;
    if (hi === Infinity) return Infinity;
  }
  let t = 0.5 * (lo + hi);
  for (let iter = 0; iter < 200; iter++) {
    const sf = tails(t, df).upper;
    if (sf > q) lo = t;
    else if (sf < q) hi = t;
    else return t;
    // Newton on g(t) = ln P(T > t) − ln q, whose slope is −f(t)/P(T > t).
    let next = t + ((Math.log(sf) - logQ) * sf) / tPdf(t, df);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) <= 2 * Number.EPSILON * next || hi - lo <= 2 * Number.EPSILON * hi) return next;
    t = next;
  }
  return t;
}

/** t_(p, ν): the t with P(T ≤ t) = p; −∞ at 0 and +∞ at 1. */
export function tQuantile(p: number, df: number): number {
  checkDf(df, 'tQuantile');
  if (Number.isNaN(p)) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`tQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (df === Infinity) return normalQuantile(p);
  // Work with the smaller tail: for p < ½ it is p itself (no rounding), for p > ½ it is 1 − p (exact by Sterbenz).
  return p < 0.5 ? -upperQuantile(p, df) : upperQuantile(1 - p, df);
}
