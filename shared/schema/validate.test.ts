import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTrainSpec } from './validate.ts';

const good = {
  seed: 1,
  dataset: { name: 'digits', testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [32], activation: 'relu', dropout: 0.1, batchNorm: true },
  loss: { kind: 'cross_entropy', label_smoothing: 0.1 },
  optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
  training: {
    epochs: 3,
    batchSize: 32,
    schedule: { kind: 'cosine', T_max: 3 },
    earlyStopping: { monitor: 'val_loss', patience: 2 },
  },
  regularization: {
    l2: 1e-4,
    elasticNet: { alpha: 1e-3, l1_ratio: 0.5 },
    inputNoise: 0.05,
    augment: { rotate: 5, shift: 1 },
    cutmix: { alpha: 1 },
  },
};

test('a complete valid spec has no problems', () => {
  assert.deepEqual(validateTrainSpec(good), []);
});

test('every problem is listed at once with its JSON path', () => {
  const bad = {
    ...good,
    seed: -1,
    extra: true,
    training: { epochs: 0, batchSize: 'big', earlyStopping: { monitor: 'loss', patience: -1 } },
    regularization: { l1: -1, elasticNet: { alpha: 1 }, augment: { rotate: 400, flip: 'yes' }, mixup: { alpha: 0 } },
  };
  const p = validateTrainSpec(bad);
  for (const want of [
    'extra: unknown option',
    'seed: must be >= 0, got -1',
    'training.epochs: must be >= 1, got 0',
    'training.batchSize: must be a number, got "big"',
    'training.earlyStopping.monitor: unknown "loss"',
    'training.earlyStopping.patience: must be >= 0',
    'regularization.l1: must be >= 0, got -1',
    'regularization.elasticNet.l1_ratio: required',
    'regularization.augment.rotate: must be <= 180, got 400',
    'regularization.augment.flip: must be true or false',
    'regularization.mixup.alpha: must be > 0, got 0',
  ])
    assert.ok(
      p.some((x) => x.startsWith(want)),
      `missing "${want}" in\n${p.join('\n')}`,
    );
});

test('cross-checks: the loss must fit the task, image-only options need images, mixup and cutmix exclude each other', () => {
  const p1 = validateTrainSpec({
    ...good,
    dataset: { name: 'sine' },
    loss: { kind: 'cross_entropy' },
    regularization: {},
  });
  assert.ok(
    p1.some((x) => x.startsWith('loss.kind: sine is a regression set')),
    p1.join('\n'),
  );
  const p2 = validateTrainSpec({
    ...good,
    dataset: { name: 'iris' },
    regularization: { cutmix: { alpha: 1 }, augment: { shift: 1 } },
  });
  assert.ok(
    p2.some((x) => x.startsWith('regularization.cutmix: needs image data')),
    p2.join('\n'),
  );
  assert.ok(
    p2.some((x) => x.startsWith('regularization.augment.shift: needs image data')),
    p2.join('\n'),
  );
  const p4 = validateTrainSpec({ ...good, training: { ...good.training, curveEvery: 5 } });
  assert.ok(
    p4.some((x) => x.startsWith('training.curveEvery: early stopping checks the validation loss every epoch')),
    p4.join('\n'),
  );
  const p3 = validateTrainSpec({ ...good, regularization: { mixup: { alpha: 1 }, cutmix: { alpha: 1 } } });
  assert.ok(
    p3.some((x) => x.includes('mixup and cutmix cannot both be on')),
    p3.join('\n'),
  );
  assert.deepEqual(validateTrainSpec('nope'), ['spec: must be a JSON object, got "nope"']);
});
