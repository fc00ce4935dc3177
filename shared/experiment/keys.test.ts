import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareKeys,
  configKey,
  jobKey,
  keyOfQueueJobId,
  memberKey,
  parseKey,
  queueJobId,
  queueRunId,
  roundKey,
  splitKey,
  withoutConfig,
  withoutModel,
} from './keys.ts';
import { plan } from './plan.ts';
import { plannedJobs, runPlan } from './run.ts';
import { InProcessExecutor } from './executor.ts';
import { makeDataset } from '../data/make.ts';
import type { ExperimentSpec } from './types.ts';

test('keys are spelled as the library has always stored them', () => {
  assert.equal(jobKey(configKey(2), splitKey.kfold(0, 7)), 'config=2/repeat=0/fold=7');
  assert.equal(memberKey(jobKey(configKey(0), splitKey.loo(3)), 4), 'config=0/fold=3/member=4');
  assert.equal(roundKey(jobKey(configKey(1), splitKey.bootstrap(9)), 2), 'config=1/replicate=9/round=2');
  assert.equal(splitKey.holdout(), 'fold=0');
  assert.equal(withoutConfig('config=12/repeat=1/fold=3/member=2'), 'repeat=1/fold=3/member=2');
  assert.equal(withoutModel('config=12/repeat=1/fold=3/member=2'), 'config=12/repeat=1/fold=3');
  assert.equal(withoutModel('config=0/fold=3/round=10'), 'config=0/fold=3');
  assert.equal(withoutModel('config=0/fold=3'), 'config=0/fold=3');
});

test('parseKey reads every part and refuses what is not a key', () => {
  assert.deepEqual(parseKey('config=2/repeat=1/fold=10/member=3'), { config: 2, repeat: 1, fold: 10, member: 3 });
  assert.deepEqual(parseKey('config=0/replicate=4/round=1'), { config: 0, replicate: 4, round: 1 });
  for (const bad of [
    '',
    'fold=1',
    'config=1/fold=1/repeat=0',
    'config=1/fold=01',
    'config=1/fold=-1',
    'config=1//fold=2',
    'config=1/colour=2',
    'config=1/fold=1/fold=2',
  ])
    assert.equal(parseKey(bad), undefined, bad);
});

test('natural order: fold=2 before fold=10, configurations by number, members after their split', () => {
  const keys = [
    'config=10/fold=0',
    'config=2/repeat=0/fold=10',
    'config=2/repeat=0/fold=2',
    'config=2/repeat=1/fold=0',
    'config=2/repeat=0/fold=2/member=1',
    'junk',
  ];
  assert.deepEqual(keys.slice().sort(compareKeys), [
    'config=2/repeat=0/fold=2',
    'config=2/repeat=0/fold=2/member=1',
    'config=2/repeat=0/fold=10',
    'config=2/repeat=1/fold=0',
    'config=10/fold=0',
    'junk',
  ]);
});

test('every key the planner and the boosting rounds make parses, and is unique', async () => {
  const spec: ExperimentSpec = {
    seed: 1,
    dataset: { name: 'moons', samples: 60, noise: 0.2 },
    model: { kind: 'logistic' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'sgd', lr: 0.5 },
    training: { epochs: 10, batchSize: 8 },
    evaluation: { kind: 'kfold', k: 2, repeats: 2 },
    sweep: [
      { ensemble: null },
      { ensemble: { kind: 'bagging', members: 2 } },
      { ensemble: { kind: 'boosting', rounds: 2 } },
    ],
  };
  const p = plan(spec, (d, r) => makeDataset(d, r));
  const keys: string[] = [];
  await runPlan(p, new InProcessExecutor(), { onResult: (r) => keys.push(r.key) });
  assert.ok(keys.length <= plannedJobs(p) && keys.length > p.jobs.length, 'boosting rounds ran');
  assert.equal(new Set(keys).size, keys.length);
  for (const k of keys) assert.ok(parseKey(k), k);
  assert.ok(keys.some((k) => parseKey(k)?.round === 1));
  assert.ok(keys.some((k) => parseKey(k)?.member === 1));
});

test('queue ids: one per library, experiment and key, BullMQ-safe, and read back to the key', () => {
  const lib = '3f9a2c1d5e7b0a44';
  assert.equal(queueJobId(lib, 42, 'config=0/repeat=0/fold=7'), '3f9a2c1d5e7b0a44.run42.config.0.repeat.0.fold.7');
  assert.equal(queueRunId(lib, 42), '3f9a2c1d5e7b0a44.run42');
  const keys = [
    'config=0/repeat=0/fold=7',
    'config=0/repeat=0/fold=17',
    'config=10/repeat=0/fold=7',
    'config=1/fold=3/member=4',
    'config=1/replicate=9/round=2',
    'config=1/replicate=9',
  ];
  const ids = keys.map((k) => queueJobId(lib, 42, k));
  assert.equal(new Set(ids).size, keys.length, 'distinct keys, distinct ids');
  for (const id of ids) {
    assert.ok(!id.includes(':'), 'BullMQ refuses ids with ":"');
    assert.ok(!/^\d+$/.test(id), 'nor integers');
  }
  assert.deepEqual(
    ids.map((id) => keyOfQueueJobId(lib, 42, id)),
    keys,
  );
  assert.equal(keyOfQueueJobId(lib, 4, ids[0]), undefined, 'experiment 4 is not experiment 42');
  assert.equal(keyOfQueueJobId('0000000000000000', 42, ids[0]), undefined, 'another library');
  assert.equal(keyOfQueueJobId(lib, 42, `${queueRunId(lib, 42)}.config.x`), undefined);
  assert.equal(keyOfQueueJobId(lib, 1, queueJobId(lib, 11, keys[0])), undefined, 'run11 is not run1');
});
