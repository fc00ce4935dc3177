import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { AlreadyInLibraryError, Library, ProblemsError, type StoredReport } from './library.ts';
import { SCHEMA_VERSION } from './migrate.ts';
import { ownMark } from './owner.ts';
import { encodeJobResult } from '../../shared/codec.ts';
import { plan as makePlan, type Plan } from '../../shared/experiment/plan.ts';
import { runPlan } from '../../shared/experiment/run.ts';
import { InProcessExecutor } from '../../shared/experiment/executor.ts';
import { aggregate } from '../../shared/experiment/aggregate.ts';
import { studySeries } from '../../shared/experiment/studies.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import { datasetHash, type Dataset } from '../../shared/data/dataset.ts';
import { makeDataset } from '../../shared/data/make.ts';
import { Rng } from '../../shared/rng.ts';
import { loadBundled } from '../datasets.ts';

type T = { after(fn: () => void): void };

function tempDir(t: T): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-library-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A library in a fresh folder, with a clock that ticks 1 ms per reading. */
function openTemp(t: T, file = 'library.db'): { lib: Library; file: string } {
  const path = join(tempDir(t), file);
  let clock = 1_700_000_000_000;
  const lib = Library.open(path, { now: () => clock++ });
  t.after(() => lib.close());
  return { lib, file: path };
}

function spec(over: Partial<ExperimentSpec> = {}): ExperimentSpec {
  return {
    name: 'Moons',
    seed: 3,
    dataset: { name: 'moons', samples: 60, noise: 0.3, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [4], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.05 },
    training: { epochs: 2, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 2 },
    ...over,
  };
}

function fakeResult(key: string, seed: number, floats = 50): JobResult {
  const rng = new Rng(seed);
  const out = new Float32Array(floats);
  for (let i = 0; i < floats; i++) out[i] = rng.next() * 2 - 1;
  return {
    key,
    history: [{ epoch: 1, lr: 0.1, penalty: 0, train_loss: rng.next(), val_loss: Number.NaN }],
    final: { val: { loss: rng.next(), accuracy: 0.5 } },
    bestEpoch: 1,
    stoppedEarly: false,
    diverged: false,
    paramCount: 10,
    outDim: 2,
    outputs: { val: out },
  };
}

const bytesOf = (r: JobResult) => Buffer.from(encodeJobResult(r)).toString('hex');

/** Row counts of every table, read through a connection of its own. */
function counts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  const out: Record<string, number> = {};
  for (const t of [
    'datasets',
    'experiments',
    'experiment_datasets',
    'experiment_tags',
    'jobs',
    'job_results',
    'job_faults',
    'results',
  ]) {
    out[t] = (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  db.close();
  return out;
}

test('open: creates missing folders, WAL mode, foreign keys, busy timeout, synchronous FULL', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'deep', 'er', 'library.db');
  const lib = Library.open(file);
  assert.deepEqual(lib.settings(), {
    schemaVersion: SCHEMA_VERSION,
    journalMode: 'wal',
    foreignKeys: true,
    busyTimeoutMs: 5000,
    synchronous: 2,
  });
  lib.createExperiment(spec());
  assert.ok(existsSync(`${file}-wal`), 'writes go to the write-ahead log');
  const other = new Database(file, { readonly: true });
  assert.equal(other.pragma('journal_mode', { simple: true }), 'wal', 'WAL is a property of the file');
  other.close();
  lib.close();
  lib.close();
});

test('open: a file that is not SQLite is refused with its path', (t) => {
  const file = join(tempDir(t), 'notes.db');
  writeFileSync(file, 'these are my notes, not a database '.repeat(50));
  assert.throws(() => Library.open(file), /notes\.db is not an SQLite database; open another --db/);
});

test('datasets: stored by content hash, idempotent, bit-identical back, with metadata', (t) => {
  const { lib, file } = openTemp(t);
  const digits = loadBundled('digits');
  const sine = makeDataset({ name: 'sine', samples: 40, noise: 0.1 }, new Rng(2));
  const h = lib.putDataset(digits);
  assert.equal(h, datasetHash(digits));
  assert.equal(lib.putDataset(loadBundled('digits')), h);
  assert.equal(counts(file).datasets, 1);
  const back = lib.getDataset(h)!;
  assert.equal(datasetHash(back), h);
  assert.deepEqual(Buffer.from(back.x.buffer), Buffer.from(digits.x.buffer));
  assert.deepEqual(back.image, { height: 8, width: 8, channels: 1 });
  assert.deepEqual(back.classNames, digits.classNames);
  const hs = lib.putDataset(sine);
  assert.deepEqual(lib.getDataset(hs)!.truth, sine.truth);
  assert.deepEqual(
    lib.listDatasets().map((d) => [d.name, d.n, d.d, d.bytes, d.experiments]),
    [
      ['digits', 1797, 64, 1797 * 65 * 4, 0],
      ['sine', 40, 1, 320, 0],
    ],
  );
  assert.equal(lib.getDataset('0000000000000000'), undefined);
  const bad: Dataset = { ...sine, featureNames: [] };
  assert.throws(
    () => lib.putDataset(bad),
    (e: unknown) => e instanceof ProblemsError && /featureNames: needs 1 names, got 0/.test(e.message),
  );
});

test('datasets: deleting one an experiment uses is refused, naming the experiment; allowed once it is gone', (t) => {
  const { lib } = openTemp(t);
  const h = lib.putDataset(loadBundled('iris'));
  const id = lib.createExperiment(spec({ name: 'Iris sweep' }), { datasets: [h] });
  assert.equal(lib.getDatasetInfo(h)!.experiments, 1);
  assert.throws(
    () => lib.deleteDataset(h),
    new RegExp(`data set iris \\(${h}\\) is used by experiment ${id} \\("Iris sweep"\\); delete that first`),
  );
  assert.ok(lib.getDataset(h));
  lib.deleteExperiment(id);
  assert.equal(lib.deleteDataset(h), true);
  assert.equal(lib.deleteDataset(h), false);
  assert.throws(() => lib.linkDataset(lib.createExperiment(spec()), h), /no data set .* store it first/);
});

test('datasets: importCsv reads through loadCsvFile and stores the result; pruneDatasets drops unused ones', (t) => {
  const { lib } = openTemp(t);
  const csv = join(tempDir(t), 'flowers.csv');
  writeFileSync(csv, 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n');
  const info = lib.importCsv(csv);
  assert.equal(info.name, 'flowers');
  assert.deepEqual([info.n, info.d, info.classes, info.task], [3, 2, 2, 'classification']);
  assert.deepEqual(lib.getDataset(info.hash)!.featureNames, ['a', 'b']);
  assert.equal(lib.importCsv(csv).hash, info.hash, 'importing the same file again stores nothing new');
  assert.throws(
    () => lib.importCsv(join(tempDir(t), 'missing.csv')),
    /cannot read CSV file .*missing\.csv: no such file/,
  );
  const used = lib.putDataset(loadBundled('wine'));
  lib.createExperiment(spec(), { datasets: [used] });
  assert.equal(lib.pruneDatasets(), 1);
  assert.deepEqual(
    lib.listDatasets().map((d) => d.name),
    ['wine'],
  );
});

test('experiments: create, get, defaults, tag clean-up, invalid specs refused with every problem', (t) => {
  const { lib } = openTemp(t);
  const id = lib.createExperiment(spec({ tags: ['from-spec'], notes: 'spec notes' }));
  const e = lib.getExperiment(id)!;
  assert.equal(e.name, 'Moons');
  assert.equal(e.status, 'created');
  assert.deepEqual(e.tags, ['from-spec']);
  assert.equal(e.notes, 'spec notes');
  assert.deepEqual(e.spec, spec({ tags: ['from-spec'], notes: 'spec notes' }));
  assert.deepEqual(e.jobs, { total: 0, done: 0, failed: 0 });
  assert.equal(e.hasReport, false);
  const id2 = lib.createExperiment(spec({ name: undefined }), { tags: [' adam ', 'Adam', '', 'sgd'], notes: 'n' });
  assert.equal(lib.getExperiment(id2)!.name, 'Untitled experiment');
  assert.deepEqual(lib.getExperiment(id2)!.tags, ['adam', 'sgd']);
  assert.equal(lib.getExperiment(999), undefined);
  const bad = { ...spec(), optimizer: { name: 'adam', lr: -1 }, seed: -2 } as ExperimentSpec;
  assert.throws(
    () => lib.createExperiment(bad),
    (e: unknown) =>
      e instanceof ProblemsError &&
      e.problems.length === 2 &&
      /seed/.test(e.message) &&
      /optimizer\.lr: must be > 0, got -1/.test(e.message),
  );
  assert.equal(lib.listExperiments().length, 2, 'nothing stored for the bad spec');
  lib.updateExperiment(id, { name: 'Moons v2', tags: ['x'], notes: 'edited' });
  assert.deepEqual(
    [lib.getExperiment(id)!.name, lib.getExperiment(id)!.tags, lib.getExperiment(id)!.notes],
    ['Moons v2', ['x'], 'edited'],
  );
  assert.deepEqual(
    lib.listExperiments({ tag: 'x' }).map((x) => x.id),
    [id],
    'the tag index follows an update',
  );
  assert.deepEqual(lib.listExperiments({ tag: 'from-spec' }), []);
});

test('experiments: search by name, tag and notes; filter by status; newest first; limit and offset', (t) => {
  const { lib } = openTemp(t);
  const a = lib.createExperiment(spec({ name: 'Optimizers on digits' }), { tags: ['optimizers', 'lecture-3'] });
  const b = lib.createExperiment(spec({ name: 'Capacity on moons' }), {
    tags: ['capacity'],
    notes: 'U-shaped curve for the digits talk',
  });
  const c = lib.createExperiment(spec({ name: '100% batch' }), { tags: ['batch_size'] });
  lib.setStatus(b, 'done');
  const ids = (o: Parameters<Library['listExperiments']>[0]) => lib.listExperiments(o).map((e) => e.id);
  assert.deepEqual(ids({}), [b, c, a], 'most recently changed first');
  assert.deepEqual(ids({ search: 'digits' }), [b, a], 'name or notes');
  assert.deepEqual(ids({ search: 'DIGITS' }), [b, a], 'case-insensitive');
  assert.deepEqual(ids({ search: 'lecture' }), [a], 'part of a tag');
  assert.deepEqual(ids({ tag: 'Capacity' }), [b]);
  assert.deepEqual(ids({ tag: 'capac' }), [], 'the tag filter is exact');
  assert.deepEqual(ids({ search: '100%' }), [c]);
  assert.deepEqual(ids({ search: '%' }), [c], '% is literal, not a wildcard');
  assert.deepEqual(ids({ search: '_' }), [c], '_ is literal');
  assert.deepEqual(ids({ status: 'done' }), [b]);
  assert.deepEqual(ids({ status: 'created', search: 'digits' }), [a]);
  assert.deepEqual(ids({ limit: 2 }), [b, c]);
  assert.deepEqual(ids({ limit: 2, offset: 2 }), [a]);
  assert.throws(
    () => ids({ status: 'bogus' as 'done' }),
    /status: must be one of created, running, interrupted, done, failed, cancelled/,
  );
  assert.throws(() => ids({ limit: -1 }), /limit: must be a non-negative integer/);
});

test('parameters are bound: quotes and "\'; DROP TABLE" are just text', (t) => {
  const { lib, file } = openTemp(t);
  const name = `Robert'); DROP TABLE experiments; -- "quoted" \\ %_`;
  const id = lib.createExperiment(spec({ name }), { tags: [`'; DROP TABLE jobs; --`], notes: `it's "fine"` });
  lib.planJobs(id, [`k'); DELETE FROM jobs; --`]);
  assert.equal(lib.getExperiment(id)!.name, name);
  assert.deepEqual(
    lib.listExperiments({ search: `'); DROP TABLE` }).map((e) => e.id),
    [id],
  );
  assert.deepEqual(
    lib.listExperiments({ tag: `'; DROP TABLE jobs; --` }).map((e) => e.id),
    [id],
  );
  assert.deepEqual(
    lib.jobStates(id).jobs.map((j) => j.key),
    [`k'); DELETE FROM jobs; --`],
  );
  assert.equal(counts(file).experiments, 1);
  assert.equal(lib.getDatasetInfo(`' OR 1=1 --`), undefined);
});

test('duplicate: same spec, tags, notes and data sets, fresh status and no jobs', (t) => {
  const { lib } = openTemp(t);
  const h = lib.putDataset(loadBundled('iris'));
  const id = lib.createExperiment(spec(), { tags: ['a'], notes: 'n', datasets: [h] });
  lib.planJobs(id, ['j']);
  lib.commitResult(id, 'j', fakeResult('j', 1), 5, 'w');
  lib.setStatus(id, 'done');
  const copy = lib.duplicate(id);
  const e = lib.getExperiment(copy)!;
  assert.equal(e.name, 'Moons (copy)');
  assert.deepEqual(
    [e.status, e.tags, e.notes, e.datasets, e.jobs.total, e.startedAt, e.finishedAt],
    ['created', ['a'], 'n', [h], 0, null, null],
  );
  assert.deepEqual(e.spec, lib.getExperiment(id)!.spec);
  assert.deepEqual(
    lib.listExperiments({ tag: 'a' }).map((x) => x.id),
    [copy, id],
    'the copy is in the tag index too',
  );
  assert.throws(() => lib.duplicate(12345), /no experiment 12345 in the library/);
});

test('deleteExperiment cascades to jobs, results, faults, report, tags and data set links (the data set stays)', (t) => {
  const { lib, file } = openTemp(t);
  const h = lib.putDataset(loadBundled('iris'));
  const keep = lib.createExperiment(spec(), { tags: ['keep'] });
  lib.planJobs(keep, ['k']);
  const id = lib.createExperiment(spec(), { tags: ['a', 'b'], datasets: [h] });
  lib.planJobs(id, ['j0', 'j1', 'j2']);
  lib.commitResult(id, 'j0', fakeResult('j0', 1), 1, 'w');
  lib.commitResult(id, 'j1', fakeResult('j1', 2), 1, 'w');
  assert.equal(lib.deliverResult(id, 'j1', fakeResult('j1', 3), 1, 'w2'), 'differs');
  lib.saveReport(id, {
    name: 'r',
    configurations: [],
    comparisons: [],
    primaryMetric: 'val_accuracy',
  } as unknown as StoredReport);
  assert.deepEqual(counts(file), {
    datasets: 1,
    experiments: 2,
    experiment_datasets: 1,
    experiment_tags: 3,
    jobs: 4,
    job_results: 2,
    job_faults: 1,
    results: 1,
  });
  assert.equal(lib.deleteExperiment(id), true);
  assert.deepEqual(counts(file), {
    datasets: 1,
    experiments: 1,
    experiment_datasets: 0,
    experiment_tags: 1,
    jobs: 1,
    job_results: 0,
    job_faults: 0,
    results: 0,
  });
  assert.equal(lib.deleteExperiment(id), false);
  assert.deepEqual(lib.doneResults(id), new Map());
});

test('setStatus: start and finish times, errors only with a finish', (t) => {
  const { lib } = openTemp(t);
  const id = lib.createExperiment(spec());
  // A run holds the experiment (its process's mark) while it is running; without one it reads as interrupted.
  assert.equal(lib.claimRun(id, ownMark('test-lab')), undefined);
  lib.setStatus(id, 'running');
  const started = lib.getExperiment(id)!.startedAt!;
  assert.ok(started > lib.getExperiment(id)!.createdAt);
  lib.setStatus(id, 'failed', 'worker lost');
  let e = lib.getExperiment(id)!;
  assert.deepEqual([e.status, e.error, e.startedAt], ['failed', 'worker lost', started]);
  assert.ok(e.finishedAt! > started);
  assert.equal(lib.getExperiment(id)!.owner, null, 'a finished run lets go of its experiment');
  assert.equal(lib.claimRun(id, ownMark('test-lab')), undefined);
  lib.setStatus(id, 'running');
  e = lib.getExperiment(id)!;
  assert.deepEqual(
    [e.status, e.error, e.startedAt, e.finishedAt],
    ['running', null, started, null],
    'a resume keeps the first start',
  );
  lib.setStatus(id, 'done');
  assert.equal(lib.getExperiment(id)!.error, null);
  assert.throws(() => lib.setStatus(id, 'paused' as 'done'), /status: must be one of/);
  assert.throws(() => lib.setStatus(77, 'done'), /no experiment 77/);
});

test('jobs: plan, lease, requeue, fail, commit; states and counts for the UI', (t) => {
  const { lib } = openTemp(t);
  const id = lib.createExperiment(spec());
  assert.equal(lib.planJobs(id, ['b', 'a', 'c', 'd']), 4);
  assert.equal(lib.planJobs(id, ['a', 'e']), 1, 'existing keys are left alone');
  assert.equal(lib.leaseJob(id, 'a', 'w1'), true);
  assert.equal(lib.leaseJob(id, 'a', 'w2'), false, 'already leased');
  assert.equal(lib.leaseJob(id, 'b', 'w1'), true);
  assert.equal(lib.leaseJob(id, 'c', 'w2'), true);
  assert.equal(lib.failJob(id, 'c', 'out of memory'), true);
  assert.equal(lib.requeueJob(id, 'c'), true);
  assert.equal(lib.requeueJob(id, 'd'), false, 'a pending job has nothing to requeue');
  assert.equal(lib.leaseJob(id, 'c', 'w1'), true);
  assert.equal(lib.commitResult(id, 'a', fakeResult('a', 1), 12.5, 'w1'), true);
  assert.equal(
    lib.commitResult(id, 'a', fakeResult('a', 1), 13, 'w2'),
    false,
    'a second result for a done job is ignored',
  );
  assert.equal(lib.failJob(id, 'a', 'late'), false, 'a late failure does not undo a result');
  assert.equal(lib.leaseJob(id, 'a', 'w3'), false);
  assert.equal(
    lib.commitResult(id, 'round=3', fakeResult('round=3', 2), 1, 'w1'),
    true,
    'an unplanned key is added as done',
  );
  assert.equal(lib.requeueLeased(id, 'w2'), 0);
  assert.equal(lib.requeueLeased(id, 'w1'), 2, 'b and c');

  const s = lib.jobStates(id);
  assert.deepEqual(s.counts, { pending: 4, leased: 0, done: 2, failed: 0 });
  assert.equal(s.total, 6);
  assert.deepEqual(
    s.jobs.map((j) => [j.key, j.state, j.attempts, j.worker]),
    [
      ['a', 'done', 1, 'w1'],
      ['b', 'pending', 1, null],
      ['c', 'pending', 2, null],
      ['d', 'pending', 0, null],
      ['e', 'pending', 0, null],
      ['round=3', 'done', 1, 'w1'],
    ],
  );
  const a = s.jobs[0];
  assert.equal(a.ms, 12.5);
  assert.ok(a.startedAt! <= a.finishedAt!);
  assert.equal(s.jobs[2].error, 'out of memory', 'the last failure stays visible after a requeue');
  assert.deepEqual([...lib.doneResults(id).keys()], ['a', 'round=3']);
  assert.deepEqual(lib.getExperiment(id)!.jobs, { total: 6, done: 2, failed: 0 });

  assert.throws(() => lib.leaseJob(id, 'zzz', 'w'), /experiment \d+ has no job "zzz"; plan it first/);
  assert.throws(() => lib.leaseJob(999, 'a', 'w'), /no experiment 999/);
  assert.throws(() => lib.planJobs(999, ['a']), /no experiment 999/);
  assert.throws(() => lib.commitResult(id, 'b', fakeResult('a', 1), 1, 'w'), /the result is for "a", not "b"/);
  assert.throws(() => lib.commitResult(999, 'a', fakeResult('a', 1), 1, 'w'), /no experiment 999/);
  assert.throws(() => lib.planJobs(id, ['']), /non-empty string/);
});

test('commitResult: the result survives closing and reopening the file, bit-identical', (t) => {
  const { lib, file } = openTemp(t);
  const id = lib.createExperiment(spec());
  const rs = [
    fakeResult('x/0', 1, 5000),
    { ...fakeResult('x/1', 2), state: new Float32Array([Number.NaN, -0, Number.POSITIVE_INFINITY]) },
  ];
  for (const r of rs) lib.commitResult(id, r.key, r, 3, 'w');
  lib.close();
  const again = Library.open(file);
  t.after(() => again.close());
  const back = again.doneResults(id);
  assert.deepEqual([...back.keys()], ['x/0', 'x/1']);
  for (const r of rs) {
    assert.equal(bytesOf(back.get(r.key)!), bytesOf(r));
    assert.equal(JSON.stringify(back.get(r.key)), JSON.stringify(r));
  }
  assert.ok(Object.is(back.get('x/1')!.state![1], -0));
});

test('doneResults: a damaged blob is reported with its experiment and job', (t) => {
  const { lib, file } = openTemp(t);
  const id = lib.createExperiment(spec());
  lib.commitResult(id, 'j', fakeResult('j', 1), 1, 'w');
  const db = new Database(file);
  db.prepare(`UPDATE job_results SET result = substr(result, 1, 30)`).run();
  db.close();
  assert.throws(() => lib.doneResults(id), new RegExp(`experiment ${id}, job j: truncated`));
});

const LIBRARY_URL = pathToFileURL(join(import.meta.dirname, 'library.ts')).href;
const CODEC_URL = pathToFileURL(join(import.meta.dirname, '../../shared/codec.ts')).href;
const PROJECT = join(import.meta.dirname, '..', '..');

/** Runs JavaScript in a child Node (with tsx, from the project root) and resolves once `until` appears on its stdout, with the child. */
function child(code: string, env: Record<string, string>, until: string) {
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: PROJECT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    p.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const reached = new Promise<string>((resolve, reject) => {
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(until)) resolve(out);
    });
    void exited.then(({ code }) => reject(new Error(`child exited (${code}) before "${until}": ${out}\n${err}`)));
  });
  return { p, reached, exited };
}

test('crash: SIGKILL with a result half-written loses only that job; the committed three are there, whole', async (t) => {
  const { lib, file } = openTemp(t);
  const id = lib.createExperiment(spec());
  const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
  lib.planJobs(id, keys);
  lib.close();
  const results = keys.map((k, i) => fakeResult(k, 10 + i, 20000));
  const blobsFile = join(tempDir(t), 'blobs.json');
  writeFileSync(blobsFile, JSON.stringify(results.map((r) => Buffer.from(encodeJobResult(r)).toString('base64'))));
  // The child commits three results through the Library, then opens a fourth commit's
  // transaction by hand, writes its rows, and stops inside it: that is where it is killed.
  const code = `
    const { Library } = await import(process.env.LIB_URL);
    const { decodeJobResult } = await import(process.env.CODEC_URL);
    const { default: Database } = await import('better-sqlite3');
    const { readFileSync } = await import('node:fs');
    const blobs = JSON.parse(readFileSync(process.env.BLOBS_FILE, 'utf8'));
    const id = Number(process.env.EXP);
    const lib = Library.open(process.env.DB);
    for (let i = 0; i < 3; i++) {
      const r = decodeJobResult(Buffer.from(blobs[i], 'base64'));
      lib.leaseJob(id, r.key, 'child');
      lib.commitResult(id, r.key, r, 100 + i, 'child');
    }
    lib.leaseJob(id, 'k3', 'child');
    const raw = new Database(process.env.DB);
    // A tiny page cache makes SQLite spill the open transaction's pages into the WAL, so the
    // log holds uncommitted frames when the process dies, which recovery must ignore.
    raw.pragma('cache_size = 2');
    raw.exec('BEGIN IMMEDIATE');
    raw.prepare("UPDATE jobs SET state = 'done' WHERE experiment_id = ? AND key = 'k3'").run(id);
    raw.prepare('INSERT INTO job_results (experiment_id, key, result) VALUES (?, ?, ?)').run(id, 'k3', Buffer.from(blobs[3], 'base64'));
    process.stdout.write('in flight\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  `;
  const c = child(
    code,
    { LIB_URL: LIBRARY_URL, CODEC_URL, DB: file, EXP: String(id), BLOBS_FILE: blobsFile },
    'in flight',
  );
  await c.reached;
  c.p.kill('SIGKILL');
  assert.equal((await c.exited).signal, 'SIGKILL');
  assert.ok(existsSync(`${file}-wal`), 'the log was never checkpointed: recovery is from the WAL');

  const after = Library.open(file);
  t.after(() => after.close());
  const done = after.doneResults(id);
  assert.deepEqual([...done.keys()], ['k0', 'k1', 'k2']);
  for (let i = 0; i < 3; i++) assert.equal(bytesOf(done.get(keys[i])!), bytesOf(results[i]));
  const s = after.jobStates(id);
  assert.deepEqual(
    s.jobs.map((j) => [j.key, j.state, j.ms]),
    [
      ['k0', 'done', 100],
      ['k1', 'done', 101],
      ['k2', 'done', 102],
      ['k3', 'leased', null],
      ['k4', 'pending', null],
    ],
  );
  assert.equal(after.requeueLeased(id), 1, 'the job in flight is rerun');
  const db = new Database(file, { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal((db.prepare('SELECT count(*) AS n FROM job_results').get() as { n: number }).n, 3);
  db.close();
});

test('crash: killed at an arbitrary moment of a commit loop, every stored result is whole and matches its done job', async (t) => {
  const { lib, file } = openTemp(t);
  const id = lib.createExperiment(spec());
  lib.close();
  const code = `
    const { Library } = await import(process.env.LIB_URL);
    const lib = Library.open(process.env.DB);
    const id = Number(process.env.EXP);
    const big = new Float32Array(300000);
    for (let i = 0; ; i++) {
      big[0] = i;
      const key = 'job' + String(i).padStart(5, '0');
      lib.commitResult(id, key, { key, history: [], final: {}, bestEpoch: 0, stoppedEarly: false, diverged: false, paramCount: 1, outDim: 1, outputs: { val: big } }, 1, 'child');
      process.stdout.write('committed ' + (i + 1) + '\\n');
    }
  `;
  const c = child(code, { LIB_URL: LIBRARY_URL, DB: file, EXP: String(id) }, 'committed 5\n');
  const seen = await c.reached;
  c.p.kill('SIGKILL');
  await c.exited;
  const reported = Math.max(...[...seen.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));
  const after = Library.open(file);
  t.after(() => after.close());
  const done = after.doneResults(id);
  const s = after.jobStates(id);
  assert.ok(done.size >= reported, `at least the ${reported} reported commits are there (found ${done.size})`);
  assert.equal(s.counts.done, done.size, 'no done job without its result, no result without its done job');
  [...done.values()].forEach((r, i) => assert.equal(r.outputs.val[0], i));
});

/** A small two-configuration study run in-process, committing each result as it arrives. */
async function runStored(lib: Library, s: ExperimentSpec): Promise<{ id: number; plan: Plan; report: StoredReport }> {
  const plan = makePlan(s, (d, rng) => makeDataset(d, rng));
  const hashes = plan.data.map((dp) => lib.putDataset(dp.data));
  const id = lib.createExperiment(s, { datasets: [...new Set(hashes)] });
  lib.planJobs(
    id,
    plan.jobs.map((j) => j.key),
  );
  lib.setStatus(id, 'running');
  const { report, results } = await runPlan(plan, new InProcessExecutor(), {
    onResult: (r) => lib.commitResult(id, r.key, r, 1, 'local'),
  });
  const study = studySeries(plan, report, results);
  const full: StoredReport = study ? { ...report, study } : report;
  lib.saveReport(id, full);
  lib.setStatus(id, 'done');
  return { id, plan, report: full };
}

test('export → JSON text → import into another library: the same report, results bit-identical, data sets by hash', async (t) => {
  const { lib: a } = openTemp(t, 'a.db');
  const { lib: b, file: fileB } = openTemp(t, 'b.db');
  const s = spec({
    sweep: {
      optimizer: [
        { name: 'sgd', lr: 0.1, momentum: 0.9 },
        { name: 'adam', lr: 0.01 },
      ],
    },
    study: 'optimizers',
  });
  const { id, plan, report } = await runStored(a, s);
  assert.ok(report.study, 'the study series is stored with the report');
  const text = JSON.stringify(a.exportExperiment(id));
  const id2 = b.importExperiment(JSON.parse(text));

  assert.equal(JSON.stringify(b.getReport(id2)), JSON.stringify(report));
  const ra = a.doneResults(id);
  const rb = b.doneResults(id2);
  assert.deepEqual([...rb.keys()], [...ra.keys()]);
  for (const [k, r] of ra) assert.equal(bytesOf(rb.get(k)!), bytesOf(r), k);
  // The imported results aggregate to the same bytes as the original run.
  assert.equal(JSON.stringify(aggregate(plan, rb)), JSON.stringify(aggregate(plan, ra)));
  const ea = a.getExperiment(id)!;
  const eb = b.getExperiment(id2)!;
  assert.deepEqual({ ...eb, id: 0, updatedAt: 0 }, { ...ea, id: 0, updatedAt: 0 });
  assert.deepEqual(b.getDataset(plan.data[0].hash), plan.data[0].data);
  assert.deepEqual(b.jobStates(id2), a.jobStates(id));

  // Importing again is refused (it is there already), unless a copy is asked for; the copy
  // re-uses the stored data set row.
  assert.throws(
    () => b.importExperiment(JSON.parse(text)),
    (e: unknown) => e instanceof AlreadyInLibraryError && e.id === id2,
  );
  assert.equal(b.listExperiments({}).length, 1, 'nothing stored by the refused import');
  const id3 = b.importExperiment(JSON.parse(text), { copy: true });
  assert.notEqual(id3, id2);
  assert.equal(counts(fileB).datasets, 1);
  assert.equal(b.listDatasets()[0].experiments, 2);
  // And the export of the import is the export, but for the times the import itself set.
  const strip = (x: ReturnType<Library['exportExperiment']>) => ({
    ...x,
    experiment: { ...x.experiment, updatedAt: 0 },
  });
  assert.deepEqual(strip(b.exportExperiment(id2)), strip(JSON.parse(text)));
});

test('import: a running experiment comes back cancelled with its leased jobs pending; a bad file stores nothing', (t) => {
  const { lib: a } = openTemp(t, 'a.db');
  const { lib: b, file: fileB } = openTemp(t, 'b.db');
  const id = a.createExperiment(spec());
  a.planJobs(id, ['j0', 'j1', 'j2']);
  a.setStatus(id, 'running');
  a.leaseJob(id, 'j0', 'w');
  a.leaseJob(id, 'j1', 'w');
  a.commitResult(id, 'j1', fakeResult('j1', 1), 5, 'w');
  const x = a.exportExperiment(id);
  const id2 = b.importExperiment(x);
  assert.equal(b.getExperiment(id2)!.status, 'cancelled');
  assert.deepEqual(
    b.jobStates(id2).jobs.map((j) => [j.key, j.state, j.worker]),
    [
      ['j0', 'pending', null],
      ['j1', 'done', 'w'],
      ['j2', 'pending', null],
    ],
  );

  const before = counts(fileB);
  const broken = structuredClone(x);
  broken.jobs[1].result = broken.jobs[1].result!.slice(0, 40);
  (broken.experiment as { tags: unknown }).tags = 'x';
  assert.throws(
    () => b.importExperiment(broken),
    (e: unknown) =>
      e instanceof ProblemsError &&
      /experiment\.tags: must be a list of strings/.test(e.message) &&
      /jobs\[1\]\.result: truncated/.test(e.message),
  );
  assert.deepEqual(counts(fileB), before);
});

test('deliverResult: once per key; a second copy with the same bytes is ignored, one with other bytes is a recorded fault', (t) => {
  const { lib, file } = openTemp(t);
  const id = lib.createExperiment(spec());
  lib.planJobs(id, ['a']);
  const first = fakeResult('a', 1);
  assert.equal(lib.deliverResult(id, 'a', first, 10, 'w1'), 'committed');
  assert.equal(lib.deliverResult(id, 'a', fakeResult('a', 1), 11, 'w2'), 'same', 'the same bytes: nothing to do');
  assert.deepEqual(lib.jobStates(id).faults, []);
  const other = fakeResult('a', 1);
  other.outputs.val[7] += 1e-6;
  assert.equal(lib.deliverResult(id, 'a', other, 12, 'w3'), 'differs');
  const faults = lib.jobStates(id).faults;
  assert.equal(faults.length, 1);
  assert.equal(faults[0].key, 'a');
  assert.equal(faults[0].worker, 'w3');
  assert.equal(faults[0].keptWorker, 'w1');
  assert.match(faults[0].detail, /^result\.outputs\.val\[7\]: \S+ committed, \S+ delivered$/);
  assert.deepEqual(lib.jobResult(id, 'a'), first, 'the first copy stays the one the report uses');
  const row = lib.jobStates(id).jobs[0];
  assert.equal(row.worker, 'w1');
  assert.equal(row.ms, 10);
  assert.equal(
    lib.deliverResult(id, 'b', fakeResult('b', 2), 1, 'w1'),
    'committed',
    'an unplanned key is added as done',
  );
  assert.equal(lib.commitResult(id, 'b', fakeResult('b', 2), 1, 'w1'), false);
  lib.deleteExperiment(id);
  assert.equal(counts(file).job_faults, 0, 'faults go with their experiment');
});
