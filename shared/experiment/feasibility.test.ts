import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimatePlan,
  feasibilityProblems,
  fitMemory,
  foldProblems,
  formatBytes,
  optimizerSlots,
  paramCount,
  type DataShape,
} from './feasibility.ts';
import { buildModel } from '../nn/model.ts';
import { createOptimizer } from '../optim/index.ts';
import { Rng } from '../rng.ts';
import { expandSweep } from './sweep.ts';
import type { ExperimentSpec } from './types.ts';
import type { ModelSpec, OptimizerSpec } from '../schema/types.ts';

const GB = 1e9;
const limits = (bytes: number) => ({ memoryBytes: bytes, raiseWith: '--memory-limit SIZE' });

function spec(over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    seed: 1,
    dataset: { name: 'iris' },
    model: { kind: 'mlp', hidden: [8] },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 10, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 5 },
    ...over,
  };
}

/** iris: 150 rows, 4 features, 3 classes of 50, no test part. */
const iris: DataShape = { rows: 150, features: 4, outDim: 3, devRows: 150, testRows: 0, devClassCounts: [50, 50, 50] };

test('paramCount is what the built network counts: (in+1)·out per dense layer, 2 per batch-norm unit', () => {
  const cases: Array<[ModelSpec, number, number, number]> = [
    [{ kind: 'mlp', hidden: [8] }, 4, 3, 5 * 8 + 9 * 3],
    [{ kind: 'logistic' }, 64, 10, 65 * 10],
    [{ kind: 'mlp', hidden: [16, 4], batchNorm: true }, 2, 1, 3 * 16 + 17 * 4 + 5 * 1 + 2 * (16 + 4)],
  ];
  for (const [m, d, out, want] of cases) {
    assert.equal(paramCount(m, d, out), want);
    assert.equal(buildModel(m, d, out, new Rng(1)).paramCount(), want);
  }
  // The hostile tour's model: two hidden layers of 65536 on iris.
  assert.equal(paramCount({ kind: 'mlp', hidden: [65536, 65536] }, 4, 3), 5 * 65536 + 65537 * 65536 + 65537 * 3);
});

test('optimizerSlots matches the state arrays shared/optim allocates', () => {
  const cases: Array<[OptimizerSpec, number]> = [
    [{ name: 'sgd', lr: 0.1 }, 0],
    [{ name: 'sgd', lr: 0.1, momentum: 0.9 }, 1],
    [{ name: 'adagrad', lr: 0.1 }, 1],
    [{ name: 'adadelta', lr: 1 }, 2],
    [{ name: 'rmsprop', lr: 0.01, momentum: 0.9, centered: true }, 3],
    [{ name: 'adam', lr: 0.01 }, 2],
    [{ name: 'adam', lr: 0.01, amsgrad: true }, 3],
    [{ name: 'nadam', lr: 0.01 }, 2],
  ];
  // Measured: the optimizer's arrays for one parameter of 1M floats (4 MB each), after a step.
  // Everything stays referenced until the end, so no collection hides an array.
  const n = 1_000_000;
  const keep: unknown[] = [];
  for (const [o, want] of cases) {
    assert.equal(optimizerSlots(o), want, o.name);
    const p = {
      name: 'w',
      shape: [n],
      value: new Float32Array(n),
      grad: new Float32Array(n).fill(1e-3),
      penalize: true,
    };
    const before = process.memoryUsage().arrayBuffers;
    const opt = createOptimizer(o, [p]);
    opt.step();
    keep.push(p, opt);
    const arrays = Math.round((process.memoryUsage().arrayBuffers - before) / (4 * n)) || 0;
    assert.equal(arrays, want, `${o.name}: ${arrays} arrays of the parameter's size`);
  }
  assert.equal(keep.length, 2 * cases.length);
});

test('fitMemory: weights, optimizer state, snapshots, activations and data by hand for a small MLP', () => {
  // iris, mlp [8], adam, batch 16, 120 training rows, 30 scored with outputs.
  const m = fitMemory(spec(), iris, 120, 30);
  const P = 67;
  assert.equal(m.params, P);
  assert.equal(m.weights, 2 * P * 4);
  assert.equal(m.optimizer, 2 * P * 4);
  assert.equal(m.snapshots, P * 4);
  // Rows: max(batch 16, min(512, 120)) = 120. Units: dense 2·8+4 and 2·3+8, relu 2·8, batches 2·4+3·3.
  assert.equal(m.activations, 120 * (20 + 14 + 16 + 17) * 4);
  assert.equal(m.data, 2 * 150 * 5 * 4);
  assert.equal(m.outputs, 30 * 3 * 4);
  assert.equal(m.total, m.weights + m.optimizer + m.snapshots + m.activations + m.data + m.outputs);
});

test('a model of 4.3 billion parameters is refused with the estimate and the limit in the message', () => {
  const s = spec({ model: { kind: 'mlp', hidden: [65536, 65536] } });
  const problems = feasibilityProblems(s, expandSweep(s), [iris], limits(3.1 * GB));
  assert.equal(problems.length, 1);
  // Weights and gradients 34.4 GB, Adam's two moments 34.4 GB, the final state 17.2 GB.
  assert.match(problems[0], /^model: about 86\.2 GB needed, 3\.1 GB allowed \(4,295,557,123 parameters; /);
  assert.match(problems[0], /raise the limit with --memory-limit SIZE$/);
  assert.deepEqual(feasibilityProblems(s, expandSweep(s), [iris], limits(100 * GB)), []);
});

test('a full batch on many rows is refused at training.batchSize: the activations are what does not fit', () => {
  const big: DataShape = { ...iris, rows: 2_000_000, devRows: 2_000_000, devClassCounts: [1e6, 1e6] };
  const s = spec({ model: { kind: 'mlp', hidden: [1024, 1024] }, training: { epochs: 1, batchSize: 'full' } });
  const [p] = feasibilityProblems(s, expandSweep(s), [big], limits(4 * GB));
  assert.match(p, /^training\.batchSize: about [\d.]+ [GT]B needed, 4\.0 GB allowed/);
});

test('evaluation.k: (stratified) more folds than the largest class is an error; than some classes only, not', () => {
  const tiny: DataShape = { ...iris, rows: 8, devRows: 8, devClassCounts: [4, 3, 1] };
  assert.deepEqual(foldProblems(spec({ evaluation: { kind: 'kfold', k: 5 } }), tiny), [
    'evaluation.k: 5 stratified folds need a class with at least 5 members, but the largest has 4 (of 8 rows outside the test part); use k ≤ 4, or "stratified": false',
  ]);
  // scikit-learn only warns when k exceeds some classes' counts (here 3 and 1) but not every class's.
  assert.deepEqual(foldProblems(spec({ evaluation: { kind: 'kfold', k: 4 } }), tiny), []);
  assert.deepEqual(foldProblems(spec({ evaluation: { kind: 'kfold', k: 5, stratified: false } }), tiny), []);
  // Regression has no classes: only the rows count (and that is data-checks.ts's).
  const reg: DataShape = { ...tiny, devClassCounts: [] };
  assert.deepEqual(foldProblems(spec({ evaluation: { kind: 'kfold', k: 8 } }), reg), []);
  const one: DataShape = { ...iris, rows: 5, devRows: 1, testRows: 4, devClassCounts: [1, 0, 0] };
  assert.deepEqual(foldProblems(spec({ evaluation: { kind: 'bootstrap', replicates: 5 } }), one), [
    'dataset: at least 2 rows must be left outside the test part to train and score, got 1',
  ]);
});

test('leave-one-out on 288,000 rows: the plan is refused with its job count and size', () => {
  const rows = 288_000;
  const shape: DataShape = {
    rows,
    features: 8,
    outDim: 2,
    devRows: rows * 0.8,
    testRows: rows * 0.2,
    devClassCounts: [rows * 0.4, rows * 0.4],
  };
  const s = spec({ model: { kind: 'logistic' }, evaluation: { kind: 'loo' } });
  const plan = estimatePlan(s, expandSweep(s), [shape]);
  const n = rows * 0.8;
  assert.equal(plan.jobs, n);
  // Every split holds n−1 training rows and 1 scored row: n² indices, plus the data's own rows;
  // every job keeps its outputs on the 1 row and on the 57,600 test rows, 2 floats each.
  assert.equal(plan.indexBytes, (n * n + rows) * 4);
  assert.ok(plan.resultBytes > n * (1 + rows * 0.2) * 2 * 4);
  const problems = feasibilityProblems(s, expandSweep(s), [shape], limits(12 * GB));
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /^evaluation: the plan needs about 319 GB, 12\.0 GB allowed \(230,400 jobs: row indices 212 GB, results kept 107 GB\)/,
  );
  // The same data with 10 folds is fine.
  const k10 = spec({ model: { kind: 'logistic' }, evaluation: { kind: 'kfold', k: 10 } });
  assert.deepEqual(feasibilityProblems(k10, expandSweep(k10), [shape], limits(12 * GB)), []);
});

test('a sweep reports the configuration a problem belongs to, and a problem shared by all without it', () => {
  const s = spec({ sweep: { 'model.hidden': [[8], [65536, 65536]] } });
  const problems = feasibilityProblems(s, expandSweep(s), [iris, iris], limits(3.1 * GB));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^sweep \(config=1: hidden=\[65536,65536\]\): model: about 86\.2 GB needed/);
  const both = spec({ evaluation: { kind: 'kfold', k: 60 }, sweep: { 'optimizer.lr': [0.1, 0.01] } });
  assert.deepEqual(feasibilityProblems(both, expandSweep(both), [iris, iris], limits(GB)), [
    'evaluation.k: 60 stratified folds need a class with at least 60 members, but the largest has 50 (of 150 rows outside the test part); use k ≤ 50, or "stratified": false',
  ]);
});

test('formatBytes: decimal units, three digits at most', () => {
  assert.equal(formatBytes(17_179_869_184), '17.2 GB');
  assert.equal(formatBytes(3_100_000_000), '3.1 GB');
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(640_000_000), '640 MB');
});
