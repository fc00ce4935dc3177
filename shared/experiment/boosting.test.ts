import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundCurve } from './boosting.ts';
import { plan, type LoadData } from './plan.ts';
import { runPlan } from './run.ts';
import { InProcessExecutor } from './executor.ts';
import { makeDataset } from '../data/make.ts';
import type { ExperimentSpec } from './types.ts';

const load: LoadData = (spec, rng) => makeDataset(spec, rng);

test('roundCurve: one point per round asked for, the last kept learner’s score carried past the stop', () => {
  assert.deepEqual(roundCurve([0.6, 0.7, 0.8], 5), [
    { size: 1, value: 0.6 },
    { size: 2, value: 0.7 },
    { size: 3, value: 0.8 },
    { size: 4, value: 0.8 },
    { size: 5, value: 0.8 },
  ]);
  assert.deepEqual(roundCurve([0.9], 1), [{ size: 1, value: 0.9 }]);
  assert.throws(() => roundCurve([], 3), /no learner was kept/);
  assert.throws(() => roundCurve([0.5, 0.6], 1), /2 learners kept of 1 rounds/);
});

test('boosting that stops early on every split still reports a point per round, each a mean over all splits', async () => {
  // Two far-apart blobs: a logistic model is perfect on the first round, so SAMME keeps it
  // (α = 1) and stops on every split. Before the curve was carried forward, the report had one
  // point for the four rounds asked for.
  const spec: ExperimentSpec = {
    seed: 3,
    dataset: { name: 'blobs', samples: 90, classes: 2, noise: 0.3, testFraction: 0.2 },
    model: { kind: 'logistic' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.1 },
    training: { epochs: 40, batchSize: 'full' },
    evaluation: { kind: 'kfold', k: 3, stratified: true },
    ensemble: { kind: 'boosting', rounds: 4, learning_rate: 0.5 },
  };
  const { report, results } = await runPlan(plan(spec, load), new InProcessExecutor());
  assert.equal(results.size, 3, 'one round per split was played');
  const c = report.configurations[0];
  const e = c.ensemble!;
  assert.deepEqual(
    e.curveSummary.map((p) => [p.size, p.value.n]),
    [
      [1, 3],
      [2, 3],
      [3, 3],
      [4, 3],
    ],
  );
  // The ensemble after the stop is the single perfect learner: every point is its validation score.
  for (const p of e.curveSummary) assert.deepEqual(p.value.values, c.metrics.val_accuracy.values);
  assert.deepEqual(
    { perfect: e.rounds!.perfect, chance: e.rounds!.worseThanChance, played: e.rounds!.played.values },
    { perfect: 3, chance: 0, played: [1, 1, 1] },
  );
  assert.match(e.note!, /3 of 3 splits stopped early \(3 at a perfect learner\)/);
});
