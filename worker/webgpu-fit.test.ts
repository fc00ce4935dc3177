// Whole fits on the WebGPU engine against the CPU engine: 200 steps of a small MLP for every
// optimizer within 1e-4 relative (final weights and the learning curve), the host-batch path
// (augmentations), weighted rows, early stopping, divergence, and bit-identical repeats.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, fitAsync, type FitConfig, type FitInput, type FitResult } from '../shared/train/fit.ts';
import { GpuEngine } from '../shared/gpu/engine.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { makeBlobs, makeMoons } from '../shared/data/synthetic.ts';
import type { Dataset } from '../shared/data/dataset.ts';
import { Rng } from '../shared/rng.ts';
import type { OptimizerSpec } from '../shared/schema/types.ts';
import { relError, testDevice } from './webgpu-testing.ts';

const dev = await testDevice();
const skip = typeof dev === 'string' ? dev : false;
const engine = typeof dev === 'string' ? null! : new GpuEngine(dev.device, { adapter: dev.adapter });
after(() => {
  if (typeof dev !== 'string') dev.device.destroy();
});
const worst = new Map<string, number>();
after(() => {
  for (const [k, e] of worst) console.log(`# whole fit, max relative error ${k}: ${e.toExponential(2)}`);
});

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const blobs = makeBlobs({ samples: 140, classes: 3, features: 5, noise: 1.5 }, new Rng(21));

/** 100 training rows in batches of 4 for 8 epochs: 200 steps. */
function input(config: Partial<FitConfig>, data: Dataset = blobs, seed = 5): FitInput {
  return {
    data,
    train: all(100),
    evals: { train: all(100), val: all(data.n, 100) },
    outputsFor: ['val'],
    seed,
    config: {
      model: { kind: 'mlp', hidden: [16, 8], activation: 'tanh' },
      loss: { kind: 'cross_entropy', label_smoothing: 0.1 },
      optimizer: { name: 'sgd', lr: 0.05 },
      training: { epochs: 8, batchSize: 4 },
      regularization: { l1: 1e-4, l2: 1e-3 },
      ...config,
    },
  };
}

/** Relative error of the final weights and of every number of the learning curve. */
function compare(label: string, gpu: FitResult, cpu: FitResult): void {
  assert.equal(gpu.engine?.name, 'webgpu');
  assert.equal(gpu.history.length, cpu.history.length, `${label}: epochs`);
  const e = Math.max(
    relError(gpu.state, cpu.state),
    ...cpu.history.flatMap((rec, i) => Object.keys(rec).map((k) => relError([gpu.history[i][k]], [rec[k]]))),
    ...Object.keys(cpu.outputs).map((k) => relError(gpu.outputs[k], cpu.outputs[k])),
  );
  worst.set(label, Math.max(worst.get(label) ?? 0, e));
  assert.ok(e <= TOLERANCE.fit, `${label}: relative error ${e}`);
}

const OPTIMIZERS: OptimizerSpec[] = [
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  { name: 'adagrad', lr: 0.05 },
  { name: 'adadelta', lr: 1 },
  { name: 'rmsprop', lr: 0.005, centered: true, momentum: 0.3 },
  { name: 'adam', lr: 0.005, amsgrad: true },
  { name: 'adamw', lr: 0.005 },
  { name: 'nadam', lr: 0.005 },
];

for (const optimizer of OPTIMIZERS) {
  test(`200 steps with ${optimizer.name}: the device's fit is the CPU's within 1e-4`, { skip }, async () => {
    const cfg = input({ optimizer });
    compare(optimizer.name, await fitAsync(cfg, engine), fit(cfg));
  });
}

// With batch norm right after it, a dense layer's bias has a zero gradient up to rounding; Adam
// would scale that rounding noise up to steps of size lr (on the CPU too, JS against WASM
// kernels), so this fit uses momentum SGD, which leaves the noise at its size.
test('batch norm, GELU and a cosine schedule: within 1e-4', { skip }, async () => {
  const cfg = input({
    model: { kind: 'mlp', hidden: [12], activation: 'gelu', batchNorm: true },
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 },
    training: { epochs: 8, batchSize: 4, schedule: { kind: 'cosine', T_max: 8 } },
  });
  compare('batchnorm+gelu', await fitAsync(cfg, engine), fit(cfg));
});

test(
  'augmentations run on the host and their batches are uploaded: mixup and input noise, within 1e-4',
  { skip },
  async () => {
    const cfg = input({ regularization: { mixup: { alpha: 0.3 }, inputNoise: 0.05 } });
    compare('host batches', await fitAsync(cfg, engine), fit(cfg));
  },
);

test('weighted rows, regression (MSE) and binary cross-entropy: within 1e-4', { skip }, async () => {
  const moons = makeMoons({ samples: 140, noise: 0.2 }, new Rng(3));
  const weights = Float32Array.from({ length: 140 }, (_, i) => 0.5 + (i % 4) / 2);
  const bce = {
    ...input({ loss: { kind: 'bce' }, model: { kind: 'mlp', hidden: [8], activation: 'sigmoid' } }, moons),
    weights,
  };
  compare('bce weighted', await fitAsync(bce, engine), fit(bce));
  const reg: Dataset = {
    ...moons,
    task: 'regression',
    classes: 0,
    classNames: [],
    y: moons.x.filter((_, i) => i % 2 === 0),
  };
  const mse = input({ loss: { kind: 'mse' }, model: { kind: 'mlp', hidden: [8], activation: 'leaky_relu' } }, reg);
  compare('mse', await fitAsync(mse, engine), fit(mse));
});

test('early stopping restores the best epoch as the CPU does', { skip }, async () => {
  const cfg = input({
    optimizer: { name: 'adam', lr: 0.05 },
    training: { epochs: 12, batchSize: 4, earlyStopping: { patience: 2, restoreBest: true } },
  });
  const g = await fitAsync(cfg, engine),
    c = fit(cfg);
  assert.equal(g.bestEpoch, c.bestEpoch);
  assert.equal(g.stoppedEarly, c.stoppedEarly);
  compare('early stopping', g, c);
});

// The device's loss is float32: it overflows a little before the CPU's double-precision loss
// does, so a run can be seen to diverge a few steps earlier, never later.
test('a diverging run is caught on the device too, no later than on the CPU', { skip }, async () => {
  const n = 50;
  const x = Float32Array.from({ length: n }, (_, i) => i / 10);
  const data: Dataset = {
    name: 'lin',
    task: 'regression',
    n,
    d: 1,
    x,
    y: x.map((v) => 3 * v),
    classes: 0,
    classNames: [],
    featureNames: ['a'],
  };
  const cfg: FitInput = {
    data,
    train: all(n),
    evals: { train: all(n) },
    seed: 1,
    config: {
      model: { kind: 'linear' },
      loss: { kind: 'mse' },
      optimizer: { name: 'sgd', lr: 100 },
      training: { epochs: 500, batchSize: 5 },
    },
  };
  const g = await fitAsync(cfg, engine),
    c = fit(cfg);
  assert.equal(c.diverged, true);
  assert.equal(g.diverged, true);
  assert.ok(g.epochsRun <= c.epochsRun, `device ${g.epochsRun} epochs, CPU ${c.epochsRun}`);
  assert.equal(g.history.length, g.epochsRun);
});

test('two runs on the device give identical bytes, dropout included', { skip }, async () => {
  const cfg = input({ model: { kind: 'mlp', hidden: [16], activation: 'relu', dropout: 0.3, batchNorm: true } });
  const a = await fitAsync(cfg, engine),
    b = await fitAsync(cfg, engine);
  assert.equal(JSON.stringify(a.history), JSON.stringify(b.history));
  assert.deepEqual(new Uint8Array(a.state.buffer), new Uint8Array(b.state.buffer));
  assert.deepEqual(a.outputs, b.outputs);
  // Another seed draws other masks.
  const other = await fitAsync({ ...cfg, seed: 6 }, engine);
  assert.notEqual(JSON.stringify(other.history), JSON.stringify(a.history));
  assert.ok(a.final.val.accuracy! > 0.6, `dropout fit learned: val accuracy ${a.final.val.accuracy}`);
});
