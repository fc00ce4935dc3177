import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { squaredLossDecomposition, zeroOneDecomposition } from './biasvariance.ts';

test('squared loss: bias², variance, noise by hand', () => {
  // f = (1, 2); replicate 0 predicts (1.5, 2), replicate 1 predicts (0.5, 3).
  // ȳ = (1, 2.5); bias² = ((1 − 1)² + (2.5 − 2)²)/2 = 0.125;
  // variance = ((0.5² + 0.5²)/2 + (0.5² + 0.5²)/2)/2 = 0.25; noise 0.1; expected error 0.475.
  // Noisy targets y = (1.25, 1.5): squared errors 0.0625, 0.25, 0.5625, 2.25 → mean 3.125/4 = 0.78125.
  const d = squaredLossDecomposition(
    [
      [1.5, 2],
      [0.5, 3],
    ],
    [1, 2],
    0.1,
    [1.25, 1.5],
  );
  assert.deepEqual(Array.from(d.mainPrediction), [1, 2.5]);
  assert.equal(d.bias2, 0.125);
  assert.equal(d.variance, 0.25);
  assert.equal(d.noise, 0.1);
  assert.ok(Math.abs(d.expectedError - 0.475) < 1e-16);
  assert.equal(d.empiricalError, 0.78125);
  assert.deepEqual([d.replicates, d.points], [2, 2]);
  assert.equal(squaredLossDecomposition([[1]], [1], 0).empiricalError, null);
});

test('squared loss: bias² + variance is the mean squared distance to f', () => {
  const rng = new Rng(5);
  const B = 7,
    T = 11;
  const f = Float64Array.from({ length: T }, () => rng.normal());
  const preds = Array.from({ length: B }, () => Float64Array.from(f, (v) => v + 0.3 + rng.normal(0, 0.5)));
  let mse = 0;
  for (const p of preds) for (let t = 0; t < T; t++) mse += (p[t] - f[t]) ** 2;
  mse /= B * T;
  const d = squaredLossDecomposition(preds, f, 0);
  assert.ok(Math.abs(d.bias2 + d.variance - mse) < 1e-14, `${d.bias2} + ${d.variance} vs ${mse}`);
  // A constant shift of every prediction moves only the bias.
  const shifted = squaredLossDecomposition(
    preds.map((p) => p.map((v) => v + 1)),
    f,
    0,
  );
  assert.ok(Math.abs(shifted.variance - d.variance) < 1e-14);
  assert.ok(shifted.bias2 > d.bias2);
  assert.throws(() => squaredLossDecomposition([[1, 2], [1]], [0, 0], 0), /replicate 1 has 1 predictions for 2 points/);
  assert.throws(() => squaredLossDecomposition([[1]], [0], -1), /noise variance/);
});

test('0-1 loss (Domingos 2000) by hand, three classes, exact identity loss = bias + net variance', () => {
  // B = 4 replicates (rows), T = 4 points (columns); y* = (0, 1, 2, 0).
  //   point 0: votes 0,0,1,2 → mode 0 = y*: unbiased, variance 2/4, loss 2/4
  //   point 1: votes 0,0,1,1 → tie → mode 0 ≠ 1: biased, variance 2/4, P(ŷ = y*) = 2/4, loss 2/4
  //   point 2: votes 1,1,1,2 → mode 1 ≠ 2: biased, variance 1/4, P(ŷ = y*) = 1/4, loss 3/4
  //   point 3: votes 2,2,2,1 → mode 2 ≠ 0: biased, variance 1/4, P(ŷ = y*) = 0,   loss 4/4
  //     (with three classes a non-main vote need not be right: c = 0 here, not −1)
  // bias = 3/4; V = (2 + 2 + 1 + 1)/16 = 0.375; V_u = 2/16 = 0.125; V_b = (2 + 1 + 0)/16 = 0.1875;
  // net = −0.0625; loss = (2 + 2 + 3 + 4)/16 = 0.6875 = 0.75 − 0.0625.
  const preds = [
    [0, 0, 1, 2],
    [0, 0, 1, 2],
    [1, 1, 1, 2],
    [2, 1, 2, 1],
  ];
  const d = zeroOneDecomposition(preds, [0, 1, 2, 0]);
  assert.deepEqual(Array.from(d.mainPrediction), [0, 0, 1, 2]);
  assert.deepEqual(Array.from(d.biasPerPoint), [0, 1, 1, 1]);
  assert.deepEqual(Array.from(d.variancePerPoint), [0.5, 0.5, 0.25, 0.25]);
  assert.equal(d.bias, 0.75);
  assert.equal(d.variance, 0.375);
  assert.equal(d.unbiasedVariance, 0.125);
  assert.equal(d.biasedVariance, 0.1875);
  assert.equal(d.netVariance, -0.0625);
  assert.equal(d.loss, 0.6875);
  // Dyadic fractions: the identity holds with no rounding at all.
  assert.equal(d.bias + d.netVariance, d.loss);
});

test('0-1 loss: two classes, where biased variance is the plain variance on biased points', () => {
  // y* = (1, 0); B = 4. point 0 votes 1,1,1,0: unbiased, V = 1/4; point 1 votes 1,1,1,0: biased, V = 1/4 = P(ŷ = y*).
  // bias = 1/2, V_u = 1/8, V_b = 1/8, net 0, loss = (1 + 3)/8 = 1/2.
  const d = zeroOneDecomposition(
    [
      [1, 1],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
    [1, 0],
  );
  assert.deepEqual([d.bias, d.unbiasedVariance, d.biasedVariance, d.netVariance, d.loss], [0.5, 0.125, 0.125, 0, 0.5]);
});

test('0-1 loss: the identity holds on random predictions and the input is checked', () => {
  const rng = new Rng(11);
  const B = 9,
    T = 40,
    K = 4;
  const y = Int32Array.from({ length: T }, () => rng.int(K));
  const preds = Array.from({ length: B }, () => Int32Array.from(y, (v) => (rng.next() < 0.6 ? v : rng.int(K))));
  const d = zeroOneDecomposition(preds, y);
  assert.ok(Math.abs(d.bias + d.netVariance - d.loss) < 1e-15, `${d.bias} + ${d.netVariance} vs ${d.loss}`);
  assert.throws(() => zeroOneDecomposition([[0.5]], [0]), /class id/);
  assert.throws(() => zeroOneDecomposition([], [0]), /at least one replicate/);
});

test('squared loss: realized noise and the cross term close the identity on one test set', () => {
  // The hand example above: f = (1, 2), y = (1.25, 1.5), predictions (1.5, 2) and (0.5, 3).
  // Realized noise = (0.25² + 0.5²)/2 = 0.15625 (σ² was given as 0.1).
  // Cross term = (2/4)·Σ (ŷ − f)(f − y) = 0.5·[(0.5)(−0.25) + (0)(0.5) + (−0.5)(−0.25) + (1)(0.5)] = 0.25.
  // bias² + variance + realized + cross = 0.125 + 0.25 + 0.15625 + 0.25 = 0.78125 = measured.
  const d = squaredLossDecomposition(
    [
      [1.5, 2],
      [0.5, 3],
    ],
    [1, 2],
    0.1,
    [1.25, 1.5],
  );
  assert.equal(d.realizedNoise, 0.15625);
  assert.equal(d.crossTerm, 0.25);
  assert.equal(d.bias2 + d.variance + d.realizedNoise + d.crossTerm, d.empiricalError);
  // Per-point errors (0.0625 + 0.5625)/2 = 0.3125 and (0.25 + 2.25)/2 = 1.25: SE = |1.25 − 0.3125|/2.
  assert.ok(Math.abs(d.empiricalErrorSE! - 0.46875) < 1e-15);
  const rng = new Rng(8);
  const T = 200,
    B = 9;
  const f = Float64Array.from({ length: T }, (_, t) => Math.sin(t / 20));
  const y = Float64Array.from(f, (v) => v + rng.normal(0, 0.3));
  const preds = Array.from({ length: B }, () => Float64Array.from(f, (v) => 0.8 * v + rng.normal(0, 0.2)));
  const r = squaredLossDecomposition(preds, f, 0.09, y);
  const sum = r.bias2 + r.variance + r.realizedNoise! + r.crossTerm!;
  assert.ok(Math.abs(sum - r.empiricalError!) <= 1e-14 * r.empiricalError!, `${sum} vs ${r.empiricalError}`);
  assert.equal(squaredLossDecomposition([[1]], [1], 0).realizedNoise, null);
});
