// Each WGSL kernel against the CPU path it replaces, on odd sizes from 1 to 127 in every
// dimension (a sample of the combinations that includes 1 and 127 everywhere): relative error
// max |gpu − cpu| / max |cpu| within 1e-5 (shared/gpu/tolerance.ts). Runs on SwiftShader here
// and in CI; skips, saying why, where Dawn finds no adapter.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels } from '../shared/linalg/gemm.ts';
import { ActivationLayer } from '../shared/nn/activation.ts';
import { Dropout } from '../shared/nn/dropout.ts';
import { BceWithLogitsLoss, CrossEntropyLoss, MseLoss } from '../shared/nn/loss.ts';
import { Rng } from '../shared/rng.ts';
import type { Activation } from '../shared/schema/types.ts';
import { ACT_ID } from '../shared/gpu/wgsl/activation.ts';
import { matmulDirectWgsl, matmulWgsl, TILE, type MatmulKind } from '../shared/gpu/wgsl/matmul.ts';
import { ACT_BACKWARD, COL_SUM, DROPOUT_FORWARD, MULTIPLY } from '../shared/gpu/wgsl/elementwise.ts';
import { LOSS_ID, LOSS_REDUCE, ROW_LOSS_CE, ROW_LOSS_ELEMENTWISE, WEIGHT_SUM } from '../shared/gpu/wgsl/loss.ts';
import { dropoutBits, dropoutThreshold } from '../shared/gpu/wgsl/rng.ts';
import { groups1d } from '../shared/gpu/context.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { randomArray, relError, testDevice } from './webgpu-testing.ts';

const dev = await testDevice();
const skip = typeof dev === 'string' ? dev : false;
const gpu = typeof dev === 'string' ? null! : dev.gpu;
after(() => {
  if (typeof dev !== 'string') dev.device.destroy();
});

/** Largest error seen per kernel, printed at the end for the record. */
const worst = new Map<string, number>();
function within(kernel: string, got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const e = relError(got, want);
  worst.set(kernel, Math.max(worst.get(kernel) ?? 0, e));
  assert.ok(e <= TOLERANCE.kernel, `${kernel} ${what}: relative error ${e}`);
}
after(() => {
  for (const [k, e] of worst) console.log(`# max relative error ${k}: ${e.toExponential(2)}`);
});

const MATMUL_SIZES: [number, number, number][] = [
  [1, 1, 1],
  [127, 127, 127],
  [1, 127, 3],
  [127, 1, 5],
  [3, 5, 127],
  [65, 33, 17],
  [31, 97, 63],
  [127, 63, 1],
  [7, 1, 127],
  [99, 3, 45],
];
/** rows × cols of the element-wise and per-row kernels. */
const SHAPES: [number, number][] = [
  [1, 1],
  [127, 127],
  [3, 127],
  [127, 5],
  [33, 65],
  [17, 9],
];
const ACTS: Activation[] = ['identity', 'relu', 'sigmoid', 'tanh', 'leaky_relu', 'gelu'];

const up = (a: Float32Array) => gpu.upload(a);
const out = (n: number) => gpu.buffer(n * 4);

test('products nn, tn, nt, tiled and direct, match the CPU kernels and each other to the bit', { skip }, async () => {
  const rng = new Rng('matmul');
  const ref: Record<MatmulKind, typeof jsKernels.gemm> = {
    nn: jsKernels.gemm,
    tn: jsKernels.gemmTN,
    nt: jsKernels.gemmNT,
  };
  for (const kind of ['nn', 'tn', 'nt'] as const)
    for (const [M, N, K] of MATMUL_SIZES) {
      const A = randomArray(M * K, rng),
        B = randomArray(K * N, rng);
      const want = new Float32Array(M * N);
      ref[kind](M, N, K, A, B, want, false);
      const C = out(M * N);
      const u = gpu.uniform([
        ['u', M],
        ['u', N],
        ['u', K],
        ['u', 0],
        ['f', 0],
        ['u', 0],
      ]);
      const D = out(M * N);
      const a = up(A),
        b = up(B);
      gpu.run([
        gpu.dispatch(matmulWgsl(kind, false), [u, a, b, C], [Math.ceil(N / TILE), Math.ceil(M / TILE)]),
        gpu.dispatch(matmulDirectWgsl(kind, false), [u, a, b, D], [Math.ceil(N / 8), Math.ceil(M / 8)]),
      ]);
      const tiled = await gpu.readF32(C, M * N);
      within(`matmul ${kind} tiled`, tiled, want, `${M}×${N}×${K}`);
      within(`matmul ${kind} direct`, await gpu.readF32(D, M * N), want, `${M}×${N}×${K}`);
      // The engine picks either by size; the same terms in the same order must give the same bits.
      assert.ok(relError(await gpu.readF32(D, M * N), tiled) <= 1e-7, `tiled and direct ${kind} ${M}×${N}×${K}`);
    }
});

test('fused bias + activation forward and the activation backward match the CPU layers', { skip }, async () => {
  const rng = new Rng('bias-act');
  for (const act of ACTS)
    for (const [M, N, K] of MATMUL_SIZES.slice(0, 6)) {
      const X = randomArray(M * K, rng),
        W = randomArray(K * N, rng),
        b = randomArray(N, rng);
      const z = new Float32Array(M * N);
      jsKernels.gemm(M, N, K, X, W, z, false);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) z[i * N + j] += b[j];
      const layer = new ActivationLayer(act, 0.03);
      const y = layer.forward({ rows: M, cols: N, data: z }, { training: true, rng });
      const dy = randomArray(M * N, rng);
      const dx = layer.backward({ rows: M, cols: N, data: dy });
      const Y = out(M * N),
        Z = out(M * N),
        DX = out(M * N);
      const u = gpu.uniform([
        ['u', M],
        ['u', N],
        ['u', K],
        ['u', ACT_ID[act]],
        ['f', 0.03],
        ['u', 1],
      ]);
      const ub = gpu.uniform([
        ['u', M * N],
        ['u', ACT_ID[act]],
        ['f', 0.03],
      ]);
      gpu.run([
        gpu.dispatch(
          matmulWgsl('nn', true),
          [u, up(X), up(W), Y, up(b), Z],
          [Math.ceil(N / TILE), Math.ceil(M / TILE)],
        ),
        gpu.dispatch(ACT_BACKWARD, [ub, Z, Y, up(dy), DX], groups1d(M * N)),
      ]);
      within(`bias+${act} forward`, await gpu.readF32(Y, M * N), y.data.subarray(0, M * N), `${M}×${N}×${K}`);
      within(`${act} backward`, await gpu.readF32(DX, M * N), dx.data.subarray(0, M * N), `${M}×${N}`);
    }
});

test('bias gradient (column sums) matches the CPU kernel', { skip }, async () => {
  const rng = new Rng('colsum');
  for (const [M, N] of SHAPES) {
    const A = randomArray(M * N, rng);
    const want = new Float32Array(N);
    jsKernels.colSum!(M, N, A, want, false);
    const o = out(N);
    gpu.run([
      gpu.dispatch(
        COL_SUM,
        [
          gpu.uniform([
            ['u', M],
            ['u', N],
          ]),
          up(A),
          o,
        ],
        [Math.ceil(N / 256), 1],
      ),
    ]);
    within('colSum', await gpu.readF32(o, N), want, `${M}×${N}`);
  }
});

test('losses: cross-entropy with label smoothing, MSE and BCE, weighted, value and gradient', { skip }, async () => {
  const rng = new Rng('loss');
  const cases = [
    { kind: 'cross_entropy' as const, make: () => new CrossEntropyLoss(0.1) },
    { kind: 'mse' as const, make: () => new MseLoss() },
    { kind: 'bce' as const, make: () => new BceWithLogitsLoss() },
  ];
  for (const c of cases)
    for (const [M, N0] of SHAPES) {
      const N = c.kind === 'cross_entropy' ? Math.max(2, N0) : c.kind === 'bce' ? 1 : N0;
      const z = randomArray(M * N, rng).map((v) => 4 * v);
      const t = new Float32Array(M * N);
      for (let i = 0; i < M; i++) {
        if (c.kind === 'cross_entropy') t[i * N + rng.int(N)] = 1;
        else if (c.kind === 'bce') t[i] = rng.int(2);
        else for (let j = 0; j < N; j++) t[i * N + j] = rng.uniform(-2, 2);
      }
      const w = Float32Array.from({ length: M }, () => rng.uniform(0.2, 2));
      const loss = c.make();
      const want = loss.compute({ rows: M, cols: N, data: z }, { rows: M, cols: N, data: t }, w);
      const grad = out(M * N),
        rowLoss = out(M),
        scal = out(4),
        losses = out(4),
        status = out(4);
      const W = up(w);
      const u =
        c.kind === 'cross_entropy'
          ? gpu.uniform([
              ['u', M],
              ['u', N],
              ['f', 0.9],
              ['f', 0.1 / N],
            ])
          : gpu.uniform([
              ['u', M],
              ['u', N],
              ['u', LOSS_ID[c.kind]],
            ]);
      const step = gpu.uniform([
        ['u', 1],
        ['u', 2],
      ]);
      gpu.run([
        gpu.dispatch(WEIGHT_SUM, [gpu.uniform([['u', M]]), W, scal], [1, 1]),
        gpu.dispatch(
          c.kind === 'cross_entropy' ? ROW_LOSS_CE : ROW_LOSS_ELEMENTWISE,
          [u, up(z), up(t), W, scal, grad, rowLoss],
          [Math.ceil(M / 64), 1],
        ),
        gpu.dispatch(
          LOSS_REDUCE,
          [
            gpu.uniform([
              ['u', M],
              ['f', c.kind === 'cross_entropy' ? 1 : N],
            ]),
            step,
            rowLoss,
            scal,
            losses,
            status,
          ],
          [1, 1],
        ),
      ]);
      const got = await gpu.readF32(losses, 3);
      within(`${c.kind} loss`, [got[2]], [want], `${M}×${N}`);
      within(`${c.kind} gradient`, await gpu.readF32(grad, M * N), loss.grad.data.subarray(0, M * N), `${M}×${N}`);
    }
});

test('a NaN loss raises the divergence flag; a finite one does not', { skip }, async () => {
  for (const bad of [false, true]) {
    const z = new Float32Array([1, 2, bad ? Number.NaN : 3, 4]);
    const t = new Float32Array([1, 0, 0, 1]);
    const scal = out(4),
      grad = out(4),
      rowLoss = out(2),
      losses = out(4),
      status = out(4);
    const W = up(new Float32Array([1, 1]));
    gpu.run([
      gpu.dispatch(WEIGHT_SUM, [gpu.uniform([['u', 2]]), W, scal], [1, 1]),
      gpu.dispatch(
        ROW_LOSS_CE,
        [
          gpu.uniform([
            ['u', 2],
            ['u', 2],
            ['f', 1],
            ['f', 0],
          ]),
          up(z),
          up(t),
          W,
          scal,
          grad,
          rowLoss,
        ],
        [1, 1],
      ),
      gpu.dispatch(
        LOSS_REDUCE,
        [
          gpu.uniform([
            ['u', 2],
            ['f', 1],
          ]),
          gpu.uniform([
            ['u', 1],
            ['u', 0],
          ]),
          rowLoss,
          scal,
          losses,
          status,
        ],
        [1, 1],
      ),
    ]);
    const [st] = await gpu.read([[status, 0, 4]]);
    assert.equal(new Uint32Array(st)[0], bad ? 1 : 0);
  }
});

test(
  'dropout: the device draws the counter-based masks bit for bit, keeps about 1−p, and matches the CPU layer given them',
  { skip },
  async () => {
    const rng = new Rng('dropout');
    let kept = 0,
      total = 0;
    for (const [M, N] of SHAPES) {
      const p = 0.3;
      const n = M * N;
      const x = randomArray(n, rng),
        dy = randomArray(n, rng);
      const keys = [rng.nextU32(), rng.nextU32()];
      const t = 5 + M;
      const Y = out(n),
        mask = out(n),
        DX = out(n);
      gpu.run([
        gpu.dispatch(
          DROPOUT_FORWARD,
          [
            gpu.uniform([
              ['u', n],
              ['u', dropoutThreshold(p)],
              ['f', 1 / (1 - p)],
              ['u', 2],
              ['u', keys[0]],
              ['u', keys[1]],
            ]),
            gpu.uniform([['u', t]]),
            up(x),
            Y,
            mask,
          ],
          groups1d(n),
        ),
        gpu.dispatch(MULTIPLY, [gpu.uniform([['u', n]]), up(dy), mask, DX], groups1d(n)),
      ]);
      const keep = Array.from({ length: n }, (_, i) =>
        dropoutBits(keys[0], keys[1], t, 2, i) >= dropoutThreshold(p) ? 1 : 0,
      );
      const gotMask = await gpu.readF32(mask, n);
      for (let i = 0; i < n; i++) assert.equal(gotMask[i] !== 0, keep[i] === 1, `unit ${i} of ${M}×${N}`);
      kept += keep.reduce((a: number, b) => a + b, 0);
      total += n;
      const layer = new Dropout(p);
      layer.fixMask(keep);
      const y = layer.forward({ rows: M, cols: N, data: x }, { training: true, rng });
      const dx = layer.backward({ rows: M, cols: N, data: dy });
      within('dropout forward', await gpu.readF32(Y, n), y.data.subarray(0, n), `${M}×${N}`);
      within('dropout backward', await gpu.readF32(DX, n), dx.data.subarray(0, n), `${M}×${N}`);
    }
    // About 21 000 draws: the kept fraction is within 1.5 points of 0.7 (several standard deviations).
    assert.ok(Math.abs(kept / total - 0.7) < 0.015, `kept ${kept / total}`);
  },
);
