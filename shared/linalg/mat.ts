import { allocF32 } from './alloc.ts';

/** A row-major matrix view: `rows` samples × `cols` features, stored in `data`. */
export interface Mat {
  /** Number of rows (samples in a batch). */
  rows: number;
  /** Number of columns (features or units). */
  cols: number;
  /** Row-major storage; may be longer than rows·cols (a reused buffer), never shorter. */
  data: Float32Array;
}

export function mat(rows: number, cols: number, data?: Float32Array): Mat {
  const d = data ?? allocF32(rows * cols);
  if (d.length < rows * cols) throw new RangeError(`mat: ${rows}×${cols} needs ${rows * cols} values, got ${d.length}`);
  return { rows, cols, data: d };
}

/**
 * A growable scratch buffer: returns a matrix of the asked shape, reallocating only when the
 * capacity is too small, so that the training loop allocates nothing after its first batch.
 */
export class Scratch {
  #buf: Float32Array = new Float32Array(0);
  get(rows: number, cols: number): Mat {
    const n = rows * cols;
    if (this.#buf.length < n) this.#buf = allocF32(n);
    return { rows, cols, data: this.#buf };
  }
}
