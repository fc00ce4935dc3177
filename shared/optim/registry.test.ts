import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isOptimizerName,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_NAMES,
  OPTIMIZER_PRESETS,
  OPTION_HELP,
  OPTION_KINDS,
} from './registry.ts';
import { validateOptimizerSpec } from './validate.ts';

test('the seven optimizer names', () => {
  assert.deepEqual([...OPTIMIZER_NAMES], ['sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'nadam']);
  assert.ok(isOptimizerName('nadam'));
  assert.ok(!isOptimizerName('adamax'));
  assert.ok(!isOptimizerName(undefined));
});

test('default learning rates are PyTorch’s', () => {
  const lrs = Object.fromEntries(OPTIMIZER_NAMES.map((n) => [n, OPTIMIZER_DEFAULTS[n].lr]));
  assert.deepEqual(lrs, { sgd: 1e-3, adagrad: 1e-2, adadelta: 1, rmsprop: 1e-2, adam: 1e-3, adamw: 1e-3, nadam: 2e-3 });
});

test('every keyword has a kind and a help line, and every default passes validation', () => {
  for (const name of OPTIMIZER_NAMES) {
    for (const key of Object.keys(OPTIMIZER_DEFAULTS[name])) {
      assert.ok(Object.hasOwn(OPTION_KINDS, key), `${name}.${key} has no kind`);
      assert.ok(Object.hasOwn(OPTION_HELP, key), `${name}.${key} has no help`);
    }
    assert.deepEqual(validateOptimizerSpec({ name, ...OPTIMIZER_DEFAULTS[name] }), [], name);
  }
});

test('GD, Momentum and NAG are SGD presets; every preset is a valid spec', () => {
  assert.deepEqual(OPTIMIZER_PRESETS.gd.optimizer, { name: 'sgd' });
  assert.equal(OPTIMIZER_PRESETS.gd.fullBatch, true);
  assert.deepEqual(OPTIMIZER_PRESETS.momentum.optimizer, { name: 'sgd', momentum: 0.9 });
  assert.deepEqual(OPTIMIZER_PRESETS.nag.optimizer, { name: 'sgd', momentum: 0.9, nesterov: true });
  for (const [id, preset] of Object.entries(OPTIMIZER_PRESETS)) {
    assert.deepEqual(validateOptimizerSpec(preset.optimizer), [], id);
  }
  assert.ok(Object.isFrozen(OPTIMIZER_PRESETS.nag.optimizer));
});
