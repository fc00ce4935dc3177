import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat } from '../linalg/mat.ts';
import { BatchNorm1d } from './batchnorm.ts';
import { checkLayer, randomMat, withFloat64 } from './gradcheck.ts';

const train = { training: true, rng: new Rng(0) };
const infer = { training: false, rng: new Rng(0) };

// Column 0: 1, 3, 5, 7 → mean 4, Σ(x−mean)² = 20, biased var 5, unbiased var 20/3.
// Column 1: 0, 2, 2, 4 → mean 2, Σ(x−mean)² = 8,  biased var 2, unbiased var 8/3.
const X = [1, 0, 3, 2, 5, 2, 7, 4];

function near(a: number, b: number, tol = 1e-6): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
}

test('training normalizes with the batch mean and biased variance', () => {
  const bn = new BatchNorm1d(2);
  const y = bn.forward(mat(4, 2, Float32Array.from(X)), train);
  const s0 = Math.sqrt(5 + 1e-5),
    s1 = Math.sqrt(2 + 1e-5);
  const expected = [-3 / s0, -2 / s1, -1 / s0, 0, 1 / s0, 0, 3 / s0, 2 / s1];
  expected.forEach((e, i) => near(y.data[i], e));
});

test('running stats after one step on a 4×2 batch: EMA with momentum 0.1 and the unbiased variance', () => {
  const bn = new BatchNorm1d(2);
  assert.deepEqual(Array.from(bn.runningMean), [0, 0]);
  assert.deepEqual(Array.from(bn.runningVar), [1, 1]);
  bn.forward(mat(4, 2, Float32Array.from(X)), train);
  // running_mean = 0.9·0 + 0.1·mean; running_var = 0.9·1 + 0.1·unbiased var
  near(bn.runningMean[0], 0.4);
  near(bn.runningMean[1], 0.2);
  near(bn.runningVar[0], 0.9 + 0.1 * (20 / 3)); // 1.5666…
  near(bn.runningVar[1], 0.9 + 0.1 * (8 / 3)); // 1.1666…
  const [rm, rv] = bn.buffers();
  assert.equal(rm, bn.runningMean);
  assert.equal(rv, bn.runningVar);
  // A second identical step moves 10% of the remaining way again.
  bn.forward(mat(4, 2, Float32Array.from(X)), train);
  near(bn.runningMean[0], 0.9 * 0.4 + 0.4);
  near(bn.runningVar[1], 0.9 * (0.9 + 0.8 / 3) + 0.8 / 3);
});

test('inference uses the running stats (and does not update them)', () => {
  const bn = new BatchNorm1d(2);
  bn.gamma.value.set([2, 0.5]);
  bn.beta.value.set([1, -1]);
  bn.forward(mat(4, 2, Float32Array.from(X)), train);
  const y = bn.forward(mat(1, 2, Float32Array.from([1, 2])), infer);
  near(y.data[0], (2 * (1 - 0.4)) / Math.sqrt(0.9 + 2 / 3 + 1e-5) + 1);
  near(y.data[1], (0.5 * (2 - 0.2)) / Math.sqrt(0.9 + 0.8 / 3 + 1e-5) - 1);
  near(bn.runningMean[0], 0.4);
  // A single row is fine at inference; training on one row is refused as in PyTorch.
  assert.throws(() => bn.forward(mat(1, 2), train), /more than 1 row/);
});

test('batchnorm training-mode gradients (dx, dgamma, dbeta) match central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(31);
    const bn = new BatchNorm1d(3);
    for (let j = 0; j < 3; j++) {
      bn.gamma.value[j] = 1 + 0.5 * rng.normal();
      bn.beta.value[j] = rng.normal();
    }
    return checkLayer(bn, randomMat(5, 3, rng, 2), train, rng);
  });
  console.log(
    `batchnorm (training) FD max rel error: dx ${r.input.maxRelError.toExponential(2)}, dgamma ${r.params['bn.weight'].maxRelError.toExponential(2)}, dbeta ${r.params['bn.bias'].maxRelError.toExponential(2)}`,
  );
  assert.ok(r.maxRelError < 1e-6, `max rel error ${r.maxRelError}`);
});

test('batchnorm inference-mode gradients match central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(32);
    const bn = new BatchNorm1d(3);
    bn.forward(randomMat(6, 3, rng, 3), train);
    bn.gamma.value.set([1.5, -0.7, 0.3]);
    return checkLayer(bn, randomMat(4, 3, rng), infer, rng);
  });
  console.log(`batchnorm (inference) FD max rel error ${r.maxRelError.toExponential(2)}`);
  assert.ok(r.maxRelError < 1e-6, `max rel error ${r.maxRelError}`);
});

test('batchnorm params: gamma 1, beta 0, not penalized; buffers reused after the first call', () => {
  const bn = new BatchNorm1d(4, 'bn7');
  assert.deepEqual(Array.from(bn.gamma.value), [1, 1, 1, 1]);
  assert.deepEqual(Array.from(bn.beta.value), [0, 0, 0, 0]);
  assert.deepEqual(
    bn.params().map((p) => [p.name, p.penalize]),
    [
      ['bn7.weight', false],
      ['bn7.bias', false],
    ],
  );
  const x = randomMat(8, 4, new Rng(1));
  const y1 = bn.forward(x, train);
  const d1 = bn.backward(y1);
  const data = y1.data;
  assert.equal(bn.forward(x, train), y1);
  assert.equal(y1.data, data);
  assert.equal(bn.backward(y1), d1);
  assert.equal(bn.params(), bn.params());
});
