import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningCurves } from './curves.ts';
import type { EpochRecord } from '../train/fit.ts';

const rec = (epoch: number, val_loss: number): EpochRecord => ({ epoch, lr: 0.1, penalty: 0, val_loss });

test('points are at the epochs their records name: curveEvery 10 gives epochs 10, 20, 30, 40', () => {
  const c = learningCurves([
    [rec(10, 1), rec(20, 0.5), rec(30, 0.25), rec(40, 0.125)],
    [rec(10, 3), rec(20, 1.5), rec(30, 0.75), rec(40, 0.375)],
  ]);
  assert.deepEqual(c.epoch, [10, 20, 30, 40]);
  assert.deepEqual(c.n, [2, 2, 2, 2]);
  assert.deepEqual(c.series.val_loss.mean, [2, 1, 0.5, 0.25]);
  // Sample std of {1, 3} is √2; of {0.5, 1.5}, √2/2.
  assert.deepEqual(c.series.val_loss.std, [Math.SQRT2, Math.SQRT2 / 2, Math.SQRT2 / 4, Math.SQRT2 / 8]);
});

test('histories of unequal length (early stopping): each epoch is averaged over the splits that reached it', () => {
  const c = learningCurves([[rec(1, 4), rec(2, 2), rec(3, 1)], [rec(1, 2)]]);
  assert.deepEqual(c.epoch, [1, 2, 3]);
  assert.deepEqual(c.n, [2, 1, 1]);
  assert.deepEqual(c.series.val_loss.mean, [3, 2, 1]);
  assert.deepEqual(c.series.val_loss.std, [Math.SQRT2, null, null]);
  assert.deepEqual(learningCurves([]), { epoch: [], n: [], series: {} });
});
