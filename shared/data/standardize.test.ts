import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyStandardizer,
  fitStandardizer,
  invertStandardizer,
  standardizerFromJSON,
  standardizerToJSON,
} from './standardize.ts';

// 4 rows × 3 features; feature 2 is constant.
const X = Float32Array.from([1, 10, 5, 2, 20, 5, 3, 30, 5, 6, 100, 5]);

test('mean and population std per feature (StandardScaler), constant feature → std 1', () => {
  const s = fitStandardizer(X, 3);
  assert.deepEqual(Array.from(s.mean), [3, 40, 5]);
  assert.ok(Math.abs(s.std[0] - Math.sqrt((4 + 1 + 0 + 9) / 4)) < 1e-12);
  assert.ok(Math.abs(s.std[1] - Math.sqrt((900 + 400 + 100 + 3600) / 4)) < 1e-12);
  assert.equal(s.std[2], 1);
  const z = applyStandardizer(s, X, new Float32Array(X.length));
  assert.equal(z[2], 0);
  assert.ok(Math.abs(z[0] - (1 - 3) / s.std[0]) < 1e-6);
});

test('fitted on the given rows only: values of the other rows do not change it', () => {
  const train = Uint32Array.from([0, 2]);
  const a = fitStandardizer(X, 3, train);
  assert.deepEqual(Array.from(a.mean), [2, 20, 5]);
  assert.deepEqual(Array.from(a.std), [1, 10, 1]);
  const changed = X.slice();
  changed[3] = 1000; // row 1 (validation)
  changed[10] = -7; // row 3 (test)
  assert.deepEqual(fitStandardizer(changed, 3, train), a);
  assert.notDeepEqual(fitStandardizer(changed, 3), fitStandardizer(X, 3));
});

test('standardized training rows have mean 0 and std 1; a large mean keeps its variance', () => {
  const n = 1000;
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    x[2 * i] = 750 + 300 * Math.sin(i);
    x[2 * i + 1] = 1e6 + (i % 7);
  }
  const s = fitStandardizer(x, 2);
  const z = applyStandardizer(s, x, new Float32Array(x.length));
  for (let j = 0; j < 2; j++) {
    let m = 0,
      v = 0;
    for (let i = 0; i < n; i++) m += z[2 * i + j];
    m /= n;
    for (let i = 0; i < n; i++) v += (z[2 * i + j] - m) ** 2;
    assert.ok(Math.abs(m) < 1e-5, `mean ${m}`);
    assert.ok(Math.abs(v / n - 1) < 1e-4, `variance ${v / n}`);
  }
});

test('apply in place or to a copy; invert and JSON round-trip', () => {
  const s = fitStandardizer(X, 3);
  const copy = applyStandardizer(s, X, new Float32Array(X.length));
  assert.equal(X[0], 1, 'the copy leaves x alone');
  const inPlace = X.slice();
  assert.equal(applyStandardizer(s, inPlace), inPlace);
  assert.deepEqual(inPlace, copy);
  const back = invertStandardizer(s, copy, new Float32Array(X.length));
  for (let i = 0; i < X.length; i++) assert.ok(Math.abs(back[i] - X[i]) < 1e-4);
  assert.deepEqual(standardizerFromJSON(JSON.parse(JSON.stringify(standardizerToJSON(s)))), s);
  assert.throws(() => applyStandardizer(s, new Float32Array(4)), /not whole rows of 3 features/);
});

test('no rows: mean 0, std 1 (the identity transform)', () => {
  const s = fitStandardizer(X, 3, new Uint32Array(0));
  assert.deepEqual(Array.from(s.mean), [0, 0, 0]);
  assert.deepEqual(Array.from(s.std), [1, 1, 1]);
});
