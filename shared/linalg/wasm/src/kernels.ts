// AssemblyScript source of the WebAssembly SIMD kernels (compiled by scripts/build-wasm.mjs,
// loaded by shared/linalg/wasm-kernels.ts). Every pointer is a byte address in the imported
// memory; every matrix is float32. The host owns the memory layout: this module keeps no
// state and allocates nothing, so one instance can serve any number of models.
//
// Only plain IEEE arithmetic is used (f32x4; f64x2 in Adam), no relaxed SIMD and no fused
// multiply-add: WebAssembly fixes the rounding of each of these operations, so a given call
// gives the same bits on every machine and in every engine, which the determinism rules of the
// project rely on. (Relaxed SIMD's madd would not: it may or may not round in between.)

// A product is computed as C (+)= A·B with A(i,k) = a[i*rsA + k*csA] and B(k,j) = b[k*rsB + j*csB]
// (strides in elements), which covers gemm, gemmTN and gemmNT with one code path. B is first
// packed into panels of up to 16 columns, each panel kc rows × width contiguous floats,
// zero-padded, so that the micro-kernel reads B sequentially whatever the layout of the original.
// When B has more than one panel, A is packed too, in micro-panels of 2 rows (kc × 2 floats), so
// that its reads are sequential as well: gemmTN's A (the layer input, read down its columns)
// would otherwise cost one cache line and one TLB entry per k.
//
// Blocking: a packed B panel (KC×16 floats, 16 KiB) stays in L1 while the micro-kernel walks
// the packed A block (MC×KC floats, 128 KiB, in L2).
const KC: i32 = 256;
const NC: i32 = 512;
const MC: i32 = 128;

/** Bytes of packing buffer the host must reserve and pass as `pack` (B block, then A block). */
export const PACK_BYTES: i32 = (KC * (NC + 16) + MC * KC) * 4;
const PACK_A_OFFSET: usize = <usize>(KC * (NC + 16) * 4);
/** Bytes at the start of memory this module uses as a tile scratch (host must not allocate there). */
export const LOW_SCRATCH_BYTES: i32 = 256;

const TILE: usize = 0; // 2 rows × 16 floats, for tiles that do not fill their vectors

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

/** Writes `rows` rows of `ncols` columns from TILE (row stride 64 bytes). */
function storePartial(rows: i32, ncols: i32, c: usize, ldc: usize, bias: usize, flags: i32): void {
  for (let r = 0; r < rows; r++) {
    const t = TILE + <usize>(r * 64);
    const cr = c + <usize>r * ldc;
    for (let j = 0; j < ncols; j++) {
      const o = <usize>(j << 2);
      store<f32>(cr + o, finishScalar(load<f32>(t + o), cr + o, bias + o, flags));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-kernels: C[2 × w] for a panel of width w. Rows i and i+1 of A are read at a0 + k·csA and
// a1 + k·csA (a packed micro-panel: a1 = a0 + 4, csA = 8); for a last odd row a1 = a0 and only
// row 0 is stored (mr = 1).
//
// 2×16 is the fastest shape measured under V8 (about 1.2× 4×8): the same 8 accumulators, but
// 2 broadcasts per k instead of 4, and broadcasts compete with the multiplies and adds for the
// vector pipes. It is not unrolled: unrolling made V8 spill and ran 35% slower. The narrower
// tail kernels are unrolled by two, so that they still have enough independent additions.

function kernel2x16(kc: i32, a0: usize, a1: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32, mr: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    let s = v128.load32_splat(a0 + ka);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    c02 = f32x4.add(c02, f32x4.mul(s, b2));
    c03 = f32x4.add(c03, f32x4.mul(s, b3));
    s = v128.load32_splat(a1 + ka);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    c12 = f32x4.add(c12, f32x4.mul(s, b2));
    c13 = f32x4.add(c13, f32x4.mul(s, b3));
    ka += csA;
    pb += 64;
  }
  if (ncols == 16 && mr == 2) {
    const r1 = c + ldc;
    v128.store(c, finish(c00, c, bias, flags));
    v128.store(c, finish(c01, c + 16, bias + 16, flags), 16);
    v128.store(c, finish(c02, c + 32, bias + 32, flags), 32);
    v128.store(c, finish(c03, c + 48, bias + 48, flags), 48);
    v128.store(r1, finish(c10, r1, bias, flags));
    v128.store(r1, finish(c11, r1 + 16, bias + 16, flags), 16);
    v128.store(r1, finish(c12, r1 + 32, bias + 32, flags), 32);
    v128.store(r1, finish(c13, r1 + 48, bias + 48, flags), 48);
  } else {
    v128.store(TILE, c00);
    v128.store(TILE, c01, 16);
    v128.store(TILE, c02, 32);
    v128.store(TILE, c03, 48);
    v128.store(TILE, c10, 64);
    v128.store(TILE, c11, 80);
    v128.store(TILE, c12, 96);
    v128.store(TILE, c13, 112);
    storePartial(mr, ncols, c, ldc, bias, flags);
  }
}

function kernel2x8(kc: i32, a0: usize, a1: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32, mr: i32): void {
  // Two sets of accumulators (even and odd k), summed at the end.
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let d00 = f32x4.splat(0), d01 = f32x4.splat(0), d10 = f32x4.splat(0), d11 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    let b0 = v128.load(pb);
    let b1 = v128.load(pb, 16);
    let s = v128.load32_splat(a0 + ka);
    c00 = f32x4.add(c00, f32x4.mul(s, b0));
    c01 = f32x4.add(c01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1 + ka);
    c10 = f32x4.add(c10, f32x4.mul(s, b0));
    c11 = f32x4.add(c11, f32x4.mul(s, b1));
    ka += csA;
    b0 = v128.load(pb, 32);
    b1 = v128.load(pb, 48);
    s = v128.load32_splat(a0 + ka);
    d00 = f32x4.add(d00, f32x4.mul(s, b0));
    d01 = f32x4.add(d01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1 + ka);
    d10 = f32x4.add(d10, f32x4.mul(s, b0));
    d11 = f32x4.add(d11, f32x4.mul(s, b1));
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
  }
  c00 = f32x4.add(c00, d00);
  c01 = f32x4.add(c01, d01);
  c10 = f32x4.add(c10, d10);
  c11 = f32x4.add(c11, d11);
  if (ncols == 8 && mr == 2) {
    const r1 = c + ldc;
    v128.store(c, finish(c00, c, bias, flags));
    v128.store(c, finish(c01, c + 16, bias + 16, flags), 16);
    v128.store(r1, finish(c10, r1, bias, flags));
    v128.store(r1, finish(c11, r1 + 16, bias + 16, flags), 16);
  } else {
    v128.store(TILE, c00);
    v128.store(TILE, c01, 16);
    v128.store(TILE, c10, 64);
    v128.store(TILE, c11, 80);
    storePartial(mr, ncols, c, ldc, bias, flags);
  }
}

function kernel2x4(kc: i32, a0: usize, a1: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32, mr: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  let ka: usize = 0;
  let pb = b;
  let k = 0;
  for (; k + 2 <= kc; k += 2) {
    let b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0 + ka), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1 + ka), b0));
    ka += csA;
    b0 = v128.load(pb, 16);
    d0 = f32x4.add(d0, f32x4.mul(v128.load32_splat(a0 + ka), b0));
    d1 = f32x4.add(d1, f32x4.mul(v128.load32_splat(a1 + ka), b0));
    ka += csA;
    pb += 32;
  }
  if (k < kc) {
    const b0 = v128.load(pb);
    c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(a0 + ka), b0));
    c1 = f32x4.add(c1, f32x4.mul(v128.load32_splat(a1 + ka), b0));
  }
  c0 = f32x4.add(c0, d0);
  c1 = f32x4.add(c1, d1);
  if (ncols == 4 && mr == 2) {
    const r1 = c + ldc;
    v128.store(c, finish(c0, c, bias, flags));
    v128.store(r1, finish(c1, r1, bias, flags));
  } else {
    v128.store(TILE, c0);
    v128.store(TILE, c1, 64);
    storePartial(mr, ncols, c, ldc, bias, flags);
  }
}

// ---------------------------------------------------------------------------------------------
// Packing.

/** Width of the panel starting at column jr of a block of nc columns: 16, or 8 or 4 for a short tail. */
@inline
function panelWidth(nc: i32, jr: i32): i32 {
  const rem = nc - jr;
  return rem > 8 ? 16 : rem > 4 ? 8 : 4;
}

/**
 * Packs B(k0..k0+kc, j0..j0+nc) into panels: the panel starting at column jr occupies
 * kc × w floats at pack + jr*kc*4 (every earlier panel is 16 wide), row k holding
 * B(k0+k, j0+jr .. j0+jr+w), zero-padded.
 */
function packB(kc: i32, nc: i32, b: usize, rsB: i32, csB: i32, k0: i32, j0: i32, pack: usize): void {
  for (let jr = 0; jr < nc; jr += 16) {
    const w = panelWidth(nc, jr);
    const valid = min(w, nc - jr);
    const dst = pack + <usize>(jr * kc) * 4;
    const wb = <usize>(w * 4);
    if (csB == 1 && valid == w) {
      // Rows of B are contiguous: copy w floats per row with vector loads.
      let src = b + <usize>(k0 * rsB + j0 + jr) * 4;
      const step = <usize>rsB * 4;
      let d = dst;
      for (let k = 0; k < kc; k++) {
        for (let o: usize = 0; o < wb; o += 16) v128.store(d + o, v128.load(src + o));
        src += step;
        d += wb;
      }
    } else if (rsB == 1 && valid == w) {
      // B is stored transposed (gemmNT): each column of the panel is kc contiguous floats.
      packTransposed(kc, w, b + <usize>((j0 + jr) * csB + k0) * 4, <usize>csB * 4, dst);
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
    if (w < 16) break;
  }
}

/** Transposing pack of a w-column panel (w a multiple of 4) whose columns are contiguous runs of kc floats `ld` bytes apart. */
function packTransposed(kc: i32, w: i32, src: usize, ld: usize, dst: usize): void {
  const wb = <usize>(w * 4);
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const o = <usize>(k * 4);
    const d = dst + <usize>k * wb;
    for (let q = 0; q < w; q += 4) {
      const s = src + <usize>q * ld + o;
      const r0 = v128.load(s);
      const r1 = v128.load(s + ld);
      const r2 = v128.load(s + 2 * ld);
      const r3 = v128.load(s + 3 * ld);
      // r_j holds column q+j at k..k+3; rows k..k+3 of the panel want columns q..q+3.
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const dq = d + <usize>(q * 4);
      v128.store(dq, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
      v128.store(dq + wb, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
      v128.store(dq + 2 * wb, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
      v128.store(dq + 3 * wb, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
    }
  }
  for (; k < kc; k++) {
    const o = <usize>(k * 4);
    const d = dst + <usize>k * wb;
    for (let j = 0; j < w; j++) store<f32>(d + <usize>(j * 4), load<f32>(src + <usize>j * ld + o));
  }
}

/**
 * Packs the first m2 (even) rows of A(i0.., k0..k0+kc) into micro-panels of 2 rows:
 * micro-panel p occupies kc × 2 floats at dst + p*kc*8, row k holding A(i0+2p, k0+k), A(i0+2p+1, k0+k).
 */
function packA(m2: i32, kc: i32, a: usize, rsA: i32, csA: i32, i0: i32, k0: i32, dst: usize): void {
  for (let p = 0; p < m2; p += 2) {
    const d = dst + <usize>(p * kc) * 4;
    const base = a + <usize>((i0 + p) * rsA + k0 * csA) * 4;
    if (rsA == 1) {
      // gemmTN: the 2 rows are 2 adjacent floats of each row of the stored matrix.
      const step = <usize>csA * 4;
      let src = base;
      for (let k = 0; k < kc; k++) {
        store<u64>(d + <usize>(k * 8), load<u64>(src));
        src += step;
      }
    } else if (csA == 1) {
      // Row-major A: interleave the two rows 4 values at a time.
      const r1 = base + <usize>rsA * 4;
      let k = 0;
      for (; k + 4 <= kc; k += 4) {
        const o = <usize>(k * 4);
        const x = v128.load(base + o);
        const y = v128.load(r1 + o);
        v128.store(d + o * 2, v128.shuffle<f32>(x, y, 0, 4, 1, 5));
        v128.store(d + o * 2, v128.shuffle<f32>(x, y, 2, 6, 3, 7), 16);
      }
      for (; k < kc; k++) {
        const o = <usize>(k * 4);
        store<f32>(d + o * 2, load<f32>(base + o));
        store<f32>(d + o * 2 + 4, load<f32>(r1 + o));
      }
    } else {
      for (let k = 0; k < kc; k++) {
        store<f32>(d + <usize>(k * 8), load<f32>(base + <usize>(k * csA) * 4));
        store<f32>(d + <usize>(k * 8) + 4, load<f32>(base + <usize>(rsA + k * csA) * 4));
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The product.

@inline
function tile(w: i32, kc: i32, a0: usize, a1: usize, csA: usize, b: usize, c: usize, ldc: usize, bias: usize, flags: i32, ncols: i32, mr: i32): void {
  if (w == 16) kernel2x16(kc, a0, a1, csA, b, c, ldc, bias, flags, ncols, mr);
  else if (w == 8) kernel2x8(kc, a0, a1, csA, b, c, ldc, bias, flags, ncols, mr);
  else kernel2x4(kc, a0, a1, csA, b, c, ldc, bias, flags, ncols, mr);
}

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
  const pa = pack + PACK_A_OFFSET;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    // With a single panel each element of A is read once: packing it would only add a pass.
    const packedA = nc > 16;
    for (let k0 = 0; k0 < K; k0 += kcMax) {
      const kc = min(kcMax, K - k0);
      packB(kc, nc, b, rsB, csB, k0, j0, pack);
      // Bias and activation belong to the finished sum; earlier K blocks only accumulate.
      let f = k0 == 0 ? userFlags & F_ACC : F_ACC;
      if (k0 + kc >= K) f |= userFlags & (F_BIAS | F_RELU);
      const aK = a + <usize>k0 * csAb;
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = min(MC, M - i0);
        const m2 = mc & ~1;
        if (packedA) packA(m2, kc, a, rsA, csA, i0, k0, pa);
        for (let jr = 0; jr < nc; jr += 16) {
          const w = panelWidth(nc, jr);
          const ncols = min(w, nc - jr);
          const pb = pack + <usize>(jr * kc) * 4;
          const cj = c + <usize>(j0 + jr) * 4;
          const bj = bias != 0 ? bias + <usize>(j0 + jr) * 4 : 0;
          for (let i = 0; i < m2; i += 2) {
            const r = i0 + i;
            const cr = cj + <usize>r * ldc;
            if (packedA) {
              const ap = pa + <usize>(i * kc) * 4;
              tile(w, kc, ap, ap + 4, 8, pb, cr, ldc, bj, f, ncols, 2);
            } else {
              const ar = aK + <usize>r * rsAb;
              tile(w, kc, ar, ar + rsAb, csAb, pb, cr, ldc, bj, f, ncols, 2);
            }
          }
          if (m2 < mc) {
            // The last odd row: read it twice, store it once.
            const r = i0 + m2;
            const ar = aK + <usize>r * rsAb;
            tile(w, kc, ar, ar, csAb, pb, cj + <usize>r * ldc, ldc, bj, f, ncols, 1);
          }
          if (w < 16) break;
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

/**
 * dX[i] = Y[i] <= 0 ? 0 : dY[i], for n values: PyTorch's threshold_backward, so that a NaN
 * output passes its gradient on as the JS ReLU layer does.
 */
export function reluBackward(n: i32, y: usize, dy: usize, dx: usize): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>(i << 2);
    v128.store(dx + o, v128.andnot(v128.load(dy + o), f32x4.le(v128.load(y + o), zero)));
  }
  for (; i < n; i++) {
    const o = <usize>(i << 2);
    store<f32>(dx + o, load<f32>(y + o) <= 0 ? 0 : load<f32>(dy + o));
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
