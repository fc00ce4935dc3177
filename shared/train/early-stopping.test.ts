import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyStopping } from './early-stopping.ts';

test('val_loss: stops after `patience` epochs without an improvement larger than min_delta', () => {
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2, min_delta: 0.01 });
  assert.deepEqual(es.update(1, 1.0), { improved: true, stop: false });
  assert.deepEqual(es.update(2, 0.8), { improved: true, stop: false });
  assert.deepEqual(es.update(3, 0.795), { improved: false, stop: false }); // within min_delta
  assert.deepEqual(es.update(4, 0.9), { improved: false, stop: true });
  assert.equal(es.bestEpoch, 2);
});

test('val_accuracy is maximized; patience 0 stops at the first non-improvement', () => {
  const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 0 });
  assert.equal(es.update(1, 0.5).stop, false);
  assert.equal(es.update(2, 0.6).improved, true);
  assert.equal(es.update(3, 0.6).stop, true);
  assert.equal(es.bestEpoch, 2);
});

test('a NaN loss never counts as an improvement', () => {
  const es = new EarlyStopping({ patience: 1 });
  es.update(1, 0.5);
  assert.deepEqual(es.update(2, Number.NaN), { improved: false, stop: true });
});
