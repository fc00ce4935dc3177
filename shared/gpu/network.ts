/**
 * A Sequential network laid out on the device: each parameter's value and gradient in a
 * buffer, each layer's outputs and input gradient in buffers sized for the largest batch, and
 * the layers turned into operations. A dense layer takes the activation after it into its
 * product's epilogue (any activation: fused bias + activation); batch norm, dropout and a lone
 * activation are operations of their own.
 *
 * `plan(rows, training)` binds every kernel of a forward (and in training, backward) pass for
 * that many rows: bind groups are made once per batch size, not once per step.
 */
import { ActivationLayer } from '../nn/activation.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { Dense } from '../nn/dense.ts';
import { Dropout } from '../nn/dropout.ts';
import type { Sequential } from '../nn/model.ts';
import type { Param } from '../nn/param.ts';
import type { Activation } from '../schema/types.ts';
import type { GpuContext } from './context.ts';

/** A parameter on the device. */
export interface DeviceParam {
  /** The host tensor it mirrors (its name, shape, penalty flag; values copied on demand). */
  host: Param;
  value: GPUBuffer;
  grad: GPUBuffer;
  /** Number of values. */
  n: number;
}

/** Buffers every operation has: what it wrote forward, and ∂L/∂input backward (none for the first). */
interface OpBase {
  /** Width of its input rows. */
  inDim: number;
  /** Width of its output rows. */
  outDim: number;
  out: GPUBuffer;
  dx: GPUBuffer;
}

export type Op = OpBase &
  (
    | {
        kind: 'dense';
        w: DeviceParam;
        b: DeviceParam;
        act: Activation;
        slope: number;
        /** Pre-activation z = x·W + b, kept when the activation differentiates from its input. */
        z: GPUBuffer | null;
        /** ∂L/∂z behind the activation. */
        dz: GPUBuffer;
      }
    | {
        kind: 'bn';
        gamma: DeviceParam;
        beta: DeviceParam;
        runningMean: GPUBuffer;
        runningVar: GPUBuffer;
        eps: number;
        momentum: number;
        xhat: GPUBuffer;
        /** mean and invStd per feature. */
        stat: GPUBuffer;
        /** γ·invStd, mean(dy), mean(dy·x̂) per feature. */
        back: GPUBuffer;
        /** The host layer, whose running statistics getState reads. */
        layer: BatchNorm1d;
      }
    | { kind: 'act'; act: Activation; slope: number }
    | { kind: 'dropout'; p: number; mask: GPUBuffer; index: number }
  );

/** Whether a dense layer's activation must keep its input for backward. */
function keepsInput(a: Activation): boolean {
  return a === 'leaky_relu' || a === 'gelu';
}

export class DeviceNetwork {
  readonly ops: Op[] = [];
  /** Every parameter, in the host model's params() order. */
  readonly params: DeviceParam[] = [];
  /** Input of the first operation (maxRows × inputs). */
  readonly input: GPUBuffer;
  readonly inputs: number;
  readonly maxRows: number;

  constructor(gpu: GpuContext, model: Sequential, inputs: number, maxRows: number) {
    this.inputs = inputs;
    this.maxRows = maxRows;
    this.input = gpu.buffer(maxRows * inputs * 4);
    const f32 = (values: number) => gpu.buffer(maxRows * values * 4);
    const param = (p: Param): DeviceParam => {
      const d = { host: p, value: gpu.upload(p.value), grad: gpu.buffer(p.value.length * 4), n: p.value.length };
      this.params.push(d);
      return d;
    };
    const tiny = () => gpu.buffer(16);
    const layers = model.layers;
    let width = inputs;
    let dropouts = 0;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const first = this.ops.length === 0;
      if (l instanceof Dense) {
        const next = layers[i + 1];
        const act = next instanceof ActivationLayer ? next.kind : 'identity';
        const slope = next instanceof ActivationLayer ? next.negativeSlope : 0;
        if (next instanceof ActivationLayer) i++;
        const w = param(l.weight),
          b = param(l.bias);
        this.ops.push({
          kind: 'dense',
          inDim: l.inDim,
          outDim: l.outDim,
          w,
          b,
          act,
          slope,
          out: f32(l.outDim),
          z: keepsInput(act) ? f32(l.outDim) : null,
          dz: act === 'identity' ? tiny() : f32(l.outDim),
          dx: first ? tiny() : f32(l.inDim),
        });
        width = l.outDim;
      } else if (l instanceof BatchNorm1d) {
        const C = l.features;
        this.ops.push({
          kind: 'bn',
          inDim: C,
          outDim: C,
          gamma: param(l.gamma),
          beta: param(l.beta),
          runningMean: gpu.upload(l.runningMean),
          runningVar: gpu.upload(l.runningVar),
          eps: l.eps,
          momentum: l.momentum,
          xhat: f32(C),
          stat: gpu.buffer(2 * C * 4),
          back: gpu.buffer(3 * C * 4),
          out: f32(C),
          dx: first ? tiny() : f32(C),
          layer: l,
        });
      } else if (l instanceof ActivationLayer) {
        this.ops.push({
          kind: 'act',
          inDim: width,
          outDim: width,
          act: l.kind,
          slope: l.negativeSlope,
          out: f32(width),
          dx: first ? tiny() : f32(width),
        });
      } else if (l instanceof Dropout) {
        this.ops.push({
          kind: 'dropout',
          inDim: width,
          outDim: width,
          p: l.p,
          mask: f32(width),
          index: dropouts++,
          out: f32(width),
          dx: first ? tiny() : f32(width),
        });
      } else {
        throw new Error(`the WebGPU engine has no kernel for layer "${l.kind}"`);
      }
    }
  }

  /** Output units of the network. */
  get outDim(): number {
    return this.ops[this.ops.length - 1].outDim;
  }

  /** Batch-norm running statistics buffers with their host arrays, in Sequential.buffers() order. */
  buffers(): Array<[GPUBuffer, Float32Array]> {
    const out: Array<[GPUBuffer, Float32Array]> = [];
    for (const op of this.ops)
      if (op.kind === 'bn') {
        out.push([op.runningMean, op.layer.runningMean]);
        out.push([op.runningVar, op.layer.runningVar]);
      }
    return out;
  }
}
