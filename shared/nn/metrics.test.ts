import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mat, type Mat } from '../linalg/mat.ts';
import {
  accuracy,
  classProbabilities,
  meanSquaredError,
  predictClasses,
  r2Score,
  softmax,
  targetClasses,
} from './metrics.ts';

const m = (rows: number, cols: number, v: number[]): Mat => mat(rows, cols, Float32Array.from(v));

function near(a: number, b: number, tol = 1e-6): void {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
}

test('accuracy uses the argmax for several outputs and logit > 0 for one', () => {
  const z = m(4, 3, [1, 2, 0, 5, -1, 0, 0, 0, 3, 2, 2, 1]);
  assert.deepEqual(Array.from(predictClasses(z)), [1, 0, 2, 0]); // ties go to the first maximum
  assert.equal(accuracy(z, [1, 0, 1, 0]), 0.75);
  const b = m(4, 1, [0.3, -2, 0, 5]);
  assert.deepEqual(Array.from(predictClasses(b)), [1, 0, 0, 1]);
  assert.equal(accuracy(b, Int32Array.from([1, 1, 0, 1])), 0.75);
  assert.deepEqual(Array.from(targetClasses(m(2, 2, [0.3, 0.7, 0.9, 0.1]))), [1, 0]);
  assert.deepEqual(Array.from(targetClasses(m(3, 1, [0.2, 0.5, 1]))), [0, 1, 1]);
});

test('mean squared error and R² follow their definitions', () => {
  const t = m(4, 1, [1, 2, 3, 4]);
  const p = m(4, 1, [1.5, 2, 2.5, 4]);
  near(meanSquaredError(p, t), (0.25 + 0 + 0.25 + 0) / 4);
  // SS_res = 0.5, SS_tot = 5 → R² = 0.9
  near(r2Score(p, t), 0.9);
  near(r2Score(t, t), 1);
  near(r2Score(m(4, 1, [2.5, 2.5, 2.5, 2.5]), t), 0); // predicting the mean scores 0
  // Two outputs average uniformly; a constant target column scores 1 if hit exactly, else 0.
  near(r2Score(m(2, 2, [1, 7, 2, 7]), m(2, 2, [1, 7, 2, 7])), 1);
  near(r2Score(m(2, 2, [1, 6, 2, 7]), m(2, 2, [1, 7, 2, 7])), 0.5);
  assert.throws(() => r2Score(m(2, 1, [0, 0]), m(1, 2, [0, 0])), /differ/);
});

test('softmax rows sum to 1, are stable for huge logits, and binary logits give two columns', () => {
  const p = softmax(m(2, 3, [1, 2, 3, 1000, 0, -1000]));
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const s = e[0] + e[1] + e[2];
  e.forEach((v, j) => near(p.data[j], v / s));
  near(p.data[3], 1);
  assert.equal(p.data[5], 0);
  const out = mat(2, 3);
  assert.equal(softmax(m(2, 3, [0, 0, 0, 1, 1, 1]), out), out);
  near(out.data[4], 1 / 3);
  const b = classProbabilities(m(3, 1, [0, 2, -800]));
  assert.equal(b.cols, 2);
  near(b.data[0], 0.5);
  near(b.data[3], 1 / (1 + Math.exp(-2)));
  near(b.data[2] + b.data[3], 1);
  assert.equal(b.data[4], 1);
  assert.equal(b.data[5], 0);
  assert.equal(classProbabilities(m(1, 3, [0, 0, 0])).cols, 3);
});
