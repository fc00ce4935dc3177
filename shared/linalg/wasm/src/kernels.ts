// AssemblyScript source of the WebAssembly SIMD kernels (compiled by scripts/build-wasm.mjs,
// loaded by shared/linalg/wasm-kernels.ts). Every pointer is a byte address in the imported
// memory; every matrix is float32. The host owns the memory layout: this module keeps no
// state and allocates nothing, so one instance can serve any number of models.
//
// Only plain f32x4 arithmetic is used (no relaxed SIMD, no fused multiply-add): WebAssembly
// fixes the rounding of each of these operations, so a given call gives the same bits on
// every machine and in every engine, which the determinism rules of the project rely on.

// A product is computed as C (+)= A·B with A(i,k) = a[i*rsA + k*csA] and B(k,j) = b[k*rsB + j*csB]
// (strides in elements), which covers gemm, gemmTN and gemmNT with one code path. B is first
// packed into panels of NR columns, each panel kc rows × NR contiguous floats, zero-padded, so
// that the micro-kernel reads B sequentially whatever the layout of the original.
//
// Blocking: a packed B panel (KC×8 floats, 8 KiB) stays in L1 while the micro-kernel walks
// down MC rows of A (at most MC×KC floats, 128 KiB, in L2).
const KC: i32 = 256;
const NC: i32 = 512;
const MC: i32 = 128;

/** Bytes of packing buffer the host must reserve and pass as `pack`. */
export const PACK_BYTES: i32 = KC * (NC + 8) * 4;
/** Bytes at the start of memory this module uses as a tile scratch (host must not allocate there). */
export const LOW_SCRATCH_BYTES: i32 = 256;

const TILE: usize = 0; // 4 rows × 8 floats, for tiles whose columns do not fill the SIMD vectors

const F_ACC: i32 = 1; // add into the existing C
const F_BIAS: i32 = 2; // add bias[j] (only on the last K block)
const F_RELU: i32 = 4; // max(0, ·) (only on the last K block)

// ---------------------------------------------------------------------------------------------
// Epilogues: combine the accumulators with C, bias and activation, and store.

@inline
function finish(v: v128, c: usize, bias: usize, flags: i32): v128 {
  if (flags & F_ACC) v = f32x4.add(v128.load(c), v);
  if (flags & F_BIAS) v = f32x4.add(v, v128.load(bias));
  if (flags & F_RELU) v = f32x4.max(v, f32x4.splat(0));
  return v;
}

@inline
function finishScalar(v: f32, c: usize, bias: usize, flags: i32): f32 {
  if (flags & F_ACC) v = load<f32>(c) + v;
  if (flags & F_BIAS) v = v + load<f32>(bias);
  if (flags & F_RELU) v = max<f32>(v, 0);
  return v;
}

/** Writes `rows` rows of `ncols` (< the tile width) columns from TILE (row stride 32 bytes). */
function storePartial(rows: i32, ncols: i32, c: usize, ldc: usize, bias: usize, flags: i32): void {
  for (let r = 0; r < rows; r++) {
    const t = TILE + <usize>(r * 32);
    const cr = c + <usize>r * ldc;
    for (let j = 0; j < ncols; j++) {
      const o = <usize>(j << 2);
      store<f32>(cr + o, finishScalar(load<f32>(t + o), cr + o, bias + o, flags));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernels. 4×8 is the largest tile whose 8 accumulators, 2 B vectors, the broadcast A
// value and a product temporary fit V8's 15 usable xmm registers without spilling; it issues
// 16 vector flops per 6 loads, enough to keep the multiply and add pipes busy.

/** C[4×8] tile. a: &A(i0, k0); b: packed panel (kc × 8); c: &C(i0, j0). */
function kernel4x8(kc: i32, a: usize, rsA: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32): void {
  const a0 = a;
  const a1 = a + rsA;
  const a2 = a1 + rsA;
  const a3 = a2 + rsA;
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  let k = 0;
  // Unrolled by two: the loop bookkeeping is then a small part of each iteration.
  for (; k + 2 <= kc; k += 2) {
    let b0 = v128.load(pb);
    let b1 = v128.load(pb, 16);
    let s = v128.load32_splat(a0 + ka);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1 + ka);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2 + ka);
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3 + ka);
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
    ka += csA;
    b0 = v128.load(pb, 32);
    b1 = v128.load(pb, 48);
    s = v128.load32_splat(a0 + ka);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1 + ka);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2 + ka);
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3 + ka);
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
    ka += csA;
    pb += 64;
  }
  if (k < kc) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let s = v128.load32_splat(a0 + ka);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1 + ka);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2 + ka);
    c20 = f32x4.add(c20, f32x4.mul(s, b0));
    c21 = f32x4.add(c21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3 + ka);
    c30 = f32x4.add(c30, f32x4.mul(s, b0));
    c31 = f32x4.add(c31, f32x4.mul(s, b1));
  }
  if (ncols == 8) {
    const c1 = c + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    v128.store(c, finish(c00, c, bias, flags));
    v128.store(c, finish(c01, c + 16, bias + 16, flags), 16);
    v128.store(c1, finish(c10, c1, bias, flags));
    v128.store(c1, finish(c11, c1 + 16, bias + 16, flags), 16);
    v128.store(c2, finish(c20, c2, bias, flags));
    v128.store(c2, finish(c21, c2 + 16, bias + 16, flags), 16);
    v128.store(c3, finish(c30, c3, bias, flags));
    v128.store(c3, finish(c31, c3 + 16, bias + 16, flags), 16);
  } else {
    v128.store(TILE, c00);
    v128.store(TILE, c01, 16);
    v128.store(TILE, c10, 32);
    v128.store(TILE, c11, 48);
    v128.store(TILE, c20, 64);
    v128.store(TILE, c21, 80);
    v128.store(TILE, c30, 96);
    v128.store(TILE, c31, 112);
    storePartial(4, ncols, c, ldc, bias, flags);
  }
}

/** C[4×4] tile, for the last columns when at most 4 remain (b: packed panel kc × 4). */
function kernel4x4(kc: i32, a: usize, rsA: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32): void {
  const a0 = a;
  const a1 = a + rsA;
  const a2 = a1 + rsA;
  const a3 = a2 + rsA;
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0 + ka), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1 + ka), b0));
    c2 = f32x4.add(c2, f32x4.mul(v128.load32_splat(a2 + ka), b0));
    c3 = f32x4.add(c3, f32x4.mul(v128.load32_splat(a3 + ka), b0));
    ka += csA;
    pb += 16;
  }
  if (ncols == 4) {
    const r1 = c + ldc;
    const r2 = r1 + ldc;
    const r3 = r2 + ldc;
    v128.store(c, finish(c0, c, bias, flags));
    v128.store(r1, finish(c1, r1, bias, flags));
    v128.store(r2, finish(c2, r2, bias, flags));
    v128.store(r3, finish(c3, r3, bias, flags));
  } else {
    v128.store(TILE, c0);
    v128.store(TILE, c1, 32);
    v128.store(TILE, c2, 64);
    v128.store(TILE, c3, 96);
    storePartial(4, ncols, c, ldc, bias, flags);
  }
}

/** One row of C against a panel of width w (8 or 4), for the last M mod 4 rows. */
function kernel1(kc: i32, a: usize, csA: usize, b: usize, w: i32, c: usize, bias: usize, flags: i32, ncols: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  if (w == 8) {
    for (let k = 0; k < kc; k++) {
      const s = v128.load32_splat(a + ka);
      c0 = f32x4.add(c0, f32x4.mul(s, v128.load(pb)));
      c1 = f32x4.add(c1, f32x4.mul(s, v128.load(pb, 16)));
      ka += csA;
      pb += 32;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a + ka), v128.load(pb)));
      ka += csA;
      pb += 16;
    }
  }
  if (ncols == 8) {
    v128.store(c, finish(c0, c, bias, flags));
    v128.store(c, finish(c1, c + 16, bias + 16, flags), 16);
  } else if (ncols == 4) {
    v128.store(c, finish(c0, c, bias, flags));
  } else {
    v128.store(TILE, c0);
    v128.store(TILE, c1, 16);
    storePartial(1, ncols, c, 0, bias, flags);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing.

/** Width of the panel starting at column jr of a block of nc columns: 8, or 4 for a short tail. */
@inline
function panelWidth(nc: i32, jr: i32): i32 {
  return nc - jr > 4 ? 8 : 4;
}

/**
 * Packs B(k0..k0+kc, j0..j0+nc) into panels: panel p (starting at column jr) occupies
 * kc × w floats at pack + jr*kc*4, row k holding B(k0+k, j0+jr .. j0+jr+w), zero-padded.
 */
function packB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, k0: i32, j0: i32, pack: usize): void {
  for (let jr = 0; jr < nc; jr += 8) {
    const w = panelWidth(nc, jr);
    const valid = min(w, nc - jr);
    const dst = pack + <usize>(jr * kc) * 4;
    if (csB == 1 && valid == w) {
      // Rows of B are contiguous: copy w floats per row with vector loads.
      let src = b + <usize>(k0 * rsB + j0 + jr) * 4;
      const step = <usize>rsB * 4;
      if (w == 8) {
        for (let k = 0; k < kc; k++) {
          const d = dst + <usize>(k * 32);
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += step;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          v128.store(dst + <usize>(k * 16), v128.load(src));
          src += step;
        }
      }
    } else if (rsB == 1 && valid == w && w == 8) {
      // B is stored transposed (gemmNT): read 4 columns × 4 k at a time and transpose in registers.
      packTransposed8(kc, b + <usize>((j0 + jr) * csB + k0) * 4, <usize>csB * 4, dst);
    } else {
      for (let j = 0; j < w; j++) {
        if (j < valid) {
          let src = b + <usize>(k0 * rsB + (j0 + jr + j) * csB) * 4;
          const step = <usize>rsB * 4;
          for (let k = 0; k < kc; k++) {
            store<f32>(dst + <usize>((k * w + j) * 4), load<f32>(src));
            src += step;
          }
        } else {
          for (let k = 0; k < kc; k++) store<f32>(dst + <usize>((k * w + j) * 4), 0);
        }
      }
    }
    if (w == 4) break;
  }
}

/** Transposing pack of an 8-column panel whose columns are contiguous runs of kc floats (`ld` bytes apart). */
function packTransposed8(kc: i32, src: usize, ld: usize, dst: usize): void {
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const o = <usize>(k * 4);
    for (let half: usize = 0; half < 2; half++) {
      const s = src + half * 4 * ld + o;
      const r0 = v128.load(s);
      const r1 = v128.load(s + ld);
      const r2 = v128.load(s + 2 * ld);
      const r3 = v128.load(s + 3 * ld);
      // 4×4 transpose: r_j holds column j at k..k+3; we want rows k..k+3 holding columns 0..3.
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const d = dst + <usize>(k * 32) + half * 16;
      v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(d + 32, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(d + 64, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(d + 96, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
  for (; k < kc; k++) {
    const o = <usize>(k * 4);
    const d = dst + <usize>(k * 32);
    for (let j: usize = 0; j < 8; j++) store<f32>(d + j * 4, load<f32>(src + j * ld + o));
  }
}

// ---------------------------------------------------------------------------------------------
// The product.

/**
 * C[M×N] = act(C·[acc] + A·B + bias). A(i,k) at a + 4(i·rsA + k·csA), B(k,j) at b + 4(k·rsB + j·csB),
 * C row-major with row length N. bias: 0 for none. flags: 1 accumulate, 4 ReLU.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, rsA: i32, csA: i32, b: usize, rsB: i32, csB: i32, c: usize, bias: usize, flags: i32, pack: usize): void {
  if (M <= 0 || N <= 0) return;
  const userFlags = (flags & (F_ACC | F_RELU)) | (bias != 0 ? F_BIAS : 0);
  if (K <= 0) {
    emptyProduct(M, N, c, bias, userFlags);
    return;
  }
  const ldc = <usize>N * 4;
  // Equal K blocks (rounded up to a multiple of 4) rather than KC plus a short remainder.
  const kBlocks = (K + KC - 1) / KC;
  const kcMax = ((((K + kBlocks - 1) / kBlocks) + 3) >> 2) << 2;
  const rsAb = <usize>rsA * 4;
  const csAb = <usize>csA * 4;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += kcMax) {
      const kc = min(kcMax, K - k0);
      packB(kc, nc, b, rsB, csB, k0, j0, pack);
      // Bias and activation belong to the finished sum; earlier K blocks only accumulate.
      let f = k0 == 0 ? userFlags & F_ACC : F_ACC;
      if (k0 + kc >= K) f |= userFlags & (F_BIAS | F_RELU);
      const aK = a + <usize>k0 * csAb;
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        const m4 = mc & ~3;
        for (let jr = 0; jr < nc; jr += 8) {
          const w = panelWidth(nc, jr);
          const ncols = min(w, nc - jr);
          const pb = pack + <usize>(jr * kc) * 4;
          const cj = c + <usize>(j0 + jr) * 4;
          const bj = bias != 0 ? bias + <usize>(j0 + jr) * 4 : 0;
          if (w == 8) {
            for (let i = 0; i < m4; i += 4) {
              const r = i0 + i;
              kernel4x8(kc, aK + <usize>r * rsAb, rsAb, csAb, pb, cj + <usize>r * ldc, ldc, bj, f, ncols);
            }
          } else {
            for (let i = 0; i < m4; i += 4) {
              const r = i0 + i;
              kernel4x4(kc, aK + <usize>r * rsAb, rsAb, csAb, pb, cj + <usize>r * ldc, ldc, bj, f, ncols);
            }
          }
          for (let i = m4; i < mc; i++) {
            const r = i0 + i;
            kernel1(kc, aK + <usize>r * rsAb, csAb, pb, w, cj + <usize>r * ldc, bj, f, ncols);
          }
          if (w == 4) break;
        }
      }
    }
  }
}

function emptyProduct(M: i32, N: i32, c: usize, bias: usize, flags: i32): void {
  for (let i = 0; i < M; i++) {
    const cr = c + <usize>(i * N) * 4;
    for (let j = 0; j < N; j++) {
      const o = <usize>(j << 2);
      const v: f32 = 0;
      store<f32>(cr + o, finishScalar(v, cr + o, bias + o, flags));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Element-wise helpers of a dense layer.

/** Y[M×N] = act(Y + bias) (bias 0: none; act 1: ReLU). */
export function biasAct(M: i32, N: i32, y: usize, bias: usize, act: i32): void {
  const n4 = N & ~3;
  const zero = f32x4.splat(0);
  for (let i = 0; i < M; i++) {
    const yr = y + <usize>(i * N) * 4;
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>(j << 2);
      let v = v128.load(yr + o);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + o));
      if (act == 1) v = f32x4.max(v, zero);
      v128.store(yr + o, v);
    }
    for (; j < N; j++) {
      const o = <usize>(j << 2);
      let v = load<f32>(yr + o);
      if (bias != 0) v = v + load<f32>(bias + o);
      if (act == 1) v = max<f32>(v, 0);
      store<f32>(yr + o, v);
    }
  }
}

/** dX[i] = Y[i] > 0 ? dY[i] : 0, for n values. */
export function reluBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>(i << 2);
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>(i << 2);
    store<f32>(dx + o, load<f32>(y + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

/** out[j] (+)= Σ_i A[i, j], rows added in order (so the sums match a sequential float32 loop bit for bit). */
export function colSum(M: i32, N: i32, a: usize, out: usize, accumulate: i32): void {
  // Row by row into `out` (which stays in L1) rather than column by column down A: same
  // order of additions per column, sequential memory access.
  if (!accumulate) memory.fill(out, 0, <usize>N * 4);
  const n4 = N & ~3;
  let p = a;
  for (let i = 0; i < M; i++) {
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>(j << 2);
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(p + o)));
    }
    for (; j < N; j++) {
      const o = <usize>(j << 2);
      store<f32>(out + o, load<f32>(out + o) + load<f32>(p + o));
    }
    p += <usize>N * 4;
  }
}

// ---------------------------------------------------------------------------------------------
// Adam, float32 storage with float64 arithmetic: the same operations, in the same order, as
// shared/optim/adam.ts `adamUpdate` (which follows torch's single-tensor Adam), so that the
// result is bit-identical to it; two elements at a time in f64x2.

/**
 * One Adam step on n float32 values. vmax: 0 unless AMSGrad. w1 = 1 − β₁ (lerp weight),
 * c2 = 1 − β₂, stepSize = γ/(1 − β₁ᵗ), bc2Sqrt = √(1 − β₂ᵗ), shrink = 1 − γλ or 1, l2 = λ or 0, sign = ±1.
 */
export function adamF32(
  n: i32, value: usize, grad: usize, m: usize, v: usize, vmax: usize,
  w1: f64, beta2: f64, c2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64, shrink: f64, l2: f64, sign: f64,
): void {
  // torch.lerp from the nearer end: a + w(b − a) for |w| < 0.5, else b − (b − a)(1 − w).
  const near = abs<f64>(w1) < 0.5;
  const w1c = 1 - w1;
  const vw = f64x2.splat(near ? w1 : w1c);
  const vBeta2 = f64x2.splat(beta2);
  const vC2 = f64x2.splat(c2);
  const vStep = f64x2.splat(stepSize);
  const vBc2 = f64x2.splat(bc2Sqrt);
  const vEps = f64x2.splat(eps);
  const vShrink = f64x2.splat(shrink);
  const vL2 = f64x2.splat(l2);
  const vSign = f64x2.splat(sign);
  const n2 = n & ~1;
  let i = 0;
  for (; i < n2; i += 2) {
    const o = <usize>(i << 2);
    const th = f64x2.mul(vShrink, f64x2.promote_low_f32x4(v128.load64_zero(value + o)));
    const g = f64x2.add(f64x2.mul(vSign, f64x2.promote_low_f32x4(v128.load64_zero(grad + o))), f64x2.mul(vL2, th));
    const ea = f64x2.promote_low_f32x4(v128.load64_zero(m + o));
    const diff = f64x2.sub(g, ea);
    const mm = near ? f64x2.add(ea, f64x2.mul(vw, diff)) : f64x2.sub(g, f64x2.mul(diff, vw));
    v128.store64_lane(m + o, f32x4.demote_f64x2_zero(mm), 0);
    let vv = f64x2.add(f64x2.mul(vBeta2, f64x2.promote_low_f32x4(v128.load64_zero(v + o))), f64x2.mul(vC2, f64x2.mul(g, g)));
    v128.store64_lane(v + o, f32x4.demote_f64x2_zero(vv), 0);
    if (vmax != 0) {
      vv = f64x2.max(f64x2.promote_low_f32x4(v128.load64_zero(vmax + o)), vv);
      v128.store64_lane(vmax + o, f32x4.demote_f64x2_zero(vv), 0);
    }
    const d = f64x2.add(f64x2.div(f64x2.sqrt(vv), vBc2), vEps);
    v128.store64_lane(value + o, f32x4.demote_f64x2_zero(f64x2.sub(th, f64x2.mul(vStep, f64x2.div(mm, d)))), 0);
  }
  for (; i < n; i++) {
    const o = <usize>(i << 2);
    const th = shrink * <f64>load<f32>(value + o);
    const g = sign * <f64>load<f32>(grad + o) + l2 * th;
    const ea = <f64>load<f32>(m + o);
    const mm = near ? ea + w1 * (g - ea) : g - (g - ea) * w1c;
    store<f32>(m + o, <f32>mm);
    let vv = beta2 * <f64>load<f32>(v + o) + c2 * (g * g);
    store<f32>(v + o, <f32>vv);
    if (vmax != 0) {
      vv = max<f64>(<f64>load<f32>(vmax + o), vv);
      store<f32>(vmax + o, <f32>vv);
    }
    const d = sqrt<f64>(vv) / bc2Sqrt + eps;
    store<f32>(value + o, <f32>(th - stepSize * (mm / d)));
  }
}
