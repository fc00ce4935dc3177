/**
 * Tiled matrix products, C[M×N] = op(A)·op(B), the three a dense layer needs:
 *   nn  forward            Y  = X·W      A M×K, B K×N
 *   tn  weight gradient    dW = Xᵀ·dZ    A K×M, B K×N
 *   nt  input gradient     dX = dZ·Wᵀ    A M×K, B N×K
 * Each workgroup of 16×16 threads computes a 64×64 tile of C, 4×4 values per thread, staging
 * 16-deep slices of A and B in workgroup memory (zero beyond the matrix edges). Every value of C
 * is one thread's sum over k = 0, 1, …, K−1 in that order: no atomics and no split reduction,
 * so a device gives the same bits on every run.
 *
 * The forward product's epilogue adds the bias and applies the activation (fused bias +
 * activation), and keeps the pre-activation when backward needs the input of the activation.
 */
import { ACTIVATIONS_WGSL } from './activation.ts';

export type MatmulKind = 'nn' | 'tn' | 'nt';
/** Rows and columns of C per workgroup. */
export const TILE = 64;

/**
 * Loads one element of the A slice (tile rows i, depth kk) for each layout. select() evaluates
 * both operands, so an index past the edge is clamped into the array and its value dropped.
 */
function loadA(kind: MatmulKind): string {
  if (kind === 'tn')
    return `let i = e % 64u; let kk = e / 64u; let r = row0 + i; let k = k0 + kk;
      As[kk * 64u + i] = select(0.0, a[min(k * p.m + r, arrayLength(&a) - 1u)], r < p.m && k < p.k);`;
  return `let kk = e % 16u; let i = e / 16u; let r = row0 + i; let k = k0 + kk;
      As[kk * 64u + i] = select(0.0, a[min(r * p.k + k, arrayLength(&a) - 1u)], r < p.m && k < p.k);`;
}

/** Loads one element of the B slice (depth kk, tile columns j). */
function loadB(kind: MatmulKind): string {
  if (kind === 'nt')
    return `let kk = e % 16u; let j = e / 16u; let c = col0 + j; let k = k0 + kk;
      Bs[kk * 64u + j] = select(0.0, b[min(c * p.k + k, arrayLength(&b) - 1u)], c < p.n && k < p.k);`;
  return `let j = e % 64u; let kk = e / 64u; let c = col0 + j; let k = k0 + kk;
      Bs[kk * 64u + j] = select(0.0, b[min(k * p.n + c, arrayLength(&b) - 1u)], c < p.n && k < p.k);`;
}

/** Element (r, k) of op(A) and (k, c) of op(B) for each layout, in the direct kernel. */
const AT: Record<MatmulKind, string> = { nn: 'a[r * p.k + k]', tn: 'a[k * p.m + r]', nt: 'a[r * p.k + k]' };
const BT: Record<MatmulKind, string> = { nn: 'b[k * p.n + col]', tn: 'b[k * p.n + col]', nt: 'b[col * p.k + k]' };

/**
 * WGSL of one product, computed directly: one thread per value of C, no workgroup memory and
 * no barrier. Each value is the same sum in the same order as in the tiled kernel (the same
 * bits, unless a compiler fuses a multiply-add in one and not the other); this one wins on small
 * matrices (and on a CPU emulating a GPU, where barriers are dear), the tiled one on large ones. Dispatched as ⌈N/8⌉ × ⌈M/8⌉ workgroups.
 */
export function matmulDirectWgsl(kind: MatmulKind, epilogue: boolean): string {
  return /* wgsl */ `
struct P { m: u32, n: u32, k: u32, act: u32, slope: f32, keep: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
${
  epilogue
    ? `@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> z: array<f32>;
${ACTIVATIONS_WGSL}`
    : ''
}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r = g.y;
  let col = g.x;
  if (r >= p.m || col >= p.n) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.k; k++) { acc = acc + ${AT[kind]} * ${BT[kind]}; }
  let at = r * p.n + col;
  ${
    epilogue
      ? `let v = acc + bias[col];
  if (p.keep != 0u) { z[at] = v; }
  c[at] = actForward(p.act, v, p.slope);`
      : 'c[at] = acc;'
  }
}
`;
}

/**
 * WGSL of one product, tiled. `epilogue` (forward only) binds bias at 4 and the pre-activation at 5,
 * and applies activation `p.act` with slope `p.slope`; `p.keep` says whether to store z.
 */
export function matmulWgsl(kind: MatmulKind, epilogue: boolean): string {
  return /* wgsl */ `
struct P { m: u32, n: u32, k: u32, act: u32, slope: f32, keep: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
${
  epilogue
    ? `@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> z: array<f32>;
${ACTIVATIONS_WGSL}`
    : ''
}
var<workgroup> As: array<f32, 1024>;
var<workgroup> Bs: array<f32, 1024>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * 64u;
  let col0 = wg.x * 64u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.k; k0 += 16u) {
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      ${loadA(kind)}
    }
    for (var l = 0u; l < 4u; l++) {
      let e = tid + l * 256u;
      ${loadB(kind)}
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < 4u; r++) { av[r] = As[kk * 64u + lid.y + 16u * r]; }
      for (var q = 0u; q < 4u; q++) { bv[q] = Bs[kk * 64u + lid.x + 16u * q]; }
      for (var r = 0u; r < 4u; r++) {
        for (var q = 0u; q < 4u; q++) { acc[r * 4u + q] = acc[r * 4u + q] + av[r] * bv[q]; }
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let row = row0 + lid.y + 16u * r;
    if (row >= p.m) { continue; }
    for (var q = 0u; q < 4u; q++) {
      let col = col0 + lid.x + 16u * q;
      if (col >= p.n) { continue; }
      let at = row * p.n + col;
      ${
        epilogue
          ? `let v = acc[r * 4u + q] + bias[col];
      if (p.keep != 0u) { z[at] = v; }
      c[at] = actForward(p.act, v, p.slope);`
          : 'c[at] = acc[r * 4u + q];'
      }
    }
  }
}
`;
}
