/**
 * Inverted dropout (Srivastava et al. 2014, as torch.nn.Dropout does it): in training each
 * unit is kept with probability 1−p and scaled by 1/(1−p), so that the expected output equals
 * the input and inference needs no rescaling; at inference the layer is the identity.
 */
import type { Mat } from '../linalg/mat.ts';
import { MatBuffer } from './buffer.ts';
import type { ForwardContext, Layer } from './layer.ts';
import type { Param } from './param.ts';

export class Dropout implements Layer {
  /** Layer type, shown in model summaries. */
  readonly kind = 'dropout';
  /** p, the probability of zeroing a unit in training. */
  readonly p: number;
  /** 1/(1−p), the factor applied to kept units. */
  readonly scale: number;
  /** Per element: 1/(1−p) where kept, 0 where dropped, for the last training forward. */
  #mask = new MatBuffer();
  /** Keep flags (nonzero = keep) that replace random masks while set; for tests. */
  #fixed: ArrayLike<number> | null = null;
  /** Whether the last forward was in training mode (backward then applies the mask). */
  #trained = false;
  /** y = x ⊙ mask. */
  #y = new MatBuffer();
  /** ∂L/∂x = dy ⊙ mask. */
  #dx = new MatBuffer();
  /** No parameters. */
  readonly #params: Param[] = [];
  /** No running statistics. */
  readonly #buffers: Float32Array[] = [];

  constructor(p: number) {
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
    this.scale = 1 / (1 - p);
  }

  /** Use these keep flags (row-major, nonzero = keep) instead of drawing masks; null goes back to random masks. */
  fixMask(keep: ArrayLike<number> | null): void {
    this.#fixed = keep;
  }

  forward(x: Mat, ctx: ForwardContext): Mat {
    this.#trained = ctx.training && this.p > 0;
    if (!this.#trained) return x;
    const n = x.rows * x.cols;
    const mask = this.#mask.get(x.rows, x.cols).data;
    const y = this.#y.get(x.rows, x.cols);
    const xd = x.data;
    const yd = y.data;
    const s = this.scale;
    const fixed = this.#fixed;
    if (fixed !== null) {
      if (fixed.length < n) throw new RangeError(`Dropout: fixed mask has ${fixed.length} flags, need ${n}`);
      for (let i = 0; i < n; i++) mask[i] = fixed[i] !== 0 ? s : 0;
    } else {
      // One 32-bit draw per unit: keep when u ≥ p·2³², which happens with probability 1−p.
      const rng = ctx.rng;
      const threshold = this.p * 4294967296;
      for (let i = 0; i < n; i++) mask[i] = rng.nextU32() >= threshold ? s : 0;
    }
    for (let i = 0; i < n; i++) yd[i] = xd[i] * mask[i];
    return y;
  }

  backward(dy: Mat): Mat {
    if (!this.#trained) return dy;
    const m = this.#mask.mat;
    if (dy.rows !== m.rows || dy.cols !== m.cols) {
      throw new RangeError(`Dropout: dy is ${dy.rows}×${dy.cols}, expected ${m.rows}×${m.cols}`);
    }
    const n = dy.rows * dy.cols;
    const dx = this.#dx.get(dy.rows, dy.cols);
    const g = dy.data;
    const d = dx.data;
    const mask = m.data;
    for (let i = 0; i < n; i++) d[i] = g[i] * mask[i];
    return dx;
  }

  params(): Param[] {
    return this.#params;
  }

  buffers(): Float32Array[] {
    return this.#buffers;
  }
}
