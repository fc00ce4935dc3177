// Plan previews checked by hand: the cost model on a small spec, the benchmark figure on a
// library with no finished run, and the calibration on finished runs (which must predict
// the summed job time of the run it was calibrated on, whatever the number of configurations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../lab.ts';
import { BENCHMARK_UNITS_PER_MS, parameters } from './preview.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

/** 2 configurations (4 and 3 hidden units) × 2 folds on 100 moons, 80 of them to develop on. */
const spec = {
  seed: 8,
  dataset: { name: 'moons', samples: 100, noise: 0.2, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [4], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 5, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 2 },
  sweep: { 'model.hidden': [[4], [3]] },
};

test('parameters: dense layers with their biases, batch norm with its scale and shift', () => {
  // 2 → 4 → 2: 2·4 + 4 + 4·2 + 2.
  assert.equal(parameters(spec as ExperimentSpec, 2, 2), 22);
  // 3 → 5 (batch norm) → 1: 3·5 + 5 + 2·5 + 5·1 + 1.
  const bn = { ...spec, model: { kind: 'mlp', hidden: [5], activation: 'relu', batchNorm: true } };
  assert.equal(parameters(bn as ExperimentSpec, 3, 1), 36);
  assert.equal(parameters({ ...spec, model: { kind: 'logistic' } } as ExperimentSpec, 4, 3), 15);
});

test('a plan preview: the benchmark figure before any run, then calibrated on the runs of this library', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'optlab-preview-'));
  const lab = Lab.open(join(tmp, 'lib.db'), { logger: { info: () => {}, warn: () => {} } });
  t.after(async () => {
    await lab.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const before = await lab.previewPlan({ spec }, { workers: 2 });
  assert.deepEqual([before.configurations.length, before.splits, before.jobs], [2, 2, 4]);
  assert.deepEqual(before.parameters, [22, 17]);
  assert.equal(before.dataset.dev, 80);
  // Per model of p parameters: 40 training rows × 5 epochs × (6p + 100) for the passes, and
  // 5 scored points × 100 rows × (2p + 100) for the curves. p = 22: 46 400 + 72 000 =
  // 118 400 units; p = 17: 40 400 + 67 000 = 107 400. Two folds of each configuration.
  assert.equal(before.estimate.basis, 'benchmark');
  const units = 2 * 118_400 + 2 * 107_400;
  assert.ok(Math.abs(before.estimate.cpuSeconds - units / BENCHMARK_UNITS_PER_MS / 1000) < 1e-12);
  assert.ok(Math.abs(before.estimate.seconds - before.estimate.cpuSeconds / 2) < 1e-12);
  // After one run, the same spec is predicted at that run's own summed job time.
  const rec = await lab.createExperiment(spec);
  await lab.startRun(rec.id, { workers: 0 });
  assert.equal((await lab.waitForRun(rec.id)).status, 'done');
  const ms = (await lab.getJobs(rec.id)).jobs.reduce((s, j) => s + (j.ms ?? 0), 0);
  const after = await lab.previewPlan({ experimentId: rec.id }, { workers: 1 });
  assert.equal(after.estimate.basis, 'past-runs');
  assert.ok(
    Math.abs(after.estimate.cpuSeconds - ms / 1000) < 1e-9 * Math.max(1, ms),
    `predicted ${after.estimate.cpuSeconds} s, the run took ${ms / 1000} s of jobs`,
  );
  assert.equal(after.estimate.seconds, after.estimate.cpuSeconds);
});
