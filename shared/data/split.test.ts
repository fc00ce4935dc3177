import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { cutSize, proportionalCounts, splitIndices, type Split } from './split.ts';

function labels(counts: number[]): Float32Array {
  const y: number[] = [];
  counts.forEach((c, k) => {
    for (let i = 0; i < c; i++) y.push(k);
  });
  // Interleave so that class membership is not tied to position.
  return Float32Array.from(new Rng(99).shuffle(y));
}

function assertPartition(s: Split, n: number): void {
  const seen = new Uint8Array(n);
  for (const part of [s.train, s.val, s.test]) {
    for (let i = 0; i < part.length; i++) {
      assert.ok(part[i] < n);
      assert.equal(seen[part[i]], 0, `row ${part[i]} is in two parts`);
      seen[part[i]] = 1;
      if (i > 0) assert.ok(part[i - 1] < part[i], 'parts are ascending');
    }
  }
  assert.ok(
    seen.every((v) => v === 1),
    'every row is in some part',
  );
}

function countByClass(y: Float32Array, rows: Uint32Array, k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const r of rows) c[y[r]]++;
  return c;
}

test('sizes follow train_test_split: test = ⌈f·n⌉ first, then validation from the rest', () => {
  assert.equal(cutSize(0.25, 10), 3);
  assert.equal(cutSize(0, 10), 0);
  assert.throws(() => cutSize(1, 10), /\[0, 1\)/);
  const s = splitIndices(null, 150, { testFraction: 0.2, valFraction: 0.25, stratify: false }, new Rng(1));
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [90, 30, 30]);
  assertPartition(s, 150);
  const odd = splitIndices(null, 101, { testFraction: 0.1, valFraction: 0.15, stratify: false }, new Rng(1));
  assert.deepEqual([odd.test.length, odd.val.length, odd.train.length], [11, 14, 76]);
  assertPartition(odd, 101);
});

test('the same seed gives the same split; another seed another split', () => {
  const o = { testFraction: 0.3, valFraction: 0.2, stratify: true };
  const y = labels([40, 30, 30]);
  const a = splitIndices(y, 100, o, new Rng(5));
  assert.deepEqual(splitIndices(y, 100, o, new Rng(5)), a);
  assert.notDeepEqual(splitIndices(y, 100, o, new Rng(6)).test, a.test);
});

test('stratified cuts keep class proportions exactly when they divide', () => {
  const y = labels([70, 20, 10]);
  const s = splitIndices(y, 100, { testFraction: 0.3, valFraction: 0.5, stratify: true }, new Rng(2));
  assertPartition(s, 100);
  assert.deepEqual(countByClass(y, s.test, 3), [21, 6, 3]);
  assert.deepEqual(countByClass(y, s.val, 3), [25, 7, 3]);
  assert.deepEqual(countByClass(y, s.train, 3), [24, 7, 4]);
});

test('stratified sizes equal unstratified sizes, and each class is within one row of its share', () => {
  const counts = [37, 23, 11, 5];
  const y = labels(counts);
  const n = 76;
  const o = { testFraction: 0.22, valFraction: 0.3, stratify: true };
  const s = splitIndices(y, n, o, new Rng(3));
  const u = splitIndices(y, n, { ...o, stratify: false }, new Rng(3));
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [u.train.length, u.val.length, u.test.length]);
  assertPartition(s, n);
  const got = countByClass(y, s.test, 4);
  counts.forEach((c, k) => assert.ok(Math.abs(got[k] - (s.test.length * c) / n) < 1, `class ${k}: ${got[k]}`));
});

test('proportionalCounts sums exactly, breaks ties deterministically, never exceeds a class', () => {
  assert.deepEqual(proportionalCounts(5, [5, 3, 2]), [3, 1, 1]);
  assert.deepEqual(proportionalCounts(10, [5, 3, 2]), [5, 3, 2]);
  assert.deepEqual(proportionalCounts(0, [5, 3, 2]), [0, 0, 0]);
  const rng = new Rng(4);
  for (let trial = 0; trial < 200; trial++) {
    const counts = Array.from({ length: 1 + rng.int(6) }, () => rng.int(20));
    const n = counts.reduce((a, b) => a + b, 0);
    const total = rng.int(n + 1);
    const out = proportionalCounts(total, counts);
    assert.equal(
      out.reduce((a, b) => a + b, 0),
      total,
    );
    out.forEach((v, k) => assert.ok(v <= counts[k] && Math.abs(v - (n ? (total * counts[k]) / n : 0)) < 1));
  }
  assert.throws(() => proportionalCounts(11, [5, 5]), /cannot take 11 of 10/);
});

test('a split that leaves no training rows is refused', () => {
  assert.throws(
    () => splitIndices(null, 2, { testFraction: 0.5, valFraction: 0.5, stratify: false }, new Rng(0)),
    /no training rows/,
  );
  assert.throws(
    () => splitIndices(null, 10, { testFraction: 0.2, valFraction: 0, stratify: true }, new Rng(0)),
    /stratify needs a label/,
  );
});
