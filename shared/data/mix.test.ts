import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat, type Mat } from '../linalg/mat.ts';
import { BatchMixer } from './mix.ts';

const IMG = { height: 6, width: 5, channels: 1 };

/** B rows of D values, row i all equal to i + 1 plus a per-column ramp (so rows and columns are told apart). */
function inputs(B: number, D: number): Mat {
  const x = mat(B, D);
  for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) x.data[i * D + j] = i + 1 + j / 100;
  return x;
}

function oneHot(labels: number[], C: number): Mat {
  const t = mat(labels.length, C);
  labels.forEach((c, i) => {
    t.data[i * C + c] = 1;
  });
  return t;
}

test('mixup with λ = 1 leaves inputs and targets unchanged; λ = 0 copies the partners', () => {
  const mixer = new BatchMixer();
  const x = inputs(8, 4),
    t = oneHot([0, 1, 2, 0, 1, 2, 0, 1], 3);
  const x0 = x.data.slice(),
    t0 = t.data.slice();
  mixer.mixupWith(x, t, 1, new Rng(1));
  assert.deepEqual(x.data, x0);
  assert.deepEqual(t.data, t0);
  mixer.mixupWith(x, t, 0, new Rng(1));
  for (let i = 0; i < 8; i++) {
    const p = mixer.partner(i);
    assert.deepEqual(x.data.subarray(i * 4, i * 4 + 4), x0.subarray(p * 4, p * 4 + 4));
    assert.deepEqual(t.data.subarray(i * 3, i * 3 + 3), t0.subarray(p * 3, p * 3 + 3));
  }
});

test('mixup: x_i = λx_i + (1−λ)x_partner(i), target rows still sum to 1, partners a permutation', () => {
  const mixer = new BatchMixer();
  const B = 32;
  const x = inputs(B, 3);
  const t = oneHot(
    Array.from({ length: B }, (_, i) => i % 4),
    4,
  );
  const x0 = x.data.slice();
  const lambda = mixer.mixup(x, t, 0.4, new Rng(2));
  assert.ok(lambda >= 0 && lambda <= 1);
  const partners = Array.from({ length: B }, (_, i) => mixer.partner(i));
  assert.deepEqual(
    [...partners].sort((a, b) => a - b),
    Array.from({ length: B }, (_, i) => i),
  );
  assert.ok(partners.some((p, i) => p !== i));
  for (let i = 0; i < B; i++) {
    const p = partners[i];
    for (let j = 0; j < 3; j++) {
      assert.ok(Math.abs(x.data[i * 3 + j] - (lambda * x0[i * 3 + j] + (1 - lambda) * x0[p * 3 + j])) < 1e-5);
    }
    let sum = 0;
    for (let c = 0; c < 4; c++) sum += t.data[i * 4 + c];
    assert.ok(Math.abs(sum - 1) < 1e-6, `row ${i} sums to ${sum}`);
  }
});

test('mixup mixes B×1 regression targets; same seed, same result; λ ~ Beta(α, α)', () => {
  const run = (seed: number) => {
    const x = inputs(10, 2);
    const t = mat(
      10,
      1,
      Float32Array.from({ length: 10 }, (_, i) => i * 10),
    );
    const lambda = new BatchMixer().mixup(x, t, 1, new Rng(seed));
    return { x, t, lambda };
  };
  const a = run(3),
    b = run(3);
  assert.deepEqual(a, b);
  assert.notEqual(run(4).lambda, a.lambda);
  const mixer = new BatchMixer();
  let sum = 0;
  const rng = new Rng(5);
  for (let k = 0; k < 2000; k++) sum += mixer.mixup(inputs(2, 1), mat(2, 1), 0.2, rng);
  assert.ok(Math.abs(sum / 2000 - 0.5) < 0.03, `mean λ ${sum / 2000}`);
  assert.throws(() => mixer.mixup(inputs(2, 1), mat(3, 1), 1, rng), /2 input rows but 3 target rows/);
  assert.throws(() => mixer.mixup(inputs(2, 1), mat(2, 1), 0, rng), /alpha must be > 0/);
});

test('cutmix with a given box: λ is the kept-area fraction, pasted pixels come from the partner', () => {
  const mixer = new BatchMixer();
  const B = 6,
    D = 30;
  const x = inputs(B, D);
  const t = oneHot([0, 1, 0, 1, 0, 1], 2);
  const x0 = x.data.slice();
  const box = { top: 1, bottom: 4, left: 2, right: 4 };
  const lambda = mixer.cutmixBox(x, t, box, new Rng(6), IMG);
  assert.equal(lambda, 1 - 6 / 30);
  for (let i = 0; i < B; i++) {
    const p = mixer.partner(i);
    let kept = 0;
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 5; c++) {
        const k = r * 5 + c;
        const inBox = r >= 1 && r < 4 && c >= 2 && c < 4;
        assert.equal(x.data[i * D + k], inBox ? x0[p * D + k] : x0[i * D + k]);
        if (x.data[i * D + k] === x0[i * D + k]) kept++;
      }
    }
    if (p !== i) assert.equal(kept / 30, lambda);
    const same = i % 2 === p % 2;
    assert.ok(Math.abs(t.data[i * 2 + (i % 2)] - (same ? 1 : lambda)) < 1e-6);
  }
});

test('cutmix with λ ~ Beta(α, α): the box lies in the image and λ equals its kept area', () => {
  const mixer = new BatchMixer();
  const rng = new Rng(7);
  let sawCut = false;
  for (let k = 0; k < 200; k++) {
    const x = inputs(4, 30);
    const lambda = mixer.cutmix(x, oneHot([0, 1, 1, 0], 2), 1, rng, IMG);
    const b = mixer.box;
    assert.ok(b.top >= 0 && b.top <= b.bottom && b.bottom <= 6 && b.left >= 0 && b.left <= b.right && b.right <= 5);
    assert.equal(lambda, 1 - ((b.bottom - b.top) * (b.right - b.left)) / 30);
    if (lambda < 1) sawCut = true;
  }
  assert.ok(sawCut);
  assert.throws(() => mixer.cutmix(inputs(2, 4), mat(2, 1), 1, rng, undefined), /cutmix: needs image data/);
  assert.throws(
    () => mixer.cutmixBox(inputs(2, 4), mat(2, 1), { top: 0, bottom: 1, left: 0, right: 1 }, rng, IMG),
    /not 6×5×1 images/,
  );
});
