import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestScore } from './best.ts';
import { smallReport } from '../report/fixture.ts';

test("the Library's best score: the highest mean accuracy, or the lowest mean error", () => {
  const r = smallReport();
  assert.deepEqual(bestScore(r), { metric: 'val_accuracy', value: 0.95 });
  assert.deepEqual(bestScore({ ...r, primaryMetric: 'val_loss' }), { metric: 'val_loss', value: 0.5 });
  assert.equal(bestScore({ ...r, configurations: [] }), null);
});
