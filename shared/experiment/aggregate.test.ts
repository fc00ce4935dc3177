import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holmSignificance, metricRange, summarizeMetric } from './aggregate.ts';
import { holm } from '../stats/holm.ts';
import { Rng } from '../rng.ts';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('an interval that leaves the metric range is clipped to it, and the summary says so', () => {
  // Accuracies 1, 1, 0.9: mean 0.96667, s = 0.057735, t(0.975, 2) = 4.302653, half-width 0.143422.
  const acc = summarizeMetric('val_accuracy', [1, 1, 0.9]);
  close(acc.mean!, 0.9666667);
  close(acc.ci95![0], 0.9666667 - 0.1434218);
  assert.equal(acc.ci95![1], 1);
  assert.equal(acc.ci95Clipped, true);
  // Losses 0.01, 0.02, 0.3: mean 0.11, s = 0.164621, half-width 0.408942: the lower end would be −0.2989.
  const loss = summarizeMetric('test_loss', [0.01, 0.02, 0.3]);
  assert.equal(loss.ci95![0], 0);
  close(loss.ci95![1], 0.11 + 0.4089418);
  assert.equal(loss.ci95Clipped, true);
  // Inside its range, or unbounded, nothing changes and there is no flag.
  const inside = summarizeMetric('val_accuracy', [0.5, 0.6, 0.7]);
  assert.equal(inside.ci95Clipped, undefined);
  assert.ok(!('ci95Clipped' in inside));
  assert.equal(summarizeMetric('gap_loss', [-1, 1, 3]).ci95Clipped, undefined);
  assert.deepEqual(metricRange('gap_accuracy'), [-1, 1]);
  assert.deepEqual(metricRange('val_r2'), [-Infinity, 1]);
  assert.equal(metricRange('sharpness_eps_0.001'), undefined);
});

test("Holm's decision is p_Holm ≤ 0.05, the rule of holm(), at the boundary too", () => {
  // Two pairs, smallest p 0.025: p_Holm = 2 × 0.025 = 0.05 exactly, which Holm rejects at α = 0.05.
  const [a, b] = holmSignificance([0.025, 0.5]);
  assert.deepEqual(a, { pHolm: 0.05, significant: true });
  assert.deepEqual(b, { pHolm: 0.5, significant: false });
  const rng = new Rng(8);
  for (let k = 0; k < 50; k++) {
    const p = Array.from({ length: 1 + rng.int(8) }, () => rng.next() * 0.2);
    assert.deepEqual(
      holmSignificance(p).map((x) => x.significant),
      holm(p, 0.05).rejected,
    );
  }
});
