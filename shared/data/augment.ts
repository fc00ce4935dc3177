/**
 * Data augmentation on a training batch, in place: geometric transforms of image rows
 * (shift, rotation, horizontal flip, crop-and-rescale) and Gaussian noise on any rows.
 * The geometric transforms of one image are composed into a single inverse map and sampled
 * once (bilinear, zero outside the image), so combining them blurs no more than one does.
 * After the first batch nothing is allocated: the per-image scratch buffer is reused.
 */
import type { Mat } from '../linalg/mat.ts';
import type { Rng } from '../rng.ts';
import type { AugmentSpec } from '../schema/types.ts';
import type { ImageShape } from './dataset.ts';
import { cos, sin } from '../math/index.ts';

/** One image's geometric transform, applied to the content in this order: flip, crop-rescale, rotate, shift. */
export interface ImageTransform {
  /** Content moves down by dy pixels (negative: up). */
  dy: number;
  /** Content moves right by dx pixels (negative: left). */
  dx: number;
  /** Rotation of the content about the image centre, degrees, counter-clockwise as seen on screen. */
  degrees: number;
  /** Mirror left–right. */
  flip: boolean;
  /** Side of the crop window as a fraction of the image side, in (0, 1]; the window is scaled back to full size. */
  scale: number;
  /** Top edge of the crop window in source pixels, in [0, height·(1 − scale)]. */
  top: number;
  /** Left edge of the crop window in source pixels, in [0, width·(1 − scale)]. */
  left: number;
}

export const IDENTITY: Readonly<ImageTransform> = { dy: 0, dx: 0, degrees: 0, flip: false, scale: 1, top: 0, left: 0 };

/** Coordinates this close to a whole pixel are snapped to it, so that integer shifts and flips copy values exactly. */
const SNAP = 1e-9;

function snap(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < SNAP ? r : v;
}

/**
 * dst image = t applied to the src image (both of `shape`, HWC layout, starting at the given
 * offsets). For each output pixel the source position is found by undoing the steps in
 * reverse order, then sampled bilinearly; positions outside the image read as 0.
 * src and dst must not overlap.
 */
export function warpImage(
  src: Float32Array,
  srcOff: number,
  dst: Float32Array,
  dstOff: number,
  shape: ImageShape,
  t: ImageTransform,
): void {
  const { height: H, width: W, channels: C } = shape;
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  const th = (t.degrees * Math.PI) / 180;
  const ct = cos(th);
  const st = sin(th);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      // Undo the shift.
      const r1 = r - t.dy - cy;
      const c1 = c - t.dx - cx;
      // Undo the rotation (x to the right, y up on screen, so y = −row).
      const xs = ct * c1 - st * r1;
      const ys = -st * c1 - ct * r1;
      const r2 = cy - ys;
      const c2 = cx + xs;
      // Undo crop-and-rescale: output pixel centres map evenly onto the window.
      let r3 = snap(t.top + (r2 + 0.5) * t.scale - 0.5);
      let c3 = snap(t.left + (c2 + 0.5) * t.scale - 0.5);
      if (t.flip) c3 = W - 1 - c3;
      const o = dstOff + (r * W + c) * C;
      // The image covers its pixels' squares: a position inside the outer half pixel reads the
      // edge pixel (so a crop-rescale of a flat image stays flat); beyond it is zero.
      if (r3 < -0.5 || r3 > H - 0.5 || c3 < -0.5 || c3 > W - 0.5) {
        for (let ch = 0; ch < C; ch++) dst[o + ch] = 0;
        continue;
      }
      r3 = r3 < 0 ? 0 : r3 > H - 1 ? H - 1 : r3;
      c3 = c3 < 0 ? 0 : c3 > W - 1 ? W - 1 : c3;
      const r0 = Math.floor(r3);
      const c0 = Math.floor(c3);
      const fr = r3 - r0;
      const fc = c3 - c0;
      for (let ch = 0; ch < C; ch++) {
        const v00 = pixel(src, srcOff, shape, r0, c0, ch);
        const v01 = fc > 0 ? pixel(src, srcOff, shape, r0, c0 + 1, ch) : 0;
        const v10 = fr > 0 ? pixel(src, srcOff, shape, r0 + 1, c0, ch) : 0;
        const v11 = fr > 0 && fc > 0 ? pixel(src, srcOff, shape, r0 + 1, c0 + 1, ch) : 0;
        const top = v00 * (1 - fc) + v01 * fc;
        const bottom = v10 * (1 - fc) + v11 * fc;
        dst[o + ch] = top * (1 - fr) + bottom * fr;
      }
    }
  }
}

function pixel(src: Float32Array, off: number, s: ImageShape, r: number, c: number, ch: number): number {
  if (r < 0 || r >= s.height || c < 0 || c >= s.width) return 0;
  return src[off + (r * s.width + c) * s.channels + ch];
}

/** Adds N(0, std²) to every value of the batch (regularization.inputNoise). */
export function addInputNoise(batch: Mat, std: number, rng: Rng): void {
  if (!(std >= 0)) throw new RangeError(`addInputNoise: std must be >= 0, got ${std}`);
  if (std === 0) return;
  const n = batch.rows * batch.cols;
  const a = batch.data;
  for (let i = 0; i < n; i++) a[i] += rng.normal(0, std);
}

/** Gaussian jitter of tabular rows: adds N(0, std_j²) to feature j; `std` is one value for all features or one per feature. */
export function jitterRows(batch: Mat, std: number | ArrayLike<number>, rng: Rng): void {
  if (typeof std === 'number') {
    addInputNoise(batch, std, rng);
    return;
  }
  if (std.length !== batch.cols) throw new RangeError(`jitterRows: ${std.length} stds for ${batch.cols} features`);
  const a = batch.data;
  for (let i = 0; i < batch.rows; i++) {
    const o = i * batch.cols;
    for (let j = 0; j < batch.cols; j++) if (std[j] > 0) a[o + j] += rng.normal(0, std[j]);
  }
}

/**
 * The augmentation a spec asks for, drawn afresh for every row of every batch. Image options
 * need an image shape; asking for them on tabular data is an error, not a silent no-op.
 */
export class Augmenter {
  /** The options this augmenter draws from. */
  readonly spec: Readonly<AugmentSpec>;
  /** Shape of each row as an image; undefined for tabular rows (then only jitter applies). */
  readonly image: ImageShape | undefined;
  #scratch = new Float32Array(0);
  #t: ImageTransform = { ...IDENTITY };

  constructor(spec: AugmentSpec, image?: ImageShape) {
    const geometric = (spec.shift ?? 0) > 0 || (spec.rotate ?? 0) > 0 || spec.flip === true || (spec.scale ?? 0) > 0;
    if (geometric && !image)
      throw new Error(
        'augment: shift, rotate, flip and scale need image data (e.g. digits); use jitter for tabular rows',
      );
    const s = spec.scale ?? 0;
    if (!(s >= 0 && s < 1)) throw new RangeError(`augment.scale: must be in [0, 1), got ${s}`);
    const shift = spec.shift ?? 0;
    if (!(Number.isInteger(shift) && shift >= 0))
      throw new RangeError(`augment.shift: must be a whole number of pixels >= 0, got ${shift}`);
    this.spec = { ...spec };
    this.image = image;
  }

  /** Whether apply changes anything (lets the training loop skip it). */
  get active(): boolean {
    const s = this.spec;
    return (s.shift ?? 0) > 0 || (s.rotate ?? 0) > 0 || s.flip === true || (s.scale ?? 0) > 0 || (s.jitter ?? 0) > 0;
  }

  /** Draws one image's transform from the spec into `t`. */
  draw(rng: Rng, t: ImageTransform = this.#t): ImageTransform {
    const s = this.spec;
    const shape = this.image!;
    const shift = s.shift ?? 0;
    t.dy = shift > 0 ? rng.int(2 * shift + 1) - shift : 0;
    t.dx = shift > 0 ? rng.int(2 * shift + 1) - shift : 0;
    t.degrees = (s.rotate ?? 0) > 0 ? rng.uniform(-s.rotate!, s.rotate) : 0;
    t.flip = s.flip === true && rng.next() < 0.5;
    const range = s.scale ?? 0;
    t.scale = range > 0 ? rng.uniform(1 - range, 1) : 1;
    t.top = range > 0 ? rng.uniform(0, shape.height * (1 - t.scale)) : 0;
    t.left = range > 0 ? rng.uniform(0, shape.width * (1 - t.scale)) : 0;
    return t;
  }

  /** Augments every row of the batch in place. */
  apply(batch: Mat, rng: Rng): void {
    const shape = this.image;
    const s = this.spec;
    if (shape && ((s.shift ?? 0) > 0 || (s.rotate ?? 0) > 0 || s.flip === true || (s.scale ?? 0) > 0)) {
      const d = batch.cols;
      if (shape.height * shape.width * shape.channels !== d) {
        throw new RangeError(
          `augment: rows of ${d} values are not ${shape.height}×${shape.width}×${shape.channels} images`,
        );
      }
      if (this.#scratch.length < d) this.#scratch = new Float32Array(d);
      const tmp = this.#scratch;
      for (let i = 0; i < batch.rows; i++) {
        const t = this.draw(rng);
        if (t.dy === 0 && t.dx === 0 && t.degrees === 0 && !t.flip && t.scale === 1) continue;
        // A copy loop, not subarray(): a view per row would allocate on every batch.
        for (let j = 0, o = i * d; j < d; j++) tmp[j] = batch.data[o + j];
        warpImage(tmp, 0, batch.data, i * d, shape, t);
      }
    }
    if ((s.jitter ?? 0) > 0) addInputNoise(batch, s.jitter!, rng);
  }
}
