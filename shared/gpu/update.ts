/**
 * The optimizer step and the weight penalty on the device: one update kernel per parameter
 * tensor (its state tensors beside it, zero or Adagrad's initial value at the start, as torch
 * creates them), with the penalty's gradient folded into the update; and P(θ) as fixed-order
 * sums of |θ| and θ² per weight tensor, read back when the learning curve asks for it.
 */
import type { PenaltyCoefficients } from '../train/penalty.ts';
import type { Dispatch, GpuContext } from './context.ts';
import { groups1d } from './context.ts';
import type { DeviceNetwork } from './network.ts';
import type { DeviceOptimizer } from './optimizer.ts';
import { PENALTY_SUMS } from './wgsl/loss.ts';
import { optimizerWgsl } from './wgsl/optim.ts';

/** Binds one update per parameter, in the host optimizer's order. */
export function optimizerDispatches(
  gpu: GpuContext,
  net: DeviceNetwork,
  opt: DeviceOptimizer,
  penalty: PenaltyCoefficients,
  step: GPUBuffer,
  status: GPUBuffer,
): Dispatch[] {
  const code = optimizerWgsl(opt.name, opt.states.names.length);
  return net.params.map((p) => {
    const states = opt.states.used.map((used, k) => {
      if (!used) return gpu.buffer(16);
      const init = opt.initialState(k);
      return init === 0 ? gpu.buffer(p.n * 4) : gpu.upload(new Float32Array(p.n).fill(init));
    });
    const l1 = p.host.penalize ? penalty.l1 : 0;
    const l2 = p.host.penalize ? penalty.l2 : 0;
    const h = gpu.uniform(opt.fields(p.n, l1, l2));
    return gpu.dispatch(code, [h, step, p.value, p.grad, status, ...states], groups1d(p.n));
  });
}

/** P(θ) = l1·Σ|θ| + (l2/2)·Σθ² over the penalized tensors, summed on the device per tensor. */
export async function penaltyValue(gpu: GpuContext, net: DeviceNetwork, c: PenaltyCoefficients): Promise<number> {
  const weights = net.params.filter((p) => p.host.penalize);
  if (weights.length === 0) return 0;
  const out = gpu.buffer(weights.length * 8);
  try {
    gpu.run(
      weights.map((p, q) =>
        gpu.dispatch(
          PENALTY_SUMS,
          [
            gpu.uniform([
              ['u', p.n],
              ['u', q],
            ]),
            p.value,
            out,
          ],
          [1, 1],
        ),
      ),
    );
    const sums = await gpu.readF32(out, weights.length * 2);
    let a = 0,
      s = 0;
    for (let q = 0; q < weights.length; q++) {
      a += sums[2 * q];
      s += sums[2 * q + 1];
    }
    return c.l1 * a + 0.5 * c.l2 * s;
  } finally {
    gpu.release(out);
  }
}
