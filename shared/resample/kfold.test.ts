import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import {
  classesByAppearance,
  foldSizes,
  kFold,
  leaveOneOut,
  repeatedKFold,
  repeatedStratifiedKFold,
  smallClasses,
  stratifiedAllocation,
  stratifiedKFold,
  type Fold,
} from './kfold.ts';

const arr = (a: Uint32Array): number[] => Array.from(a);

/** Test parts partition 0..n−1; each fold's train is the complement of its test; all ascending. */
function assertFolds(folds: Fold[], n: number): void {
  const seen = new Uint8Array(n);
  for (const f of folds) {
    assert.equal(f.train.length + f.test.length, n);
    const inTest = new Uint8Array(n);
    f.test.forEach((i, j) => {
      assert.ok(j === 0 || f.test[j - 1] < i, 'test ascending');
      assert.equal(seen[i], 0, `row ${i} tested twice`);
      seen[i] = 1;
      inTest[i] = 1;
    });
    f.train.forEach((i, j) => {
      assert.ok(j === 0 || f.train[j - 1] < i, 'train ascending');
      assert.equal(inTest[i], 0, `row ${i} in train and test`);
    });
  }
  assert.ok(
    seen.every((v) => v === 1),
    'every row is tested once',
  );
}

function classCounts(y: ArrayLike<number>, rows: Uint32Array, labels: number[]): number[] {
  return labels.map((l) => rows.reduce((s, r) => s + (y[r] === l ? 1 : 0), 0));
}

test('KFold sizes: the first n mod k folds get one more row; contiguous blocks without shuffling', () => {
  assert.deepEqual(foldSizes(10, 3), [4, 3, 3]);
  assert.deepEqual(foldSizes(11, 4), [3, 3, 3, 2]);
  assert.deepEqual(foldSizes(12, 4), [3, 3, 3, 3]);
  const folds = kFold(10, 3);
  assertFolds(folds, 10);
  assert.deepEqual(
    folds.map((f) => arr(f.test)),
    [
      [0, 1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
  );
  assert.deepEqual(arr(folds[1].train), [0, 1, 2, 3, 7, 8, 9]);
  // sklearn's KFold docstring: 4 rows, 2 splits → test [0 1] then [2 3].
  assert.deepEqual(
    kFold(4, 2).map((f) => [arr(f.train), arr(f.test)]),
    [
      [
        [2, 3],
        [0, 1],
      ],
      [
        [0, 1],
        [2, 3],
      ],
    ],
  );
});

test('shuffled KFold keeps the sizes, is reproducible from the seed and differs from the plain one', () => {
  const a = kFold(23, 5, { shuffle: true, rng: new Rng(3) });
  assertFolds(a, 23);
  assert.deepEqual(
    a.map((f) => f.test.length),
    [5, 5, 5, 4, 4],
  );
  assert.deepEqual(kFold(23, 5, { shuffle: true, rng: new Rng(3) }), a);
  assert.notDeepEqual(
    a.map((f) => arr(f.test)),
    kFold(23, 5).map((f) => arr(f.test)),
  );
  assert.notDeepEqual(kFold(23, 5, { shuffle: true, rng: new Rng(4) }), a);
  assert.throws(() => kFold(10, 2, { shuffle: true }), /needs an rng/);
});

test('bad k is refused', () => {
  assert.throws(() => kFold(10, 1), /k must be an integer >= 2/);
  assert.throws(() => kFold(10, 2.5), /k must be an integer >= 2/);
  assert.throws(() => kFold(3, 4), /k=4 folds with only 3 rows/);
  assert.throws(() => stratifiedKFold([0, 1, 0], 4), /k=4 folds with only 3 rows/);
});

test('stratified allocation follows sklearn: classes by first appearance, round-robin over the sorted labels', () => {
  // y's first label is 1, so class "1" is encoded first (5 rows), class "0" second (4 rows); k = 3.
  // Sorted codes: A A A A A B B B B at positions 0..8; fold f takes positions ≡ f (mod 3):
  //   fold 0: 0, 3, 6 → A A B; fold 1: 1, 4, 7 → A A B; fold 2: 2, 5, 8 → A B B.
  // So A: [2, 2, 1] and B: [1, 1, 2]: B's extra row goes to fold 2 (= 5 mod 3), not fold 0.
  const y = [1, 0, 1, 1, 0, 1, 0, 0, 1];
  assert.deepEqual(classesByAppearance(y), [
    { label: 1, count: 5 },
    { label: 0, count: 4 },
  ]);
  assert.deepEqual(stratifiedAllocation([5, 4], 3), [
    [2, 2, 1],
    [1, 1, 2],
  ]);
  // Without shuffling, each class's rows (in row order) take fold numbers in blocks:
  //   class 1 rows 0, 2, 3, 5, 8 → folds 0, 0, 1, 1, 2; class 0 rows 1, 4, 6, 7 → folds 0, 1, 2, 2.
  const folds = stratifiedKFold(y, 3);
  assertFolds(folds, 9);
  assert.deepEqual(
    folds.map((f) => arr(f.test)),
    [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ],
  );
});

test('stratified folds reproduce sklearn’s documented outputs', () => {
  // StratifiedKFold docstring: y = [0, 0, 1, 1], 2 splits → test [0 2] then [1 3].
  assert.deepEqual(
    stratifiedKFold([0, 0, 1, 1], 2).map((f) => [arr(f.train), arr(f.test)]),
    [
      [
        [1, 3],
        [0, 2],
      ],
      [
        [0, 2],
        [1, 3],
      ],
    ],
  );
  // User guide (cross-validation, "Stratified k-fold"): 45 zeros then 5 ones, 3 splits →
  // test class counts [15 2], [15 2], [15 1] and train [30 3], [30 3], [30 4].
  const y = [...new Array(45).fill(0), ...new Array(5).fill(1)];
  const folds = stratifiedKFold(y, 3);
  assert.deepEqual(
    folds.map((f) => classCounts(y, f.test, [0, 1])),
    [
      [15, 2],
      [15, 2],
      [15, 1],
    ],
  );
  assert.deepEqual(
    folds.map((f) => classCounts(y, f.train, [0, 1])),
    [
      [30, 3],
      [30, 3],
      [30, 4],
    ],
  );
});

test('shuffled stratified folds keep every class’s allocation and KFold’s fold sizes', () => {
  const rng = new Rng(8);
  const y = Float32Array.from({ length: 103 }, () => rng.int(4));
  const classes = classesByAppearance(y);
  const alloc = stratifiedAllocation(
    classes.map((c) => c.count),
    7,
  );
  const folds = stratifiedKFold(y, 7, { shuffle: true, rng: new Rng(1) });
  assertFolds(folds, 103);
  const labels = classes.map((c) => c.label);
  folds.forEach((f, i) =>
    assert.deepEqual(
      classCounts(y, f.test, labels),
      alloc.map((row) => row[i]),
    ),
  );
  assert.deepEqual(
    folds.map((f) => f.test.length),
    foldSizes(103, 7),
  );
  // Per class, the counts across folds differ by at most one.
  for (const row of alloc) assert.ok(Math.max(...row) - Math.min(...row) <= 1);
  assert.deepEqual(stratifiedKFold(y, 7, { shuffle: true, rng: new Rng(1) }), folds);
  assert.notDeepEqual(stratifiedKFold(y, 7, { shuffle: true, rng: new Rng(2) }), folds);
});

test('a class smaller than k is an error naming it, unless sklearn’s behaviour is asked for', () => {
  const y = [0, 0, 0, 2, 0, 0];
  assert.deepEqual(smallClasses(y, 3), [{ label: 2, count: 1 }]);
  assert.throws(() => stratifiedKFold(y, 3), /class 2 has 1/);
  const folds = stratifiedKFold(y, 3, { allowSmallClasses: true });
  assertFolds(folds, 6);
  // Like sklearn, it refuses when every class is smaller than k.
  assert.throws(() => stratifiedKFold([0, 1, 0, 1], 3, { allowSmallClasses: true }), /every class/);
});

test('repeated k-fold: each repeat is a shuffled split from its own forked stream', () => {
  const rng = new Rng(21);
  const folds = repeatedKFold(17, 4, 3, rng);
  assert.equal(folds.length, 12);
  for (let r = 0; r < 3; r++) {
    const these = folds.filter((f) => f.repeat === r);
    assert.deepEqual(
      these.map((f) => f.fold),
      [0, 1, 2, 3],
    );
    assertFolds(these, 17);
    const expected = kFold(17, 4, { shuffle: true, rng: rng.fork('repeat=' + r) });
    assert.deepEqual(
      these.map((f) => ({ train: f.train, test: f.test })),
      expected,
    );
  }
  assert.notDeepEqual(arr(folds[0].test), arr(folds[4].test));
  const y = Array.from({ length: 30 }, (_, i) => i % 3);
  const strat = repeatedStratifiedKFold(y, 5, 2, rng);
  assert.equal(strat.length, 10);
  assert.deepEqual(
    strat.slice(5).map((f) => ({ train: f.train, test: f.test })),
    stratifiedKFold(y, 5, { shuffle: true, rng: rng.fork('repeat=1') }),
  );
  for (const f of strat) assert.deepEqual(classCounts(y, f.test, [0, 1, 2]), [2, 2, 2]);
  assert.throws(() => repeatedKFold(10, 2, 0, rng), /repeats/);
});

test('leave-one-out: n folds of one row', () => {
  const folds = leaveOneOut(3);
  assertFolds(folds, 3);
  assert.deepEqual(
    folds.map((f) => [arr(f.train), arr(f.test)]),
    [
      [[1, 2], [0]],
      [[0, 2], [1]],
      [[0, 1], [2]],
    ],
  );
  assert.throws(() => leaveOneOut(1), /at least 2 rows/);
});
