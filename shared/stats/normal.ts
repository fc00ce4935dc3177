/**
 * The standard normal distribution: CDF, upper tail and quantile, for p-values and for the
 * t distribution's limit ν → ∞.
 *
 * The CDF is erfc(−z/√2)/2 with Cody's erfc (shared/nn/erf.ts), so the far tails keep their
 * relative precision. The quantile starts from Acklam's rational approximation (relative
 * error 1.15e-9) and takes Halley steps on that CDF until the correction is below an ulp.
 */
import { erf, erfc } from './erf.ts';
import { exp, log, log1p } from '../math/index.ts';

/** 1/√(2π), the density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** Density φ(z) = e^(−z²/2)/√(2π). */
export function normalPdf(z: number): number {
  return INV_SQRT_2PI * exp(-0.5 * z * z);
}

/** Φ(z) = P(Z ≤ z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** 1 − Φ(z) = P(Z > z), accurate where Φ(z) rounds to 1. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

// Acklam's coefficients (P. J. Acklam, "An algorithm for computing the inverse normal
// cumulative distribution function", 2003).
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Acklam's approximation to Φ⁻¹(p), good to about 1e-9 relative. */
function acklam(p: number): number {
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    return (
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
    );
  }
  const q = Math.sqrt(-2 * log1p(-p));
  return (
    -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}

/** Φ⁻¹(p): the z with P(Z ≤ z) = p; −∞ at 0 and +∞ at 1. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p)) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p >= 0.25 && p <= 0.75) {
    // Near the centre solve erf(z/√2) = 2(p − ½) (exact for p ≥ ¼ by Sterbenz): Φ(z) − p would
    // leave z with only the digits that survive the subtraction from ½.
    const m = 2 * (p - 0.5);
    let z = acklam(p);
    for (let i = 0; i < 4; i++) {
      const step = (erf(z * Math.SQRT1_2) - m) / (2 * normalPdf(z));
      z -= step;
      if (Math.abs(step) <= Number.EPSILON * Math.abs(z)) break;
    }
    return z;
  }
  // In the tails refine on the smaller tail, so that a p near 1 is solved as its exact complement.
  const lowerTail = p < 0.5;
  const q = lowerTail ? p : 1 - p;
  let z = acklam(q);
  for (let i = 0; i < 4; i++) {
    // Halley's step on Φ(z) − q, with Φ' = φ and φ' = −zφ.
    const u = (normalCdf(z) - q) / normalPdf(z);
    const step = u / (1 + (z * u) / 2);
    z -= step;
    if (Math.abs(step) <= Number.EPSILON * Math.abs(z)) break;
  }
  return lowerTail ? z : -z;
}
