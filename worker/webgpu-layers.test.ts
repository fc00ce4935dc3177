// Batch norm, the batch gather (with standardization and targets), and the weight penalty on
// the device against the CPU path, on odd sizes from 1 to 127: relative error within 1e-5.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchNorm1d } from '../shared/nn/batchnorm.ts';
import { Rng } from '../shared/rng.ts';
import { BN_BACK_DX, BN_BACK_REDUCE, BN_NORMALIZE, BN_RUNNING, BN_STATS } from '../shared/gpu/wgsl/batchnorm.ts';
import { GATHER_T, GATHER_X } from '../shared/gpu/wgsl/elementwise.ts';
import { PENALTY_SUMS } from '../shared/gpu/wgsl/loss.ts';
import { groups1d } from '../shared/gpu/context.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { gatherInputs, gatherTargets } from '../shared/train/batches.ts';
import { penaltyValue } from '../shared/train/penalty.ts';
import { fitStandardizer } from '../shared/data/standardize.ts';
import type { Dataset } from '../shared/data/dataset.ts';
import { param } from '../shared/nn/param.ts';
import { randomArray, relError, testDevice } from './webgpu-testing.ts';

const dev = await testDevice();
const skip = typeof dev === 'string' ? dev : false;
const gpu = typeof dev === 'string' ? null! : dev.gpu;
after(() => {
  if (typeof dev !== 'string') dev.device.destroy();
});
const worst = new Map<string, number>();
function within(kernel: string, got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  const e = relError(got, want);
  worst.set(kernel, Math.max(worst.get(kernel) ?? 0, e));
  assert.ok(e <= TOLERANCE.kernel, `${kernel} ${what}: relative error ${e}`);
}
after(() => {
  for (const [k, e] of worst) console.log(`# max relative error ${k}: ${e.toExponential(2)}`);
});
const up = (a: Float32Array | Uint32Array) => gpu.upload(a);
const out = (n: number) => gpu.buffer(n * 4);

test(
  'batch norm: training statistics, running averages, backward, and inference match BatchNorm1d',
  { skip },
  async () => {
    const rng = new Rng('bn');
    // Training needs two rows or more; with exactly two, dx is 0 up to rounding (x̂ = ±1), so the smallest here is 3.
    for (const [M, C] of [
      [3, 1],
      [127, 127],
      [3, 127],
      [127, 5],
      [33, 65],
      [17, 9],
    ] as [number, number][]) {
      const bn = new BatchNorm1d(C);
      bn.gamma.value.set(randomArray(C, rng).map((v) => 1 + 0.5 * v));
      bn.beta.value.set(randomArray(C, rng));
      const x = randomArray(M * C, rng).map((v, i) => 3 * v + (i % C) * 0.1);
      const dy = randomArray(M * C, rng);
      const gamma = up(bn.gamma.value),
        beta = up(bn.beta.value);
      const rmean = up(bn.runningMean),
        rvar = up(bn.runningVar);
      const y = bn.forward({ rows: M, cols: C, data: x }, { training: true, rng }).data.slice(0, M * C);
      const dx = bn.backward({ rows: M, cols: C, data: dy }).data.slice(0, M * C);
      const X = up(x),
        stat = out(2 * C),
        back = out(3 * C),
        xhat = out(M * C),
        Y = out(M * C),
        DX = out(M * C),
        dgamma = out(C),
        dbeta = out(C),
        status = out(4);
      const u = gpu.uniform([
        ['u', M],
        ['u', C],
        ['f', bn.eps],
        ['f', bn.momentum],
      ]);
      const un = gpu.uniform([
        ['u', M * C],
        ['u', C],
      ]);
      const per: [number, number] = [Math.ceil(C / 64), 1];
      gpu.run([
        gpu.dispatch(BN_STATS, [u, X, stat, rmean, rvar, status], per),
        gpu.dispatch(BN_NORMALIZE, [un, X, stat, gamma, beta, xhat, Y], groups1d(M * C)),
        gpu.dispatch(BN_BACK_REDUCE, [u, up(dy), xhat, stat, gamma, dgamma, dbeta, back], per),
        gpu.dispatch(BN_BACK_DX, [un, up(dy), xhat, back, DX], groups1d(M * C)),
      ]);
      within('batchnorm forward (training)', await gpu.readF32(Y, M * C), y, `${M}×${C}`);
      within('batchnorm running mean', await gpu.readF32(rmean, C), bn.runningMean, `${M}×${C}`);
      within('batchnorm running var', await gpu.readF32(rvar, C), bn.runningVar, `${M}×${C}`);
      within('batchnorm backward dx', await gpu.readF32(DX, M * C), dx, `${M}×${C}`);
      within('batchnorm dγ', await gpu.readF32(dgamma, C), bn.gamma.grad, `${M}×${C}`);
      within('batchnorm dβ', await gpu.readF32(dbeta, C), bn.beta.grad, `${M}×${C}`);
      // Inference on one row and on all of them, with the running statistics just updated.
      for (const rows of [1, M]) {
        const yi = bn.forward({ rows, cols: C, data: x }, { training: false, rng }).data.slice(0, rows * C);
        const ui = gpu.uniform([
          ['u', rows * C],
          ['u', C],
        ]);
        const Yi = out(rows * C);
        gpu.run([
          gpu.dispatch(BN_RUNNING, [u, rmean, rvar, stat], per),
          gpu.dispatch(BN_NORMALIZE, [ui, X, stat, gamma, beta, xhat, Yi], groups1d(rows * C)),
        ]);
        within('batchnorm forward (inference)', await gpu.readF32(Yi, rows * C), yi, `${rows}×${C}`);
      }
    }
  },
);

test('batch norm leaves the running statistics alone once the run has diverged', { skip }, async () => {
  const C = 3;
  const rmean = up(new Float32Array(C)),
    rvar = up(new Float32Array(C).fill(1));
  const status = up(new Uint32Array([1, 0, 0, 0]));
  const u = gpu.uniform([
    ['u', 4],
    ['u', C],
    ['f', 1e-5],
    ['f', 0.1],
  ]);
  gpu.run([gpu.dispatch(BN_STATS, [u, up(randomArray(4 * C, new Rng(1))), out(2 * C), rmean, rvar, status], [1, 1])]);
  assert.deepEqual([...(await gpu.readF32(rmean, C))], [0, 0, 0]);
  assert.deepEqual([...(await gpu.readF32(rvar, C))], [1, 1, 1]);
});

test('the batch gather standardizes rows and builds targets and weights as the host does', { skip }, async () => {
  const rng = new Rng('gather');
  for (const [n, d, classes] of [
    [1, 1, 2],
    [127, 127, 7],
    [45, 3, 127],
    [9, 65, 0],
  ] as [number, number, number][]) {
    const data: Dataset = {
      name: 'g',
      task: classes ? 'classification' : 'regression',
      n,
      d,
      x: randomArray(n * d, rng).map((v) => 5 * v + 2),
      y: Float32Array.from({ length: n }, () => (classes ? rng.int(classes) : rng.uniform(-3, 3))),
      classes,
      classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
      featureNames: Array.from({ length: d }, (_, i) => `f${i}`),
    };
    const weights = Float32Array.from({ length: n }, () => rng.uniform(0.1, 3));
    const rows = Uint32Array.from({ length: Math.min(n, 37) * 2 - 1 }, () => rng.int(n));
    const m = rows.length;
    const s = fitStandardizer(data.x, d, rows);
    const C = classes || 1;
    const xb = { rows: m, cols: d, data: new Float32Array(m * d) },
      tb = { rows: m, cols: C, data: new Float32Array(m * C) };
    gatherInputs(data, s, rows, 0, m, xb);
    gatherTargets(data, classes ? 'onehot' : 'value', rows, 0, m, tb);
    const X = out(m * d),
      T = out(m * C),
      WB = out(m);
    const R = up(rows);
    gpu.run([
      gpu.dispatch(
        GATHER_X,
        [
          gpu.uniform([
            ['u', m],
            ['u', d],
          ]),
          R,
          up(data.x),
          up(Float32Array.from(s.mean)),
          up(Float32Array.from(s.std)),
          X,
        ],
        groups1d(m * d),
      ),
      gpu.dispatch(
        GATHER_T,
        [
          gpu.uniform([
            ['u', m],
            ['u', C],
            ['u', classes ? 1 : 0],
            ['u', 1],
          ]),
          R,
          up(data.y),
          up(weights),
          T,
          WB,
        ],
        [Math.ceil(m / 256), 1],
      ),
    ]);
    within('gather inputs', await gpu.readF32(X, m * d), xb.data, `${m}×${d}`);
    within('gather targets', await gpu.readF32(T, m * C), tb.data, `${m}×${C}`);
    assert.deepEqual([...(await gpu.readF32(WB, m))], [...Array.from(rows, (r) => weights[r])]);
  }
});

test('the penalty P(θ) summed on the device matches the host', { skip }, async () => {
  const rng = new Rng('penalty');
  for (const n of [1, 127, 127 * 127, 3 * 65]) {
    const p = param('w', [n], true);
    p.value.set(randomArray(n, rng));
    const o = out(2);
    gpu.run([
      gpu.dispatch(
        PENALTY_SUMS,
        [
          gpu.uniform([
            ['u', n],
            ['u', 0],
          ]),
          up(p.value),
          o,
        ],
        [1, 1],
      ),
    ]);
    const [a, s] = await gpu.readF32(o, 2);
    const c = { l1: 1e-3, l2: 1e-2 };
    within('penalty P(θ)', [c.l1 * a + 0.5 * c.l2 * s], [penaltyValue([p], c)], `n = ${n}`);
  }
});
