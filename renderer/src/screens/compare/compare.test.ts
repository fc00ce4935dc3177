import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExperimentRecord } from '../../../../shared/lab-api.ts';
import { configSpec, flatten, pairedTest, pickLabels, specDifferences, type Picked } from './compare.ts';
import { smallReport } from '../report/fixture.ts';

const spec = {
  name: 'x',
  seed: 1,
  dataset: { name: 'iris' },
  model: { kind: 'mlp', hidden: [8] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 5 },
  evaluation: { kind: 'kfold', k: 4 },
  sweep: { 'optimizer.lr': [0.01, 0.001] },
};

function picked(s: object, index: number, values: number[][], hash = 'h'): Picked {
  const report = structuredClone(smallReport());
  (report.dataset as { hash: string }).hash = hash;
  report.configurations.forEach((c, i) => {
    c.metrics.val_accuracy.values = values[i];
    c.splits = values[i].map((_, f) => `config=${i}/fold=${f}`);
  });
  return { experiment: { id: 1, name: 'x', spec: s } as unknown as ExperimentRecord, report, index };
}

test("a configuration's own spec is its experiment's with its overrides, without sweep and library fields", () => {
  const c = configSpec(picked(spec, 1, [[1], [1]]));
  assert.deepEqual(c.optimizer, { name: 'adam', lr: 0.001 });
  assert.equal('sweep' in c || 'name' in c, false);
  assert.deepEqual(flatten({ a: { b: 1, c: [1, 2] }, d: null }), { 'a.b': '1', 'a.c': '[1,2]', d: 'null' });
  assert.deepEqual(
    specDifferences([
      { a: 1, b: { c: 2 } },
      { a: 1, b: { c: 3, d: true } },
    ]),
    [
      { path: 'b.c', values: ['2', '3'] },
      { path: 'b.d', values: ['—', 'true'] },
    ],
  );
});

test('the paired test runs on shared splits and weights: d = [0.1, 0.2, 0.3], 4-fold, t = 0.2 / √(0.01 · (1/3 + 1/3)) = 2.4495', () => {
  const values = [
    [0.9, 0.9, 0.9],
    [0.8, 0.7, 0.6],
  ];
  const r = pairedTest(picked(spec, 0, values), picked(spec, 1, values));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.ok(Math.abs(r.meanDifference - 0.2) < 1e-12);
  assert.ok(Math.abs(r.t - 0.2 / Math.sqrt(0.01 * (1 / 3 + 1 / 3))) < 1e-9);
  assert.equal(r.df, 2);
});

test('no paired test across seeds, data sets or models, and the reason says which', () => {
  const v = [
    [1, 1],
    [1, 1],
  ];
  const a = picked(spec, 0, v);
  const other = pairedTest(a, picked({ ...spec, seed: 2, model: { kind: 'mlp', hidden: [4] } }, 0, v, 'g'));
  assert.equal(other.ok, false);
  if (other.ok) return;
  assert.match(other.why, /different data sets/);
  assert.match(other.why, /different seeds \(1, 2\)/);
  assert.match(other.why, /different models/);
  const holdout = { ...spec, evaluation: { kind: 'holdout' } };
  const h = pairedTest(picked(holdout, 0, [[1], [1]]), picked(holdout, 1, [[1], [1]]));
  assert.equal(h.ok, false);
});

test('pick labels: the configuration alone when every pick is from one experiment, else prefixed with its experiment id', () => {
  const a = picked(spec, 0, [[1], [1]]);
  const b = picked(spec, 1, [[1], [1]]);
  const labels = [a, b].map((p) => p.report.configurations[p.index].label);
  assert.notEqual(labels[0], labels[1]);
  assert.deepEqual(pickLabels([a, b]), labels);
  const other = { ...b, experiment: { ...b.experiment, id: 2 } };
  assert.deepEqual(pickLabels([a, other]), [`#1 ${labels[0]}`, `#2 ${labels[1]}`]);
  assert.deepEqual(pickLabels([]), []);
});
