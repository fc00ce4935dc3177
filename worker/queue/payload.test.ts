import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plan } from '../../shared/experiment/plan.ts';
import { makeDataset } from '../../shared/data/make.ts';
import { datasetHash } from '../../shared/data/dataset.ts';
import { Rng } from '../../shared/rng.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import {
  dataBytes,
  jobData,
  jobReturn,
  PayloadError,
  queueJobId,
  readDataBytes,
  readJobData,
  readJobReturn,
} from './payload.ts';

const spec: ExperimentSpec = {
  seed: 3,
  dataset: { name: 'moons', samples: 40, noise: 0.2, testFraction: 0.25 },
  model: { kind: 'mlp', hidden: [3] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 1, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 2 },
};
const lab = '0123456789abcdef';

test('a job crosses the queue exactly (typed arrays and all), and a malformed one is refused saying why', () => {
  const p = plan(spec, (d, rng) => makeDataset(d, rng));
  const job = p.jobs[1];
  const data = jobData(lab, 7, job);
  const id = queueJobId(lab, 7, job.key);
  const back = JSON.parse(JSON.stringify(data)) as unknown;
  const read = readJobData(back, id);
  assert.deepEqual([read.lab, read.experiment, read.job.key], [lab, 7, job.key]);
  assert.equal(jobData(lab, 7, read.job).frame, data.frame, 'the same job, byte for byte');
  assert.equal(read.job.train.constructor, job.train.constructor);
  assert.deepEqual([...read.job.train], [...job.train]);
  const bad = (over: object, why: RegExp) =>
    assert.throws(
      () => readJobData({ ...data, ...over }, id),
      (e: unknown) => e instanceof PayloadError && why.test(e.message),
    );
  bad({ v: 2 }, /payload version 2/);
  bad({ lab: 'zz' }, /^lab: must be the library id/);
  bad({ experiment: 0 }, /experiment: must be a positive integer/);
  bad({ frame: 'AAAA' }, /^frame: /);
  bad({ key: 'config=9/fold=9' }, /^key: /);
  assert.throws(() => readJobData(data, queueJobId(lab, 8, job.key)), /is for job id .*run7.*not .*run8/);
  assert.throws(() => readJobData('text', id), /not an object/);
});

test('a result and a data set cross exactly; the wrong job id or a damaged frame is refused', () => {
  const result: JobResult = {
    key: 'config=0/repeat=0/fold=1',
    history: [{ epoch: 1, lr: 0.1, penalty: 0, train_loss: 0.5, val_loss: Number.NaN }],
    final: { val: { loss: -0, accuracy: 0.5 } },
    bestEpoch: 1,
    stoppedEarly: false,
    diverged: false,
    paramCount: 17,
    outDim: 2,
    outputs: { val: Float32Array.from([0.25, Number.POSITIVE_INFINITY]) },
  };
  const id = queueJobId(lab, 1, result.key);
  const r = readJobReturn(JSON.parse(JSON.stringify(jobReturn(id, result, 12.5, 'w1'))), id);
  assert.deepEqual(r, { result, ms: 12.5, worker: 'w1' });
  assert.ok(Object.is(r.result.final.val.loss, -0) && Number.isNaN(r.result.history[0].val_loss));
  assert.throws(() => readJobReturn(jobReturn(id, result, 1, 'w1'), `${id}.x`), /is for job id/);
  const v = jobReturn(id, result, 1, 'w1');
  const broken = Buffer.from(v.frame, 'base64');
  broken[broken.length - 9] ^= 1;
  assert.throws(() => readJobReturn({ ...v, frame: broken.toString('base64') }, id), PayloadError);
  const ds = makeDataset({ name: 'moons', samples: 30, noise: 0.1 }, new Rng(1));
  const hash = datasetHash(ds);
  const back = readDataBytes(new Uint8Array(dataBytes(hash, ds)), hash);
  assert.equal(datasetHash(back), hash);
  assert.throws(() => readDataBytes(new Uint8Array(dataBytes(hash, ds)), 'ffff'), /not that data set/);
});
