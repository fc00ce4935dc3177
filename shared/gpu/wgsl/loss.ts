/**
 * WGSL of the training losses, with shared/nn/loss.ts's definitions (PyTorch's, 'mean'
 * reduction, optional per-row weights: Σ wᵢℓᵢ / Σ wᵢ):
 *   cross_entropy  softmax cross-entropy on logits, label smoothing ε: t′ = (1−ε)·t + ε/C
 *   mse            mean over all elements of (z − t)²
 *   bce            BCEWithLogits, max(z,0) − z·t + log(1 + e^(−|z|))
 * Three passes, none with atomics: the weight sum W (one workgroup, a fixed order), then one
 * thread per row writing that row's weighted loss and ∂L/∂z, then the mean (the same order),
 * stored in this step's slot of the loss window with a flag that stops every later state
 * update once it is NaN or infinite.
 */
import { ROW_LOSS_CE, ROW_LOSS_ELEMENTWISE } from './loss-rows.ts';

export { ROW_LOSS_CE, ROW_LOSS_ELEMENTWISE };

/** Loss kinds as the kernels' uniforms carry them. */
export const LOSS_ID = { cross_entropy: 0, mse: 1, bce: 2 } as const;

/**
 * A fixed-order sum of `value(i)` over i < n by one workgroup of 64 threads into `total`: each
 * thread adds every 64th term in order, then every thread adds the 64 partial sums in order
 * (one barrier: emulated GPUs pay dearly for each).
 */
function treeSum(value: string): string {
  return /* wgsl */ `
  var s = 0.0;
  for (var i = lid.x; i < p.n; i += 64u) { s += ${value}; }
  part[lid.x] = s;
  workgroupBarrier();
  var total = 0.0;
  for (var q = 0u; q < 64u; q++) { total += part[q]; }`;
}

/** scal[0] = W = Σ wb[i] over the n rows of the batch. */
export const WEIGHT_SUM = /* wgsl */ `
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> wb: array<f32>;
@group(0) @binding(2) var<storage, read_write> scal: array<f32>;
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  ${treeSum('wb[i]')}
  if (lid.x == 0u) { scal[0] = total; }
}
`;

/**
 * losses[slot] = Σ rowLoss / (W·div) (div = 1 for cross-entropy, C for the element-wise
 * losses); status[0] becomes 1 once a loss is NaN or infinite (exponent bits all ones).
 */
export const LOSS_REDUCE = /* wgsl */ `
struct P { n: u32, div: f32 }
struct S { t: u32, slot: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<uniform> st: S;
@group(0) @binding(2) var<storage, read> rowLoss: array<f32>;
@group(0) @binding(3) var<storage, read> scal: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> status: array<u32>;
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  ${treeSum('rowLoss[i]')}
  if (lid.x == 0u) {
    let loss = total / (scal[0] * p.div);
    losses[st.slot] = loss;
    if ((bitcast<u32>(loss) & 0x7f800000u) == 0x7f800000u) { status[0] = 1u; }
  }
}
`;

/** out[2q] = Σ|θ|, out[2q+1] = Σθ² over the n values of one weight tensor (the penalty P(θ)). */
export const PENALTY_SUMS = /* wgsl */ `
struct P { n: u32, q: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
var<workgroup> part: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_id) lid: vec3u) {
  ${treeSum('abs(v[i])')}
  let a = total;
  workgroupBarrier();
  {
    ${treeSum('v[i] * v[i]')}
    if (lid.x == 0u) { out[2u * p.q] = a; out[2u * p.q + 1u] = total; }
  }
}
`;
