import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExport, ProblemsError, EXPORT_FORMAT, type ExperimentExport } from './exchange.ts';
import { encodeDataset, encodeJobResult } from '../../shared/codec.ts';
import { datasetHash } from '../../shared/data/dataset.ts';
import { makeDataset } from '../../shared/data/make.ts';
import { Rng } from '../../shared/rng.ts';
import type { JobResult } from '../../shared/experiment/types.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function result(key: string): JobResult {
  return {
    key,
    history: [],
    final: { val: { loss: 0.5 } },
    bestEpoch: 0,
    stoppedEarly: false,
    diverged: false,
    paramCount: 3,
    outDim: 1,
    outputs: {},
  };
}

function valid(): ExperimentExport {
  const ds = makeDataset({ name: 'moons', samples: 20, noise: 0.1 }, new Rng(1));
  return {
    format: EXPORT_FORMAT,
    version: 1,
    experiment: {
      name: 'x',
      status: 'done',
      tags: ['t'],
      notes: '',
      error: null,
      createdAt: 1,
      updatedAt: 2,
      startedAt: 1,
      finishedAt: 2,
      spec: {
        seed: 1,
        dataset: { name: 'moons' },
        model: { kind: 'logistic' },
        loss: { kind: 'cross_entropy' },
        optimizer: { name: 'sgd', lr: 0.1 },
        training: { epochs: 1, batchSize: 8 },
      },
    },
    datasets: [{ hash: datasetHash(ds), data: b64(encodeDataset(ds)) }],
    jobs: [
      {
        key: 'a',
        state: 'done',
        attempts: 1,
        worker: 'w',
        startedAt: 1,
        finishedAt: 2,
        ms: 3.5,
        error: null,
        result: b64(encodeJobResult(result('a'))),
      },
      {
        key: 'b',
        state: 'pending',
        attempts: 0,
        worker: null,
        startedAt: null,
        finishedAt: null,
        ms: null,
        error: null,
        result: null,
      },
    ],
    report: null,
  };
}

function problems(v: unknown): string[] {
  try {
    parseExport(v);
  } catch (e) {
    if (e instanceof ProblemsError) return e.problems;
    throw e;
  }
  return [];
}

test('parseExport: a valid export decodes its data sets and results', () => {
  const p = parseExport(JSON.parse(JSON.stringify(valid())));
  assert.equal(p.datasets.length, 1);
  assert.equal(p.datasets[0].data.n, 20);
  assert.deepEqual(
    p.jobs.map((j) => [j.key, j.result?.key ?? null]),
    [
      ['a', 'a'],
      ['b', null],
    ],
  );
});

test('parseExport: not an export at all, or from a newer OptLab, is said in one line', () => {
  assert.deepEqual(problems([1]), ['must be a JSON object, got [1]']);
  assert.deepEqual(problems({ format: 'something' }), [
    'format: must be "optlab-experiment", got "something"; this is not an OptLab experiment export',
  ]);
  assert.deepEqual(problems({ ...valid(), version: 7 }), [
    'version: the file is export version 7, this OptLab reads up to 1; upgrade OptLab',
  ]);
});

test('parseExport: every problem at once, each with its field path', () => {
  const x = valid() as unknown as Record<string, any>;
  x.experiment.name = 5;
  x.experiment.status = 'paused';
  x.experiment.spec.optimizer.lr = -1;
  x.experiment.createdAt = 'yesterday';
  x.datasets.push(
    { hash: 'nothex', data: '' },
    { hash: '0123456789abcdef', data: x.datasets[0].data },
    { hash: '0123456789abcdef', data: '!!!' },
  );
  x.jobs.push(
    { ...x.jobs[1] },
    { ...x.jobs[1], key: 'c', state: 'running' },
    { ...x.jobs[1], key: 'd', result: x.jobs[0].result },
    { ...x.jobs[0], key: 'e' },
    { ...x.jobs[0], key: 'f', result: x.jobs[0].result.slice(0, 30) },
    { ...x.jobs[0], key: 'g', attempts: -1, ms: 'fast' },
  );
  x.report = { configurations: 3 };
  assert.deepEqual(problems(x), [
    'experiment.name: must be a string, got 5',
    'experiment.status: must be one of created, running, interrupted, done, failed, cancelled, got "paused"',
    'experiment.createdAt: must be a time in milliseconds, got "yesterday"',
    'experiment.spec.optimizer.lr: must be > 0, got -1',
    'datasets[1].hash: must be 16 hex digits, got "nothex"',
    `datasets[2].data: content hashes to ${x.datasets[0].hash}, not 0123456789abcdef; the file was altered`,
    'datasets[3].data: is not valid base64',
    'jobs[2].key: "b" appears twice',
    'jobs[3].state: must be one of pending, leased, done, failed, got "running"',
    'jobs[4].result: only a done job has a result (state is "pending")',
    'jobs[5].result: holds the result of "a", not of "e"',
    'jobs[6].result: is not valid base64',
    'jobs[7].attempts: must be a non-negative integer, got -1',
    'jobs[7].ms: must be a non-negative number or null, got "fast"',
    'jobs[7].result: holds the result of "a", not of "g"',
    'report.configurations: must be a list, got 3',
    'report.primaryMetric: must be a string, got nothing',
  ]);
});

test("parseExport: a damaged blob is named with its field and the codec's reason", () => {
  const x = valid();
  const bytes = Buffer.from(x.jobs[0].result!, 'base64');
  bytes[bytes.length - 9] ^= 1;
  x.jobs[0].result = bytes.toString('base64');
  assert.deepEqual(problems(x), ['jobs[0].result: corrupt: checksum mismatch']);
  const y = valid();
  y.jobs[0].result = null;
  assert.deepEqual(problems(y), ['jobs[0].result: must be a base64 string, got null']);
});

test('ProblemsError: the message lists the problems like the CLI does', () => {
  const e = new ProblemsError('cannot import experiment', ['a: bad', 'b: worse']);
  assert.equal(e.message, 'cannot import experiment: 2 problems:\n  - a: bad\n  - b: worse');
  assert.equal(new ProblemsError('x', ['y']).message, 'x: 1 problem:\n  - y');
});
