import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPenaltyGrad, penaltyCoefficients, penaltyValue } from './penalty.ts';
import { param } from '../nn/param.ts';

function params() {
  const w = param('w', [3], true);
  w.value.set([1, -2, 0]);
  const b = param('b', [1], false);
  b.value.set([5]);
  return [w, b];
}

test('L1, L2 and elastic-net values on weights only (hand-computed)', () => {
  const ps = params();
  // Σ|w| = 3, Σw² = 5; the bias 5 must not count.
  assert.equal(penaltyValue(ps, penaltyCoefficients({ l1: 0.1 })), 0.1 * 3);
  assert.equal(penaltyValue(ps, penaltyCoefficients({ l2: 0.2 })), 0.5 * 0.2 * 5);
  const en = penaltyCoefficients({ elasticNet: { alpha: 0.5, l1_ratio: 0.25 } });
  assert.deepEqual(en, { l1: 0.125, l2: 0.375 });
  assert.ok(Math.abs(penaltyValue(ps, en) - (0.125 * 3 + 0.5 * 0.375 * 5)) < 1e-12);
  assert.equal(penaltyValue(ps, penaltyCoefficients(undefined)), 0);
});

test('penalty gradient matches central finite differences away from the L1 kink', () => {
  const ps = params();
  ps[0].value.set([0.75, -1.5, 0.25]);
  const c = { l1: 0.3, l2: 0.7 };
  addPenaltyGrad(ps, c);
  for (let i = 0; i < 3; i++) {
    const x = ps[0].value[i],
      h = 1e-3;
    ps[0].value[i] = x + h;
    const up = penaltyValue(ps, c);
    ps[0].value[i] = x - h;
    const down = penaltyValue(ps, c);
    ps[0].value[i] = x;
    assert.ok(Math.abs((up - down) / (2 * h) - ps[0].grad[i]) < 1e-3, `i=${i}`);
  }
  assert.equal(ps[1].grad[0], 0, 'bias untouched');
});
