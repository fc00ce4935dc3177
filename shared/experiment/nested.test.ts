import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, type LoadData } from './plan.ts';
import { runPlan } from './run.ts';
import { InProcessExecutor } from './executor.ts';
import { validateExperimentSpec } from './validate.ts';
import type { ExperimentSpec } from './types.ts';
import { makeDataset } from '../data/make.ts';
import { chooseCandidate } from './tuning.ts';
import { speedMetrics } from './speed.ts';
import type { JobResult } from './types.ts';

const load: LoadData = (spec, rng) => makeDataset(spec, rng);

function spec(over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    seed: 3,
    dataset: { name: 'moons', samples: 150, noise: 0.25, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'sgd', lr: 0.1 },
    training: { epochs: 6, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 3, stratified: true },
    ...over,
  };
}

test('tuning: candidates share the inner rows and seeds; the scored rows never choose; the choice is the best inner loss', async () => {
  const s = spec({
    tuning: { path: 'optimizer.lr', factors: [0.01, 1, 5] },
    speed: { monitor: 'val_loss', value: 0.45 },
  });
  const p = plan(s, load);
  assert.equal(p.jobs.length, 9);
  const byFold = (f: number) => p.jobs.filter((j) => j.key.startsWith(`config=0/repeat=0/fold=${f}/`));
  for (let f = 0; f < 3; f++) {
    const js = byFold(f);
    assert.deepEqual(
      js.map((j) => j.fitConfig.optimizer.lr),
      [0.001, 0.1, 0.5],
    );
    for (const j of js) {
      assert.deepEqual(j.evals.inner, js[0].evals.inner, 'the same inner rows for every candidate');
      assert.equal(j.seed, js[0].seed);
      assert.equal(j.initSeed, js[0].initSeed);
      const val = new Set(j.evals.val);
      for (const r of [...j.train, ...j.evals.inner]) assert.ok(!val.has(r), 'scored rows neither train nor choose');
    }
  }
  const { report, results } = await runPlan(p, new InProcessExecutor());
  const c = report.configurations[0];
  const t = c.tuning!;
  assert.deepEqual(t.values, [0.001, 0.1, 0.5]);
  for (let f = 0; f < 3; f++) {
    const cands = [0, 1, 2].map((i) => results.get(`config=0/repeat=0/fold=${f}/tune=${i}`)!);
    const losses = cands.map((r) => r.final.inner.loss);
    const best = losses.indexOf(Math.min(...losses));
    assert.equal(t.chosen[f], t.values[best]);
    assert.equal(c.metrics.val_accuracy.values[f], cands[best].final.val.accuracy);
    assert.equal(t.val[best].values[f], cands[best].final.val.accuracy);
  }
  // Speed metrics per split, from the chosen fit's curve.
  assert.equal(c.metrics.reached_target.n, 3);
  assert.ok(c.metrics.train_loss_auc.n === 3);
});

test('speed metrics: first epoch at the target, steps from the batch count, not reached reported as such', () => {
  const job = {
    train: new Uint32Array(100),
    fitConfig: { model: { kind: 'mlp' }, training: { epochs: 4, batchSize: 32 } },
  } as unknown as Parameters<typeof speedMetrics>[2];
  const h = [
    { epoch: 1, lr: 0.1, penalty: 0, val_loss: 0.9, train_loss: 1 },
    { epoch: 2, lr: 0.1, penalty: 0, val_loss: 0.5, train_loss: 0.6 },
    { epoch: 3, lr: 0.1, penalty: 0, val_loss: 0.3, train_loss: 0.3 },
    { epoch: 4, lr: 0.1, penalty: 0, val_loss: 0.2, train_loss: 0.1 },
  ];
  assert.deepEqual(speedMetrics(h, { monitor: 'val_loss', value: 0.35 }, job), {
    reached_target: 1,
    epochs_to_target: 3,
    steps_to_target: 12,
    train_loss_auc: 0.5,
  });
  assert.deepEqual(speedMetrics(h, { monitor: 'val_loss', value: 0.1 }, job), {
    reached_target: 0,
    train_loss_auc: 0.5,
  });
});

test('chooseCandidate: lowest inner loss, diverged or missing never, ties to the first', () => {
  const r = (loss: number, diverged = false) => ({ final: { inner: { loss } }, diverged }) as unknown as JobResult;
  assert.equal(chooseCandidate([r(0.5), r(0.3), r(0.3)]), 1);
  assert.equal(chooseCandidate([r(0.5), r(0.1, true), undefined, r(Number.NaN)]), 0);
  assert.equal(chooseCandidate([undefined]), -1);
});

test('tuning and speed are validated with paths; a swept configuration without the tuned value is named', () => {
  const p = validateExperimentSpec({
    ...spec(),
    tuning: { path: 'optimizer.momentum', factors: [0, 2] },
    speed: { monitor: 'val_recall', value: 1 },
  });
  assert.ok(
    p.some((x) => x.startsWith('tuning.path: "optimizer.momentum" must name a number')),
    p.join('\n'),
  );
  assert.ok(p.includes('tuning.factors[0]: must be > 0, got 0'), p.join('\n'));
  assert.ok(p.some((x) => x.startsWith('speed.monitor')));
  const swept = validateExperimentSpec({
    ...spec(),
    tuning: { path: 'optimizer.lr', factors: [1, 2] },
    sweep: [{ optimizer: { name: 'adadelta' } }],
  });
  assert.deepEqual(swept, [
    'sweep (config=0: optimizer=adadelta): tuning.path: "optimizer.lr" is not a number in this configuration (give it a value to tune around)',
  ]);
});

test('fresh training sets: each replicate trains on new rows from the same generator; scored on the development rows', async () => {
  const s = spec({
    dataset: { name: 'polynomial', samples: 60, noise: 0.2, testFraction: 0.5, degree: 3 },
    loss: { kind: 'mse' },
    model: { kind: 'mlp', hidden: [4], activation: 'tanh' },
    optimizer: { name: 'adam', lr: 0.05 },
    training: { epochs: 20, batchSize: 'full' },
    evaluation: { kind: 'bootstrap', replicates: 3, trainingSets: 'fresh' },
  });
  const p = plan(s, load);
  const dp = p.data[0];
  assert.equal(dp.data.n, 60 + 3 * 30);
  const dev = new Set(dp.dev);
  const seen = new Set<number>();
  for (const j of p.jobs) {
    assert.equal(j.train.length, 30);
    for (const r of j.train) {
      assert.ok(r >= 60 && !seen.has(r), 'fresh rows, never shared between replicates');
      seen.add(r);
    }
    assert.deepEqual([...j.evals.val], [...dp.dev]);
  }
  assert.equal(dev.size, 30);
  const { report } = await runPlan(p, new InProcessExecutor());
  const bv = report.configurations[0].biasVariance!;
  assert.equal(bv.protocol, 'fresh');
  assert.ok(Math.abs(bv.bias2 + bv.variance + bv.realizedNoise + bv.crossTerm - bv.measuredError) < 1e-12);
  assert.equal(report.configurations[0].metrics.estimate632_mse, undefined, 'no .632 without out-of-bag rows');
  assert.ok(
    validateExperimentSpec({ ...spec(), evaluation: { kind: 'bootstrap', replicates: 3, trainingSets: 'fresh' } }).some(
      (x) => x.startsWith('evaluation.trainingSets'),
    ),
  );
});

test('a class with fewer members than folds is a warning in the report, and the run goes on (as scikit-learn)', async () => {
  const s = spec({
    dataset: { name: 'blobs', samples: 60, classes: 3, noise: 1, testFraction: 0 },
    evaluation: { kind: 'kfold', k: 3, stratified: true },
    training: { epochs: 2, batchSize: 16 },
  });
  const p = plan(s, (d, rng) => {
    const ds = makeDataset(d, rng);
    // Leave class 2 with two rows: fewer than k = 3.
    let kept = 0;
    for (let i = 0; i < ds.n; i++) if (ds.y[i] === 2 && kept++ >= 2) ds.y[i] = 1;
    return ds;
  });
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0], /evaluation\.k = 3, but class .* \(2\) has fewer members than folds/);
  const { report } = await runPlan(p, new InProcessExecutor());
  assert.deepEqual(report.warnings, p.warnings);
  assert.equal(plan(spec(), load).warnings.length, 0);
});
