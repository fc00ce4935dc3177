import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeValue, expandSweep, getPath, setPath, validateSweep } from './sweep.ts';
import { PRESETS, presetSpec } from './presets.ts';
import { validateExperimentSpec } from './validate.ts';
import type { ExperimentSpec } from './types.ts';

const base = {
  seed: 1,
  dataset: { name: 'iris' },
  model: { kind: 'mlp', hidden: [4] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 2, batchSize: 8 },
} as ExperimentSpec;

test('a grid expands to every combination, first path slowest, with labels and overrides', () => {
  const cs = expandSweep({
    ...base,
    sweep: {
      optimizer: [{ name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'adam' }],
      'training.batchSize': [8, 'full'],
    },
  });
  assert.deepEqual(
    cs.map((c) => c.key),
    ['config=0', 'config=1', 'config=2', 'config=3'],
  );
  assert.deepEqual(
    cs.map((c) => c.label),
    [
      'optimizer=sgd(lr=0.1,momentum=0.9) batchSize=8',
      'optimizer=sgd(lr=0.1,momentum=0.9) batchSize=full',
      'optimizer=adam batchSize=8',
      'optimizer=adam batchSize=full',
    ],
  );
  assert.equal(cs[1].spec.training.batchSize, 'full');
  assert.equal(cs[1].spec.training.epochs, 2, 'untouched keys keep the base value');
  assert.equal(cs[0].spec.sweep, undefined);
  assert.equal(base.training.batchSize, 8, 'the base spec is not modified');
});

test('a list sweep applies each override set; labels come from the list', () => {
  const cs = expandSweep({ ...base, sweep: [{ label: 'plain' }, { label: 'L2', 'regularization.l2': 0.01 }] });
  assert.deepEqual(
    cs.map((c) => c.label),
    ['plain', 'L2'],
  );
  assert.equal(cs[1].spec.regularization?.l2, 0.01);
  assert.deepEqual(cs[1].overrides, { 'regularization.l2': 0.01 });
  assert.deepEqual(
    expandSweep(base).map((c) => c.label),
    ['base'],
  );
});

test('sweep problems: bad paths, fixed paths, empty lists', () => {
  const p = validateSweep({ 'training.': [1], evaluation: [1], 'model.hidden': [] });
  assert.ok(p.some((x) => x.startsWith('sweep.training.: not a spec path')));
  assert.ok(p.some((x) => x.includes('"evaluation" cannot be swept')));
  assert.ok(p.some((x) => x.startsWith('sweep.model.hidden: must be a non-empty list')));
  assert.deepEqual(validateSweep([]), ['sweep: empty list']);
});

test('path helpers and value labels', () => {
  const o: Record<string, unknown> = {};
  setPath(o, 'a.b.c', [1]);
  assert.deepEqual(getPath(o, 'a.b.c'), [1]);
  assert.equal(getPath(o, 'a.x.c'), undefined);
  assert.equal(describeValue(null), 'none');
  assert.equal(describeValue({ kind: 'bagging', members: 3 }), 'bagging(members=3)');
});

test('every preset builds a valid spec on every data set it accepts', () => {
  for (const [name, p] of Object.entries(PRESETS)) {
    for (const ds of p.datasets) {
      const problems = validateExperimentSpec(presetSpec(name, ds));
      assert.deepEqual(problems, [], `${name} on ${ds}`);
    }
  }
  assert.throws(() => presetSpec('nope'), /unknown preset/);
  assert.throws(() => presetSpec('capacity', 'sine'), /does not take data set "sine"/);
});
