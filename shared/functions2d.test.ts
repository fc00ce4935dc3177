import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTION_2D_NAMES, FUNCTIONS_2D, getFunction2D } from './functions2d.ts';

test('the five functions by name', () => {
  assert.deepEqual([...FUNCTION_2D_NAMES], ['rosenbrock', 'beale', 'quadratic', 'saddle', 'himmelblau']);
  for (const name of FUNCTION_2D_NAMES) assert.equal(getFunction2D(name).name, name);
  assert.throws(() => getFunction2D('booth'), {
    message: 'unknown 2-D function "booth" (known: rosenbrock, beale, quadratic, saddle, himmelblau)',
  });
  assert.throws(() => getFunction2D('toString'), /unknown 2-D function/);
});

test('values at points worked out by hand', () => {
  const g = [0, 0];
  assert.equal(FUNCTIONS_2D.rosenbrock.value(0, 0), 1);
  assert.equal(FUNCTIONS_2D.rosenbrock.value(-1.5, 2), 6.25 + 100 * 0.0625); // (2.5)² + 100(2 − 2.25)²
  assert.equal(FUNCTIONS_2D.beale.value(0, 0), 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2);
  assert.equal(FUNCTIONS_2D.beale.value(1, 1), 14.203125);
  assert.equal(FUNCTIONS_2D.quadratic.value(2, 1), 27);
  assert.equal(FUNCTIONS_2D.saddle.value(1, 2), -3);
  assert.equal(FUNCTIONS_2D.himmelblau.value(0, 0), 170);
  // ∇ at the origin: rosenbrock (−2, 0); himmelblau (2·(−7), 2·(−11)) = (−14, −22)
  FUNCTIONS_2D.rosenbrock.valueAndGrad(0, 0, g);
  assert.deepEqual(g, [-2, 0]);
  FUNCTIONS_2D.himmelblau.valueAndGrad(0, 0, g);
  assert.deepEqual(g, [-14, -22]);
});

test('gradients match central finite differences', () => {
  const h = 1e-6;
  const g = new Float64Array(2);
  const pts: [number, number][] = [
    [-1.5, 2],
    [0.3, -0.7],
    [1.2, 1.1],
    [2.5, 0.4],
    [-3, -2.5],
  ];
  for (const name of FUNCTION_2D_NAMES) {
    const f = FUNCTIONS_2D[name];
    for (const [x, y] of pts) {
      const v = f.valueAndGrad(x, y, g);
      assert.equal(v, f.value(x, y));
      const dx = (f.value(x + h, y) - f.value(x - h, y)) / (2 * h);
      const dy = (f.value(x, y + h) - f.value(x, y - h)) / (2 * h);
      const scale = 1 + Math.abs(dx) + Math.abs(dy);
      assert.ok(Math.abs(g[0] - dx) <= 1e-6 * scale, `${name} ∂x at (${x}, ${y}): ${g[0]} vs ${dx}`);
      assert.ok(Math.abs(g[1] - dy) <= 1e-6 * scale, `${name} ∂y at (${x}, ${y}): ${g[1]} vs ${dy}`);
    }
  }
});

test('the listed minima have value ~0 and zero gradient; the saddle has none', () => {
  const g = new Float64Array(2);
  for (const name of FUNCTION_2D_NAMES) {
    const f = FUNCTIONS_2D[name];
    for (const m of f.minima) {
      const v = f.valueAndGrad(m.x, m.y, g);
      assert.ok(Math.abs(v - m.value) < 1e-20, `${name} at (${m.x}, ${m.y}): ${v}`);
      assert.ok(Math.hypot(g[0], g[1]) < 1e-10, `${name} ∇ at (${m.x}, ${m.y}): ${g[0]}, ${g[1]}`);
    }
  }
  assert.equal(FUNCTIONS_2D.himmelblau.minima.length, 4);
  assert.equal(FUNCTIONS_2D.saddle.minima.length, 0);
  FUNCTIONS_2D.saddle.valueAndGrad(0, 0, g);
  assert.deepEqual(Array.from(g), [0, -0]);
});

test('starts and minima lie inside the view boxes, and starts are not minima', () => {
  for (const name of FUNCTION_2D_NAMES) {
    const f = FUNCTIONS_2D[name];
    const inside = (x: number, y: number) =>
      x >= f.view.xMin && x <= f.view.xMax && y >= f.view.yMin && y <= f.view.yMax;
    assert.ok(inside(f.start[0], f.start[1]), `${name} start`);
    for (const m of f.minima) assert.ok(inside(m.x, m.y), `${name} minimum`);
    const g = [0, 0];
    f.valueAndGrad(f.start[0], f.start[1], g);
    assert.ok(Math.hypot(g[0], g[1]) > 1e-3, `${name} start is stationary`);
  }
});
