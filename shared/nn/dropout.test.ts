import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat } from '../linalg/mat.ts';
import { Dropout } from './dropout.ts';
import { checkLayer, randomMat, withFloat64 } from './gradcheck.ts';

const train = (seed = 0) => ({ training: true, rng: new Rng(seed) });

test('a fixed mask zeroes dropped units and scales kept ones by 1/(1-p)', () => {
  const d = new Dropout(0.25);
  d.fixMask([1, 0, 1, 1, 0, 1]);
  const x = mat(2, 3, Float32Array.from([1, 2, 3, 4, 5, 6]));
  const y = d.forward(x, train());
  const s = 1 / 0.75;
  assert.deepEqual(Array.from(y.data.subarray(0, 6)), [1 * s, 0, 3 * s, 4 * s, 0, 6 * s].map(Math.fround));
  const dx = d.backward(mat(2, 3, Float32Array.from([1, 1, 1, 1, 1, 1])));
  assert.deepEqual(Array.from(dx.data.subarray(0, 6)), [s, 0, s, s, 0, s].map(Math.fround));
});

test('dropout gradient with a fixed mask matches central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(8);
    const d = new Dropout(0.4);
    const keep = Array.from({ length: 20 }, () => (rng.next() < 0.6 ? 1 : 0));
    d.fixMask(keep);
    return checkLayer(d, randomMat(4, 5, rng), train(), rng);
  });
  console.log(`dropout FD max rel error ${r.input.maxRelError.toExponential(2)}`);
  assert.ok(r.input.maxRelError < 1e-7, `max rel error ${r.input.maxRelError}`);
});

test('inverted dropout keeps the expectation: the mean over many masks is close to the input', () => {
  const p = 0.3;
  const d = new Dropout(p);
  const x = mat(
    4,
    8,
    Float32Array.from({ length: 32 }, (_, i) => (i % 7) - 3 + 0.5),
  );
  const ctx = train(99);
  const sum = new Float64Array(32);
  const trials = 20000;
  let kept = 0;
  for (let t = 0; t < trials; t++) {
    const y = d.forward(x, ctx);
    for (let i = 0; i < 32; i++) {
      sum[i] += y.data[i];
      if (y.data[i] !== 0) kept++;
    }
  }
  for (let i = 0; i < 32; i++) {
    const mean = sum[i] / trials;
    // Standard error of the mean: |x|·√(p/(1−p)/trials) ≈ |x|·0.0046; allow 5 of them.
    assert.ok(
      Math.abs(mean - x.data[i]) < 0.025 * Math.abs(x.data[i]) + 1e-9,
      `unit ${i}: mean ${mean} vs ${x.data[i]}`,
    );
  }
  const keepRate = kept / (trials * 32);
  assert.ok(Math.abs(keepRate - (1 - p)) < 0.003, `keep rate ${keepRate}`);
});

test('dropout is the identity at inference and in backward after an inference forward', () => {
  const d = new Dropout(0.5);
  const x = randomMat(3, 3, new Rng(1));
  const y = d.forward(x, { training: false, rng: new Rng(0) });
  assert.deepEqual(Array.from(y.data.subarray(0, 9)), Array.from(x.data.subarray(0, 9)));
  const dy = randomMat(3, 3, new Rng(2));
  assert.equal(d.backward(dy), dy);
  assert.equal(new Dropout(0).forward(x, train()), x);
});

test('masks come from ctx.rng: the same seed gives the same mask, another seed another one', () => {
  const x = mat(
    4,
    16,
    Float32Array.from({ length: 64 }, () => 1),
  );
  const masks = [1, 1, 2].map((seed) => Array.from(new Dropout(0.5).forward(x, train(seed)).data.subarray(0, 64)));
  assert.deepEqual(masks[0], masks[1]);
  assert.notDeepEqual(masks[0], masks[2]);
});

test('dropout reuses its buffers after the first call', () => {
  const d = new Dropout(0.5);
  const x = randomMat(4, 4, new Rng(3));
  const ctx = train(4);
  const y1 = d.forward(x, ctx);
  const g1 = d.backward(y1);
  const data = y1.data;
  const y2 = d.forward(x, ctx);
  assert.equal(y2, y1);
  assert.equal(y2.data, data);
  assert.equal(d.backward(y2), g1);
});

test('dropout rejects p outside [0, 1)', () => {
  assert.throws(() => new Dropout(1), /\[0, 1\)/);
  assert.throws(() => new Dropout(-0.1), /\[0, 1\)/);
});
