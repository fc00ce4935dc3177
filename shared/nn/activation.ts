/**
 * Element-wise nonlinearities with PyTorch's definitions: identity, sigmoid, tanh, relu,
 * leaky_relu (negative slope, default 0.01) and gelu in its exact form x·Φ(x) = 0.5·x·(1 + erf(x/√2)).
 * Derivatives at kinks follow PyTorch too: relu′(0) = 0, leaky_relu′(0) = slope.
 */
import type { Mat } from '../linalg/mat.ts';
import type { Activation } from '../schema/types.ts';
import { ACTIVATIONS as SPEC_ACTIVATIONS } from '../schema/spec.ts';
import { MatBuffer } from './buffer.ts';
import { normalCdfInto } from '../stats/erf.ts';
import type { ForwardContext, Layer } from './layer.ts';
import type { Param } from './param.ts';
import { exp, tanh } from '../math/index.ts';

/** The activations a spec may name (the schema's list). */
export const ACTIVATIONS: readonly Activation[] = SPEC_ACTIVATIONS;

/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** Logistic σ(x) = 1/(1+e^(−x)), written so that e^(…) never overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + exp(-x));
  const e = exp(x);
  return e / (1 + e);
}

export class ActivationLayer implements Layer {
  /** The function's name, e.g. `relu`. */
  readonly kind: Activation;
  /** Slope α of leaky_relu for x < 0 (unused by the others). */
  readonly negativeSlope: number;
  /** x from the last forward (relu, leaky_relu and gelu differentiate from the input). */
  #x: Mat | null = null;
  /** y = f(x) (sigmoid and tanh differentiate from the output). */
  #y = new MatBuffer();
  /** Φ(x) from gelu's forward, reused by its backward (the erfc is the expensive part). */
  #cdf = new MatBuffer();
  /** ∂L/∂x = dy ⊙ f′(x). */
  #dx = new MatBuffer();
  /** No parameters; an empty list kept so that params() allocates nothing. */
  readonly #params: Param[] = [];
  /** No running statistics. */
  readonly #buffers: Float32Array[] = [];

  constructor(fn: Activation, negativeSlope = 0.01) {
    if (!ACTIVATIONS.includes(fn)) throw new RangeError(`ActivationLayer: unknown activation "${fn}"`);
    this.kind = fn;
    this.negativeSlope = negativeSlope;
  }

  forward(x: Mat, _ctx: ForwardContext): Mat {
    this.#x = x;
    // identity hands its input through: nothing to compute and nothing to keep.
    if (this.kind === 'identity') return x;
    const n = x.rows * x.cols;
    const y = this.#y.get(x.rows, x.cols);
    const xd = x.data;
    const yd = y.data;
    switch (this.kind) {
      case 'sigmoid':
        for (let i = 0; i < n; i++) {
          const v = xd[i];
          if (v >= 0) yd[i] = 1 / (1 + exp(-v));
          else {
            const e = exp(v);
            yd[i] = e / (1 + e);
          }
        }
        break;
      case 'tanh':
        for (let i = 0; i < n; i++) yd[i] = tanh(xd[i]);
        break;
      case 'relu':
        // Written as `v <= 0` so that NaN passes through (a diverged run must show as NaN) and −0 becomes +0.
        for (let i = 0; i < n; i++) {
          const v = xd[i];
          yd[i] = v <= 0 ? 0 : v;
        }
        break;
      case 'leaky_relu': {
        const a = this.negativeSlope;
        for (let i = 0; i < n; i++) {
          const v = xd[i];
          yd[i] = v > 0 ? v : a * v;
        }
        break;
      }
      case 'gelu': {
        const cdf = this.#cdf.get(x.rows, x.cols).data;
        normalCdfInto(xd, cdf, n);
        for (let i = 0; i < n; i++) yd[i] = xd[i] * cdf[i];
        break;
      }
    }
    return y;
  }

  backward(dy: Mat): Mat {
    const x = this.#x;
    if (x === null) throw new Error('ActivationLayer: backward called before forward');
    if (dy.rows !== x.rows || dy.cols !== x.cols) {
      throw new RangeError(`ActivationLayer: dy is ${dy.rows}×${dy.cols}, expected ${x.rows}×${x.cols}`);
    }
    if (this.kind === 'identity') return dy;
    const n = x.rows * x.cols;
    const dx = this.#dx.get(x.rows, x.cols);
    const g = dy.data;
    const xd = x.data;
    const yd = this.#y.mat.data;
    const d = dx.data;
    switch (this.kind) {
      case 'sigmoid':
        for (let i = 0; i < n; i++) {
          const s = yd[i];
          d[i] = g[i] * s * (1 - s);
        }
        break;
      case 'tanh':
        for (let i = 0; i < n; i++) {
          const t = yd[i];
          d[i] = g[i] * (1 - t * t);
        }
        break;
      case 'relu':
        for (let i = 0; i < n; i++) d[i] = xd[i] <= 0 ? 0 : g[i];
        break;
      case 'leaky_relu': {
        const a = this.negativeSlope;
        for (let i = 0; i < n; i++) d[i] = xd[i] > 0 ? g[i] : a * g[i];
        break;
      }
      case 'gelu': {
        // d/dx [x·Φ(x)] = Φ(x) + x·φ(x)
        const cdf = this.#cdf.mat.data;
        for (let i = 0; i < n; i++) {
          const v = xd[i];
          d[i] = g[i] * (cdf[i] + v * INV_SQRT_2PI * exp(-0.5 * v * v));
        }
        break;
      }
    }
    return dx;
  }

  params(): Param[] {
    return this.#params;
  }

  buffers(): Float32Array[] {
    return this.#buffers;
  }
}
