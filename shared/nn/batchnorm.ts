/**
 * BatchNorm1d (Ioffe & Szegedy 2015) with torch.nn.BatchNorm1d's semantics: training
 * normalizes with the batch mean and biased batch variance and updates the running
 * statistics by EMA, the running variance from the unbiased (N/(N−1)) batch variance;
 * inference normalizes with the running statistics. Affine γ, β are not penalized.
 */
import type { Mat } from '../linalg/mat.ts';
import { allocF32 } from '../linalg/alloc.ts';
import { MatBuffer } from './buffer.ts';
import type { ForwardContext, Layer } from './layer.ts';
import { param, type Param } from './param.ts';

export class BatchNorm1d implements Layer {
  /** Layer type, shown in model summaries. */
  readonly kind = 'batchnorm';
  /** C, the number of features normalized independently. */
  readonly features: number;
  /** ε added to the variance before the square root. */
  readonly eps: number;
  /** m in running = (1−m)·running + m·batch. */
  readonly momentum: number;
  /** γ, the per-feature scale (init 1). */
  readonly gamma: Param;
  /** β, the per-feature shift (init 0). */
  readonly beta: Param;
  /** Running mean μ̂ (init 0), the EMA of batch means; used at inference. */
  readonly runningMean: Float32Array;
  /** Running variance σ̂² (init 1), the EMA of unbiased batch variances; used at inference. */
  readonly runningVar: Float32Array;
  /** 1/√(var + ε) per feature from the last forward (batch or running variance). */
  readonly #invStd: Float64Array;
  /** Per-feature mean used by the last forward; reused by backward for mean(dy). */
  readonly #mean: Float64Array;
  /** Per-feature Σ(x − mean)² in forward; mean(dy·x̂) in backward. */
  readonly #acc: Float64Array;
  /** Per-feature γ·invStd in backward. */
  readonly #scale: Float64Array;
  /** x̂ = (x − mean)·invStd from the last forward, needed for dγ and dx. */
  #xhat = new MatBuffer();
  /** y = γ·x̂ + β. */
  #y = new MatBuffer();
  /** ∂L/∂x. */
  #dx = new MatBuffer();
  /** Whether the last forward used batch statistics (backward then differentiates through them). */
  #trained = false;
  /** [γ, β], built once so that params() allocates nothing. */
  readonly #params: Param[];
  /** [running mean, running variance]. */
  readonly #buffers: Float32Array[];

  constructor(features: number, name = 'bn', eps = 1e-5, momentum = 0.1) {
    if (!(Number.isInteger(features) && features > 0))
      throw new RangeError(`BatchNorm1d: features must be a positive integer, got ${features}`);
    this.features = features;
    this.eps = eps;
    this.momentum = momentum;
    this.gamma = param(`${name}.weight`, [features], false);
    this.beta = param(`${name}.bias`, [features], false);
    this.gamma.value.fill(1);
    this.runningMean = allocF32(features).fill(0);
    this.runningVar = allocF32(features).fill(1);
    // Statistics stay in double: they are per-feature (cheap) and feed every element of x̂.
    this.#invStd = new Float64Array(features);
    this.#mean = new Float64Array(features);
    this.#acc = new Float64Array(features);
    this.#scale = new Float64Array(features);
    this.#params = [this.gamma, this.beta];
    this.#buffers = [this.runningMean, this.runningVar];
  }

  forward(x: Mat, ctx: ForwardContext): Mat {
    const C = this.features;
    const B = x.rows;
    if (x.cols !== C) throw new RangeError(`BatchNorm1d: expected ${C} columns, got ${x.cols}`);
    const xd = x.data;
    const xhat = this.#xhat.get(B, C).data;
    const y = this.#y.get(B, C);
    const yd = y.data;
    const inv = this.#invStd;
    const mean = this.#mean;
    this.#trained = ctx.training;
    if (ctx.training) {
      if (B < 2) {
        throw new RangeError(
          `BatchNorm1d: training needs more than 1 row per batch (got ${B}), as in PyTorch; drop or merge a last batch of 1 row`,
        );
      }
      // Row-major passes with per-feature accumulators: memory is read in order whatever C is.
      const acc = this.#acc;
      mean.fill(0, 0, C);
      acc.fill(0, 0, C);
      for (let i = 0; i < B; i++) {
        const o = i * C;
        for (let j = 0; j < C; j++) mean[j] += xd[o + j];
      }
      for (let j = 0; j < C; j++) mean[j] /= B;
      // Two passes: the variance from centred values does not cancel when |mean| ≫ std.
      for (let i = 0; i < B; i++) {
        const o = i * C;
        for (let j = 0; j < C; j++) {
          const d = xd[o + j] - mean[j];
          acc[j] += d * d;
        }
      }
      const m = this.momentum;
      const rm = this.runningMean;
      const rv = this.runningVar;
      for (let j = 0; j < C; j++) {
        inv[j] = 1 / Math.sqrt(acc[j] / B + this.eps);
        rm[j] = (1 - m) * rm[j] + m * mean[j];
        rv[j] = (1 - m) * rv[j] + m * (acc[j] / (B - 1));
      }
    } else {
      const rm = this.runningMean;
      const rv = this.runningVar;
      for (let j = 0; j < C; j++) {
        mean[j] = rm[j];
        inv[j] = 1 / Math.sqrt(rv[j] + this.eps);
      }
    }
    const g = this.gamma.value;
    const b = this.beta.value;
    for (let i = 0; i < B; i++) {
      const o = i * C;
      for (let j = 0; j < C; j++) {
        const h = (xd[o + j] - mean[j]) * inv[j];
        xhat[o + j] = h;
        yd[o + j] = g[j] * h + b[j];
      }
    }
    return y;
  }

  /**
   * With batch statistics, dx = γ·invStd/N · (N·dy − Σdy − x̂·Σ(dy·x̂)), the gradient through
   * the mean and variance; with running statistics they are constants and dx = γ·invStd·dy.
   */
  backward(dy: Mat): Mat {
    const C = this.features;
    const xh = this.#xhat.mat;
    const B = xh.rows;
    if (dy.rows !== B || dy.cols !== C)
      throw new RangeError(`BatchNorm1d: dy is ${dy.rows}×${dy.cols}, expected ${B}×${C}`);
    const g = dy.data;
    const xhat = xh.data;
    const sdy = this.#mean;
    const sdyx = this.#acc;
    sdy.fill(0, 0, C);
    sdyx.fill(0, 0, C);
    for (let i = 0; i < B; i++) {
      const o = i * C;
      for (let j = 0; j < C; j++) {
        const v = g[o + j];
        sdy[j] += v;
        sdyx[j] += v * xhat[o + j];
      }
    }
    const dgamma = this.gamma.grad;
    const dbeta = this.beta.grad;
    const gam = this.gamma.value;
    const inv = this.#invStd;
    const scale = this.#scale;
    for (let j = 0; j < C; j++) {
      dbeta[j] = sdy[j];
      dgamma[j] = sdyx[j];
      scale[j] = gam[j] * inv[j];
      sdy[j] /= B;
      sdyx[j] /= B;
    }
    const dx = this.#dx.get(B, C);
    const d = dx.data;
    if (this.#trained) {
      for (let i = 0; i < B; i++) {
        const o = i * C;
        for (let j = 0; j < C; j++) d[o + j] = scale[j] * (g[o + j] - sdy[j] - xhat[o + j] * sdyx[j]);
      }
    } else {
      for (let i = 0; i < B; i++) {
        const o = i * C;
        for (let j = 0; j < C; j++) d[o + j] = scale[j] * g[o + j];
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
