/**
 * The per-row pass of the losses (see loss.ts): one thread per batch row writes rowLoss[i] =
 * wᵢ·ℓᵢ and the row of ∂L/∂z, the same formulas as shared/nn/loss.ts in float32.
 */

/**
 * Softmax cross-entropy with label smoothing: ℓ = Σⱼ t′ⱼ·(lse − zⱼ), lse = max + log Σ e^(z−max);
 * ∂L/∂zⱼ = (w/W)·(softmaxⱼ·Σt′ − t′ⱼ).
 */
export const ROW_LOSS_CE = /* wgsl */ `
struct P { m: u32, c: u32, keep: f32, spread: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read> wb: array<f32>;
@group(0) @binding(4) var<storage, read> scal: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> rowLoss: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.m) { return; }
  let base = i * p.c;
  var mx = z[base];
  for (var j = 1u; j < p.c; j++) { mx = max(mx, z[base + j]); }
  var sumExp = 0.0;
  for (var j = 0u; j < p.c; j++) {
    let e = exp(z[base + j] - mx);
    grad[base + j] = e;
    sumExp += e;
  }
  let lse = mx + log(sumExp);
  var row = 0.0;
  var mass = 0.0;
  for (var j = 0u; j < p.c; j++) {
    let tj = p.keep * t[base + j] + p.spread;
    row += tj * (lse - z[base + j]);
    mass += tj;
  }
  let w = wb[i];
  rowLoss[i] = w * row;
  let s = w / scal[0];
  let pm = mass / sumExp;
  for (var j = 0u; j < p.c; j++) {
    grad[base + j] = s * (grad[base + j] * pm - (p.keep * t[base + j] + p.spread));
  }
}
`;

/**
 * MSE (kind 1): ℓ = (z − t)², slope 2(z − t); BCE with logits (kind 2): ℓ = max(z,0) − z·t +
 * log1p(e^(−|z|)), slope σ(z) − t. Each element's slope is scaled by w/(W·C).
 */
export const ROW_LOSS_ELEMENTWISE = /* wgsl */ `
struct P { m: u32, c: u32, kind: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read> wb: array<f32>;
@group(0) @binding(4) var<storage, read> scal: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> rowLoss: array<f32>;
/** log(1 + x) for 0 ≤ x ≤ 1 without losing a small x to rounding. */
fn log1pSmall(x: f32) -> f32 {
  if (x < 1e-4) { return x * (1.0 - x * (0.5 - x / 3.0)); }
  return log(1.0 + x);
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.m) { return; }
  let w = wb[i];
  let norm = 1.0 / (scal[0] * f32(p.c));
  var row = 0.0;
  for (var j = 0u; j < p.c; j++) {
    let k = i * p.c + j;
    let zk = z[k];
    let tk = t[k];
    var slope: f32;
    if (p.kind == 1u) {
      let d = zk - tk;
      row += d * d;
      slope = 2.0 * d;
    } else {
      let e = exp(-abs(zk));
      row += max(zk, 0.0) - zk * tk + log1pSmall(e);
      slope = select(e / (1.0 + e), 1.0 / (1.0 + e), zk >= 0.0) - tk;
    }
    grad[k] = slope * w * norm;
  }
  rowLoss[i] = w * row;
}
`;
