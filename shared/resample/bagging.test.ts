import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  argmaxRows,
  averagePredictions,
  hardVote,
  oobAccuracy,
  oobAverage,
  oobHardVote,
  oobMeanSquaredError,
  oobSoftVote,
  softVote,
} from './bagging.ts';

test('hard vote: majority per row, ties to the smallest class id', () => {
  // Row 0: 0,1,0 ⇒ 0. Row 1: 1,1,2 ⇒ 1. Row 2: 2,2,1 ⇒ 2. Row 3: 1,0,2 (one each) ⇒ 0.
  const preds = [
    [0, 1, 2, 1],
    [1, 1, 2, 0],
    [0, 2, 1, 2],
  ];
  assert.deepEqual(Array.from(hardVote(preds, 3)), [0, 1, 2, 0]);
  assert.throws(() => hardVote([[0, 3]], 3), /a class in 0..2 expected, got 3/);
  assert.throws(() => hardVote([], 3), /no members/);
  assert.throws(() => hardVote([[0, 1], [0]], 2), /member 1 has 1 outputs, member 0 has 2/);
});

test('soft vote averages probability rows, and can disagree with the hard vote', () => {
  // Two members, two rows, K = 2: (0.9, 0.1) & (0.5, 0.5) → (0.7, 0.3); (0.4, 0.6) & (0.2, 0.8) → (0.3, 0.7).
  const avg = softVote(
    [
      [0.9, 0.1, 0.4, 0.6],
      [0.5, 0.5, 0.2, 0.8],
    ],
    2,
  );
  [0.7, 0.3, 0.3, 0.7].forEach((v, i) => assert.ok(Math.abs(avg[i] - v) < 1e-15, `avg[${i}]`));
  assert.deepEqual(Array.from(argmaxRows(avg, 2)), [0, 1]);
  // Two members lean to class 1 (0.6), one is sure of class 0 (1.0): hard vote 1, soft vote 0 (0.6 vs 0.4).
  const probs = [
    [0.4, 0.6],
    [0.4, 0.6],
    [1, 0],
  ];
  assert.deepEqual(
    Array.from(
      hardVote(
        probs.map((p) => argmaxRows(p, 2)),
        2,
      ),
    ),
    [1],
  );
  assert.deepEqual(Array.from(argmaxRows(softVote(probs, 2), 2)), [0]);
  assert.throws(() => softVote([[0.5, 0.5, 1]], 2), /rows of 2/);
});

test('regression average', () => {
  assert.deepEqual(
    Array.from(
      averagePredictions([
        [1, 2],
        [3, 6],
      ]),
    ),
    [2, 4],
  );
});

test('out-of-bag hard vote uses only members that left the row out; uncovered rows are excluded and counted', () => {
  // n = 5. Member 0 left out rows 0, 2 (predicting 1, 0); member 1 rows 0, 1 (1, 2); member 2 rows 0, 2, 3 (0, 0, 2).
  // Row 0: 1, 1, 0 ⇒ 1 (3 votes); row 1: 2 (1 vote); row 2: 0, 0 ⇒ 0 (2 votes); row 3: 2 (1 vote); row 4: in every sample.
  const res = oobHardVote(
    [
      { oob: [0, 2], output: [1, 0] },
      { oob: [0, 1], output: [1, 2] },
      { oob: [0, 2, 3], output: [0, 0, 2] },
    ],
    5,
    3,
  );
  assert.deepEqual(Array.from(res.rows), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(res.votes), [3, 1, 2, 1]);
  assert.deepEqual(Array.from(res.prediction), [1, 2, 0, 2]);
  assert.equal(res.excluded, 1);
  // Labels (1, 0, 0, 2, 1): rows 0, 2, 3 right, row 1 wrong, row 4 not counted ⇒ 3/4.
  assert.equal(oobAccuracy(res, [1, 0, 0, 2, 1]), 0.75);
  assert.throws(() => oobHardVote([{ oob: [0, 7], output: [0, 1] }], 5, 2), /names row 7 of 5/);
  assert.throws(() => oobHardVote([{ oob: [0, 1], output: [0] }], 5, 2), /1 outputs for 2 OOB rows/);
});

test('out-of-bag soft vote averages the probabilities of the members that left the row out', () => {
  // Member 0 left out rows 0, 1 with (0.8, 0.2), (0.3, 0.7); member 1 left out row 1 with (0.9, 0.1); row 2 never.
  // Row 0: (0.8, 0.2) ⇒ 0; row 1: ((0.3 + 0.9)/2, (0.7 + 0.1)/2) = (0.6, 0.4) ⇒ 0.
  const res = oobSoftVote(
    [
      { oob: [0, 1], output: [0.8, 0.2, 0.3, 0.7] },
      { oob: [1], output: [0.9, 0.1] },
    ],
    3,
    2,
  );
  assert.deepEqual(Array.from(res.rows), [0, 1]);
  assert.deepEqual(Array.from(res.votes), [1, 2]);
  [0.8, 0.2, 0.6, 0.4].forEach((v, i) => assert.ok(Math.abs(res.proba[i] - v) < 1e-15, `proba[${i}]`));
  assert.deepEqual(Array.from(res.prediction), [0, 0]);
  assert.equal(res.excluded, 1);
});

test('out-of-bag regression average and its squared error', () => {
  // Member 0: rows 1, 2 → 1, 4; member 1: row 2 → 2. Row 1: 1; row 2: (4 + 2)/2 = 3; row 0 never.
  // Against y = (0, 2, 2): (1 − 2)² = 1, (3 − 2)² = 1 ⇒ MSE 1.
  const res = oobAverage(
    [
      { oob: [1, 2], output: [1, 4] },
      { oob: [2], output: [2] },
    ],
    3,
  );
  assert.deepEqual(Array.from(res.rows), [1, 2]);
  assert.deepEqual(Array.from(res.prediction), [1, 3]);
  assert.equal(res.excluded, 1);
  assert.equal(oobMeanSquaredError(res, [0, 2, 2]), 1);
  assert.ok(Number.isNaN(oobMeanSquaredError(oobAverage([], 2), [0, 0])));
});
