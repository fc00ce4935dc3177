import type { Mat } from '../linalg/mat.ts';
import type { Param } from './param.ts';
import type { Rng } from '../rng.ts';

/** What a layer's forward pass needs beyond its input. */
export interface ForwardContext {
  /** Training mode: dropout samples masks, batch norm uses batch statistics and updates running ones. */
  training: boolean;
  /** Generator for stochastic layers (dropout masks); only read in training mode. */
  rng: Rng;
}

/**
 * One step of a sequential network. `forward` keeps what `backward` needs; `backward`
 * receives ∂L/∂output, writes ∂L/∂θ into its params' `grad`, and returns ∂L/∂input.
 * Returned matrices are owned by the layer and valid until its next call.
 */
export interface Layer {
  readonly kind: string;
  forward(x: Mat, ctx: ForwardContext): Mat;
  backward(dy: Mat): Mat;
  params(): Param[];
  /** Non-trainable state to save with the weights (batch-norm running statistics). */
  buffers(): Float32Array[];
}
