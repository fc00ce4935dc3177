import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import {
  bootstrapSample,
  estimate632,
  estimate632Plus,
  leaveOneOutBootstrapError,
  noInformationError,
} from './bootstrap.ts';

test('a bootstrap sample is n draws of rng.int(n) in draw order; OOB is every row never drawn, ascending', () => {
  const s = bootstrapSample(12, new Rng(4));
  const twin = new Rng(4);
  assert.deepEqual(
    Array.from(s.sample),
    Array.from({ length: 12 }, () => twin.int(12)),
  );
  const drawn = new Set(s.sample);
  assert.deepEqual(
    Array.from(s.oob),
    Array.from({ length: 12 }, (_, i) => i).filter((i) => !drawn.has(i)),
  );
  assert.ok(s.oob.length > 0, 'some rows are left out for this seed');
  assert.deepEqual(bootstrapSample(1, new Rng(0)), { sample: Uint32Array.of(0), oob: new Uint32Array(0) });
  assert.throws(() => bootstrapSample(0, new Rng(0)), /positive integer/);
});

test('about (1 − 1/n)ⁿ ≈ 36.8% of the rows are out of bag', () => {
  const n = 1000,
    B = 200;
  const rng = new Rng(9);
  let oob = 0;
  for (let b = 0; b < B; b++) oob += bootstrapSample(n, rng.fork(`replicate=${b}`)).oob.length;
  // (1 − 1/1000)^1000 = 0.36770; the standard error of the average fraction over 200 replicates is about 0.001.
  const frac = oob / (n * B);
  assert.ok(Math.abs(frac - Math.pow(1 - 1 / n, n)) < 0.005, `OOB fraction ${frac}`);
});

test('leave-one-out bootstrap error averages per row first, and excludes rows never out of bag', () => {
  // n = 4. Replicate A leaves out rows 0, 1, 2 with losses 1, 0, 0; B leaves out row 0 (loss 0); C row 1 (loss 1).
  // Row 0: (1 + 0)/2 = 0.5; row 1: (0 + 1)/2 = 0.5; row 2: 0; row 3 is never out of bag.
  // Err⁽¹⁾ = (0.5 + 0.5 + 0)/3 = 1/3 (the mean of per-replicate OOB errors would be (1/3 + 0 + 1)/3 = 4/9).
  const r = leaveOneOutBootstrapError(
    [
      { oob: [0, 1, 2], loss: [1, 0, 0] },
      { oob: [0], loss: [0] },
      { oob: [1], loss: [1] },
    ],
    4,
  );
  assert.ok(Math.abs(r.error - 1 / 3) < 1e-16);
  assert.equal(r.rowsUsed, 3);
  assert.equal(r.rowsNeverOob, 1);
  assert.ok(Number.isNaN(leaveOneOutBootstrapError([], 3).error));
  assert.throws(() => leaveOneOutBootstrapError([{ oob: [0, 1], loss: [1] }], 2), /1 losses for 2 OOB rows/);
  assert.throws(() => leaveOneOutBootstrapError([{ oob: [5], loss: [1] }], 2), /row 5 of 2/);
});

test('.632 estimator: 0.368·train + 0.632·OOB', () => {
  // 0.368·0.1 + 0.632·0.3 = 0.0368 + 0.1896 = 0.2264.
  assert.ok(Math.abs(estimate632(0.1, 0.3) - 0.2264) < 1e-16);
});

test('no-information error rate γ = Σ_k p_k(1 − q_k)', () => {
  // Labels 0,0,1,1 (p = ½, ½), predictions 0,1,1,1 (q = ¼, ¾): γ = ½·¾ + ½·¼ = ½.
  assert.equal(noInformationError([0, 0, 1, 1], [0, 1, 1, 1]), 0.5);
  // Labels 0,0,0,1, all predicted 0: γ = ¾·0 + ¼·1 = ¼.
  assert.equal(noInformationError([0, 0, 0, 1], [0, 0, 0, 0]), 0.25);
  assert.throws(() => noInformationError([0], [0, 1]), /2 predictions for 1 labels/);
});

test('.632+ estimator: overfitting moves the weight toward the OOB error', () => {
  // err = 0, Err⁽¹⁾ = 0.3, γ = 0.5: R = 0.3/0.5 = 0.6, w = 0.632/(1 − 0.368·0.6) = 0.632/0.7792,
  // estimate = w·0.3 = 0.1896/0.7792 = 0.243326488706365…
  const a = estimate632Plus(0, 0.3, 0.5);
  assert.ok(Math.abs(a.overfittingRate - 0.6) < 1e-15);
  assert.ok(Math.abs(a.weight - 0.632 / 0.7792) < 1e-15);
  assert.ok(Math.abs(a.error - 0.1896 / 0.7792) < 1e-15);
  // No overfitting (OOB below train): R = 0, the .632 estimate 0.368·0.2 + 0.632·0.15 = 0.1684.
  const b = estimate632Plus(0.2, 0.15, 0.5);
  assert.equal(b.overfittingRate, 0);
  assert.ok(Math.abs(b.error - 0.1684) < 1e-16);
  assert.equal(b.error, estimate632(0.2, 0.15));
  // OOB error above γ is capped at γ; then R = 1, w = 1 and the estimate is γ.
  const c = estimate632Plus(0.1, 0.6, 0.5);
  assert.deepEqual([c.oobCapped, c.overfittingRate, c.weight, c.error], [0.5, 1, 1, 0.5]);
  assert.throws(() => estimate632Plus(Number.NaN, 0.1, 0.5), /errTrain/);
});
