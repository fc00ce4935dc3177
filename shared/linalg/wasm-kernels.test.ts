import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels, kernels, fused, type F32, type Kernels } from './gemm.ts';
import { allocF32 } from './alloc.ts';
import { createWasmKernels, createWasmKernelsAsync, installWasmKernels, type WasmKernels } from './wasm-kernels.ts';
import { Rng } from '../rng.ts';
import { adamUpdate } from '../optim/adam.ts';

const EPS = 2 ** -24; // unit roundoff of float32

type Op = 'gemm' | 'gemmTN' | 'gemmNT';

/** Sizes of A and B for each product, in values. */
function sizes(op: Op, M: number, N: number, K: number): [number, number] {
  return op === 'gemmNT' ? [M * K, N * K] : [M * K, K * N];
}

/** Σ_k |A(i,k)|·|B(k,j)| in float64: the scale against which rounding error is judged. */
function magnitude(op: Op, M: number, N: number, K: number, A: F32, B: F32): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const a = op === 'gemmTN' ? A[k * M + i] : A[i * K + k];
        const b = op === 'gemmNT' ? B[j * K + k] : B[k * N + j];
        s += Math.abs(a * b);
      }
      out[i * N + j] = s;
    }
  return out;
}

function fill(rng: Rng, a: F32): F32 {
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** An array of n values at element offset `off` inside a wasm view or a plain array. */
function place(w: WasmKernels, where: 'wasm' | 'plain', n: number, off: number): F32 {
  const base = where === 'wasm' ? w.allocator(n + off + 3) : new Float32Array(n + off + 3);
  return base.subarray(off, off + n);
}

interface Worst {
  abs: number;
  rel: number;
  bound: number;
}

function compare(got: F32, want: F32, scale: Float64Array | null, worst: Worst, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (!(d <= worst.abs)) worst.abs = Number.isNaN(d) ? Infinity : d;
    const r = d / Math.max(Math.abs(want[i]), 1e-30);
    if (Math.abs(want[i]) > 1e-3 && r > worst.rel) worst.rel = r;
    if (scale) {
      const b = d / Math.max(scale[i], 1e-30);
      if (b > worst.bound) worst.bound = b;
    }
    if (Number.isNaN(d)) assert.fail(`${what}: NaN at ${i}`);
  }
}

const w = createWasmKernels({ memoryMiB: 32 });
const wk = w.kernels;

/** Runs one product through both kernel sets and checks the wasm result. */
function checkProduct(
  rng: Rng,
  op: Op,
  M: number,
  N: number,
  K: number,
  accumulate: boolean,
  where: { a: 'wasm' | 'plain'; b: 'wasm' | 'plain'; c: 'wasm' | 'plain'; off: number },
  worst: Worst,
): void {
  // Each product's buffers are dead once it is checked: start from an empty memory.
  w.reset();
  const [na, nb] = sizes(op, M, N, K);
  const A = fill(rng, place(w, where.a, na, where.off));
  const B = fill(rng, place(w, where.b, nb, (where.off * 3) % 4));
  const C0 = fill(rng, new Float32Array(M * N));
  const want = Float32Array.from(C0);
  // Values past the M×N result must survive: layers pass reused buffers longer than needed.
  const C = place(w, where.c, M * N + 2, where.off).subarray(0, M * N + 2);
  C.set(C0);
  C[M * N] = 42;
  C[M * N + 1] = -7;
  jsKernels[op](M, N, K, A, B, want, accumulate);
  wk[op](M, N, K, A, B, C, accumulate);
  const what = `${op} ${M}×${N}×${K} acc=${accumulate} ${JSON.stringify(where)}`;
  assert.equal(C[M * N], 42, `${what}: wrote past C`);
  assert.equal(C[M * N + 1], -7, `${what}: wrote past C`);
  const scale = magnitude(op, M, N, K, A, B);
  if (accumulate) for (let i = 0; i < scale.length; i++) scale[i] += Math.abs(C0[i]);
  const before = worst.bound;
  compare(C.subarray(0, M * N), want, scale, worst, what);
  // Both results carry rounding error of at most about (K+1)·u relative to Σ|a·b|.
  const allowed = 2 * (K + 2) * EPS;
  if (worst.bound > allowed && worst.bound !== before)
    assert.fail(`${what}: error ${worst.bound} > ${allowed} of Σ|a·b|`);
  assertWasmPath(what);
}

/** The checks mean nothing if the kernels quietly ran the JS fallback. */
function assertWasmPath(what: string): void {
  const st = w.stats();
  assert.equal(st.fallbackAllocations, 0, `${what}: allocation fell back to a plain array`);
  assert.equal(st.jsCalls, 0, `${what}: kernel fell back to JS`);
}

const ODD = [1, 3, 5, 7, 13, 17, 33, 127];

for (const op of ['gemm', 'gemmTN', 'gemmNT'] as const) {
  test(`${op}: every M, N, K in {1,3,5,7,13,17,33,127}, overwrite and accumulate`, (t) => {
    const rng = new Rng(`odd-${op}`);
    const worst: Worst = { abs: 0, rel: 0, bound: 0 };
    let n = 0;
    for (const M of ODD)
      for (const N of ODD)
        for (const K of ODD)
          for (const accumulate of [false, true]) {
            checkProduct(rng, op, M, N, K, accumulate, { a: 'wasm', b: 'wasm', c: 'wasm', off: n % 4 }, worst);
            n++;
          }
    t.diagnostic(
      `${op}: ${n} products, max abs error ${worst.abs.toExponential(2)}, max rel error ${worst.rel.toExponential(2)} (|ref| > 1e-3), max error / Σ|a·b| ${worst.bound.toExponential(2)}`,
    );
  });

  test(`${op}: shapes across the cache blocks and the benchmark's layer shapes`, (t) => {
    const rng = new Rng(`blocks-${op}`);
    const worst: Worst = { abs: 0, rel: 0, bound: 0 };
    const shapes: [number, number, number][] = [
      [130, 520, 300],
      [129, 9, 513],
      [4, 1030, 257],
      [257, 12, 6],
      [32, 128, 64],
      [128, 10, 128],
      [1024, 128, 64],
      [32, 256, 784],
      [784, 256, 32],
      [128, 784, 256],
    ];
    for (const [M, N, K] of shapes)
      for (const accumulate of [false, true])
        checkProduct(rng, op, M, N, K, accumulate, { a: 'wasm', b: 'wasm', c: 'wasm', off: 0 }, worst);
    t.diagnostic(
      `${op}: max abs error ${worst.abs.toExponential(2)}, max rel error ${worst.rel.toExponential(2)}, max error / Σ|a·b| ${worst.bound.toExponential(2)}`,
    );
  });

  test(`${op}: arrays outside the wasm memory and views at unaligned offsets give the same bits`, () => {
    const rng = new Rng(`where-${op}`);
    const worst: Worst = { abs: 0, rel: 0, bound: 0 };
    const combos = [
      { a: 'plain', b: 'plain', c: 'plain', off: 0 },
      { a: 'plain', b: 'wasm', c: 'plain', off: 1 },
      { a: 'wasm', b: 'plain', c: 'wasm', off: 2 },
      { a: 'wasm', b: 'wasm', c: 'plain', off: 3 },
    ] as const;
    for (const [M, N, K] of [
      [7, 13, 5],
      [33, 17, 127],
      [64, 40, 300],
    ] as const)
      for (const accumulate of [false, true]) {
        // The result must not depend on where the operands live: compare every placement bitwise.
        const [na, nb] = sizes(op, M, N, K);
        const A = fill(rng, new Float32Array(na));
        const B = fill(rng, new Float32Array(nb));
        const C0 = fill(rng, new Float32Array(M * N));
        let first: Float32Array | null = null;
        for (const where of combos) {
          const a = place(w, where.a, na, where.off);
          const b = place(w, where.b, nb, where.off);
          const c = place(w, where.c, M * N, where.off);
          a.set(A);
          b.set(B);
          c.set(C0);
          wk[op](M, N, K, a, b, c, accumulate);
          if (first) assert.deepEqual(Float32Array.from(c), first, `${op} ${M}×${N}×${K} ${JSON.stringify(where)}`);
          else first = Float32Array.from(c);
          checkProduct(rng, op, M, N, K, accumulate, where, worst);
        }
      }
  });
}

test('K = 0 gives zeros (or leaves C when accumulating); M or N = 0 touches nothing', () => {
  for (const op of ['gemm', 'gemmTN', 'gemmNT'] as const) {
    const C = w.allocator(6).fill(5);
    wk[op](2, 3, 0, new Float32Array(0), new Float32Array(0), C, true);
    assert.deepEqual([...C], [5, 5, 5, 5, 5, 5]);
    wk[op](2, 3, 0, new Float32Array(0), new Float32Array(0), C, false);
    assert.deepEqual([...C], [0, 0, 0, 0, 0, 0]);
    C.fill(5);
    wk[op](0, 3, 4, new Float32Array(0), new Float32Array(12), C, false);
    wk[op](2, 0, 4, new Float32Array(8), new Float32Array(0), C, false);
    assert.deepEqual([...C], [5, 5, 5, 5, 5, 5]);
  }
});

test('arrays shorter than the shape asks for are refused, not read past', () => {
  const A = w.allocator(11);
  const B = w.allocator(12);
  const C = w.allocator(9);
  assert.throws(() => wk.gemm(3, 3, 4, A, B, C, false), RangeError);
  assert.throws(() => wk.gemmNT(3, 4, 4, w.allocator(12), B, C, false), RangeError);
  assert.throws(() => wk.biasAct!(3, 3, C, new Float32Array(2), 'relu'), RangeError);
});

test('fused ops: gemmBiasAct within rounding of gemm + biasAct; biasAct, reluBackward, colSum bit-identical to JS', (t) => {
  const rng = new Rng('fused');
  const worst: Worst = { abs: 0, rel: 0, bound: 0 };
  for (const M of [1, 3, 32, 129])
    for (const N of [1, 3, 10, 17, 128, 257])
      for (const where of ['wasm', 'plain'] as const) {
        w.reset();
        const K = 1 + ((M * 7 + N) % 70);
        const off = (M + N) % 4;
        const A = fill(rng, place(w, where, M * K, off));
        const B = fill(rng, place(w, where, K * N, off));
        const bias = fill(rng, place(w, where, N, off));
        for (const act of ['identity', 'relu'] as const) {
          const want = new Float32Array(M * N);
          jsKernels.gemmBiasAct!(M, N, K, A, B, bias, want, act);
          const got = place(w, where, M * N, off);
          wk.gemmBiasAct!(M, N, K, A, B, bias, got, act);
          const scale = magnitude('gemm', M, N, K, A, B);
          for (let i = 0; i < scale.length; i++) scale[i] += Math.abs(bias[i % N]);
          compare(got, want, scale, worst, `gemmBiasAct ${M}×${N}×${K} ${act}`);
          if (act === 'relu') assert.ok(got.every((v) => v >= 0));

          const Y = fill(rng, place(w, where, M * N, off));
          const Yjs = Float32Array.from(Y);
          wk.biasAct!(M, N, Y, act === 'relu' ? bias : null, act);
          jsKernels.biasAct!(M, N, Yjs, act === 'relu' ? bias : null, act);
          assert.deepEqual(Float32Array.from(Y), Yjs, `biasAct ${M}×${N} ${act}`);
        }
        const Y = fill(rng, place(w, where, M * N, off));
        Y[0] = 0;
        const dY = fill(rng, place(w, where, M * N, off));
        const dX = place(w, where, M * N, off);
        const dXjs = new Float32Array(M * N);
        wk.reluBackward!(M * N, Y, dY, dX);
        jsKernels.reluBackward!(M * N, Y, dY, dXjs);
        assert.deepEqual(Float32Array.from(dX), dXjs, `reluBackward ${M * N}`);
        // In place (dX is dY), as a layer that owns dY may do.
        const dYjs = Float32Array.from(dY);
        wk.reluBackward!(M * N, Y, dY, dY);
        jsKernels.reluBackward!(M * N, Y, dYjs, dYjs);
        assert.deepEqual(Float32Array.from(dY), dYjs, `reluBackward in place ${M * N}`);

        for (const accumulate of [false, true]) {
          const out = fill(rng, place(w, where, N, off));
          const outJs = Float32Array.from(out);
          wk.colSum!(M, N, dY, out, accumulate);
          jsKernels.colSum!(M, N, dY, outJs, accumulate);
          assert.deepEqual(Float32Array.from(out), outJs, `colSum ${M}×${N} acc=${accumulate}`);
        }
        assertWasmPath(`fused ${M}×${N}`);
      }
  t.diagnostic(
    `gemmBiasAct: max abs error ${worst.abs.toExponential(2)}, max error / Σ|a·b| ${worst.bound.toExponential(2)}; biasAct, reluBackward, colSum: 0 (bit-identical)`,
  );
});

test('ReLU of NaN stays NaN and of -0 is +0, in both kernel sets', () => {
  const y = w.allocator(5);
  y.set([Number.NaN, -0, -1, 2, Number.NaN]);
  const yjs = Float32Array.from(y);
  wk.biasAct!(1, 5, y, null, 'relu');
  jsKernels.biasAct!(1, 5, yjs, null, 'relu');
  for (const a of [y, yjs]) {
    assert.ok(Number.isNaN(a[0]) && Number.isNaN(a[4]));
    assert.ok(Object.is(a[1], 0));
    assert.equal(a[2], 0);
    assert.equal(a[3], 2);
  }
});

test('allocator: zeroed views of the wasm memory; full memory falls back to plain arrays, or throws; reset reuses and grows', () => {
  const small = createWasmKernels({ memoryMiB: 1 });
  const a = small.allocator(1000);
  assert.ok(small.owns(a));
  assert.equal(a.byteOffset % 64, 0);
  assert.ok(a.every((v) => v === 0));
  a.fill(3);
  const big = small.allocator(300_000); // 1.2 MB: more than the whole memory
  assert.ok(!small.owns(big));
  assert.equal(big.length, 300_000);
  assert.equal(small.stats().fallbackAllocations, 1);
  // Kernels still work on the fallback array, by copying.
  const C = small.allocator(4);
  small.kernels.gemm(2, 2, 2, big, big, C, false);
  assert.deepEqual([...C], [0, 0, 0, 0]);

  small.reset();
  assert.ok(small.stats().capacityBytes >= 1_200_000 + 4000, 'reset grew the memory to what was asked');
  const again = small.allocator(1000);
  assert.ok(small.owns(again));
  assert.ok(
    again.every((v) => v === 0),
    'reused memory is zeroed',
  );
  assert.ok(small.owns(small.allocator(300_000)));
  assert.equal(small.stats().fallbackAllocations, 0);

  const strict = createWasmKernels({ memoryMiB: 1, onExhausted: 'throw' });
  assert.throws(() => strict.allocator(300_000), /memory full/);
});

test('a call whose plain-array arguments do not fit in the free memory runs the JS kernels', () => {
  const small = createWasmKernels({ memoryMiB: 1 });
  const rng = new Rng('no-room');
  const M = 200,
    N = 200,
    K = 200; // three 160 KB arrays: more than the free space left below
  small.allocator(small.stats().capacityBytes / 4 - 40_000);
  assert.equal(small.stats().fallbackAllocations, 0);
  const A = fill(rng, new Float32Array(M * K));
  const B = fill(rng, new Float32Array(K * N));
  const C = new Float32Array(M * N);
  const want = new Float32Array(M * N);
  small.kernels.gemm(M, N, K, A, B, C, false);
  jsKernels.gemm(M, N, K, A, B, want, false);
  assert.deepEqual(C, want);
  assert.equal(small.stats().jsCalls, 1);
});

test('installWasmKernels makes allocF32 and kernels() use the wasm memory; uninstall restores', () => {
  const before = kernels();
  const h = installWasmKernels({ memoryMiB: 4 });
  try {
    assert.equal(kernels().name, 'wasm-simd');
    assert.ok(h.owns(allocF32(10)));
    const f = fused();
    assert.equal(f.colSum, h.kernels.colSum);
  } finally {
    h.uninstall();
  }
  assert.equal(kernels(), before);
  assert.ok(!h.owns(allocF32(10)));
});

test('the asynchronous path (browser main thread) gives the same kernels', async () => {
  w.reset();
  const a = await createWasmKernelsAsync({ memoryMiB: 2 });
  const rng = new Rng('async');
  const A = fill(rng, a.allocator(15));
  const B = fill(rng, a.allocator(35));
  const C = a.allocator(21);
  const D = new Float32Array(21);
  a.kernels.gemm(3, 7, 5, A, B, C, false);
  wk.gemm(3, 7, 5, A, B, D, false);
  assert.deepEqual(Float32Array.from(C), D);
  assertWasmPath('async');
});

test('fused() fills in the JS versions for kernel sets without them', () => {
  const bare: Kernels = { name: 'bare', gemm: jsKernels.gemm, gemmTN: jsKernels.gemmTN, gemmNT: jsKernels.gemmNT };
  assert.equal(fused(bare).reluBackward, jsKernels.reluBackward);
});

test('adamF32 matches shared/optim adamUpdate bit for bit (plain, weight decay, decoupled, AMSGrad, maximize; odd lengths; chunked copies)', () => {
  const rng = new Rng('adam');
  const configs = [
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, wd: 0, decoupled: false, amsgrad: false, maximize: false },
    { lr: 3e-2, betas: [0.8, 0.99], eps: 1e-6, wd: 1e-2, decoupled: false, amsgrad: true, maximize: false },
    { lr: 1e-2, betas: [0.5, 0.9], eps: 1e-8, wd: 0.1, decoupled: true, amsgrad: false, maximize: true },
    { lr: 1e-3, betas: [0.3, 0.999], eps: 1e-8, wd: 0, decoupled: false, amsgrad: true, maximize: false },
  ] as const;
  const tiny = createWasmKernels({ memoryMiB: 1 });
  for (const c of configs)
    for (const n of [1, 2, 3, 7, 33, 1001])
      for (const where of ['wasm', 'plain', 'tiny'] as const) {
        w.reset();
        const k = where === 'tiny' ? tiny : w;
        const mk = (): F32 => (where === 'wasm' ? place(w, 'wasm', n, n % 3) : new Float32Array(n));
        const [value, grad, m, v, vmax] = [mk(), mk(), mk(), mk(), mk()];
        fill(rng, value);
        const ref = [value, m, v, vmax].map((a) => Float32Array.from(a));
        if (where === 'tiny') tiny.allocator(tiny.stats().capacityBytes / 4 - 300); // leave room for a few values only
        for (let t = 1; t <= 5; t++) {
          fill(rng, grad);
          k.kernels.adamF32!(
            value,
            grad,
            m,
            v,
            c.amsgrad ? vmax : null,
            t,
            c.lr,
            c.betas[0],
            c.betas[1],
            c.eps,
            c.wd,
            c.decoupled,
            c.maximize,
          );
          adamUpdate(
            ref[0],
            grad,
            ref[1],
            ref[2],
            c.amsgrad ? ref[3] : null,
            t,
            c.lr,
            c.betas[0],
            c.betas[1],
            c.eps,
            c.wd,
            c.decoupled,
            c.maximize,
          );
          const what = `adam n=${n} ${where} t=${t} ${JSON.stringify(c)}`;
          assert.deepEqual(Float32Array.from(value), ref[0], what);
          assert.deepEqual(Float32Array.from(m), ref[1], what);
          assert.deepEqual(Float32Array.from(v), ref[2], what);
          if (c.amsgrad) assert.deepEqual(Float32Array.from(vmax), ref[3], what);
        }
        if (where === 'tiny') tiny.reset();
      }
});

test('float64 storage (gradient checks, 2-D traces) goes to the JS kernels and keeps double precision', () => {
  const rng = new Rng('f64');
  const f64 = (n: number): F32 => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1) / 3;
    return a as unknown as F32;
  };
  const before = w.stats().jsCalls;
  for (const op of ['gemm', 'gemmTN', 'gemmNT'] as const) {
    const [M, N, K] = [5, 7, 9];
    const A = f64(M * K),
      B = f64(K * N);
    const C = f64(M * N),
      want = Float64Array.from(C as unknown as Float64Array) as unknown as F32;
    wk[op](M, N, K, A, B, C, true);
    jsKernels[op](M, N, K, A, B, want, true);
    assert.deepEqual(C, want, op);
    assert.ok(
      C.some((v) => Math.fround(v) !== v),
      `${op}: result was rounded to float32`,
    );
  }
  const Y = f64(12),
    bias = f64(4),
    Yjs = Float64Array.from(Y as unknown as Float64Array) as unknown as F32;
  wk.biasAct!(3, 4, Y, bias, 'relu');
  jsKernels.biasAct!(3, 4, Yjs, bias, 'relu');
  assert.deepEqual(Y, Yjs);
  const out = f64(4),
    outJs = Float64Array.from(out as unknown as Float64Array) as unknown as F32;
  wk.colSum!(3, 4, Y, out, true);
  jsKernels.colSum!(3, 4, Y, outJs, true);
  assert.deepEqual(out, outJs);
  const dX = f64(12),
    dXjs = f64(12);
  wk.reluBackward!(12, Y, Yjs, dX);
  jsKernels.reluBackward!(12, Y, Yjs, dXjs);
  assert.deepEqual(dX, dXjs);
  assert.throws(
    () => wk.adamF32!(f64(3), f64(3), f64(3), f64(3), null, 1, 1e-3, 0.9, 0.999, 1e-8, 0, false, false),
    TypeError,
  );
  assert.equal(w.stats().jsCalls, before);
});

test('a worker thread compiles and runs the kernels synchronously, and gets the same bits', async () => {
  const { Worker } = await import('node:worker_threads');
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const mod = new URL('./wasm-kernels.ts', import.meta.url).href;
  // A .ts worker entry fails under tsx on Node 20: the entry is a small ES module that registers tsx first.
  const boot = `
    import { parentPort } from 'node:worker_threads';
    const { register } = await import(${JSON.stringify(tsxApi)});
    register();
    const { installWasmKernels } = await import(${JSON.stringify(mod)});
    const { allocF32 } = await import(${JSON.stringify(new URL('./alloc.ts', import.meta.url).href)});
    const { kernels } = await import(${JSON.stringify(new URL('./gemm.ts', import.meta.url).href)});
    const h = installWasmKernels({ memoryMiB: 4 });
    const A = allocF32(35), B = allocF32(77);
    for (let i = 0; i < 35; i++) A[i] = Math.sin(i);
    for (let i = 0; i < 77; i++) B[i] = Math.cos(i);
    const C = allocF32(55);
    kernels().gemm(5, 11, 7, A, B, C, false);
    parentPort.postMessage({ name: kernels().name, owns: h.owns(C), C: Array.from(C) });
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`));
  const msg = await new Promise<{ name: string; owns: boolean; C: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(msg.name, 'wasm-simd');
  assert.ok(msg.owns);
  w.reset();
  const A = w.allocator(35),
    B = w.allocator(77),
    C = w.allocator(55);
  for (let i = 0; i < 35; i++) A[i] = Math.sin(i);
  for (let i = 0; i < 77; i++) B[i] = Math.cos(i);
  wk.gemm(5, 11, 7, A, B, C, false);
  assert.deepEqual(msg.C, Array.from(C));
});
