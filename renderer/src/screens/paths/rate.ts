/**
 * How fast heavy-ball momentum converges on a quadratic, as in Distill's "Why Momentum Really
 * Works" (Goh 2017). Along an eigenvector of curvature λ, PyTorch's SGD with momentum
 * (b ← βb + g, θ ← θ − αb, the first b being the first gradient) moves the pair (b, θ) by
 *
 *   [b']   [ β      λ    ] [b]
 *   [θ'] = [ −αβ   1 − αλ ] [θ]
 *
 * whose eigenvalues σ solve σ² − (1 + β − αλ)σ + β = 0. The error shrinks like max|σ|ᵗ: that
 * is the convergence rate (below 1 converges; the smaller, the faster).
 */

/** How the error along one direction behaves. */
export type Regime = 'monotone' | 'oscillation' | 'ripples' | 'divergence';

export interface DirectionRate {
  /** Curvature λ of the direction. */
  lambda: number;
  /** max |σ| over the two eigenvalues of the iteration. */
  rate: number;
  regime: Regime;
}

/** The two eigenvalues σ of the iteration: real as [a, b], complex as [re, im] with `complex` set. */
export function momentumRoots(alpha: number, beta: number, lambda: number): { a: number; b: number; complex: boolean } {
  const tr = 1 + beta - alpha * lambda;
  const disc = tr * tr - 4 * beta;
  if (disc < 0) return { a: tr / 2, b: Math.sqrt(-disc) / 2, complex: true };
  const s = Math.sqrt(disc);
  return { a: (tr + s) / 2, b: (tr - s) / 2, complex: false };
}

/**
 * The rate and regime along one direction: complex eigenvalues spiral (ripples, |σ| = √β);
 * real ones decay monotonically when the dominant one is positive and flip sign each step
 * (oscillation) when it is negative; |σ| ≥ 1 diverges (or, at exactly 1, never converges).
 */
export function directionRate(alpha: number, beta: number, lambda: number): DirectionRate {
  const r = momentumRoots(alpha, beta, lambda);
  if (r.complex) {
    const rate = Math.hypot(r.a, r.b);
    return { lambda, rate, regime: rate >= 1 ? 'divergence' : 'ripples' };
  }
  const dominant = Math.abs(r.a) >= Math.abs(r.b) ? r.a : r.b;
  const rate = Math.abs(dominant);
  return { lambda, rate, regime: rate >= 1 ? 'divergence' : dominant < 0 ? 'oscillation' : 'monotone' };
}

/** The rate over several curvatures (the slowest direction wins), and each direction's part. */
export function convergenceRate(
  alpha: number,
  beta: number,
  lambdas: readonly number[],
): { rate: number; directions: DirectionRate[] } {
  const directions = lambdas.map((l) => directionRate(alpha, beta, l));
  return { rate: Math.max(...directions.map((d) => d.rate)), directions };
}

/**
 * The best step and momentum for curvatures in [μ, L] (Polyak): α* = (2/(√L + √μ))²,
 * β* = ((√L − √μ)/(√L + √μ))², with rate √β*.
 */
export function optimalMomentum(mu: number, L: number): { alpha: number; beta: number; rate: number } {
  const a = Math.sqrt(L),
    b = Math.sqrt(mu);
  const beta = ((a - b) / (a + b)) ** 2;
  return { alpha: (2 / (a + b)) ** 2, beta, rate: Math.sqrt(beta) };
}

/** Curvatures of the Optimizer Paths quadratic ½(x² + 50y²). */
export const QUADRATIC_CURVATURES: readonly number[] = [1, 50];
