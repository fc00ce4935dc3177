// The Lab as a user drives it: real `optlab` processes, a real SQLite file, real workers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Library } from './library/library.ts';
import { Lab } from './lab.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 1e8 });

/** Small but not instant: 2 configurations × 5 folds of a few epochs on moons. */
const spec = {
  name: 'lab test',
  seed: 5,
  dataset: { name: 'moons', samples: 400, noise: 0.3, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [32], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 40, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 5 },
  sweep: {
    optimizer: [
      { name: 'adam', lr: 0.01 },
      { name: 'sgd', lr: 0.05, momentum: 0.9 },
    ],
  },
};

let tmp = '';
let specFile = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-lab-'));
  specFile = join(tmp, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('0, 1 and 2 local workers give byte-identical reports, stored in the library', () => {
  const reports = [0, 1, 2].map((w) => {
    const r = optlab('run', specFile, '--workers', String(w), '--db', join(tmp, `w${w}.db`), '--json', '--quiet');
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  });
  assert.equal(reports[1], reports[0]);
  assert.equal(reports[2], reports[0]);
  const ls = optlab('ls', '--db', join(tmp, 'w2.db'), '--json');
  const list = JSON.parse(ls.stdout);
  assert.equal(list.length, 1);
  assert.equal(list[0].status, 'done');
  assert.deepEqual(list[0].jobs, { total: 10, done: 10, failed: 0 });
  const show = JSON.parse(optlab('show', '1', '--db', join(tmp, 'w2.db'), '--json').stdout);
  assert.equal(JSON.stringify(show.report), reports[0].trim());
});

test('kill -9 of the Lab mid-run: resume finishes it without rerunning committed jobs or losing them', async () => {
  const db = join(tmp, 'crash.db');
  const child = spawn(process.execPath, [bin, 'run', specFile, '--workers', '1', '--db', db, '--quiet'], {
    stdio: 'ignore',
  });
  // Wait (bounded) until some but not all jobs are committed, then kill the Lab without warning.
  const deadline = Date.now() + 60_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'the run committed nothing within 60 s');
    await new Promise((r) => setTimeout(r, 100));
    let lib: Library;
    try {
      lib = Library.open(db);
    } catch {
      continue;
    }
    try {
      if (!lib.getExperiment(1)) continue;
      const jobs = lib.jobStates(1).jobs.filter((j) => j.state === 'done');
      if (jobs.length >= 3) {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        break;
      }
    } finally {
      lib.close();
    }
  }
  const lib = Library.open(db);
  const committed = lib.doneResults(1);
  const rows = new Map(lib.jobStates(1).jobs.map((j) => [j.key, j]));
  const before = new Map([...committed.keys()].map((k) => [k, rows.get(k)!.finishedAt!]));
  assert.equal(lib.getExperiment(1)!.status, 'interrupted', 'a killed Lab leaves the experiment interrupted');
  lib.close();
  assert.ok(before.size >= 3 && before.size < 10, `committed ${before.size}`);

  const r = optlab('resume', '1', '--workers', '1', '--db', db, '--json', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const reference = optlab('run', specFile, '--workers', '0', '--db', join(tmp, 'ref.db'), '--json', '--quiet');
  assert.equal(r.stdout, reference.stdout, 'the resumed report equals an uninterrupted run');
  const after = Library.open(db);
  try {
    assert.equal(after.getExperiment(1)!.status, 'done');
    const rowsAfter = new Map(after.jobStates(1).jobs.map((j) => [j.key, j]));
    for (const [key, finishedAt] of before)
      assert.equal(rowsAfter.get(key)!.finishedAt, finishedAt, `${key} was run again`);
    const results = after.doneResults(1);
    for (const [key, res] of committed) assert.deepEqual(results.get(key), res, `${key} changed`);
  } finally {
    after.close();
  }
});

test('export then import into another library gives the same report; a bad import is refused', () => {
  const source = join(tmp, 'exported.db');
  const run = optlab('run', specFile, '--workers', '0', '--db', source, '--json', '--quiet');
  assert.equal(run.status, 0, run.stderr);
  const file = join(tmp, 'export.json');
  assert.equal(optlab('export', '1', '--db', source, '--out', file).status, 0);
  const imp = optlab('import', file, '--db', join(tmp, 'imported.db'));
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /imported as experiment 1/);
  const a = JSON.parse(optlab('show', '1', '--db', source, '--json').stdout).report;
  const b = JSON.parse(optlab('show', '1', '--db', join(tmp, 'imported.db'), '--json').stdout).report;
  assert.deepEqual(b, a);
  writeFileSync(join(tmp, 'bad.json'), '{"format": "nope"}');
  const bad = optlab('import', join(tmp, 'bad.json'), '--db', join(tmp, 'imported.db'));
  assert.notEqual(bad.status, 0);
  assert.ok(bad.stderr.length > 0);
});

test('a bad spec is refused before anything is stored; an unknown id is a clear error', async () => {
  const bad = join(tmp, 'bad-spec.json');
  writeFileSync(bad, JSON.stringify({ ...spec, evaluation: { kind: 'kfold', k: 1 } }));
  const r = optlab('run', bad, '--db', join(tmp, 'bad.db'), '--workers', '0');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /evaluation\.k: must be >= 2/);
  const lab = Lab.open(join(tmp, 'bad.db'));
  try {
    assert.equal((await lab.listExperiments()).length, 0);
  } finally {
    await lab.close();
  }
  const missing = optlab('show', '42', '--db', join(tmp, 'bad.db'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no experiment with id 42/);
});

test('cancel keeps what finished; the experiment is marked cancelled and resume completes it identically', async () => {
  const lab = Lab.open(join(tmp, 'cancel.db'));
  try {
    const { id } = await lab.createExperiment(spec);
    let seen = 0;
    const off = lab.subscribe((e) => {
      if (e.type === 'job' && e.experimentId === id && e.state === 'done' && ++seen === 2) void lab.cancelRun(id);
    });
    await lab.startRun(id, { workers: 0 });
    const outcome = await lab.waitForRun(id);
    off();
    assert.equal(outcome.status, 'cancelled');
    assert.match(outcome.error ?? '', /cancel/);
    const e = await lab.getExperiment(id);
    assert.equal(e.status, 'cancelled');
    assert.equal(e.jobs.done, 2);
    await lab.resumeRun(id, { workers: 0 });
    assert.equal((await lab.waitForRun(id)).status, 'done');
    const fresh = await lab.createExperiment(spec);
    await lab.startRun(fresh.id, { workers: 0 });
    assert.equal((await lab.waitForRun(fresh.id)).status, 'done');
    assert.equal(JSON.stringify(await lab.getReport(id)), JSON.stringify(await lab.getReport(fresh.id)));
    assert.equal((await lab.getExperiment(id)).status, 'done');
  } finally {
    await lab.close();
  }
});

test('a job that fails is marked failed with its error, the experiment says why, and nothing crashes', async () => {
  const lab = Lab.open(join(tmp, 'fail.db'));
  try {
    // Leave-one-out on 2 rows leaves 1 training row, and batch norm (like PyTorch) refuses batch statistics of one row.
    // (A batch size of 1 with batch norm is refused when the spec is checked; here the batch is 2, the rows are 1.)
    const { id } = await lab.createExperiment({
      seed: 1,
      dataset: { name: 'moons', samples: 2, noise: 0 },
      model: { kind: 'mlp', hidden: [2], batchNorm: true },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'sgd', lr: 0.1 },
      training: { epochs: 1, batchSize: 2 },
      evaluation: { kind: 'loo' },
    });
    const failures: string[] = [];
    lab.subscribe((e) => {
      if (e.type === 'job' && e.failure) failures.push(e.key);
    });
    await lab.startRun(id, { workers: 0 });
    const outcome = await lab.waitForRun(id);
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error ?? '', /1 row|one row|batch/i);
    const e = await lab.getExperiment(id);
    assert.equal(e.status, 'failed');
    assert.match(e.error ?? '', /batch/i);
    const failed = (await lab.getJobs(id)).jobs.filter((j) => j.state === 'failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0].error ?? '', /attempt 1: .*batch/i);
    assert.deepEqual(failures, [failed[0].key]);
    const detail = await lab.getJob(id, failed[0].key);
    assert.equal(detail.job.state, 'failed');
    assert.equal(detail.history, null);
  } finally {
    await lab.close();
  }
});

test('a CSV experiment keeps its data in the library: it resumes after the file moved, and its export runs without it', () => {
  const dir = join(tmp, 'csv-case');
  mkdirSync(dir);
  // Two noisy clusters, written as a user's CSV file would be.
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 60; i++)
    rows.push(`${((i * 37) % 11) / 10 + (i % 2)},${((i * 53) % 13) / 10 - (i % 2)},${i % 2 ? 'b' : 'a'}`);
  writeFileSync(join(dir, 'points.csv'), rows.join('\n') + '\n');
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      seed: 2,
      dataset: { name: 'csv', path: 'points.csv', target: 'label' },
      model: { kind: 'logistic' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'sgd', lr: 0.1 },
      training: { epochs: 5, batchSize: 8 },
      evaluation: { kind: 'kfold', k: 3 },
    }),
  );
  const db = join(dir, 'lib.db');
  const queued = optlab('run', join(dir, 'spec.json'), '--queue', '--db', db);
  assert.equal(queued.status, 0, queued.stderr);
  renameSync(join(dir, 'points.csv'), join(dir, 'moved.csv'));
  // A real worker process runs it: the data set comes from the Lab's library, by hash.
  const resumed = optlab('resume', '1', '--workers', '1', '--db', db, '--json', '--quiet');
  assert.equal(resumed.status, 0, resumed.stderr);
  const report = JSON.parse(resumed.stdout);
  assert.equal(report.dataset.name, 'points');
  assert.equal(report.dataset.rows, 60);
  const file = join(dir, 'export.json');
  assert.equal(optlab('export', '1', '--db', db, '--out', file).status, 0);
  rmSync(join(dir, 'moved.csv'));
  const other = join(dir, 'other.db');
  assert.equal(optlab('import', file, '--db', other).status, 0);
  const again = optlab('resume', '1', '--workers', '0', '--db', other, '--json', '--quiet');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, resumed.stdout, 'the same report from the exported data');
});
