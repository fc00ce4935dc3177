import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QUADRATIC_CURVATURES, convergenceRate, directionRate, momentumRoots, optimalMomentum } from './rate.ts';
import { trace } from '../../../../shared/trace.ts';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('without momentum the rate is |1 − αλ|: monotone below 1/λ, oscillating above, divergent past 2/λ', () => {
  const l = 4;
  assert.deepEqual(directionRate(0.5 / l, 0, l), { lambda: l, rate: 0.5, regime: 'monotone' });
  assert.deepEqual(directionRate(1.5 / l, 0, l), { lambda: l, rate: 0.5, regime: 'oscillation' });
  assert.equal(directionRate(1 / l, 0, l).rate, 0);
  assert.equal(directionRate(2.5 / l, 0, l).regime, 'divergence');
  close(directionRate(2.5 / l, 0, l).rate, 1.5);
});

test('complex roots ripple with |σ| = √β; large steps with momentum oscillate, then diverge past α = 2(1 + β)/λ', () => {
  const r = momentumRoots(1, 0.9, 1);
  assert.ok(r.complex);
  close(Math.hypot(r.a, r.b), Math.sqrt(0.9));
  assert.deepEqual(directionRate(1, 0.9, 1).regime, 'ripples');
  // Real roots again for αλ close to (1 + √β)²: both negative there.
  const big = directionRate(3.8, 0.9, 1);
  assert.equal(big.regime, 'oscillation');
  assert.equal(directionRate(2 * 1.9 + 0.01, 0.9, 1).regime, 'divergence');
  // Small steps with little momentum: both roots real and positive.
  assert.equal(directionRate(0.01, 0.1, 1).regime, 'monotone');
});

test("Polyak's optimum for ½(x² + 50y²): α* = (2/(1 + √50))², β* = ((√50 − 1)/(√50 + 1))², both directions at rate √β*", () => {
  const o = optimalMomentum(1, 50);
  close(o.alpha, (2 / (1 + Math.sqrt(50))) ** 2);
  close(o.beta, ((Math.sqrt(50) - 1) / (Math.sqrt(50) + 1)) ** 2);
  const at = convergenceRate(o.alpha, o.beta, QUADRATIC_CURVATURES);
  close(at.rate, o.rate, 1e-6);
  // Anywhere else is slower.
  for (const [da, db] of [
    [1.05, 1],
    [0.95, 1],
    [1, 1.05],
    [1, 0.95],
  ])
    assert.ok(convergenceRate(o.alpha * da, o.beta * db, QUADRATIC_CURVATURES).rate > o.rate);
});

test('the rate predicts the path that torch-style SGD with momentum takes on the quadratic (shared/trace)', () => {
  for (const [alpha, beta] of [
    [0.01, 0.5],
    [0.03, 0.9],
    [0.002, 0.2],
  ]) {
    const predicted = convergenceRate(alpha, beta, QUADRATIC_CURVATURES).rate;
    const r = trace('quadratic', [-4, 1.5], 400, { name: 'sgd', lr: alpha, momentum: beta });
    // Distance to the minimum over the last 200 steps, per step (geometric mean).
    const d = (t: number) => Math.hypot(r.points[t][0], r.points[t][1]);
    const measured = Math.pow(d(400) / d(200), 1 / 200);
    assert.ok(
      Math.abs(measured - predicted) < 0.01,
      `α=${alpha} β=${beta}: measured ${measured}, predicted ${predicted}`,
    );
  }
});
