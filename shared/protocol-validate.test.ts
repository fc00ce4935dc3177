import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  jobDataProblems,
  resultProblems,
  validateLabMessage,
  validateMessage,
  validateWorkerMessage,
} from './protocol-validate.ts';
import { plan } from './experiment/plan.ts';
import { runJob } from './experiment/executor.ts';
import { makeDataset } from './data/make.ts';

function fixture() {
  const p = plan(
    {
      seed: 9,
      dataset: { name: 'moons', samples: 60, noise: 0.3 },
      model: { kind: 'mlp', hidden: [4], activation: 'relu' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
      training: { epochs: 2, batchSize: 8 },
      evaluation: { kind: 'kfold', k: 3 },
      ensemble: { kind: 'bagging', members: 2 },
    },
    (s, r) => makeDataset(s, r),
  );
  const job = p.jobs[0];
  return { job, data: p.data[0].data, hash: p.data[0].hash, result: runJob(job, p.data[0].data) };
}

test('valid messages of both directions pass; each is refused in the wrong direction', () => {
  const { job, data, hash, result } = fixture();
  const lab = [
    { type: 'challenge', version: 1, nonce: 'f'.repeat(64), kernels: { name: 'wasm-simd', build: 'abc123' } },
    { type: 'welcome', workerId: 'w1', heartbeatMs: 1000 },
    { type: 'job', id: '1.2', job },
    { type: 'data', id: '1.2', hash, dataset: data },
    { type: 'cancel', id: '1.2' },
    { type: 'error', code: 'E_NO_DATA', message: 'gone', id: '1.2' },
  ];
  const worker = [
    { type: 'hello', version: 1, name: 'box-12', slots: 4, hmac: 'a'.repeat(64) },
    { type: 'heartbeat', running: ['1.2'] },
    { type: 'need_data', id: '1.2', hash },
    { type: 'progress', id: '1.2', progress: { key: job.key, epoch: 1, epochs: 2, record: result.history[0] } },
    { type: 'result', id: '1.2', result, ms: 3 },
    { type: 'failed', id: '1.2', code: 'E_JOB_FAILED', message: 'boom' },
    { type: 'released', id: '1.2' },
    { type: 'draining' },
  ];
  for (const m of lab) {
    assert.deepEqual(validateLabMessage(m), [], m.type);
    assert.match(validateWorkerMessage(m).join(), /sent by the Lab/);
  }
  for (const m of worker) {
    assert.deepEqual(validateWorkerMessage(m), [], m.type);
    assert.match(validateLabMessage(m).join(), /sent by a worker/);
  }
  assert.deepEqual(resultProblems(job, result), []);
  assert.deepEqual(jobDataProblems(job, data), []);
});

test('every field is type-checked, with its path; unknown types and fields are refused', () => {
  const { job, data, hash, result } = fixture();
  const has = (problems: string[], pattern: RegExp) =>
    assert.ok(
      problems.some((p) => pattern.test(p)),
      `${pattern} not in:\n${problems.join('\n')}`,
    );
  has(validateMessage(null), /must be an object/);
  has(validateMessage({ type: 'shutdown' }), /unknown message type/);
  has(validateMessage({ type: 'draining', extra: 1 }), /extra: unknown field/);
  has(
    validateMessage({ type: 'hello', version: 1, name: 'x', slots: 0, hmac: 'a'.repeat(64) }),
    /slots: must be an integer in 1\.\.1024/,
  );
  has(validateMessage({ type: 'hello', version: 1, name: 'a\nb', slots: 1, hmac: 'a'.repeat(64) }), /name: malformed/);
  has(validateMessage({ type: 'hello', version: 1, name: 'x', slots: 1, hmac: 'secret' }), /hmac/);
  has(validateMessage({ type: 'heartbeat', running: 'all' }), /running: must be a list/);
  has(validateMessage({ type: 'failed', id: '1', code: 'E_OOPS', message: '' }), /unknown error code/);
  has(validateMessage({ type: 'need_data', id: '', hash }), /id: must have 1\.\.200/);
  has(
    validateMessage({ type: 'job', id: '1', job: { ...job, train: Array.from(job.train) } }),
    /job\.train: must be a Uint32Array, got a list/,
  );
  has(
    validateMessage({ type: 'job', id: '1', job: { ...job, evals: { val: new Float32Array(2) } } }),
    /job\.evals\.val: must be a Uint32Array, got Float32Array/,
  );
  has(
    validateMessage({
      type: 'job',
      id: '1',
      job: { ...job, fitConfig: { ...job.fitConfig, optimizer: { name: 'adam', lr: -1 } } },
    }),
    /job\.fitConfig\.optimizer\.lr: must be > 0/,
  );
  has(validateMessage({ type: 'job', id: '1', job: { ...job, seed: 2 ** 32 } }), /job\.seed/);
  has(validateMessage({ type: 'job', id: '1', job: { ...job, monitor: 'nowhere' } }), /job\.monitor/);
  has(validateMessage({ type: 'data', id: '1', hash, dataset: { ...data, n: data.n + 1 } }), /dataset\.x: needs/);
  has(
    validateMessage({ type: 'data', id: '1', hash, dataset: { ...data, classNames: 'ab' } }),
    /dataset\.classNames: must be a list/,
  );
  has(
    validateMessage({ type: 'result', id: '1', result: { ...result, history: [{ epoch: 1 }] }, ms: 1 }),
    /result\.history\[0\]\.lr: must be a number/,
  );
  has(
    validateMessage({ type: 'result', id: '1', result: { ...result, outputs: { val: [0.5] } }, ms: 1 }),
    /result\.outputs\.val: must be a Float32Array/,
  );
  has(validateMessage({ type: 'result', id: '1', result, ms: -1 }), /ms: must be a number >= 0/);
  has(
    validateMessage({ type: 'progress', id: '1', progress: { key: job.key, epoch: 1.5, epochs: 2 } }),
    /progress\.epoch/,
  );
});

test('a result must answer its job, and a job must fit its data set', () => {
  const { job, data, result } = fixture();
  const val = job.evals.val;
  assert.match(resultProblems(job, { ...result, key: 'config=9' }).join(), /answers another job/);
  assert.match(resultProblems(job, { ...result, final: { val: result.final.val } }).join(), /no scores for/);
  assert.match(
    resultProblems(job, { ...result, outputs: { ...result.outputs, [job.outputsFor[0]]: new Float32Array(1) } }).join(),
    /needs/,
  );
  assert.match(
    resultProblems(job, { ...result, outputs: { ...result.outputs, extra: new Float32Array(0) } }).join(),
    /not asked for/,
  );
  assert.match(
    jobDataProblems({ ...job, evals: { ...job.evals, val: Uint32Array.from([...val, data.n]) } }, data).join(),
    /outside the data set/,
  );
  assert.match(jobDataProblems({ ...job, weights: new Float32Array(3) }, data).join(), /weights: needs/);
});
