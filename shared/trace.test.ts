import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTIONS_2D, trace } from './trace.ts';

test('plain SGD on the quadratic follows x_t = x₀(1 − γ)^t, y_t = y₀(1 − 50γ)^t', () => {
  const lr = 0.01,
    x0 = -4,
    y0 = 1.5,
    N = 25;
  const r = trace('quadratic', [x0, y0], N, { name: 'sgd', lr });
  assert.equal(r.points.length, N + 1);
  assert.equal(r.loss.length, N + 1);
  assert.deepEqual(r.points[0], [x0, y0]);
  assert.equal(r.diverged, undefined);
  for (let t = 0; t <= N; t++) {
    const x = x0 * (1 - lr) ** t;
    const y = y0 * (1 - 50 * lr) ** t;
    assert.ok(Math.abs(r.points[t][0] - x) <= 1e-12 * Math.abs(x0), `x at ${t}`);
    assert.ok(Math.abs(r.points[t][1] - y) <= 1e-12 * Math.abs(y0), `y at ${t}`);
    assert.equal(r.loss[t], FUNCTIONS_2D.quadratic.value(r.points[t][0], r.points[t][1]));
  }
});

test('NAG on Rosenbrock from (−1.5, 2) follows the hand recurrence in float64', () => {
  const lr = 0.001,
    mu = 0.9;
  const r = trace('rosenbrock', [-1.5, 2], 5, { name: 'sgd', lr, momentum: mu, nesterov: true });
  let x = -1.5,
    y = 2,
    bx = 0,
    by = 0;
  for (let t = 1; t <= 5; t++) {
    const gx = -2 * (1 - x) - 400 * x * (y - x * x);
    const gy = 200 * (y - x * x);
    bx = t === 1 ? gx : mu * bx + gx;
    by = t === 1 ? gy : mu * by + gy;
    x -= lr * (gx + mu * bx);
    y -= lr * (gy + mu * by);
    assert.ok(
      Math.abs(r.points[t][0] - x) < 1e-12 && Math.abs(r.points[t][1] - y) < 1e-12,
      `step ${t}: ${r.points[t].join(', ')} vs ${x}, ${y}`,
    );
  }
  // step 1 by hand: y − x² = −0.25, so g = (−2·2.5 − 400·(−1.5)·(−0.25), 200·(−0.25)) = (−155, −50), b = g
  // θ₁ = (−1.5, 2) − 0.001·1.9·(−155, −50) = (−1.2055, 2.095)
  assert.ok(Math.abs(r.points[1][0] - -1.2055) < 1e-12);
  assert.ok(Math.abs(r.points[1][1] - 2.095) < 1e-12);
});

test('zero steps return the start alone', () => {
  const r = trace('himmelblau', [0, 0], 0, { name: 'adam' });
  assert.deepEqual(r, { points: [[0, 0]], loss: [170] });
});

test('a diverging path is returned whole, flagged at its first non-finite step', () => {
  // γ = 1 multiplies y by −49 each step, so 25y² overflows after a few dozen steps
  const N = 200;
  const r = trace('quadratic', [1, 1], N, { name: 'sgd', lr: 1 });
  assert.equal(r.points.length, N + 1);
  assert.equal(typeof r.diverged, 'number');
  const d = r.diverged as number;
  assert.ok(d > 10 && d < N);
  for (let t = 0; t < d; t++)
    assert.ok(Number.isFinite(r.loss[t]) && Number.isFinite(r.points[t][1]), `finite before ${d}`);
  assert.ok(!Number.isFinite(r.loss[d]) || !Number.isFinite(r.points[d][1]));
});

test('unknown functions, bad starts, bad step counts and bad optimizer specs throw clearly', () => {
  assert.throws(
    () => trace('booth', [0, 0], 10, { name: 'sgd' }),
    /unknown 2-D function "booth" \(known: rosenbrock, beale, quadratic, saddle, himmelblau\)/,
  );
  assert.throws(
    () => trace('beale', [Number.NaN, 0], 10, { name: 'sgd' }),
    /beale is not finite at the start \(NaN, 0\)/,
  );
  assert.throws(() => trace('rosenbrock', [1e200, 0], 10, { name: 'sgd' }), /rosenbrock is not finite at the start/);
  assert.throws(() => trace('saddle', [0, 0], -1, { name: 'sgd' }), /steps must be an integer >= 0, got -1/);
  assert.throws(() => trace('saddle', [0, 0], 3, { name: 'sgd', lr: -1 }), /optimizer\.lr: must be > 0, got -1/);
});

test('several optimizers reach Rosenbrock’s valley floor from the suggested start without diverging', () => {
  for (const spec of [
    { name: 'adam', lr: 0.01 },
    { name: 'nadam', lr: 0.01 },
    { name: 'rmsprop', lr: 0.01 },
    { name: 'sgd', lr: 0.001, momentum: 0.9 },
  ] as const) {
    const r = trace('rosenbrock', FUNCTIONS_2D.rosenbrock.start, 2000, spec);
    assert.equal(r.diverged, undefined, spec.name);
    assert.ok(r.loss[2000] < 0.05 * r.loss[0], `${spec.name}: ${r.loss[0]} → ${r.loss[2000]}`);
  }
});
