/**
 * The largest eigenvalue of the Hessian ∇²L(θ) of the training loss, the curvature measure of
 * the sharp-versus-flat-minima studies, by the Lanczos method on exact Hessian-vector products
 * (the objective's own `hessianVectorProduct`, forward-over-reverse for networks: rop.ts).
 *
 * Lanczos builds an orthonormal basis Q_m of the Krylov space {v, Hv, …, H^(m−1)v} from a
 * seeded random start and the tridiagonal T_m = Q_mᵀ·H·Q_m; the extreme eigenvalues of T_m
 * (Ritz values) approach the extreme eigenvalues of H from inside the spectrum, far faster
 * than power iteration when the top eigenvalues lie close together. Every new vector is
 * orthogonalized against the whole basis, twice, so no spurious copies appear. For a Ritz pair
 * (θ, y = Q_m·s) the residual is exactly ‖H·y − θ·y‖ = β_m·|s_m|, computed for free; some
 * eigenvalue of H lies within it of θ, and it decides convergence: residual ≤ tolerance·‖H‖,
 * with ‖H‖ estimated by the largest |Ritz value|.
 *
 * What is reported is the largest eigenvalue with its sign (λmax, the algebraic maximum: near a
 * minimum the largest curvature; elsewhere possibly smaller in size than a negative one), and
 * the smallest Ritz value, an upper bound of the smallest eigenvalue: when it is clearly
 * negative, the point is not a minimum.
 */
import type { Rng } from '../rng.ts';
import type { Objective } from './objective.ts';

export interface HessianOptions {
  /** Most Lanczos steps, each one Hessian-vector product (default 100). */
  iterations?: number;
  /** Converged when the residual of λmax is at most tolerance·max|Ritz value| (default 1e-6). */
  tolerance?: number;
  /** Source of the random start vector, uniform on the unit sphere. */
  rng: Rng;
}

export interface HessianEstimate {
  /** λmax: the largest Ritz value, an estimate of the largest eigenvalue of H, with its sign. */
  eigenvalue: number;
  /** Unit Ritz vector of λmax. */
  vector: Float64Array;
  /** ‖H·y − λmax·y‖ for that vector: H has an eigenvalue within this of λmax. */
  residual: number;
  /** The smallest Ritz value: an upper bound of the smallest eigenvalue of H. */
  smallestRitzValue: number;
  /** Lanczos steps done (Hessian-vector products). */
  iterations: number;
  /** Whether the residual of λmax fell within the tolerance before the step limit. */
  converged: boolean;
  /** λmax after each step, first to last. */
  trace: number[];
}

/** An objective whose exact Hessian-vector product is known. */
export type HvpObjective = Objective & Required<Pick<Objective, 'hessianVectorProduct'>>;

/** ‖v‖₂ accumulated in float64. */
/** √(a² + b²) without overflow or underflow; Math.hypot's last bit differs between engines. */
function hypot(a: number, b: number): number {
  const m = Math.max(Math.abs(a), Math.abs(b));
  if (m === 0 || !Number.isFinite(m)) return m;
  const x = a / m,
    y = b / m;
  return m * Math.sqrt(x * x + y * y);
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Hv ≈ (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h by central differences: O(h²) truncation, O(u/h)
 * rounding, and wrong wherever a kink lies within h·v. Kept as an independent check of the
 * exact products on smooth networks, not used by the analysis.
 */
export function finiteDifferenceHvp(
  f: Objective,
  theta: ArrayLike<number>,
  v: ArrayLike<number>,
  h: number,
  out: Float64Array,
): void {
  const n = f.dim;
  if (theta.length !== n || v.length !== n || out.length !== n)
    throw new RangeError(`finiteDifferenceHvp: vectors must have length ${n}`);
  if (!(h > 0)) throw new RangeError(`finiteDifferenceHvp: step must be > 0, got ${h}`);
  const point = new Float64Array(n),
    gp = new Float64Array(n),
    gm = new Float64Array(n);
  for (let i = 0; i < n; i++) point[i] = theta[i] + h * v[i];
  f.valueAndGradient(point, gp);
  for (let i = 0; i < n; i++) point[i] = theta[i] - h * v[i];
  f.valueAndGradient(point, gm);
  for (let i = 0; i < n; i++) out[i] = (gp[i] - gm[i]) / (2 * h);
}

/**
 * Eigenvalues (ascending) of the symmetric tridiagonal matrix with diagonal `d` and
 * off-diagonal `e` (e[i] = T[i][i+1]), by the implicit QL method (EISPACK's tql2, as in JAMA).
 * `rows` lists the rows of the eigenvector matrix to return (each eigenvector is a column):
 * the last row alone gives the Lanczos residuals, all rows give the Ritz vectors.
 */
export function tridiagonalEigen(
  d: ArrayLike<number>,
  e: ArrayLike<number>,
  rows: readonly number[],
): { values: Float64Array; vectors: Float64Array[] } {
  const n = d.length;
  const D = Float64Array.from(d);
  const E = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) E[i] = e[i];
  // Each tracked row of Z starts as that row of the identity; rotations act on rows independently.
  const Z = rows.map((r) => {
    const z = new Float64Array(n);
    z[r] = 1;
    return z;
  });
  const eps = 2 ** -52;
  let f = 0,
    tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(D[l]) + Math.abs(E[l]));
    let m = l;
    while (m < n - 1 && Math.abs(E[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iter = 0; iter < 200; iter++) {
        let g = D[l];
        let p = (D[l + 1] - g) / (2 * E[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        D[l] = E[l] / (p + r);
        D[l + 1] = E[l] * (p + r);
        const dl1 = D[l + 1];
        let h = g - D[l];
        for (let i = l + 2; i < n; i++) D[i] -= h;
        f += h;
        p = D[m];
        let c = 1,
          c2 = 1,
          c3 = 1,
          s = 0,
          s2 = 0;
        const el1 = E[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * E[i];
          h = c * p;
          r = hypot(p, E[i]);
          E[i + 1] = s * r;
          s = E[i] / r;
          c = p / r;
          p = c * D[i] - s * g;
          D[i + 1] = h + s * (c * g + s * D[i]);
          for (const z of Z) {
            const zh = z[i + 1];
            z[i + 1] = s * z[i] + c * zh;
            z[i] = c * z[i] - s * zh;
          }
        }
        p = (-s * s2 * c3 * el1 * E[l]) / dl1;
        E[l] = s * p;
        D[l] = c * p;
        if (!(Math.abs(E[l]) > eps * tst1)) break;
      }
    }
    D[l] += f;
    E[l] = 0;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => D[a] - D[b] || a - b);
  return {
    values: Float64Array.from(order, (i) => D[i]),
    vectors: Z.map((z) => Float64Array.from(order, (i) => z[i])),
  };
}

/** λmax of ∇²f(θ) by Lanczos with full reorthogonalization; see the file comment. */
export function topHessianEigenvalue(f: HvpObjective, theta: ArrayLike<number>, opts: HessianOptions): HessianEstimate {
  const n = f.dim;
  const iterations = Math.min(opts.iterations ?? 100, n);
  const tol = opts.tolerance ?? 1e-6;
  if (!(Number.isInteger(opts.iterations ?? 100) && (opts.iterations ?? 100) >= 1))
    throw new RangeError(`topHessianEigenvalue: iterations must be a positive integer, got ${opts.iterations}`);
  if (!(tol >= 0)) throw new RangeError(`topHessianEigenvalue: tolerance must be ≥ 0, got ${tol}`);
  if (theta.length !== n)
    throw new RangeError(`topHessianEigenvalue: θ has ${theta.length} values, the objective ${n}`);

  // A Gaussian vector normalized is uniform on the sphere: no direction is favoured.
  let q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = opts.rng.normal();
  scaleToUnit(q);
  const Q: Float64Array[] = [q];
  const alpha: number[] = [],
    beta: number[] = [];
  const w = new Float64Array(n);
  const trace: number[] = [];
  let top = 0,
    bottom = 0,
    residual = Number.POSITIVE_INFINITY,
    converged = false;
  for (let j = 0; j < iterations; j++) {
    f.hessianVectorProduct(theta, q, w);
    const a = dot(q, w);
    alpha.push(a);
    // Two passes of Gram–Schmidt against the whole basis: "twice is enough" (Kahan, Parlett).
    for (let pass = 0; pass < 2; pass++) {
      for (const qi of Q) {
        const c = dot(qi, w);
        for (let k = 0; k < n; k++) w[k] -= c * qi[k];
      }
    }
    const b = norm2(w);
    const m = alpha.length;
    const { values, vectors } = tridiagonalEigen(alpha, beta, [m - 1]);
    top = values[m - 1];
    bottom = values[0];
    residual = Math.abs(b * vectors[0][m - 1]);
    trace.push(top);
    if (!Number.isFinite(top)) break;
    const scale = Math.max(Math.abs(top), Math.abs(bottom));
    // b ≈ 0: the basis spans an invariant subspace, so the Ritz values are eigenvalues.
    if (residual <= tol * scale || b <= 1e-14 * scale || b === 0) {
      converged = true;
      break;
    }
    beta.push(b);
    q = new Float64Array(n);
    for (let k = 0; k < n; k++) q[k] = w[k] / b;
    Q.push(q);
  }
  // The Ritz vector y = Q·s of λmax, from the eigenvector s of the final T.
  const m = alpha.length;
  const all = Array.from({ length: m }, (_, i) => i);
  const { vectors } = tridiagonalEigen(alpha, beta.slice(0, m - 1), all);
  const vector = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const s = vectors[i][m - 1];
    const qi = Q[i];
    for (let k = 0; k < n; k++) vector[k] += s * qi[k];
  }
  scaleToUnit(vector);
  return {
    eigenvalue: top,
    vector,
    residual,
    smallestRitzValue: bottom,
    iterations: trace.length,
    converged,
    trace,
  };
}

/** Divides v by its norm in place; returns the norm (v is left as it was when that is 0). */
function scaleToUnit(v: Float64Array): number {
  const s = norm2(v);
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
  return s;
}
