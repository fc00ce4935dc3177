/**
 * WGSL of BatchNorm1d with torch's semantics (as shared/nn/batchnorm.ts): in training the
 * batch mean and biased variance normalize, and the running statistics move by EMA with the
 * unbiased (N/(N−1)) variance; at inference the running statistics normalize. Per-feature
 * statistics are one thread per feature adding the rows in order (two passes, as the CPU does,
 * so a large mean does not cancel the variance).
 *
 * stat holds mean[0..C) and invStd[C..2C); back holds γ·invStd, mean(dy), mean(dy·x̂).
 */

/** Training statistics; running statistics updated unless status says the run diverged. */
export const BN_STATS = /* wgsl */ `
struct P { m: u32, c: u32, eps: f32, momentum: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> stat: array<f32>;
@group(0) @binding(3) var<storage, read_write> rmean: array<f32>;
@group(0) @binding(4) var<storage, read_write> rvar: array<f32>;
@group(0) @binding(5) var<storage, read> status: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= p.c) { return; }
  let b = f32(p.m);
  var s = 0.0;
  for (var i = 0u; i < p.m; i++) { s += x[i * p.c + j]; }
  let mean = s / b;
  var q = 0.0;
  for (var i = 0u; i < p.m; i++) {
    let d = x[i * p.c + j] - mean;
    q += d * d;
  }
  stat[j] = mean;
  stat[p.c + j] = 1.0 / sqrt(q / b + p.eps);
  if (status[0] == 0u) {
    rmean[j] = (1.0 - p.momentum) * rmean[j] + p.momentum * mean;
    rvar[j] = (1.0 - p.momentum) * rvar[j] + p.momentum * (q / (b - 1.0));
  }
}
`;

/** Inference statistics from the running ones. */
export const BN_RUNNING = /* wgsl */ `
struct P { m: u32, c: u32, eps: f32, momentum: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> rmean: array<f32>;
@group(0) @binding(2) var<storage, read> rvar: array<f32>;
@group(0) @binding(3) var<storage, read_write> stat: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= p.c) { return; }
  stat[j] = rmean[j];
  stat[p.c + j] = 1.0 / sqrt(rvar[j] + p.eps);
}
`;

/** x̂ = (x − mean)·invStd, y = γ·x̂ + β. */
export const BN_NORMALIZE = /* wgsl */ `
struct P { n: u32, c: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stat: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> beta: array<f32>;
@group(0) @binding(5) var<storage, read_write> xhat: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
fn flatIndex(g: vec3u, n: vec3u) -> u32 { return g.x + g.y * n.x * 256u; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  let j = i % p.c;
  let h = (x[i] - stat[j]) * stat[p.c + j];
  xhat[i] = h;
  y[i] = gamma[j] * h + beta[j];
}
`;

/** Per feature: dβ = Σdy, dγ = Σdy·x̂, and what the input gradient needs. */
export const BN_BACK_REDUCE = /* wgsl */ `
struct P { m: u32, c: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read> stat: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(7) var<storage, read_write> back: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= p.c) { return; }
  var sdy = 0.0;
  var sdyx = 0.0;
  for (var i = 0u; i < p.m; i++) {
    let v = dy[i * p.c + j];
    sdy += v;
    sdyx += v * xhat[i * p.c + j];
  }
  dbeta[j] = sdy;
  dgamma[j] = sdyx;
  back[j] = gamma[j] * stat[p.c + j];
  back[p.c + j] = sdy / f32(p.m);
  back[2u * p.c + j] = sdyx / f32(p.m);
}
`;

/** dx = γ·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)), the gradient through the batch statistics. */
export const BN_BACK_DX = /* wgsl */ `
struct P { n: u32, c: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> xhat: array<f32>;
@group(0) @binding(3) var<storage, read> back: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;
fn flatIndex(g: vec3u, n: vec3u) -> u32 { return g.x + g.y * n.x * 256u; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = flatIndex(g, nw);
  if (i >= p.n) { return; }
  let j = i % p.c;
  dx[i] = back[j] * (dy[i] - back[p.c + j] - xhat[i] * back[2u * p.c + j]);
}
`;
