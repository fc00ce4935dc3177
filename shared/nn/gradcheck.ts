/**
 * Finite-difference gradient checks for layers, models and losses, for the tests.
 *
 * Float32 storage rounds every activation, which buries a central difference in noise long
 * before truncation error gets small. `withFloat64` therefore swaps in an allocator that hands
 * out float64 arrays (the layers only index them), so the same code runs in double precision
 * and the check is tight. In float32 each check still measures the step actually taken (the
 * rounded difference) and divides by that.
 */
import { setAllocator } from '../linalg/alloc.ts';
import type { Mat } from '../linalg/mat.ts';
import { mat } from '../linalg/mat.ts';
import type { Rng } from '../rng.ts';
import type { ForwardContext, Layer } from './layer.ts';
import type { Loss } from './loss.ts';

/** Worst disagreement between analytic and numerical derivatives over the checked entries. */
export interface FdReport {
  /** max |a − n| / max(|a|, |n|, floor). */
  maxRelError: number;
  /** max |a − n|. */
  maxAbsError: number;
  /** Entry where the relative error peaked. */
  worst: number;
  /** Number of entries checked. */
  count: number;
}

export interface FdOptions {
  /** Step size (default 1e-5 for float64 storage; use about 1e-2 with float32, where rounding noise dominates below it). */
  h?: number;
  /** Denominator floor of the relative error, so that near-zero derivatives compare absolutely (default 1e-3). */
  floor?: number;
}

/**
 * Runs fn with every buffer allocated through allocF32 (params, activations, gradients) stored
 * as float64; objects built inside keep that storage. Typed as Float32Array, the arrays are
 * only indexed, read and written, which Float64Array supports identically.
 */
export function withFloat64<T>(fn: () => T): T {
  const prev = setAllocator((n) => new Float64Array(n) as unknown as Float32Array);
  try {
    return fn();
  } finally {
    setAllocator(prev);
  }
}

/** Central differences of f with respect to each entry of `values`, compared with `analytic`. */
export function fdCheck(
  values: Float32Array | Float64Array,
  analytic: ArrayLike<number>,
  f: () => number,
  opts: FdOptions = {},
  count = analytic.length,
): FdReport {
  const h = opts.h ?? 1e-5;
  const floor = opts.floor ?? 1e-3;
  const rep: FdReport = { maxRelError: 0, maxAbsError: 0, worst: -1, count };
  for (let i = 0; i < count; i++) {
    const orig = values[i];
    values[i] = orig + h;
    const up = values[i];
    const fUp = f();
    values[i] = orig - h;
    const down = values[i];
    const fDown = f();
    values[i] = orig;
    const numeric = (fUp - fDown) / (up - down);
    const a = analytic[i];
    const abs = Math.abs(a - numeric);
    const rel = abs / Math.max(Math.abs(a), Math.abs(numeric), floor);
    if (abs > rep.maxAbsError) rep.maxAbsError = abs;
    if (rel > rep.maxRelError) {
      rep.maxRelError = rel;
      rep.worst = i;
    }
  }
  return rep;
}

/** A scalar function of a layer's output and its gradient. */
export interface Objective {
  /** L(y). */
  value(y: Mat): number;
  /** ∂L/∂y at y. */
  grad(y: Mat): Mat;
}

/** L(y) = Σ rᵢⱼ·yᵢⱼ with fixed random r: its gradient is r, so every output entry is exercised. */
export function randomProjection(rows: number, cols: number, rng: Rng): Objective {
  const r = randomMat(rows, cols, rng);
  return {
    value(y: Mat): number {
      const n = rows * cols;
      const yd = y.data,
        rd = r.data;
      let s = 0;
      for (let i = 0; i < n; i++) s += rd[i] * yd[i];
      return s;
    },
    grad(): Mat {
      return r;
    },
  };
}

/** A rows×cols matrix of standard normal draws. */
export function randomMat(rows: number, cols: number, rng: Rng, scale = 1): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < rows * cols; i++) m.data[i] = scale * rng.normal();
  return m;
}

/** A rows×cols matrix of one-hot rows, each row's class drawn uniformly. */
export function randomOneHot(rows: number, cols: number, rng: Rng): Mat {
  const t = mat(rows, cols);
  for (let i = 0; i < rows; i++) t.data[i * cols + rng.int(cols)] = 1;
  return t;
}

/** A loss against fixed targets as an objective, so that a model is checked end to end through it. */
export function lossObjective(loss: Loss, target: Mat): Objective {
  return {
    value: (y) => loss.evaluate(y, target),
    grad: (y) => {
      loss.compute(y, target);
      return loss.grad;
    },
  };
}

/** FD reports for ∂L/∂x (`input`) and for each param's grad, by param name. */
export interface LayerCheck {
  input: FdReport;
  params: Record<string, FdReport>;
  /** Largest maxRelError among all of the above. */
  maxRelError: number;
}

/**
 * Runs forward and backward once to get analytic gradients of `objective` (a random
 * projection when absent), then checks ∂L/∂x and every param's grad by central differences.
 */
export function checkLayer(
  layer: Layer,
  x: Mat,
  ctx: ForwardContext,
  rng: Rng,
  objective?: Objective,
  opts: FdOptions = {},
): LayerCheck {
  const y0 = layer.forward(x, ctx);
  const obj = objective ?? randomProjection(y0.rows, y0.cols, rng);
  const dx = Float64Array.from(layer.backward(obj.grad(y0)).data.subarray(0, x.rows * x.cols));
  const grads = layer.params().map((p) => Float64Array.from(p.grad));
  const f = (): number => obj.value(layer.forward(x, ctx));
  const input = fdCheck(x.data, dx, f, opts);
  const params: Record<string, FdReport> = {};
  let worst = input.maxRelError;
  layer.params().forEach((p, k) => {
    const rep = fdCheck(p.value, grads[k], f, opts);
    params[p.name] = rep;
    if (rep.maxRelError > worst) worst = rep.maxRelError;
  });
  return { input, params, maxRelError: worst };
}
