import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import {
  advanceBoosting,
  sammeDecision,
  sammeRound,
  sammeScores,
  sammeStagedAccuracy,
  sammeStagedDecisions,
  startBoosting,
  weightedResample,
} from './adaboost.ts';

function close(actual: number, expected: number, what: string, tol = 1e-15): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected}`);
}

const Y = [0, 1, 2, 0, 1];
const PRED = [0, 1, 2, 1, 1]; // row 3 wrong

test('one SAMME round by hand (K = 3, η = 1)', () => {
  // Uniform weights 0.2; err = 0.2; α = ln(0.8/0.2) + ln(3 − 1) = ln 4 + ln 2 = ln 8.
  // Row 3: 0.2·8 = 1.6, the others 0.2; sum 2.4 → 1.6/2.4 = 2/3 and 0.2/2.4 = 1/12.
  const r = sammeRound(new Float64Array(5).fill(0.2), PRED, Y, 3);
  close(r.error, 0.2, 'err');
  close(r.alpha, Math.log(8), 'alpha');
  assert.equal(r.kept, true);
  assert.equal(r.stop, null);
  const w = Array.from(r.weights!);
  [1 / 12, 1 / 12, 1 / 12, 2 / 3, 1 / 12].forEach((v, i) => close(w[i], v, `w[${i}]`));
});

test('learning rate scales α (η = ½ gives weight √2 − 1 to the miss)', () => {
  // α = ½·ln 8 = ln(2√2); miss 0.2·2√2, sum 0.8 + 0.4√2 → miss share 2√2/(4 + 2√2) = √2 − 1; others (2 − √2)/4.
  const r = sammeRound([0.2, 0.2, 0.2, 0.2, 0.2], PRED, Y, 3, 0.5);
  close(r.alpha, 0.5 * Math.log(8), 'alpha');
  close(r.weights![3], Math.SQRT2 - 1, 'miss');
  close(r.weights![0], (2 - Math.SQRT2) / 4, 'hit');
  // The error is relative to the weights' sum, so unnormalized weights give the same round.
  assert.deepEqual(sammeRound([2, 2, 2, 2, 2], PRED, Y, 3, 0.5), r);
});

test('after the update the same learner is exactly at chance, 1 − 1/K (SAMME’s defining property)', () => {
  const rng = new Rng(2);
  const n = 50,
    K = 4;
  const y = Array.from({ length: n }, () => rng.int(K));
  const pred = y.map((v) => (rng.next() < 0.7 ? v : (v + 1) % K));
  const w = Array.from({ length: n }, () => rng.next());
  const r = sammeRound(w, pred, y, K);
  let miss = 0;
  r.weights!.forEach((v, i) => (miss += pred[i] !== y[i] ? v : 0));
  close(miss, 1 - 1 / K, 'reweighted error', 1e-14);
});

test('stopping rules as sklearn: a perfect learner is kept with α = 1, a learner at or below chance is dropped', () => {
  const perfect = sammeRound([0.25, 0.25, 0.25, 0.25], [0, 1, 1, 0], [0, 1, 1, 0], 2);
  assert.deepEqual(perfect, { error: 0, alpha: 1, kept: true, stop: 'perfect', weights: null });
  // K = 2: err = 0.5 is exactly chance.
  const chance = sammeRound([0.25, 0.25, 0.25, 0.25], [1, 1, 1, 0], [0, 1, 0, 0], 2);
  assert.deepEqual(chance, { error: 0.5, alpha: 0, kept: false, stop: 'worse_than_chance', weights: null });
  // K = 3: err = 0.8 ≥ 2/3.
  assert.equal(sammeRound([0.2, 0.2, 0.2, 0.2, 0.2], [1, 2, 0, 1, 1], Y, 3).stop, 'worse_than_chance');
  // K = 3: err = 0.6 < 2/3 still counts (SAMME accepts errors above ½ when K > 2), with α = ln(0.4/0.6) + ln 2 = ln(4/3).
  const r = sammeRound([0.2, 0.2, 0.2, 0.2, 0.2], [1, 2, 0, 0, 1], [0, 1, 2, 0, 1], 3);
  close(r.error, 0.6, 'err');
  close(r.alpha, Math.log(4 / 3), 'alpha');
  assert.throws(() => sammeRound([1, 1], [0, 3], [0, 1], 3), /pred\[1\] must be a class in 0..2/);
  assert.throws(() => sammeRound([0, 0], [0, 1], [0, 1], 2), /sum to 0/);
  assert.throws(() => sammeRound([1, 1], [0, 1], [0, 1], 2, 0), /learning_rate/);
});

test('boosting state: rounds accumulate, a discarded round stops the run without joining it', () => {
  let s = startBoosting(5);
  assert.deepEqual(Array.from(s.weights), [0.2, 0.2, 0.2, 0.2, 0.2]);
  s = advanceBoosting(s, PRED, Y, 3);
  close(s.alphas[0], Math.log(8), 'alpha 0');
  assert.deepEqual(s.members, [0]);
  close(s.weights[3], 2 / 3, 'w[3]');
  // A learner that misses rows 3 (weight 2/3) and 0 (1/12): err = 3/4 ≥ 2/3.
  const next = advanceBoosting(s, [1, 1, 2, 1, 1], Y, 3);
  assert.equal(next.stopped, 'worse_than_chance');
  assert.deepEqual(next.members, [0]);
  assert.equal(next.alphas.length, 1);
  close(next.errors[1], 0.75, 'err 1');
  assert.throws(() => advanceBoosting(next, PRED, Y, 3), /already stopped/);
  // A worse-than-chance first learner leaves an empty ensemble, which cannot vote.
  const empty = advanceBoosting(startBoosting(2), [1, 0], [0, 1], 2);
  assert.deepEqual([empty.stopped, empty.alphas.length], ['worse_than_chance', 0]);
  assert.throws(() => sammeDecision([], [], 2), /no learners/);
});

test('weighted resampling draws rows in proportion to their weights and never a zero-weight row', () => {
  const w = [0, 1, 0, 3];
  const rows = weightedResample(w, 20, new Rng(6));
  // One uniform per draw: u·4 < 1 picks row 1, otherwise row 3.
  const twin = new Rng(6);
  assert.deepEqual(
    Array.from(rows),
    Array.from({ length: 20 }, () => (twin.next() * 4 < 1 ? 1 : 3)),
  );
  const many = weightedResample(w, 40000, new Rng(7));
  const share3 = many.filter((r) => r === 3).length / many.length;
  assert.ok(Math.abs(share3 - 0.75) < 0.01, `share of row 3: ${share3}`);
  assert.ok(many.every((r) => r === 1 || r === 3));
  assert.throws(() => weightedResample([0, 0], 3, new Rng(1)), /sum to 0/);
});

test('ensemble decision argmax Σ α·[pred = k], staged, with ties to the smallest class', () => {
  // α = 1, 2, 2.5; learners predict (0,1,2), (1,1,0), (2,0,0) on three rows.
  // Row 0: class 0 → 1, class 1 → 2, class 2 → 2.5 ⇒ 2. Row 1: class 1 → 3, class 0 → 2.5 ⇒ 1.
  // Row 2: class 2 → 1, class 0 → 4.5 ⇒ 0.
  const preds = [
    [0, 1, 2],
    [1, 1, 0],
    [2, 0, 0],
  ];
  const alphas = [1, 2, 2.5];
  assert.deepEqual(Array.from(sammeScores(preds, alphas, 3)), [1, 2, 2.5, 2.5, 3, 0, 4.5, 0, 1]);
  assert.deepEqual(Array.from(sammeDecision(preds, alphas, 3)), [2, 1, 0]);
  // After one learner (0,1,2); after two, row 0 has 1 vs 2 ⇒ 1 and row 2 has 1 vs 2 ⇒ 0: (1,1,0).
  assert.deepEqual(
    sammeStagedDecisions(preds, alphas, 3).map((d) => Array.from(d)),
    [
      [0, 1, 2],
      [1, 1, 0],
      [2, 1, 0],
    ],
  );
  // Against y = (2, 1, 2): 2/3, 1/3, 2/3.
  assert.deepEqual(sammeStagedAccuracy(preds, alphas, 3, [2, 1, 2]), [2 / 3, 1 / 3, 2 / 3]);
  // Equal votes for classes 1 and 0 go to 0.
  assert.deepEqual(Array.from(sammeDecision([[1], [0]], [1, 1], 2)), [0]);
});

test('the argmax agrees with sklearn’s SAMME decision_function (α for a vote, −α/(K−1) otherwise)', () => {
  const rng = new Rng(13);
  const K = 4,
    M = 6,
    n = 200;
  const preds = Array.from({ length: M }, () => Array.from({ length: n }, () => rng.int(K)));
  const alphas = Array.from({ length: M }, () => 0.1 + rng.next());
  const ours = sammeDecision(preds, alphas, K);
  for (let i = 0; i < n; i++) {
    const score = new Array<number>(K).fill(0);
    for (let m = 0; m < M; m++)
      for (let k = 0; k < K; k++) score[k] += preds[m][i] === k ? alphas[m] : -alphas[m] / (K - 1);
    assert.equal(ours[i], score.indexOf(Math.max(...score)), `row ${i}`);
  }
});
