import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan, uniqueRows, type LoadData } from './plan.ts';
import { runPlan } from './run.ts';
import { InProcessExecutor, runJob, type Executor, type ExecutorHooks } from './executor.ts';
import { validateExperimentSpec } from './validate.ts';
import { aggregate } from './aggregate.ts';
import type { ExperimentSpec, Job, JobResult } from './types.ts';
import type { Dataset } from '../data/dataset.ts';
import { makeDataset } from '../data/make.ts';
import { Rng } from '../rng.ts';

const load: LoadData = (spec, rng) => makeDataset(spec, rng);

function spec(over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    seed: 11,
    dataset: { name: 'moons', samples: 120, noise: 0.3, testFraction: 0.25 },
    model: { kind: 'mlp', hidden: [6], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs: 4, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 3, stratified: true },
    ...over,
  };
}

/** Runs jobs in-process but hands results back in a scrambled order, as a pool of workers would. */
class ScrambledExecutor implements Executor {
  async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    const order = new Rng(99).permutation(jobs.length);
    const out: JobResult[] = [];
    for (const i of order) {
      const r = runJob(jobs[i], data.get(jobs[i].dataHash)!);
      hooks.onResult?.(r);
      out.push(r);
    }
    return out;
  }
  cancel(): void {}
}

test('plan: stable keys, test rows in no training, inner or validation set, folds cover the development rows', () => {
  const p = plan(
    spec({
      sweep: { 'optimizer.lr': [0.01, 0.1] },
      training: { epochs: 2, batchSize: 8, earlyStopping: { patience: 1 } },
    }),
    load,
  );
  assert.deepEqual(
    p.jobs.map((j) => j.key),
    [
      'config=0/repeat=0/fold=0',
      'config=0/repeat=0/fold=1',
      'config=0/repeat=0/fold=2',
      'config=1/repeat=0/fold=0',
      'config=1/repeat=0/fold=1',
      'config=1/repeat=0/fold=2',
    ],
  );
  const test = new Set(p.data[0].test);
  assert.equal(test.size, 30);
  for (const j of p.jobs) {
    for (const set of [j.train, j.evals.val, j.evals.inner])
      for (const r of set) assert.ok(!test.has(r), `${j.key} touches test row ${r}`);
    const inner = new Set(j.evals.inner);
    for (const r of j.train) assert.ok(!inner.has(r), 'early stopping rows are not trained on');
    for (const r of j.evals.val)
      assert.ok(
        !inner.has(r) && !j.train.includes(r),
        'scored rows are neither trained on nor used for early stopping',
      );
    assert.equal(j.monitor, 'inner');
  }
  const vals = p.jobs
    .slice(0, 3)
    .flatMap((j) => [...j.evals.val])
    .sort((a, b) => a - b);
  assert.deepEqual(vals, [...p.data[0].dev]);
  // Paired configurations: same rows and same initial-weight seed on the same fold.
  assert.deepEqual(p.jobs[0].evals.val, p.jobs[3].evals.val);
  assert.equal(p.jobs[0].initSeed, p.jobs[3].initSeed);
  assert.equal(p.jobs[0].seed, p.jobs[3].seed);
});

test('the test part never reaches training: poisoning its rows changes only the test scores', async () => {
  const s = spec({ training: { epochs: 3, batchSize: 16, earlyStopping: { patience: 2 } } });
  const clean = plan(s, load);
  const poisoned = plan(s, (d, rng) => {
    const ds = load(d, rng);
    return ds;
  });
  // Poison after planning (the hash then differs, so re-key the data map through the plan object).
  const data = poisoned.data[0].data;
  for (const r of poisoned.data[0].test) for (let j = 0; j < data.d; j++) data.x[r * data.d + j] = Number.NaN;
  const a = await runPlan(clean, new InProcessExecutor());
  const b = await runPlan(poisoned, new InProcessExecutor());
  const strip = (rep: typeof a.report) =>
    JSON.stringify(
      rep.configurations.map((c) =>
        Object.fromEntries(Object.entries(c.metrics).filter(([k]) => !k.startsWith('test_'))),
      ),
    );
  assert.equal(strip(a.report), strip(b.report));
  assert.ok(
    Number.isNaN(b.results.get('config=0/repeat=0/fold=0')!.final.test.loss),
    'the poison does reach the test scoring, so the check is live',
  );
});

test('identical bytes whatever order the executor hands results back in', async () => {
  const s = spec({
    sweep: {
      optimizer: [
        { name: 'sgd', lr: 0.1, momentum: 0.9 },
        { name: 'adam', lr: 0.01 },
      ],
    },
  });
  const a = await runPlan(plan(s, load), new InProcessExecutor());
  const b = await runPlan(plan(s, load), new ScrambledExecutor());
  assert.equal(JSON.stringify(a.report), JSON.stringify(b.report));
  assert.equal(a.report.comparisons.length, 1);
  assert.equal(a.report.configurations[0].metrics.val_accuracy.n, 3);
});

test('bagging: out-of-bag rows are exactly the training rows a member was not fitted on; ensemble curve has one point per member', async () => {
  const s = spec({ ensemble: { kind: 'bagging', members: 4, vote: 'soft' }, evaluation: { kind: 'holdout' } });
  const p = plan(s, load);
  assert.equal(p.jobs.length, 4);
  for (const j of p.jobs) {
    const fit = uniqueRows(j.evals.fit);
    const inBag = new Set(j.train);
    const oob = [...fit].filter((r) => !inBag.has(r));
    // A bootstrap sample of n rows leaves about n/e rows out.
    assert.ok(oob.length > 0.2 * fit.length && oob.length < 0.5 * fit.length, `oob ${oob.length} of ${fit.length}`);
    for (const r of j.train) assert.ok(fit.includes(r));
  }
  const { report, results } = await runPlan(p, new InProcessExecutor());
  const e = report.configurations[0].ensemble!;
  assert.equal(e.curveSummary.length, 4);
  assert.equal(e.memberSummary.length, 4);
  assert.ok(e.oobSummary && e.oobSummary.mean! > 0.5);
  // The members' variance, by hand: the share of (member, row) pairs of the scored rows whose
  // class (argmax of the logits) is not the soft vote's (argmax of the mean softmax).
  const outs = p.jobs.map((j) => results.get(j.key)!.outputs.val);
  const rows = p.data[0].splits[0].scored.length;
  const argmax = (v: ArrayLike<number>) => (v[1] > v[0] ? 1 : 0);
  const softmax = (a: number, b: number) => [1 / (1 + Math.exp(b - a)), 1 / (1 + Math.exp(a - b))];
  let differ = 0;
  for (let i = 0; i < rows; i++) {
    const mean = [0, 0];
    for (const o of outs) softmax(o[2 * i], o[2 * i + 1]).forEach((q, c) => (mean[c] += q / outs.length));
    for (const o of outs) if (argmax([o[2 * i], o[2 * i + 1]]) !== argmax(mean)) differ++;
  }
  assert.ok(differ > 0, 'the members do disagree somewhere, so the check is live');
  assert.ok(Math.abs(e.varianceSummary!.mean! - differ / (outs.length * rows)) < 1e-12);
});

test('boosting: rounds run as a chain, and a resumed run (half the rounds done) gives identical bytes', async () => {
  const s = spec({
    ensemble: { kind: 'boosting', rounds: 4, learning_rate: 0.5 },
    model: { kind: 'logistic' },
    evaluation: { kind: 'kfold', k: 2 },
  });
  const p = plan(s, load);
  assert.equal(p.jobs.length, 0);
  assert.equal(p.chains.length, 2);
  const full = await runPlan(p, new InProcessExecutor());
  const e = full.report.configurations[0].ensemble!;
  assert.equal(e.kind, 'boosting');
  assert.match(e.method, /sample weights/);
  assert.ok(e.curveSummary.length >= 1);
  const partial = new Map([...full.results].filter(([k]) => /round=[01]$/.test(k)));
  let ran = 0;
  const resumed = await runPlan(plan(s, load), new InProcessExecutor(), { done: partial, onResult: () => ran++ });
  assert.equal(JSON.stringify(resumed.report), JSON.stringify(full.report));
  assert.equal(ran, full.results.size - partial.size, 'finished rounds are not run again');
});

test('bias–variance on a noisy sine: bias² + variance + noise matches the measured test error', async () => {
  const s = spec({
    dataset: { name: 'sine', samples: 200, noise: 0.3, testFraction: 0.5 },
    loss: { kind: 'mse' },
    model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs: 150, batchSize: 'full' },
    evaluation: { kind: 'bootstrap', replicates: 8 },
  });
  const { report } = await runPlan(plan(s, load), new InProcessExecutor());
  const bv = report.configurations[0].biasVariance!;
  assert.equal(bv.noise, 0.09);
  assert.equal(bv.replicates, 8);
  assert.ok(
    Math.abs(bv.expectedError - bv.measuredError) / bv.measuredError < 0.2,
    `expected ${bv.expectedError} measured ${bv.measuredError}`,
  );
  assert.ok(bv.variance > 0 && bv.bias2 >= 0);
});

test('validation lists every problem with its path, including those of one swept configuration', () => {
  const problems = validateExperimentSpec({
    ...spec(),
    evaluation: { kind: 'kfold', k: 1 },
    ensemble: { kind: 'bagging' },
    sweep: { 'optimizer.lr': [0.1, -2], evaluation: [1] },
  });
  assert.ok(
    problems.some((p) => p.startsWith('evaluation.k: must be >= 2')),
    problems.join('\n'),
  );
  assert.ok(problems.some((p) => p.startsWith('ensemble.members: required')));
  assert.ok(problems.some((p) => p.includes('"evaluation" cannot be swept')));
  const swept = validateExperimentSpec({ ...spec(), sweep: { 'optimizer.lr': [0.1, -2] } });
  assert.deepEqual(swept, ['sweep (config=1: lr=-2): optimizer.lr: must be > 0, got -2']);
});

test('aggregate refuses to summarize a plan whose results are missing', () => {
  const p = plan(spec(), load);
  assert.throws(() => aggregate(p, new Map()), /no result for config=0\/repeat=0\/fold=0/);
});

test('bootstrap evaluation reports the out-of-bag score and the .632 estimate per replicate', async () => {
  const s = spec({ evaluation: { kind: 'bootstrap', replicates: 4 } });
  const p = plan(s, load);
  for (const j of p.jobs) {
    const inBag = new Set(j.train);
    for (const r of j.evals.val) assert.ok(!inBag.has(r), 'scored rows are out of bag');
  }
  const { report } = await runPlan(p, new InProcessExecutor());
  const m = report.configurations[0].metrics;
  for (let i = 0; i < 4; i++) {
    const want = 1 - (0.368 * (1 - m.train_accuracy.values[i]) + 0.632 * (1 - m.val_accuracy.values[i]));
    assert.ok(Math.abs(m.estimate632_accuracy.values[i] - want) < 1e-12);
  }
  assert.equal(report.evaluation, 'bootstrap × 4');
});
