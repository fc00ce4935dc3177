/**
 * The top eigenvalue of the Hessian ∇²L(θ) of the training loss, the curvature measure of
 * the sharp-versus-flat-minima studies, by power iteration on Hessian-vector products.
 *
 * Hv comes from central differences of the gradient, Hv ≈ (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h,
 * two gradient passes per product and no second-order code in the layers. The error is
 * O(h²·‖∇³L‖) from truncation plus O(u·‖∇L terms‖/h) from rounding (u ≈ 1.1e-16: the
 * objective runs in float64), so h = 1e-5·max(‖θ‖, 1) by default: for a unit v each
 * coordinate moves by about 1e-5 of its own size, a few orders above rounding and small
 * enough that few ReLU units change side (across a kink the difference measures the kink,
 * which the exact, almost-everywhere Hessian does not see).
 *
 * Power iteration converges to the eigenvalue of largest magnitude, |λ|max, not to the
 * largest signed one: near a minimum the two agree (the Hessian is close to positive
 * semi-definite), elsewhere a large negative curvature can win, and the signed Rayleigh
 * quotient vᵀHv of the final iterate is reported so that the caller sees which it was.
 */
import type { Rng } from '../rng.ts';
import type { Objective } from './objective.ts';

export interface HessianOptions {
  /** Most power-iteration steps, each one Hessian-vector product, i.e. two gradient passes (default 20). */
  iterations?: number;
  /** Stop when successive Rayleigh quotients differ by at most tolerance·|λ| (default 1e-4). */
  tolerance?: number;
  /** h = relativeStep·max(‖θ‖₂, 1), the finite-difference step along the unit vector v (default 1e-5). */
  relativeStep?: number;
  /** Source of the random start vector, uniform on the unit sphere. */
  rng: Rng;
}

export interface HessianEstimate {
  /** λ = vᵀHv/vᵀv for the last iterate v: the eigenvalue of largest magnitude, with its sign. */
  eigenvalue: number;
  /** Hv/‖Hv‖ from the last step, a unit estimate of λ's eigenvector (up to sign). */
  vector: Float64Array;
  /** Power-iteration steps done (Hessian-vector products). */
  iterations: number;
  /** Whether the relative change of λ fell within the tolerance before the step limit. */
  converged: boolean;
  /** h, the finite-difference step used for every product. */
  step: number;
  /** λ after each step, first to last. */
  trace: number[];
}

/** ‖v‖₂ accumulated in float64. */
export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** Reusable vectors of one Hessian-vector product. */
export class HvpWorkspace {
  /** θ ± h·v. */
  readonly point: Float64Array;
  /** ∇L(θ + h·v). */
  readonly gPlus: Float64Array;
  /** ∇L(θ − h·v). */
  readonly gMinus: Float64Array;
  /** The step actually taken per coordinate, (θ + h·v) − (θ − h·v) after rounding. */
  readonly delta: Float64Array;

  constructor(dim: number) {
    this.point = new Float64Array(dim);
    this.gPlus = new Float64Array(dim);
    this.gMinus = new Float64Array(dim);
    this.delta = new Float64Array(dim);
  }
}

/**
 * Writes Hv ≈ (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h into `out` and returns vᵀHv measured along
 * the step actually taken: Δᵀ(∇L₊ − ∇L₋)/ΔᵀΔ with Δ = (θ + h·v) − (θ − h·v) as rounded, which
 * equals vᵀHv/vᵀv without the rounding of θ ± h·v.
 */
export function hessianVectorProduct(
  f: Objective,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  h: number,
  out: Float64Array,
  ws = new HvpWorkspace(f.dim),
): number {
  const n = f.dim;
  if (theta.length !== n || v.length !== n || out.length !== n)
    throw new RangeError(`hessianVectorProduct: vectors must have length ${n}`);
  if (!(h > 0)) throw new RangeError(`hessianVectorProduct: step must be > 0, got ${h}`);
  const { point, gPlus, gMinus, delta } = ws;
  for (let i = 0; i < n; i++) point[i] = theta[i] + h * v[i];
  delta.set(point);
  f.valueAndGradient(point, gPlus);
  for (let i = 0; i < n; i++) {
    point[i] = theta[i] - h * v[i];
    delta[i] -= point[i];
  }
  f.valueAndGradient(point, gMinus);
  let num = 0,
    den = 0;
  const inv = 1 / (2 * h);
  for (let i = 0; i < n; i++) {
    const dg = gPlus[i] - gMinus[i];
    out[i] = dg * inv;
    num += delta[i] * dg;
    den += delta[i] * delta[i];
  }
  return den > 0 ? num / den : 0;
}

/** Power iteration v ← Hv/‖Hv‖ from a seeded random start; see the file comment for what it finds. */
export function topHessianEigenvalue(f: Objective, theta: ArrayLike<number>, opts: HessianOptions): HessianEstimate {
  const n = f.dim;
  const iterations = opts.iterations ?? 20;
  const tol = opts.tolerance ?? 1e-4;
  const rel = opts.relativeStep ?? 1e-5;
  if (!(Number.isInteger(iterations) && iterations >= 1))
    throw new RangeError(`topHessianEigenvalue: iterations must be a positive integer, got ${iterations}`);
  if (!(tol >= 0)) throw new RangeError(`topHessianEigenvalue: tolerance must be ≥ 0, got ${tol}`);
  if (!(rel > 0)) throw new RangeError(`topHessianEigenvalue: relativeStep must be > 0, got ${rel}`);
  if (theta.length !== n)
    throw new RangeError(`topHessianEigenvalue: θ has ${theta.length} values, the objective ${n}`);
  const step = rel * Math.max(norm2(theta), 1);

  // A Gaussian vector normalized is uniform on the sphere: no direction is favoured.
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = opts.rng.normal();
  scaleToUnit(v);
  const hv = new Float64Array(n);
  const ws = new HvpWorkspace(n);
  const trace: number[] = [];
  let lambda = Number.NaN,
    converged = false,
    k = 0;
  while (k < iterations) {
    const next = hessianVectorProduct(f, theta, v, step, hv, ws);
    k++;
    trace.push(next);
    const prev = lambda;
    lambda = next;
    if (!Number.isFinite(next)) break;
    const size = norm2(hv);
    // Hv = 0: v lies in the null space, and λ = 0 is the answer for that start.
    if (size === 0) {
      converged = true;
      break;
    }
    for (let i = 0; i < n; i++) v[i] = hv[i] / size;
    if (Math.abs(next - prev) <= tol * Math.abs(next)) {
      converged = true;
      break;
    }
  }
  return { eigenvalue: lambda, vector: v, iterations: k, converged, step, trace };
}

/** Divides v by its norm in place; returns the norm (v is left as it was when that is 0). */
function scaleToUnit(v: Float64Array): number {
  const s = norm2(v);
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
  return s;
}
