import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat, type Mat } from '../linalg/mat.ts';
import { Dense } from './dense.ts';
import { checkLayer, randomMat, withFloat64, type FdReport } from './gradcheck.ts';
import type { ForwardContext } from './layer.ts';

const fmt = (r: FdReport): string => r.maxRelError.toExponential(2);
const ctx = (seed = 0): ForwardContext => ({ training: true, rng: new Rng(seed) });

test('dense forward is x·W + b', () => {
  const d = new Dense(2, 3, new Rng(1));
  d.weight.value.set([1, 2, 3, 4, 5, 6]);
  d.bias.value.set([0.5, -1, 0]);
  const y = d.forward(mat(2, 2, Float32Array.from([1, 0, 2, -1])), ctx());
  assert.deepEqual(Array.from(y.data.subarray(0, 6)), [1.5, 1, 3, -1.5, -2, 0]);
});

test('dense init is U(-1/sqrt(in), 1/sqrt(in)) and the same seed gives the same weights', () => {
  const a = new Dense(16, 8, new Rng(5));
  const b = new Dense(16, 8, new Rng(5));
  const c = new Dense(16, 8, new Rng(6));
  assert.deepEqual(a.weight.value, b.weight.value);
  assert.deepEqual(a.bias.value, b.bias.value);
  assert.notDeepEqual(a.weight.value, c.weight.value);
  const bound = 1 / 4;
  for (const v of [...a.weight.value, ...a.bias.value]) assert.ok(v >= -bound && v <= bound, `${v} out of bounds`);
  // Spread: a U(-b, b) sample of 128 values has its extremes near ±b.
  assert.ok(Math.max(...a.weight.value) > 0.8 * bound && Math.min(...a.weight.value) < -0.8 * bound);
  assert.equal(a.weight.penalize, true);
  assert.equal(a.bias.penalize, false);
  assert.deepEqual(a.weight.shape, [16, 8]);
});

test('dense gradients (dx, dW, db) match central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(11);
    const d = new Dense(5, 4, rng);
    return checkLayer(d, randomMat(6, 5, rng), ctx(), rng);
  });
  console.log(
    `dense FD (float64) max rel error: dx ${fmt(r.input)}, dW ${fmt(r.params['dense.weight'])}, db ${fmt(r.params['dense.bias'])}`,
  );
  assert.ok(r.maxRelError < 1e-7, `max rel error ${r.maxRelError}`);
});

test('dense gradients also agree with central differences in float32 storage (noise-limited)', () => {
  const rng = new Rng(11);
  const d = new Dense(5, 4, rng);
  const r = checkLayer(d, randomMat(6, 5, rng), ctx(), rng, undefined, { h: 1e-2, floor: 1e-2 });
  console.log(`dense FD (float32) max rel error ${r.maxRelError.toExponential(2)}`);
  assert.ok(r.maxRelError < 5e-3, `max rel error ${r.maxRelError}`);
});

test('dense gradient check catches a wrong gradient', () => {
  const r = withFloat64(() => {
    const rng = new Rng(12);
    const d = new Dense(3, 2, rng);
    const wrong = {
      kind: 'dense',
      forward: d.forward.bind(d),
      backward: (dy: Mat): Mat => {
        const dx = d.backward(dy);
        d.weight.grad[0] += 0.01;
        return dx;
      },
      params: () => d.params(),
      buffers: () => d.buffers(),
    };
    return checkLayer(wrong, randomMat(4, 3, rng), ctx(), rng);
  });
  assert.ok(r.params['dense.weight'].maxRelError > 1e-3, `${r.params['dense.weight'].maxRelError}`);
  assert.equal(r.params['dense.weight'].worst, 0);
  assert.ok(r.input.maxRelError < 1e-6);
});

test('dense reuses its output and gradient buffers after the first call', () => {
  const rng = new Rng(3);
  const d = new Dense(4, 3, rng);
  const x = randomMat(8, 4, rng);
  const y1 = d.forward(x, ctx());
  const dx1 = d.backward(y1);
  const data1 = y1.data;
  const y2 = d.forward(x, ctx());
  const dx2 = d.backward(y2);
  assert.equal(y1, y2);
  assert.equal(y2.data, data1);
  assert.equal(dx1, dx2);
  // A smaller batch fits the same storage.
  const y3 = d.forward(randomMat(5, 4, rng), ctx());
  assert.equal(y3, y1);
  assert.equal(y3.data, data1);
  assert.equal(y3.rows, 5);
});

test('dense skips the input gradient when needInputGrad is off but still writes dW and db', () => {
  const rng = new Rng(4);
  const d = new Dense(3, 2, rng);
  const x = randomMat(4, 3, rng);
  const dy = randomMat(4, 2, rng);
  d.forward(x, ctx());
  d.backward(dy);
  const dW = Float32Array.from(d.weight.grad);
  const dx = Float32Array.from(d.backward(dy).data.subarray(0, 12));
  d.needInputGrad = false;
  d.weight.grad.fill(0);
  const stale = d.backward(dy);
  assert.deepEqual(d.weight.grad, dW);
  assert.deepEqual(Float32Array.from(stale.data.subarray(0, 12)), dx);
});

test('dense rejects inputs of the wrong width', () => {
  const d = new Dense(3, 2, new Rng(1));
  assert.throws(() => d.forward(mat(2, 4), ctx()), /expected 3 input columns/);
});
