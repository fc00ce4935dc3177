import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holm, holmAdjust } from './holm.ts';

function closeAll(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) < 1e-15, `${what}[${i}]: got ${a}, expected ${expected[i]}`),
  );
}

test('Holm adjusted p-values, by hand, in the original order', () => {
  // m = 4; sorted: 0.005 (#3), 0.01 (#0), 0.03 (#2), 0.04 (#1).
  // (m − j + 1)·p_(j): 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04;
  // running maximum: 0.02, 0.03, 0.06, 0.06; back in input order: #0 0.03, #1 0.06, #2 0.06, #3 0.02.
  const p = [0.01, 0.04, 0.03, 0.005];
  closeAll(holmAdjust(p), [0.03, 0.06, 0.06, 0.02], 'adjusted');
  // Holm's procedure at α = 0.05: 0.005 ≤ 0.05/4 and 0.01 ≤ 0.05/3 are rejected, 0.03 > 0.05/2 stops.
  assert.deepEqual(holm(p, 0.05).rejected, [true, false, false, true]);
  // At α = 0.1 everything is rejected: 0.06 ≤ 0.1.
  assert.deepEqual(holm(p, 0.1).rejected, [true, true, true, true]);
});

test('adjusted values are capped at 1 and monotone in the sorted order', () => {
  // 0.5·2 = 1, then max(1, 0.6) = 1.
  closeAll(holmAdjust([0.5, 0.6]), [1, 1], 'capped');
  // sorted 0.2 → 3·0.2 = 0.6, 0.3 → 2·0.3 = 0.6, 0.9 → 0.9.
  closeAll(holmAdjust([0.3, 0.9, 0.2]), [0.6, 0.9, 0.6], 'monotone');
  // Ties get equal adjusted values whatever their order: 3·0.01, max(0.03, 2·0.01), 0.2.
  closeAll(holmAdjust([0.01, 0.01, 0.2]), [0.03, 0.03, 0.2], 'ties');
  // One test is not adjusted; no tests give no values.
  closeAll(holmAdjust([0.04]), [0.04], 'single');
  assert.deepEqual(holmAdjust([]), []);
});

test('bad p-values and levels are refused', () => {
  assert.throws(() => holmAdjust([0.1, 1.5]), /p\[1\] must be in \[0, 1\]/);
  assert.throws(() => holmAdjust([Number.NaN]), /p\[0\]/);
  assert.throws(() => holm([0.1], 0), /alpha/);
});
