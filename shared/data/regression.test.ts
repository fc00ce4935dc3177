import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { datasetProblems, row, trueValue, type Dataset } from './dataset.ts';
import { makePolynomial, makeSine } from './regression.ts';

/** Sample mean and variance of the residuals y − f(x). */
function residuals(ds: Dataset): { mean: number; variance: number } {
  let s = 0,
    s2 = 0;
  for (let i = 0; i < ds.n; i++) {
    const e = ds.y[i] - trueValue(ds.truth!, row(ds, i));
    s += e;
    s2 += e * e;
  }
  const mean = s / ds.n;
  return { mean, variance: s2 / ds.n - mean * mean };
}

test('sine: x in the range, truth carries f and σ, residual variance ≈ σ²', () => {
  const sigma = 0.3;
  const ds = makeSine(
    { samples: 20000, noise: sigma, range: [-2, 5], amplitude: 1.5, frequency: 3, phase: 0.2 },
    new Rng(1),
  );
  assert.deepEqual(datasetProblems(ds), []);
  assert.equal(ds.task, 'regression');
  assert.equal(ds.classes, 0);
  assert.deepEqual(ds.truth, { kind: 'sine', amplitude: 1.5, frequency: 3, phase: 0.2, sigma });
  assert.ok(Array.from(ds.x).every((v) => v >= -2 && v <= 5));
  const r = residuals(ds);
  assert.ok(Math.abs(r.mean) < 0.01, `mean ${r.mean}`);
  assert.ok(Math.abs(r.variance / (sigma * sigma) - 1) < 0.03, `variance ${r.variance}`);
});

test('sine defaults: one period of sin(2πx) on [0, 1]', () => {
  const ds = makeSine({ noise: 0 }, new Rng(2));
  assert.equal(ds.n, 100);
  for (let i = 0; i < ds.n; i++) {
    assert.ok(ds.x[i] >= 0 && ds.x[i] < 1);
    assert.ok(Math.abs(ds.y[i] - Math.sin(2 * Math.PI * ds.x[i])) < 1e-6);
  }
});

test('polynomial with given coefficients: noise 0 is exact, σ shows up in the residuals', () => {
  const c = [0.5, -1, 0, 2];
  const exact = makePolynomial({ samples: 50, noise: 0, coefficients: c }, new Rng(3));
  for (let i = 0; i < exact.n; i++) {
    const x = exact.x[i];
    assert.ok(Math.abs(exact.y[i] - (0.5 - x + 2 * x * x * x)) < 1e-6);
  }
  const noisy = makePolynomial({ samples: 20000, noise: 0.2, coefficients: c }, new Rng(3));
  assert.equal(noisy.truth?.sigma, 0.2);
  const r = residuals(noisy);
  assert.ok(Math.abs(r.variance / 0.04 - 1) < 0.03, `variance ${r.variance}`);
});

test('random polynomial: degree+1 coefficients, reproducible from the seed', () => {
  const a = makePolynomial({ degree: 4 }, new Rng(4));
  const b = makePolynomial({ degree: 4 }, new Rng(4));
  const t = a.truth!;
  assert.equal(t.kind, 'polynomial');
  if (t.kind === 'polynomial') assert.equal(t.coefficients.length, 5);
  assert.deepEqual(a.truth, b.truth);
  assert.deepEqual(a.y, b.y);
  assert.notDeepEqual(makePolynomial({ degree: 4 }, new Rng(5)).truth, a.truth);
});

test('bad regression options are rejected', () => {
  const rng = new Rng(0);
  assert.throws(() => makeSine({ range: [1, 1] }, rng), /range must have lo < hi/);
  assert.throws(() => makeSine({ noise: -0.1 }, rng), /noise must be >= 0/);
  assert.throws(() => makePolynomial({ degree: 1.5 }, rng), /degree must be an integer/);
  assert.throws(() => makePolynomial({ coefficients: [] }, rng), /non-empty/);
});
