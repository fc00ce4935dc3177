import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMoons } from '../data/synthetic.ts';
import { allocF32 } from '../linalg/alloc.ts';
import { jsKernels, kernels, setKernels, type Kernels } from '../linalg/gemm.ts';
import { Rng } from '../rng.ts';
import { fit, type FitConfig } from '../train/fit.ts';
import { NetworkLoss, RowsObjective } from './objective.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeMoons({ samples: 150, noise: 0.2 }, new Rng(11));

function trained(model: FitConfig['model'], lossSpec: FitConfig['loss'] = { kind: 'cross_entropy' }) {
  const config: FitConfig = {
    model,
    loss: lossSpec,
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs: 4, batchSize: 16 },
  };
  const r = fit({ data, train: all(120), evals: { train: all(120), test: all(150, 120) }, config, seed: 5 });
  const net = new NetworkLoss({ model, loss: lossSpec, data, standardizer: r.standardizer, outDim: r.outDim }, r.state);
  return { r, net };
}

const BN_MODEL: FitConfig['model'] = { kind: 'mlp', hidden: [8, 6], activation: 'tanh', batchNorm: true, dropout: 0.3 };

test('L(θ) is the loss the fit reports: inference mode, no label smoothing (BN + dropout MLP)', () => {
  const { r, net } = trained(BN_MODEL, { kind: 'cross_entropy', label_smoothing: 0.2 });
  for (const name of ['train', 'test'] as const) {
    const rows = name === 'train' ? all(120) : all(150, 120);
    const mine = net.loss(rows);
    // The fit scores in float32, the analysis in float64: agreement to float32 rounding.
    assert.ok(
      Math.abs(mine - r.final[name].loss) <= 1e-5 * r.final[name].loss,
      `${name}: ${mine} vs ${r.final[name].loss}`,
    );
  }
});

test('∇L matches central differences of L, coordinate by coordinate and along random directions', () => {
  const { net } = trained(BN_MODEL);
  const f = new RowsObjective(net, all(120));
  const theta = net.params();
  const g = new Float64Array(f.dim);
  const L = f.valueAndGradient(theta, g);
  assert.equal(L, f.value(theta));
  const h = 1e-6;
  const probe = theta.slice();
  // Every parameter of a small net: dense weights and biases, batch-norm γ and β.
  for (let i = 0; i < f.dim; i++) {
    probe[i] = theta[i] + h;
    const up = f.value(probe);
    probe[i] = theta[i] - h;
    const down = f.value(probe);
    probe[i] = theta[i];
    const fd = (up - down) / (2 * h);
    assert.ok(
      Math.abs(fd - g[i]) <= 1e-6 * Math.max(1e-3, Math.abs(g[i])) + 1e-9,
      `param ${i}: analytic ${g[i]}, numeric ${fd}`,
    );
  }
  const rng = new Rng(3);
  for (let k = 0; k < 3; k++) {
    const d = Float64Array.from({ length: f.dim }, () => rng.normal());
    let gd = 0;
    for (let i = 0; i < f.dim; i++) gd += g[i] * d[i];
    const at = (s: number) => f.value(theta.map((t, i) => t + s * d[i]));
    const fd = (at(h) - at(-h)) / (2 * h);
    assert.ok(Math.abs(fd - gd) <= 1e-6 * Math.abs(gd), `direction ${k}: ${gd} vs ${fd}`);
  }
});

test('buffers stay fixed: evaluating and differentiating never updates the running statistics', () => {
  const { r, net } = trained(BN_MODEL);
  const before = net.state();
  assert.deepEqual(Array.from(before), Array.from(r.state));
  const f = new RowsObjective(net, all(120));
  const theta = net.params();
  theta[0] += 0.1;
  f.valueAndGradient(theta, new Float64Array(f.dim));
  const after = net.state();
  assert.deepEqual(after.subarray(f.dim), before.subarray(f.dim));
  assert.notEqual(after[0], before[0]);
});

test('chunk size changes nothing but rounding', () => {
  const { r } = trained({ kind: 'mlp', hidden: [5], activation: 'relu', batchNorm: true });
  const spec = {
    model: { kind: 'mlp' as const, hidden: [5], activation: 'relu' as const, batchNorm: true },
    loss: { kind: 'cross_entropy' as const },
    data,
    standardizer: r.standardizer,
    outDim: r.outDim,
  };
  const big = new NetworkLoss(spec, r.state),
    small = new NetworkLoss({ ...spec, chunk: 7 }, r.state);
  const gb = new Float64Array(big.dim),
    gs = new Float64Array(small.dim);
  const lb = big.lossAndGradient(all(120), gb),
    ls = small.lossAndGradient(all(120), gs);
  assert.ok(Math.abs(lb - ls) < 1e-14, `${lb} vs ${ls}`);
  for (let i = 0; i < gb.length; i++) assert.ok(Math.abs(gb[i] - gs[i]) < 1e-14, `grad ${i}`);
});

test('the float64 detour leaves the active kernels and allocator as they were', () => {
  const marker: Kernels = { ...jsKernels, name: 'marker' };
  setKernels(marker);
  try {
    const { net } = trained({ kind: 'logistic' });
    net.loss(all(10));
    assert.equal(kernels(), marker);
    assert.ok(allocF32(3) instanceof Float32Array);
    assert.ok(net.model.params()[0].value instanceof Float64Array);
  } finally {
    setKernels(jsKernels);
  }
});

test('bce with one logit; wrong output size, state length or empty rows are refused', () => {
  const { r, net } = trained({ kind: 'logistic' }, { kind: 'bce' });
  assert.equal(r.outDim, 1);
  assert.ok(Math.abs(net.loss(all(120)) - r.final.train.loss) < 1e-5 * r.final.train.loss);
  const spec = {
    model: { kind: 'logistic' as const },
    loss: { kind: 'bce' as const },
    data,
    standardizer: r.standardizer,
    outDim: 2,
  };
  assert.throws(() => new NetworkLoss(spec, r.state), /outputs/);
  assert.throws(() => new NetworkLoss({ ...spec, outDim: 1 }, r.state.subarray(1)), /state values/);
  assert.throws(() => net.loss(new Uint32Array(0)), /no rows/);
  assert.throws(() => net.setParams(new Float64Array(2)), /params/);
});
