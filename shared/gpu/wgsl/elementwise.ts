/**
 * WGSL of the kernels that touch each value once: activations forward and backward, the bias
 * gradient (column sums, one thread per column adding rows in order), dropout, and the batch
 * gather that turns row indices into standardized inputs and the loss's targets on the device.
 */
import { ACTIVATIONS_WGSL, FLAT_INDEX } from './activation.ts';
import { DROPOUT_BITS_WGSL } from './rng.ts';

/** y = act(x) for i < n. */
export const ACT_FORWARD = /* wgsl */ `
struct P { n: u32, act: u32, slope: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
${ACTIVATIONS_WGSL}
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  y[i] = actForward(p.act, x[i], p.slope);
}
`;

/** dx = dy·act′ for i < n, from the activation's input x and output y. */
export const ACT_BACKWARD = /* wgsl */ `
struct P { n: u32, act: u32, slope: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
${ACTIVATIONS_WGSL}
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  dx[i] = actBackward(p.act, x[i], y[i], dy[i], p.slope);
}
`;

/** out[j] = Σ_i a[i·n + j] over i < m, rows added in order (a bias gradient). */
export const COL_SUM = /* wgsl */ `
struct P { m: u32, n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= p.n) { return; }
  var s = 0.0;
  for (var i = 0u; i < p.m; i++) { s += a[i * p.n + j]; }
  out[j] = s;
}
`;

/**
 * Inverted dropout forward: keep unit i when its counter-based draw is ≥ threshold (probability
 * 1−p), scaled by 1/(1−p). The draw depends only on the fit's key, the step, the layer and i.
 */
export const DROPOUT_FORWARD = /* wgsl */ `
struct P { n: u32, threshold: u32, scale: f32, layer: u32, key0: u32, key1: u32 }
struct S { t: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<uniform> s: S;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> mask: array<f32>;
${DROPOUT_BITS_WGSL}
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  let m = select(0.0, p.scale, dropoutBits(p.key0, p.key1, s.t, p.layer, i) >= p.threshold);
  mask[i] = m;
  y[i] = x[i] * m;
}
`;

/** out[i] = a[i]·b[i] (dropout backward: dy ⊙ mask). */
export const MULTIPLY = /* wgsl */ `
struct P { n: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  out[i] = a[i] * b[i];
}
`;

/** Inputs of a batch: xb[i, j] = (X[rows[i], j] − mean[j]) / std[j] for i < m, j < d. */
export const GATHER_X = /* wgsl */ `
struct P { m: u32, d: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> sd: array<f32>;
@group(0) @binding(5) var<storage, read_write> xb: array<f32>;
${FLAT_INDEX}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.m * p.d) { return; }
  let r = i / p.d;
  let j = i - r * p.d;
  xb[i] = (data[rows[r] * p.d + j] - mean[j]) / sd[j];
}
`;

/**
 * Targets and weights of a batch: one-hot rows (`onehot` = 1, c classes) or y itself, and each
 * row's sample weight (1 when `weighted` = 0).
 */
export const GATHER_T = /* wgsl */ `
struct P { m: u32, c: u32, onehot: u32, weighted: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> rows: array<u32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> tb: array<f32>;
@group(0) @binding(5) var<storage, read_write> wb: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.m) { return; }
  let r = rows[i];
  if (p.onehot != 0u) {
    let label = u32(y[r]);
    for (var c = 0u; c < p.c; c++) { tb[i * p.c + c] = select(0.0, 1.0, c == label); }
  } else {
    tb[i] = y[r];
  }
  wb[i] = select(1.0, weights[min(r, arrayLength(&weights) - 1u)], p.weighted != 0u);
}
`;
