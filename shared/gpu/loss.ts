/**
 * The loss of a training step on the device (kernels in wgsl/loss.ts): the batch's weight sum,
 * each row's loss and ∂L/∂output, then the mean into the step's slot of the loss window.
 */
import type { LossSpec } from '../schema/types.ts';
import { type Dispatch, type GpuContext } from './context.ts';
import { LOSS_ID, LOSS_REDUCE, ROW_LOSS_CE, ROW_LOSS_ELEMENTWISE, WEIGHT_SUM } from './wgsl/loss.ts';

export interface LossBuffers {
  kind: LossSpec['kind'];
  /** ε of cross-entropy's label smoothing. */
  labelSmoothing: number;
  /** Targets of the batch (rows × outputs). */
  targets: GPUBuffer;
  /** Sample weight of each batch row (1 when unweighted). */
  weights: GPUBuffer;
  /** ∂L/∂output (rows × outputs). */
  grad: GPUBuffer;
  /** wᵢ·ℓᵢ per row. */
  rowLoss: GPUBuffer;
  /** [W] = Σ wᵢ. */
  scalars: GPUBuffer;
  /** The mean loss of each step since the window was last read. */
  losses: GPUBuffer;
}

/** Binds the loss kernels for `rows` rows of `outDim` outputs; `status` flags a NaN or infinite loss. */
export function lossDispatches(
  gpu: GpuContext,
  b: LossBuffers,
  output: GPUBuffer,
  rows: number,
  outDim: number,
  step: GPUBuffer,
  status: GPUBuffer,
): Dispatch[] {
  const list: Dispatch[] = [gpu.dispatch(WEIGHT_SUM, [gpu.uniform([['u', rows]]), b.weights, b.scalars], [1, 1])];
  const rowGroups: [number, number] = [Math.ceil(rows / 64), 1];
  const io = [output, b.targets, b.weights, b.scalars, b.grad, b.rowLoss];
  if (b.kind === 'cross_entropy') {
    const u = gpu.uniform([
      ['u', rows],
      ['u', outDim],
      ['f', 1 - b.labelSmoothing],
      ['f', b.labelSmoothing / outDim],
    ]);
    list.push(gpu.dispatch(ROW_LOSS_CE, [u, ...io], rowGroups));
  } else {
    const u = gpu.uniform([
      ['u', rows],
      ['u', outDim],
      ['u', LOSS_ID[b.kind]],
    ]);
    list.push(gpu.dispatch(ROW_LOSS_ELEMENTWISE, [u, ...io], rowGroups));
  }
  const ur = gpu.uniform([
    ['u', rows],
    ['f', b.kind === 'cross_entropy' ? 1 : outDim],
  ]);
  list.push(gpu.dispatch(LOSS_REDUCE, [ur, step, b.rowLoss, b.scalars, b.losses, status], [1, 1]));
  return list;
}
