import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat, type Mat } from '../linalg/mat.ts';
import { BceWithLogitsLoss, CrossEntropyLoss, MseLoss, makeLoss, validateLossSpec, type Loss } from './loss.ts';
import { fdCheck, randomMat, withFloat64 } from './gradcheck.ts';

const m = (rows: number, cols: number, v: number[]): Mat => mat(rows, cols, Float32Array.from(v));

function near(a: number, b: number, tol = 1e-6): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
}

/** Random probability rows (Dirichlet-like), as mixup/cutmix produce. */
function softTargets(rows: number, cols: number, rng: Rng): Mat {
  const t = mat(rows, cols);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += t.data[i * cols + j] = rng.gamma(0.7);
    for (let j = 0; j < cols; j++) t.data[i * cols + j] /= s;
  }
  return t;
}

/** FD check of ∂L/∂out in float64 storage; returns the max relative error. */
function lossFd(make: () => Loss, rows: number, cols: number, target: (rng: Rng) => Mat, weights?: number[]): number {
  return withFloat64(() => {
    const rng = new Rng(rows * 31 + cols);
    const loss = make();
    const out = randomMat(rows, cols, rng, 2);
    const t = target(rng);
    loss.compute(out, t, weights);
    const analytic = Float64Array.from(loss.grad.data.subarray(0, rows * cols));
    return fdCheck(out.data, analytic, () => loss.evaluate(out, t, weights)).maxRelError;
  });
}

test('mse is the mean over all elements of the squared error', () => {
  const loss = new MseLoss();
  const v = loss.compute(m(2, 2, [1, 2, 3, 4]), m(2, 2, [0, 2, 5, 3]));
  near(v, (1 + 0 + 4 + 1) / 4);
  assert.deepEqual(Array.from(loss.grad.data.subarray(0, 4)), [0.5, 0, -1, 0.5]);
});

test('label smoothing on a 2×3 example matches the hand computation', () => {
  // Row 1: logits [1, 2, 3], label 2. log Σe^z = 3 + log(1 + e^−1 + e^−2), log p = z − that.
  // Row 2: logits [0.5, 0.5, −1], label 0. log Σe^z = 0.5 + log(2 + e^−1.5).
  // PyTorch: ℓ = (1−ε)·(−log p_label) + ε·mean_j(−log p_j), ε = 0.1, C = 3.
  const lse1 = 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2));
  const lse2 = 0.5 + Math.log(2 + Math.exp(-1.5));
  const nll1 = lse1 - 3,
    nll2 = lse2 - 0.5;
  const uni1 = (3 * lse1 - 6) / 3,
    uni2 = (3 * lse2 - 0) / 3;
  const expected = (0.9 * nll1 + 0.1 * uni1 + (0.9 * nll2 + 0.1 * uni2)) / 2;
  near(expected, 0.6782610746430532, 1e-12); // the same number from an independent Python computation
  const loss = new CrossEntropyLoss(0.1);
  const z = m(2, 3, [1, 2, 3, 0.5, 0.5, -1]);
  const t = m(2, 3, [0, 0, 1, 1, 0, 0]);
  near(loss.compute(z, t), expected);
  // Without smoothing it is the plain negative log-likelihood.
  near(new CrossEntropyLoss().evaluate(z, t), (nll1 + nll2) / 2);
  // Gradient: (softmax − t′)/B with t′ = 0.9·t + 0.1/3.
  const p00 = Math.exp(1 - lse1);
  near(loss.grad.data[0], (p00 - 0.1 / 3) / 2);
});

test('cross_entropy is stable for huge logits', () => {
  const loss = new CrossEntropyLoss();
  const v = loss.compute(m(2, 2, [1000, -1000, -1000, 1000]), m(2, 2, [0, 1, 0, 1]));
  near(v, 1000, 1e-9);
  assert.ok(Array.from(loss.grad.data.subarray(0, 4)).every(Number.isFinite));
});

test('bce with logits matches −[t·log σ + (1−t)·log(1−σ)] and is stable', () => {
  const loss = new BceWithLogitsLoss();
  const z = [0.3, -1.2, 2];
  const t = [1, 0, 0.25];
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const expected = z.reduce((s, x, i) => s - (t[i] * Math.log(sig(x)) + (1 - t[i]) * Math.log(1 - sig(x))), 0) / 3;
  near(loss.compute(m(3, 1, z), m(3, 1, t)), expected);
  near(loss.grad.data[1], (sig(-1.2) - 0) / 3);
  near(loss.evaluate(m(2, 1, [100, -100]), m(2, 1, [0, 1])), 100, 1e-9);
  near(loss.evaluate(m(2, 1, [100, -100]), m(2, 1, [1, 0])), 0, 1e-9);
});

test('loss gradients match central differences in float64', () => {
  const oneHot = (rows: number, cols: number) => (rng: Rng) => {
    const t = mat(rows, cols);
    for (let i = 0; i < rows; i++) t.data[i * cols + rng.int(cols)] = 1;
    return t;
  };
  const errs: Record<string, number> = {
    mse: lossFd(
      () => new MseLoss(),
      4,
      3,
      (rng) => randomMat(4, 3, rng),
    ),
    'cross_entropy (one-hot)': lossFd(() => new CrossEntropyLoss(), 4, 3, oneHot(4, 3)),
    'cross_entropy (label_smoothing 0.2)': lossFd(() => new CrossEntropyLoss(0.2), 4, 3, oneHot(4, 3)),
    'cross_entropy (soft targets)': lossFd(
      () => new CrossEntropyLoss(),
      5,
      4,
      (rng) => softTargets(5, 4, rng),
    ),
    'cross_entropy (soft targets, label_smoothing 0.1)': lossFd(
      () => new CrossEntropyLoss(0.1),
      5,
      4,
      (rng) => softTargets(5, 4, rng),
    ),
    bce: lossFd(
      () => new BceWithLogitsLoss(),
      6,
      1,
      (rng) =>
        mat(
          6,
          1,
          Float32Array.from({ length: 6 }, () => rng.next()),
        ),
    ),
    'cross_entropy (row weights)': lossFd(() => new CrossEntropyLoss(0.1), 3, 3, oneHot(3, 3), [2, 0.5, 1]),
    'mse (row weights)': lossFd(
      () => new MseLoss(),
      3,
      2,
      (rng) => randomMat(3, 2, rng),
      [0, 1, 3],
    ),
  };
  for (const [name, e] of Object.entries(errs)) {
    console.log(`${name} FD max rel error ${e.toExponential(2)}`);
    assert.ok(e < 1e-6, `${name}: ${e}`);
  }
});

test('row weights give Σ wᵢℓᵢ / Σ wᵢ: weight 2 equals the row repeated', () => {
  for (const loss of [new MseLoss(), new CrossEntropyLoss(0.1), new BceWithLogitsLoss()]) {
    const cols = loss.kind === 'bce' ? 1 : 2;
    const z = randomMat(2, cols, new Rng(5));
    const t = mat(2, cols, Float32Array.from(cols === 1 ? [1, 0] : [1, 0, 0, 1]));
    const z3 = mat(3, cols, Float32Array.from([...z.data.subarray(0, cols), ...z.data.subarray(0, 2 * cols)]));
    const t3 = mat(3, cols, Float32Array.from([...t.data.subarray(0, cols), ...t.data.subarray(0, 2 * cols)]));
    near(loss.evaluate(z, t, [2, 1]), loss.evaluate(z3, t3), 1e-6);
  }
});

test('losses reuse their gradient buffer and check shapes', () => {
  const loss = new CrossEntropyLoss();
  const z = randomMat(4, 3, new Rng(1));
  const t = m(4, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
  loss.compute(z, t);
  const g = loss.grad;
  const data = g.data;
  loss.compute(z, t);
  assert.equal(loss.grad, g);
  assert.equal(loss.grad.data, data);
  assert.throws(() => loss.compute(z, mat(4, 2)), /4×3 but targets are 4×2/);
  assert.throws(() => loss.compute(mat(2, 1), mat(2, 1)), /at least 2 output columns/);
});

test('validateLossSpec lists every problem with its path; makeLoss builds each kind', () => {
  assert.deepEqual(validateLossSpec({ kind: 'cross_entropy', label_smoothing: 0.1 }), []);
  assert.deepEqual(validateLossSpec({ kind: 'hinge', label_smoothing: 2, extra: 1 }), [
    'loss.extra: unknown option (known: kind, label_smoothing)',
    'loss.kind: unknown "hinge" (known: mse, cross_entropy, bce)',
    'loss.label_smoothing: must be <= 1, got 2',
  ]);
  assert.deepEqual(validateLossSpec({ kind: 'mse', label_smoothing: 0.1 }), [
    'loss.label_smoothing: only applies to kind "cross_entropy", got kind "mse"',
  ]);
  assert.deepEqual(validateLossSpec({}), ['loss.kind: required (one of mse, cross_entropy, bce)']);
  assert.deepEqual(validateLossSpec(3, 'runs[0].loss'), ['runs[0].loss: must be an object, got 3']);
  assert.equal(makeLoss({ kind: 'bce' }).kind, 'bce');
  assert.equal((makeLoss({ kind: 'cross_entropy', label_smoothing: 0.3 }) as CrossEntropyLoss).labelSmoothing, 0.3);
  assert.throws(() => makeLoss({ kind: 'nope' } as never), /loss.kind: unknown "nope"/);
});
