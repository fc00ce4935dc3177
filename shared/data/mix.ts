/**
 * Mixup (Zhang et al. 2018) and CutMix (Yun et al. 2019): each row of a batch is combined
 * with a partner row, the partner given by a random permutation of the batch, and the
 * targets are combined in the same proportion. Targets are soft (B×C probabilities or
 * one-hot rows) or B×1 regression values; both are mixed linearly.
 *
 * One λ ~ Beta(α, α) per batch, as in both papers' reference code. The mixer owns its
 * scratch buffers, so after the first batch of the largest size nothing is allocated.
 */
import type { Mat } from '../linalg/mat.ts';
import type { Rng } from '../rng.ts';
import type { ImageShape } from './dataset.ts';

/** A pixel rectangle [top, bottom) × [left, right) of an image. */
export interface Box {
  /** First row inside the box. */
  top: number;
  /** First row below the box. */
  bottom: number;
  /** First column inside the box. */
  left: number;
  /** First column right of the box. */
  right: number;
}

export class BatchMixer {
  #perm = new Uint32Array(0);
  #x = new Float32Array(0);
  #t = new Float32Array(0);
  #rows = 0;
  /** The box of the last cutmix call (reused object). */
  readonly box: Box = { top: 0, bottom: 0, left: 0, right: 0 };

  /** Partner of row i in the last call. */
  partner(i: number): number {
    if (!(i >= 0 && i < this.#rows)) throw new RangeError(`partner: row ${i} outside the last batch of ${this.#rows}`);
    return this.#perm[i];
  }

  /** Draws the permutation and keeps copies of the original rows (partners must read unmixed values). */
  #prepare(x: Mat, t: Mat, rng: Rng): void {
    if (x.rows !== t.rows) throw new RangeError(`mix: ${x.rows} input rows but ${t.rows} target rows`);
    const B = x.rows;
    const nx = B * x.cols;
    const nt = B * t.cols;
    if (this.#perm.length < B) this.#perm = new Uint32Array(B);
    if (this.#x.length < nx) this.#x = new Float32Array(nx);
    if (this.#t.length < nt) this.#t = new Float32Array(nt);
    const p = this.#perm;
    // Fisher–Yates inline: rng.shuffle on a subarray would allocate a view per batch.
    for (let i = 0; i < B; i++) p[i] = i;
    for (let i = B - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    for (let i = 0; i < nx; i++) this.#x[i] = x.data[i];
    for (let i = 0; i < nt; i++) this.#t[i] = t.data[i];
    this.#rows = B;
  }

  /** t_i = λ·t_i + (1 − λ)·t_partner(i), from the saved originals. */
  #mixTargets(t: Mat, lambda: number): void {
    const C = t.cols;
    for (let i = 0; i < t.rows; i++) {
      const a = i * C;
      const b = this.#perm[i] * C;
      for (let j = 0; j < C; j++) t.data[a + j] = lambda * this.#t[a + j] + (1 - lambda) * this.#t[b + j];
    }
  }

  /** Mixup with λ ~ Beta(α, α); mixes x and t in place and returns λ. */
  mixup(x: Mat, t: Mat, alpha: number, rng: Rng): number {
    if (!(alpha > 0)) throw new RangeError(`mixup: alpha must be > 0, got ${alpha}`);
    const lambda = rng.beta(alpha, alpha);
    this.mixupWith(x, t, lambda, rng);
    return lambda;
  }

  /** Mixup with a given λ (random partners): x_i = λ·x_i + (1 − λ)·x_partner(i), same for t. */
  mixupWith(x: Mat, t: Mat, lambda: number, rng: Rng): void {
    if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`mixup: lambda must be in [0, 1], got ${lambda}`);
    this.#prepare(x, t, rng);
    const D = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const a = i * D;
      const b = this.#perm[i] * D;
      for (let j = 0; j < D; j++) x.data[a + j] = lambda * this.#x[a + j] + (1 - lambda) * this.#x[b + j];
    }
    this.#mixTargets(t, lambda);
  }

  /**
   * CutMix with λ ~ Beta(α, α): a box of area ≈ (1 − λ)·H·W, centred at a uniform pixel and
   * clipped to the image (Yun et al.'s rand_bbox), is pasted from each row's partner. The
   * targets are mixed with the exact kept-area fraction, which is returned.
   */
  cutmix(x: Mat, t: Mat, alpha: number, rng: Rng, image: ImageShape | undefined): number {
    if (!image)
      throw new Error('cutmix: needs image data (rows that are images, e.g. digits); use mixup for tabular data');
    if (!(alpha > 0)) throw new RangeError(`cutmix: alpha must be > 0, got ${alpha}`);
    const { height: H, width: W } = image;
    const lambda = rng.beta(alpha, alpha);
    const ratio = Math.sqrt(1 - lambda);
    const cutH = Math.floor(H * ratio);
    const cutW = Math.floor(W * ratio);
    const cy = rng.int(H);
    const cx = rng.int(W);
    const box = this.box;
    box.top = clamp(cy - (cutH >> 1), 0, H);
    box.bottom = clamp(cy + (cutH >> 1), 0, H);
    box.left = clamp(cx - (cutW >> 1), 0, W);
    box.right = clamp(cx + (cutW >> 1), 0, W);
    return this.cutmixBox(x, t, box, rng, image);
  }

  /** Pastes `box` from random partners into every row; returns λ = kept area / image area and mixes t with it. */
  cutmixBox(x: Mat, t: Mat, box: Box, rng: Rng, image: ImageShape): number {
    const { height: H, width: W, channels: C } = image;
    if (H * W * C !== x.cols) throw new RangeError(`cutmix: rows of ${x.cols} values are not ${H}×${W}×${C} images`);
    if (!(
      0 <= box.top &&
      box.top <= box.bottom &&
      box.bottom <= H &&
      0 <= box.left &&
      box.left <= box.right &&
      box.right <= W
    )) {
      throw new RangeError(
        `cutmix: box rows ${box.top}..${box.bottom}, columns ${box.left}..${box.right} is not inside ${H}×${W}`,
      );
    }
    if (box !== this.box) Object.assign(this.box, box);
    this.#prepare(x, t, rng);
    const D = x.cols;
    for (let i = 0; i < x.rows; i++) {
      const a = i * D;
      const b = this.#perm[i] * D;
      for (let r = box.top; r < box.bottom; r++) {
        for (let k = (r * W + box.left) * C, end = (r * W + box.right) * C; k < end; k++)
          x.data[a + k] = this.#x[b + k];
      }
    }
    const lambda = 1 - ((box.bottom - box.top) * (box.right - box.left)) / (H * W);
    this.#mixTargets(t, lambda);
    return lambda;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
