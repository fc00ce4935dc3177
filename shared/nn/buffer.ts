/**
 * A layer-owned matrix that is the same object on every call: the training loop calls each
 * layer millions of times, so outputs and gradients live in buffers that grow only when a
 * larger batch than any before arrives, and are never reallocated otherwise.
 */
import { allocF32 } from '../linalg/alloc.ts';
import type { Mat } from '../linalg/mat.ts';

export class MatBuffer {
  /** The matrix handed out; its `data` may be longer than rows·cols (capacity kept from larger batches). */
  readonly mat: Mat = { rows: 0, cols: 0, data: allocF32(0) };

  /** The owned matrix reshaped to rows×cols; contents are stale until the caller writes them. */
  get(rows: number, cols: number): Mat {
    const m = this.mat;
    const n = rows * cols;
    if (m.data.length < n) m.data = allocF32(n);
    m.rows = rows;
    m.cols = cols;
    return m;
  }
}
