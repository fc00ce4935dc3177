/**
 * A trained state in PyTorch's layout: the `state_dict` of the `torch.nn.Sequential` that
 * `buildModel` mirrors, so that `model.load_state_dict(...)` in a PyTorch script gives the same
 * network.
 *
 * The one difference of layout is the dense weight: `Dense` stores W as [in, out] row-major
 * (y = x·W + b, so the forward product needs no transpose), while `torch.nn.Linear` stores it
 * as [out, in] (y = x·Wᵀ + b). Here it is transposed. Keys follow the Sequential's module
 * indices, one module per layer in `model.layers` order: Linear → `i.weight`, `i.bias`;
 * BatchNorm1d → `i.weight` (γ), `i.bias` (β), `i.running_mean`, `i.running_var` (PyTorch's
 * `num_batches_tracked` counter is not kept; load with `strict=False` or add it); activations
 * and dropout have no entries but take their index, as they do in PyTorch.
 */
import type { ModelSpec } from '../schema/types.ts';
import { Rng } from '../rng.ts';
import { BatchNorm1d } from './batchnorm.ts';
import { Dense } from './dense.ts';
import { buildModel } from './model.ts';

/** One tensor of a state_dict: its PyTorch name, shape and values (row-major). */
export interface TorchTensor {
  /** e.g. `0.weight`, `1.running_var`. */
  name: string;
  /** PyTorch's shape: [out, in] for a Linear weight, [n] for vectors. */
  shape: number[];
  /** Row-major values, float32 as trained. */
  values: Float32Array;
}

/**
 * The state_dict of a trained network: `state` is the flat state (params then buffers, the
 * order of Sequential.getState and of FitResult.state) of the model `spec` builds for
 * `inputDim` features and `outputDim` outputs.
 */
export function torchStateDict(
  spec: ModelSpec,
  inputDim: number,
  outputDim: number,
  state: ArrayLike<number>,
): TorchTensor[] {
  const model = buildModel(spec, inputDim, outputDim, new Rng(0));
  if (state.length !== model.stateSize())
    throw new RangeError(`torchStateDict: the model has ${model.stateSize()} state values, got ${state.length}`);
  model.setState(Float32Array.from(state));
  const out: TorchTensor[] = [];
  model.layers.forEach((l, i) => {
    if (l instanceof Dense) {
      const K = l.inDim,
        N = l.outDim;
      const w = new Float32Array(N * K);
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) w[j * K + k] = l.weight.value[k * N + j];
      out.push({ name: `${i}.weight`, shape: [N, K], values: w });
      out.push({ name: `${i}.bias`, shape: [N], values: Float32Array.from(l.bias.value) });
    } else if (l instanceof BatchNorm1d) {
      const C = l.features;
      out.push({ name: `${i}.weight`, shape: [C], values: Float32Array.from(l.gamma.value) });
      out.push({ name: `${i}.bias`, shape: [C], values: Float32Array.from(l.beta.value) });
      out.push({ name: `${i}.running_mean`, shape: [C], values: Float32Array.from(l.runningMean) });
      out.push({ name: `${i}.running_var`, shape: [C], values: Float32Array.from(l.runningVar) });
    }
  });
  return out;
}
