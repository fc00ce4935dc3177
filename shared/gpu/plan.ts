/**
 * The bound kernels of one pass of a DeviceNetwork over `rows` rows: the forward pass in
 * training or inference mode and, in training, the backward pass from ∂L/∂output to every
 * parameter's gradient. Which buffer feeds each operation depends on the mode (dropout is the
 * identity at inference), so each mode and batch size has its own plan.
 */
import { ACT_ID } from './wgsl/activation.ts';
import { BN_BACK_DX, BN_BACK_REDUCE, BN_NORMALIZE, BN_RUNNING, BN_STATS } from './wgsl/batchnorm.ts';
import { ACT_BACKWARD, ACT_FORWARD, COL_SUM, DROPOUT_FORWARD, MULTIPLY } from './wgsl/elementwise.ts';
import { matmulDirectWgsl, matmulWgsl, TILE, type MatmulKind } from './wgsl/matmul.ts';
import { dropoutThreshold } from './wgsl/rng.ts';
import { groups1d, type Dispatch, type GpuContext } from './context.ts';
import type { DeviceNetwork } from './network.ts';

/** What the stochastic and state-changing kernels of a training pass share. */
export interface PassShared {
  /** The step uniform (t first: dropout keys its draws on it). */
  step: GPUBuffer;
  /** status[0] ≠ 0 once the loss diverged: running statistics stop moving. */
  status: GPUBuffer;
  /** The fit's dropout keys. */
  keys: [number, number];
}

export interface Plan {
  rows: number;
  forward: Dispatch[];
  /** Empty at inference. */
  backward: Dispatch[];
  /** The network's output for these rows (rows × outDim). */
  output: GPUBuffer;
}

const groups = (n: number, per: number): [number, number] => [Math.max(1, Math.ceil(n / per)), 1];

/**
 * C[M×N] = op(A)·op(B) over K: the tiled kernel once C holds a full 64×64 tile, the direct one
 * below that (both add the same terms in the same order; a size always gets the same kernel).
 * `u` is the product's uniform: m, n, k, act, slope, keep.
 */
export function product(
  gpu: GpuContext,
  kind: MatmulKind,
  epilogue: boolean,
  M: number,
  N: number,
  buffers: GPUBuffer[],
): Dispatch {
  if (M >= TILE && N >= TILE)
    return gpu.dispatch(matmulWgsl(kind, epilogue), buffers, [Math.ceil(N / TILE), Math.ceil(M / TILE)]);
  return gpu.dispatch(matmulDirectWgsl(kind, epilogue), buffers, [Math.ceil(N / 8), Math.ceil(M / 8)]);
}

/** Binds the kernels of `net` for `rows` rows; `lossGrad` is ∂L/∂output (training only). */
export function makePlan(
  gpu: GpuContext,
  net: DeviceNetwork,
  rows: number,
  training: boolean,
  shared: PassShared,
  lossGrad: GPUBuffer | null,
): Plan {
  const forward: Dispatch[] = [];
  const ins: GPUBuffer[] = [];
  const outs: GPUBuffer[] = [];
  let cur = net.input;
  for (const op of net.ops) {
    ins.push(cur);
    const n = rows * op.outDim;
    switch (op.kind) {
      case 'dense': {
        const u = gpu.uniform([
          ['u', rows],
          ['u', op.outDim],
          ['u', op.inDim],
          ['u', ACT_ID[op.act]],
          ['f', op.slope],
          ['u', op.z ? 1 : 0],
        ]);
        const z = op.z ?? op.dz;
        forward.push(product(gpu, 'nn', true, rows, op.outDim, [u, cur, op.w.value, op.out, op.b.value, z]));
        cur = op.out;
        break;
      }
      case 'bn': {
        const u = gpu.uniform([
          ['u', rows],
          ['u', op.outDim],
          ['f', op.eps],
          ['f', op.momentum],
        ]);
        const c = groups(op.outDim, 64);
        if (training)
          forward.push(gpu.dispatch(BN_STATS, [u, cur, op.stat, op.runningMean, op.runningVar, shared.status], c));
        else forward.push(gpu.dispatch(BN_RUNNING, [u, op.runningMean, op.runningVar, op.stat], c));
        const un = gpu.uniform([
          ['u', n],
          ['u', op.outDim],
        ]);
        forward.push(
          gpu.dispatch(BN_NORMALIZE, [un, cur, op.stat, op.gamma.value, op.beta.value, op.xhat, op.out], groups1d(n)),
        );
        cur = op.out;
        break;
      }
      case 'act': {
        if (op.act === 'identity') break;
        const u = gpu.uniform([
          ['u', n],
          ['u', ACT_ID[op.act]],
          ['f', op.slope],
        ]);
        forward.push(gpu.dispatch(ACT_FORWARD, [u, cur, op.out], groups1d(n)));
        cur = op.out;
        break;
      }
      case 'dropout': {
        if (!training || op.p === 0) break;
        const u = gpu.uniform([
          ['u', n],
          ['u', dropoutThreshold(op.p)],
          ['f', 1 / (1 - op.p)],
          ['u', op.index],
          ['u', shared.keys[0]],
          ['u', shared.keys[1]],
        ]);
        forward.push(gpu.dispatch(DROPOUT_FORWARD, [u, shared.step, cur, op.out, op.mask], groups1d(n)));
        cur = op.out;
        break;
      }
    }
    outs.push(cur);
  }
  const backward = training && lossGrad ? backwardPass(gpu, net, rows, ins, outs, lossGrad) : [];
  return { rows, forward, backward, output: cur };
}

/** From ∂L/∂output back to every gradient; the first operation's input gradient is never formed. */
function backwardPass(
  gpu: GpuContext,
  net: DeviceNetwork,
  rows: number,
  ins: GPUBuffer[],
  outs: GPUBuffer[],
  lossGrad: GPUBuffer,
): Dispatch[] {
  const list: Dispatch[] = [];
  let g = lossGrad;
  for (let k = net.ops.length - 1; k >= 0; k--) {
    const op = net.ops[k];
    const n = rows * op.outDim;
    const first = k === 0;
    switch (op.kind) {
      case 'dense': {
        if (op.act !== 'identity') {
          const u = gpu.uniform([
            ['u', n],
            ['u', ACT_ID[op.act]],
            ['f', op.slope],
          ]);
          list.push(gpu.dispatch(ACT_BACKWARD, [u, op.z ?? op.out, op.out, g, op.dz], groups1d(n)));
          g = op.dz;
        }
        const uw = gpu.uniform([
          ['u', op.inDim],
          ['u', op.outDim],
          ['u', rows],
          ['u', 0],
          ['f', 0],
          ['u', 0],
        ]);
        list.push(product(gpu, 'tn', false, op.inDim, op.outDim, [uw, ins[k], g, op.w.grad]));
        const ub = gpu.uniform([
          ['u', rows],
          ['u', op.outDim],
        ]);
        list.push(gpu.dispatch(COL_SUM, [ub, g, op.b.grad], groups(op.outDim, 256)));
        if (!first) {
          const ux = gpu.uniform([
            ['u', rows],
            ['u', op.inDim],
            ['u', op.outDim],
            ['u', 0],
            ['f', 0],
            ['u', 0],
          ]);
          list.push(product(gpu, 'nt', false, rows, op.inDim, [ux, g, op.w.value, op.dx]));
        }
        break;
      }
      case 'bn': {
        const u = gpu.uniform([
          ['u', rows],
          ['u', op.outDim],
        ]);
        list.push(
          gpu.dispatch(
            BN_BACK_REDUCE,
            [u, g, op.xhat, op.stat, op.gamma.value, op.gamma.grad, op.beta.grad, op.back],
            groups(op.outDim, 64),
          ),
        );
        if (!first) {
          const un = gpu.uniform([
            ['u', n],
            ['u', op.outDim],
          ]);
          list.push(gpu.dispatch(BN_BACK_DX, [un, g, op.xhat, op.back, op.dx], groups1d(n)));
        }
        break;
      }
      case 'act': {
        if (op.act === 'identity' || first) break;
        const u = gpu.uniform([
          ['u', n],
          ['u', ACT_ID[op.act]],
          ['f', op.slope],
        ]);
        list.push(gpu.dispatch(ACT_BACKWARD, [u, ins[k], outs[k], g, op.dx], groups1d(n)));
        break;
      }
      case 'dropout': {
        if (op.p === 0 || first) break;
        const u = gpu.uniform([['u', n]]);
        list.push(gpu.dispatch(MULTIPLY, [u, g, op.mask, op.dx], groups1d(n)));
        break;
      }
    }
    if (!first && !(op.kind === 'act' && op.act === 'identity') && !(op.kind === 'dropout' && op.p === 0)) g = op.dx;
  }
  return list;
}
