import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, FitCancelled, stepsPerEpoch, type FitConfig } from './fit.ts';
import type { Dataset } from '../data/dataset.ts';
import { makeBlobs, makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);

function cfg(over: Partial<FitConfig> = {}): FitConfig {
  return {
    model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 5, batchSize: 16 },
    ...over,
  };
}

test('determinism: the same seed gives identical bytes of the history; another seed does not', () => {
  const data = makeMoons({ samples: 120, noise: 0.2 }, new Rng(1));
  const run = (seed: number) =>
    fit({
      data,
      train: all(90),
      evals: { train: all(90), val: all(120, 90) },
      seed,
      config: cfg({
        model: { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0.2, batchNorm: true },
        regularization: { mixup: { alpha: 0.4 }, inputNoise: 0.1, l2: 1e-3 },
      }),
    });
  const a = JSON.stringify(run(3).history),
    b = JSON.stringify(run(3).history),
    c = JSON.stringify(run(4).history);
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.deepEqual(run(3).state, run(3).state);
});

test('logistic regression separates a linearly separable set (train accuracy 1)', () => {
  const data = makeBlobs({ samples: 200, classes: 2, noise: 0.5 }, new Rng(5));
  const r = fit({
    data,
    train: all(200),
    evals: { train: all(200) },
    seed: 1,
    config: cfg({
      model: { kind: 'logistic' },
      optimizer: { name: 'sgd', lr: 0.5 },
      training: { epochs: 30, batchSize: 'full' },
    }),
  });
  assert.equal(r.final.train.accuracy, 1);
  assert.ok(r.final.train.loss < 0.05, `loss ${r.final.train.loss}`);
});

test('linear regression by full-batch GD recovers its coefficients (y = 2·x0 − 3·x1 + 0.5)', () => {
  const rng = new Rng(9);
  const n = 200;
  const x = new Float32Array(n * 2),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = rng.uniform(-1, 1);
    x[2 * i + 1] = rng.uniform(-1, 1);
    y[i] = 2 * x[2 * i] - 3 * x[2 * i + 1] + 0.5;
  }
  const data: Dataset = {
    name: 'lin',
    task: 'regression',
    n,
    d: 2,
    x,
    y,
    classes: 0,
    classNames: [],
    featureNames: ['a', 'b'],
  };
  const r = fit({
    data,
    train: all(n),
    evals: { train: all(n) },
    seed: 2,
    config: {
      ...cfg(),
      model: { kind: 'linear' },
      loss: { kind: 'mse' },
      optimizer: { name: 'sgd', lr: 0.5 },
      training: { epochs: 300, batchSize: 'full' },
      dataset: { standardize: false },
    },
  });
  // State order: dense weight (in×out = 2×1), then bias.
  assert.ok(Math.abs(r.state[0] - 2) < 1e-3, `w0 ${r.state[0]}`);
  assert.ok(Math.abs(r.state[1] + 3) < 1e-3, `w1 ${r.state[1]}`);
  assert.ok(Math.abs(r.state[2] - 0.5) < 1e-3, `b ${r.state[2]}`);
  assert.ok(r.final.train.r2! > 0.999999);
});

test("early stopping keeps the best epoch: final val loss is that epoch's", () => {
  const data = makeMoons({ samples: 60, noise: 0.35 }, new Rng(3));
  const r = fit({
    data,
    train: all(30),
    evals: { train: all(30), val: all(60, 30) },
    seed: 4,
    config: cfg({
      model: { kind: 'mlp', hidden: [64, 64], activation: 'relu' },
      optimizer: { name: 'adam', lr: 0.05 },
      training: { epochs: 200, batchSize: 8, earlyStopping: { patience: 5 } },
    }),
  });
  assert.ok(r.stoppedEarly, 'an overfitting net on 30 noisy rows should stop early');
  assert.ok(r.bestEpoch < r.history.length);
  assert.equal(r.final.val.loss, r.history[r.bestEpoch - 1].val_loss);
});

test('penalty is reported apart from the data loss, and L2 shrinks the weights', () => {
  const data = makeMoons({ samples: 100, noise: 0.2 }, new Rng(8));
  const run = (l2: number) =>
    fit({
      data,
      train: all(100),
      evals: { train: all(100) },
      seed: 1,
      config: cfg({ training: { epochs: 20, batchSize: 20 }, regularization: { l2 } }),
    });
  const a = run(0),
    b = run(0.1);
  assert.equal(a.history.at(-1)!.penalty, 0);
  assert.ok(b.history.at(-1)!.penalty > 0);
  const norm = (s: Float32Array) => s.reduce((acc, v) => acc + v * v, 0);
  assert.ok(norm(b.state) < norm(a.state));
});

test('a diverging run stops and says so instead of producing NaN epochs', () => {
  // Gradient descent on a quadratic with lr far above 2/L: the error grows geometrically until float32 overflows.
  const n = 50;
  const x = Float32Array.from({ length: n }, (_, i) => i / 10),
    y = Float32Array.from(x, (v) => 3 * v);
  const data: Dataset = {
    name: 'lin',
    task: 'regression',
    n,
    d: 1,
    x,
    y,
    classes: 0,
    classNames: [],
    featureNames: ['a'],
  };
  const r = fit({
    data,
    train: all(n),
    evals: { train: all(n) },
    seed: 1,
    config: {
      ...cfg(),
      model: { kind: 'linear' },
      loss: { kind: 'mse' },
      optimizer: { name: 'sgd', lr: 100 },
      training: { epochs: 500, batchSize: 'full' },
    },
  });
  assert.equal(r.diverged, true);
  assert.ok(r.history.length < 500);
});

test('cancellation throws FitCancelled; outputs are returned for the sets asked', () => {
  const data = makeMoons({ samples: 50 }, new Rng(8));
  assert.throws(() => fit({ data, train: all(50), seed: 1, config: cfg(), cancelled: () => true }), FitCancelled);
  const r = fit({ data, train: all(40), evals: { val: all(50, 40) }, outputsFor: ['val'], seed: 1, config: cfg() });
  assert.equal(r.outputs.val.length, 10 * 2);
});

test('every regularizer path runs, stays finite, and changes the trajectory', () => {
  const blobs = makeBlobs({ samples: 160, classes: 3, features: 64, noise: 4 }, new Rng(12));
  const data: Dataset = { ...blobs, image: { height: 8, width: 8, channels: 1 } };
  const base = cfg({
    model: { kind: 'mlp', hidden: [16], activation: 'relu' },
    training: { epochs: 2, batchSize: 32 },
  });
  const run = (over: Partial<FitConfig>) =>
    fit({
      data,
      train: all(120),
      evals: { train: all(120), val: all(160, 120) },
      seed: 5,
      config: { ...base, ...over },
    });
  const ref = JSON.stringify(run({}).history);
  const variants: Record<string, Partial<FitConfig>> = {
    l1: { regularization: { l1: 1e-2 } },
    elasticNet: { regularization: { elasticNet: { alpha: 1e-2, l1_ratio: 0.5 } } },
    inputNoise: { regularization: { inputNoise: 0.5 } },
    augment: { regularization: { augment: { shift: 1, rotate: 10, flip: true, scale: 0.2 } } },
    jitter: { regularization: { augment: { jitter: 0.3 } } },
    mixup: { regularization: { mixup: { alpha: 0.4 } } },
    cutmix: { regularization: { cutmix: { alpha: 1 } } },
    labelSmoothing: { loss: { kind: 'cross_entropy', label_smoothing: 0.2 } },
    dropout: { model: { kind: 'mlp', hidden: [16], activation: 'relu', dropout: 0.3 } },
    batchNorm: { model: { kind: 'mlp', hidden: [16], activation: 'relu', batchNorm: true } },
    schedule: { training: { epochs: 2, batchSize: 32, schedule: { kind: 'step', step_size: 1, gamma: 0.1 } } },
  };
  for (const [name, over] of Object.entries(variants)) {
    const r = run(over);
    const h = JSON.stringify(r.history);
    assert.notEqual(h, ref, `${name} changed nothing`);
    assert.ok(
      r.history.every((e) => Number.isFinite(e.train_loss) && Number.isFinite(e.val_loss)),
      name,
    );
  }
});

test('sample weights: a doubled weight equals a duplicated row (full batch, no shuffle effects)', () => {
  const data = makeMoons({ samples: 40, noise: 0.2 }, new Rng(2));
  const config = cfg({
    optimizer: { name: 'sgd', lr: 0.1 },
    training: { epochs: 3, batchSize: 'full', shuffle: false },
  });
  const w = new Float32Array(40).fill(1);
  w[0] = 2;
  const weighted = fit({
    data,
    train: all(40),
    evals: { train: all(40) },
    seed: 1,
    weights: w,
    config: { ...config, dataset: { standardize: false } },
  });
  const dup = Uint32Array.from([...all(40), 0]);
  const duplicated = fit({
    data,
    train: dup,
    evals: { train: all(40) },
    seed: 1,
    config: { ...config, dataset: { standardize: false } },
  });
  for (let i = 0; i < weighted.state.length; i++)
    assert.ok(Math.abs(weighted.state[i] - duplicated.state[i]) < 1e-5, `param ${i}`);
});

test('curveEvery: curve points every k epochs and at the last, the same weights as scoring every epoch', () => {
  const data = makeMoons({ samples: 80, noise: 0.2 }, new Rng(6));
  const run = (curveEvery?: number) =>
    fit({
      data,
      train: all(60),
      evals: { train: all(60), val: all(80, 60) },
      seed: 2,
      config: cfg({ training: { epochs: 7, batchSize: 16, curveEvery } }),
    });
  const every = run(),
    sparse = run(3);
  assert.deepEqual(
    sparse.history.map((h) => h.epoch),
    [3, 6, 7],
  );
  assert.equal(sparse.epochsRun, 7);
  assert.equal(sparse.bestEpoch, 7);
  assert.deepEqual(sparse.history, [every.history[2], every.history[5], every.history[6]]);
  assert.deepEqual(sparse.state, every.state);
  assert.throws(
    () =>
      fit({
        data,
        train: all(60),
        evals: { val: all(80, 60) },
        seed: 2,
        config: cfg({ training: { epochs: 7, batchSize: 16, curveEvery: 2, earlyStopping: {} } }),
      }),
    /curveEvery must be 1/,
  );
});

test('training.target: stops at the first scored epoch that reaches the training loss; the epochs cap it', () => {
  const data = makeMoons({ samples: 100, noise: 0.1 }, new Rng(3));
  const run = (training: FitConfig['training']) =>
    fit({ data, train: all(80), evals: { train: all(80), val: all(100, 80) }, seed: 4, config: cfg({ training }) });
  const long = run({ epochs: 60, batchSize: 16 });
  const losses = long.history.map((h) => h.train_loss);
  const goal = losses[20];
  const first = losses.findIndex((l) => l <= goal) + 1;
  const hit = run({ epochs: 60, batchSize: 16, target: { monitor: 'train_loss', value: goal } });
  assert.equal(hit.reachedTarget, true);
  assert.equal(hit.epochsRun, first);
  assert.equal(hit.history.at(-1)!.train_loss, losses[first - 1]);
  assert.deepEqual(hit.history, long.history.slice(0, first), 'the same trajectory up to the stop');
  assert.equal(hit.steps, first * 5);
  assert.equal(long.steps, 60 * 5);
  const capped = run({ epochs: 3, batchSize: 16, target: { monitor: 'train_loss', value: 1e-9 } });
  assert.equal(capped.reachedTarget, false);
  assert.equal(capped.epochsRun, 3);
  const acc = run({ epochs: 60, batchSize: 16, target: { monitor: 'train_accuracy', value: 0.9 } });
  assert.ok(acc.reachedTarget && acc.history.at(-1)!.train_accuracy >= 0.9);
  assert.ok(acc.history.slice(0, -1).every((h) => h.train_accuracy < 0.9));
  assert.throws(
    () =>
      fit({
        data,
        train: all(80),
        evals: { val: all(100, 80) },
        seed: 4,
        config: cfg({ training: { epochs: 5, batchSize: 16, target: { monitor: 'train_loss', value: 0.1 } } }),
      }),
    /training.target needs the training rows/,
  );
});

test('training.maxSteps: the same steps whatever the batch size; the last epoch may be partial and is scored', () => {
  const data = makeMoons({ samples: 100, noise: 0.1 }, new Rng(3));
  const run = (training: FitConfig['training']) =>
    fit({ data, train: all(80), evals: { train: all(80) }, seed: 4, config: cfg({ training }) });
  const a = run({ epochs: 1000, batchSize: 16, maxSteps: 12 });
  assert.equal(a.steps, 12);
  assert.equal(a.epochsRun, 3);
  assert.deepEqual(
    a.history.map((h) => h.epoch),
    [1, 2, 3],
  );
  const b = run({ epochs: 1000, batchSize: 40, maxSteps: 12 });
  assert.equal(b.steps, 12);
  assert.equal(b.epochsRun, 6);
  assert.equal(stepsPerEpoch(80, 16, false), 5);
  assert.equal(stepsPerEpoch(81, 16, true), 5, 'batch norm skips a lone last row');
  assert.equal(stepsPerEpoch(81, 16, false), 6);
  assert.equal(stepsPerEpoch(81, 'full', true), 1);
});
