import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confidenceInterval, mean, sampleStd, sampleVariance, summarize } from './describe.ts';

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

test('mean and sample (n − 1) variance on a hand-checked example', () => {
  // 2,4,4,4,5,5,7,9: mean 40/8 = 5; squared deviations 9,1,1,1,0,0,4,16 sum to 32; s² = 32/7.
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];
  assert.equal(mean(xs), 5);
  close(sampleVariance(xs), 32 / 7, 1e-15, 's²');
  close(sampleStd(xs), Math.sqrt(32 / 7), 1e-15, 's');
  assert.ok(Number.isNaN(mean([])));
  assert.ok(Number.isNaN(sampleVariance([3])));
});

test('variance survives a large common offset (no catastrophic cancellation)', () => {
  // Same deviations as above shifted by 1e9: the variance must stay 32/7.
  const xs = [2, 4, 4, 4, 5, 5, 7, 9].map((x) => x + 1e9);
  close(sampleVariance(xs), 32 / 7, 1e-6, 's² with offset');
  assert.equal(sampleVariance([0.1, 0.1, 0.1]), 0);
});

test('95% interval of the mean uses Student’s t with n − 1 degrees of freedom', () => {
  // 1..10: mean 5.5; s² = n(n+1)/12 = 110/12 = 55/6; half width t_(0.975,9)·s/√10 = 2.262157162798205·√(55/60).
  const xs = Array.from({ length: 10 }, (_, i) => i + 1);
  const half = 2.262157162798205 * Math.sqrt(55 / 60);
  const ci = confidenceInterval(xs)!;
  close(ci[0], 5.5 - half, 1e-13, 'lo');
  close(ci[1], 5.5 + half, 1e-13, 'hi');
  // Two values 0 and 2: mean 1, s = √2, half width t_(0.975,1)·√2/√2 = 12.706204736174694.
  const two = confidenceInterval([0, 2])!;
  close(two[1] - 1, 12.706204736174694, 1e-12, 'n = 2');
  // 90% interval: t_(0.95, 9) = 1.833112932656237 (scipy.stats.t.ppf 1.17.1).
  close(confidenceInterval(xs, 0.9)![1] - 5.5, 1.833112932656237 * Math.sqrt(55 / 60), 1e-13, '90%');
  assert.equal(confidenceInterval([4]), null);
});

test('summary is JSON-safe: null where a quantity is undefined', () => {
  assert.deepEqual(summarize([]), { mean: null, std: null, ci95: null, n: 0, values: [] });
  assert.deepEqual(summarize([0.75]), { mean: 0.75, std: null, ci95: null, n: 1, values: [0.75] });
  const s = summarize(Float32Array.of(1, 3));
  assert.equal(s.mean, 2);
  close(s.std!, Math.SQRT2, 1e-15, 'std');
  assert.equal(s.n, 2);
  assert.deepEqual(s.values, [1, 3]);
  // Same deviations, so same half width as [0, 2].
  close(s.ci95![1] - 2, 12.706204736174694, 1e-12, 'ci');
  assert.deepEqual(JSON.parse(JSON.stringify(summarize([5]))), { mean: 5, std: null, ci95: null, n: 1, values: [5] });
  const constant = summarize([3, 3, 3]);
  assert.deepEqual(constant.ci95, [3, 3]);
  assert.throws(() => summarize([1, Number.NaN]), /value 1 is NaN/);
});
