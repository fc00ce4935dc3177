import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../data/dataset.ts';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit, type FitConfig } from '../train/fit.ts';
import { defaultAlphas, interpolateLoss } from './interpolate.ts';
import { NetworkLoss } from './objective.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeMoons({ samples: 200, noise: 0.25 }, new Rng(8));
const train = all(150),
  testRows = all(200, 150);
const model: FitConfig['model'] = { kind: 'mlp', hidden: [12], activation: 'relu', batchNorm: true };

function solution(batchSize: number, lr: number) {
  const config: FitConfig = {
    model,
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'sgd', lr, momentum: 0.9 },
    training: { epochs: 12, batchSize },
  };
  return fit({ data, train, evals: { train, test: testRows }, config, seed: 4 });
}

test('default α: −0.5 to 1.5 by 0.1, with 0 and 1 exactly', () => {
  const a = defaultAlphas();
  assert.equal(a.length, 21);
  assert.equal(a[0], -0.5);
  assert.equal(a[20], 1.5);
  assert.equal(a[5], 0);
  assert.equal(a[15], 1);
  for (let i = 1; i < a.length; i++) assert.ok(Math.abs(a[i] - a[i - 1] - 0.1) < 1e-12);
});

test('α = 0 and α = 1 give exactly the losses of the two trained networks', () => {
  const small = solution(8, 0.05),
    large = solution(150, 0.5);
  const curve = interpolateLoss({
    model,
    loss: { kind: 'cross_entropy' },
    data,
    standardizer: small.standardizer,
    outDim: 2,
    a: small.state,
    b: large.state,
    rows: { train, test: testRows },
  });
  assert.deepEqual(curve.alphas, defaultAlphas());
  const spec = { model, loss: { kind: 'cross_entropy' as const }, data, standardizer: small.standardizer, outDim: 2 };
  const netA = new NetworkLoss(spec, small.state),
    netB = new NetworkLoss(spec, large.state);
  for (const [name, rows] of [
    ['train', train],
    ['test', testRows],
  ] as const) {
    const ys = curve.loss[name];
    assert.equal(ys.length, 21);
    assert.equal(ys[5], netA.loss(rows), `${name} at α = 0`);
    assert.equal(ys[15], netB.loss(rows), `${name} at α = 1`);
    assert.ok(Math.abs(ys[5] - small.final[name].loss) < 1e-5 * small.final[name].loss);
    assert.ok(Math.abs(ys[15] - large.final[name].loss) < 1e-5 * large.final[name].loss);
    for (const y of ys) assert.ok(Number.isFinite(y));
  }
  // The two solutions differ, so the curve is not flat.
  assert.notEqual(curve.loss.train[5], curve.loss.train[15]);
});

test('linear model + mse: the curve is the parabola through its three α = 0, ½, 1 values', () => {
  const rng = new Rng(2);
  const n = 60,
    d = 3;
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const y = Float32Array.from({ length: n }, (_, i) => x[i * d] - 2 * x[i * d + 2] + rng.normal(0, 0.3));
  const reg: Dataset = {
    name: 'reg',
    task: 'regression',
    n,
    d,
    x,
    y,
    classes: 0,
    classNames: [],
    featureNames: ['a', 'b', 'c'],
  };
  const a = [0.5, 0.1, -1, 0.2],
    b = [1.2, -0.4, -2.5, 0];
  const alphas = [-0.5, 0, 0.5, 1, 1.5, 0.25];
  const c = interpolateLoss({
    model: { kind: 'linear' },
    loss: { kind: 'mse' },
    data: reg,
    standardizer: null,
    outDim: 1,
    a,
    b,
    rows: { all: all(n) },
    alphas,
  });
  const [, l0, lh, l1] = c.loss.all;
  // Quadratic through (0, l0), (½, lh), (1, l1).
  const p = (t: number) => l0 * 2 * (t - 0.5) * (t - 1) - lh * 4 * t * (t - 1) + l1 * 2 * t * (t - 0.5);
  alphas.forEach((t, i) =>
    assert.ok(Math.abs(c.loss.all[i] - p(t)) < 1e-9 * Math.max(1, p(t)), `α ${t}: ${c.loss.all[i]} vs ${p(t)}`),
  );
});

test('batch-norm running variances that extrapolate below 0 are clamped, so the loss stays finite', () => {
  const s = solution(16, 0.05);
  const net = new NetworkLoss(
    { model, loss: { kind: 'cross_entropy' }, data, standardizer: s.standardizer, outDim: 2 },
    s.state,
  );
  const b = Float32Array.from(s.state);
  // State: dense0 (2×12 + 12), bn0 γ, β (12 + 12), dense1 (12×2 + 2); then running mean (12), running var (12).
  const varStart = net.dim + 12;
  for (let i = varStart; i < varStart + 12; i++) b[i] = s.state[i] * 10;
  const c = interpolateLoss({
    model,
    loss: { kind: 'cross_entropy' },
    data,
    standardizer: s.standardizer,
    outDim: 2,
    a: s.state,
    b,
    rows: { train },
    alphas: [-0.5, 0, 1],
  });
  // At α = −0.5 the mix is 1.5·v − 0.5·10·v < 0 for every unit.
  for (const y of c.loss.train) assert.ok(Number.isFinite(y), c.loss.train.join(', '));
  assert.ok(c.loss.train[0] > c.loss.train[1]);
});

test('states of different architectures, empty row sets and non-finite α are refused', () => {
  const s = solution(16, 0.05);
  const base = {
    model,
    loss: { kind: 'cross_entropy' as const },
    data,
    standardizer: s.standardizer,
    outDim: 2,
    a: s.state,
    rows: { train },
  };
  assert.throws(() => interpolateLoss({ ...base, b: s.state.subarray(1) }), /differ in length/);
  assert.throws(() => interpolateLoss({ ...base, b: s.state, rows: { none: new Uint32Array(0) } }), /empty/);
  assert.throws(() => interpolateLoss({ ...base, b: s.state, alphas: [Number.POSITIVE_INFINITY] }), /finite/);
});
