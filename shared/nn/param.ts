import { allocF32 } from '../linalg/alloc.ts';

/** A trainable tensor: its values, the gradient of the loss with respect to them, and how penalties treat it. */
export interface Param {
  /** Stable name, e.g. `dense0.weight` (used for initial weights and reports). */
  name: string;
  /** Shape as [rows, cols] for a matrix or [n] for a vector. */
  shape: number[];
  /** θ, the values being optimized. */
  value: Float32Array;
  /** ∂L/∂θ, written by the backward pass (overwritten, not accumulated, each step). */
  grad: Float32Array;
  /** Whether L1/L2/elastic-net penalties apply (weights yes; biases and batch-norm affine no). */
  penalize: boolean;
}

export function param(name: string, shape: number[], penalize: boolean): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: allocF32(n), grad: allocF32(n), penalize };
}
