import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correctedResampledTTest, pairedDifferences, pairedTTest } from './ttest.ts';

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

// Five folds (k = 5, e.g. 100 rows: 80 train / 20 test, so n_test/n_train = 1/4), accuracy of A minus B per fold:
//   d = 0.01, 0.03, 0.02, 0.04, 0.00
//   d̄ = 0.10/5 = 0.02; deviations −0.01, 0.01, 0, 0.02, −0.02; Σ squares = 10e-4; s² = 10e-4/4 = 2.5e-4.
// Plain paired test: SE = √(s²/5) = √(5e-5) = 0.01/√2, t = 0.02·√2/0.01 = 2√2 ≈ 2.8284, ν = 4.
// Corrected: factor 1/5 + 1/4 = 0.45, SE = √(0.45·2.5e-4) = √(1.125e-4) = 0.01·√(9/8) = 0.03/(2√2),
//   t = 0.02·2√2/0.03 = 4√2/3 ≈ 1.8856, ν = 4.
// p-values from ν = 4's closed form F(t) = ½ + (3/8)·(t/√u)·(1 − t²/(12u)), u = 1 + t²/4, p = 2(1 − F(|t|)):
//   t = 2√2:   u = 3,    t/√u = 2√(2/3), 1 − 8/36 = 7/9,   F − ½ = (7/12)√(2/3),  p = 1 − (7/6)√(2/3)   ≈ 0.047421
//   t = 4√2/3: u = 17/9, t/√u = 4√(2/17), 1 − 8/51 = 43/51, F − ½ = (43/34)√(2/17), p = 1 − (43/17)√(2/17) ≈ 0.132419
// (scipy.stats.t.sf agrees: 0.04742065558431959 and 0.1324189222202493.)
const D = [0.01, 0.03, 0.02, 0.04, 0.0];

test('plain paired t-test on the hand-computed example', () => {
  const r = pairedTTest(D);
  close(r.meanDiff, 0.02, 1e-17, 'mean');
  close(r.variance, 2.5e-4, 1e-18, 'variance');
  close(r.factor, 0.2, 0, 'factor');
  close(r.t, 2 * Math.SQRT2, 1e-13, 't');
  assert.equal(r.df, 4);
  assert.equal(r.J, 5);
  close(r.p, 1 - (7 / 6) * Math.sqrt(2 / 3), 1e-14, 'p');
});

test('corrected resampled t-test (Nadeau & Bengio) on the hand-computed example', () => {
  const r = correctedResampledTTest(D, 80, 20);
  close(r.factor, 0.45, 1e-16, 'factor 1/J + n_test/n_train');
  close(r.standardError, 0.03 / (2 * Math.SQRT2), 1e-16, 'SE');
  close(r.t, (4 * Math.SQRT2) / 3, 1e-13, 't');
  assert.equal(r.df, 4);
  close(r.p, 1 - (43 / 17) * Math.sqrt(2 / 17), 1e-14, 'p');
  // The correction always widens the standard error, so it never rejects more easily.
  assert.ok(r.p > pairedTTest(D).p);
  // Only the ratio of the sizes matters.
  assert.equal(correctedResampledTTest(D, 8, 2).t, r.t);
  // Sign follows the difference; the p-value does not.
  const neg = correctedResampledTTest(
    D.map((d) => -d),
    80,
    20,
  );
  close(neg.t, -r.t, 1e-15, 'negated t');
  assert.equal(neg.p, r.p);
});

test('zero variance: p = 1 for identical scores, p = 0 for a constant nonzero difference', () => {
  const same = correctedResampledTTest([0, 0, 0], 90, 10);
  assert.deepEqual([same.t, same.p], [0, 1]);
  const constant = correctedResampledTTest([0.5, 0.5, 0.5, 0.5], 90, 10);
  assert.deepEqual([constant.t, constant.p], [Infinity, 0]);
  assert.deepEqual([pairedTTest([-0.25, -0.25]).t, pairedTTest([-0.25, -0.25]).p], [-Infinity, 0]);
});

test('paired differences and input checks', () => {
  assert.deepEqual(
    Array.from(pairedDifferences([0.9, 0.8], [0.85, 0.8])).map((x) => Math.round(x * 100) / 100),
    [0.05, 0],
  );
  assert.throws(() => pairedDifferences([1], [1, 2]), /1 scores against 2/);
  assert.throws(() => pairedTTest([0.1]), /at least 2/);
  assert.throws(() => correctedResampledTTest([0.1, 0.2], 0, 10), /must be > 0/);
  assert.throws(() => pairedTTest([0.1, Number.NaN]), /difference 1 is NaN/);
});
