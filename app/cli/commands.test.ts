// The command line's rough edges, as a user meets them: real `optlab` processes on real files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 1e8,
    env: { ...process.env, COLUMNS: '', ...env },
  });
const json = <T>(args: string[]): T => {
  const r = optlab(args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

/** Seconds of work at most: logistic regression on a small synthetic set. */
const tiny = {
  seed: 4,
  dataset: { name: 'moons', samples: 120, noise: 0.2 },
  model: { kind: 'logistic' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 3, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 3 },
};

let tmp = '';
let tinyFile = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-commands-'));
  tinyFile = join(tmp, 'tiny.json');
  writeFileSync(tinyFile, JSON.stringify(tiny));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--workers past the cores: a warning that says the cost, before anything starts', () => {
  const cores = availableParallelism();
  const bad = join(tmp, 'no-such-spec.json');
  const r = optlab(['run', bad, '--workers', String(cores + 1), '--db', join(tmp, 'w.db')]);
  assert.equal(r.status, 2, 'the missing spec still ends it: no worker was started');
  assert.match(
    r.stderr,
    new RegExp(
      `optlab run: --workers ${cores + 1} on ${cores} cores?: more workers than cores share the cores, and each is a process of its own \\(about 100 MB, with a copy of the data\\), so jobs take longer, not shorter; --workers ${cores} is usually fastest`,
    ),
  );
  assert.doesNotMatch(optlab(['run', bad, '--workers', String(cores)]).stderr, /more workers than cores/);
});

test('rm deletes experiments by id with their results; an unknown id is named, exit 1', () => {
  const db = join(tmp, 'rm.db');
  for (let i = 0; i < 3; i++) assert.equal(optlab(['run', tinyFile, '--queue', '--db', db]).status, 0);
  const r = optlab(['rm', '1', '3', '--db', db]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /deleted experiment 1: Untitled experiment/);
  assert.deepEqual(
    json<{ id: number }[]>(['ls', '--db', db, '--json']).map((e) => e.id),
    [2],
  );
  const missing = optlab(['rm', '2', '7', '--db', db]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /optlab rm: no experiment with id 7/);
  assert.deepEqual(json<unknown[]>(['ls', '--db', db, '--json']), [], 'the known one went');
  assert.equal(optlab(['rm', 'x', '--db', db]).status, 2);
});

test('ls lists newest first by id, whatever changed last; an import into the library it came from is refused unless --copy', () => {
  const db = join(tmp, 'ls.db');
  assert.equal(optlab(['run', tinyFile, '--queue', '--db', db]).status, 0);
  assert.equal(optlab(['run', tinyFile, '--queue', '--db', db]).status, 0);
  // Experiment 1 changes last: listed by last change, it came first, out of order.
  assert.equal(optlab(['resume', '1', '--workers', '0', '--db', db, '--quiet']).status, 0);
  const file = join(tmp, 'one.json');
  assert.equal(optlab(['export', '1', '--db', db, '--out', file]).status, 0);
  const same = optlab(['import', file, '--db', db]);
  assert.equal(same.status, 1);
  assert.match(
    same.stderr,
    /this export is experiment 1 of this library already \(same name, spec and creation time\); nothing was imported\. To have a second copy anyway: optlab import FILE --copy/,
  );
  assert.equal(json<unknown[]>(['ls', '--db', db, '--json']).length, 2, 'nothing was imported');
  const copy = optlab(['import', file, '--copy', '--db', db]);
  assert.equal(copy.status, 0, copy.stderr);
  assert.match(copy.stdout, /imported as experiment 3/);
  assert.equal(optlab(['resume', '1', '--workers', '0', '--db', db, '--quiet']).status, 0);
  const lines = optlab(['ls', '--db', db]).stdout.trim().split('\n');
  assert.deepEqual(
    lines.slice(1).map((l) => Number(l.split(/\s+/)[0])),
    [3, 2, 1],
  );
  const other = optlab(['import', file, '--db', join(tmp, 'other.db')]);
  assert.equal(other.status, 0, 'another library takes it as it is');
});

test('a spec whose CSV passes but whose experiment is refused stores nothing, not even the data set', () => {
  const dir = join(tmp, 'csv');
  mkdirSync(dir);
  writeFileSync(join(dir, 'points.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n');
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({ ...tiny, dataset: { name: 'csv', path: 'points.csv' }, evaluation: { kind: 'kfold', k: 10 } }),
  );
  const db = join(dir, 'lib.db');
  const r = optlab(['run', join(dir, 'spec.json'), '--db', db, '--workers', '0']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /evaluation\.k: /);
  assert.deepEqual(json<unknown[]>(['datasets', 'ls', '--db', db, '--json']), []);
  assert.deepEqual(json<unknown[]>(['ls', '--db', db, '--json']), []);
});

test('a data set imported with optlab datasets import is named in a spec by its name or its hash', () => {
  const dir = join(tmp, 'named');
  mkdirSync(dir);
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 60; i++) rows.push(`${(i * 7) % 11},${(i * 5) % 13},${i % 2 ? 'b' : 'a'}`);
  writeFileSync(join(dir, 'mine.csv'), rows.join('\n') + '\n');
  const db = join(dir, 'lib.db');
  const imp = optlab(['datasets', 'import', join(dir, 'mine.csv'), '--name', 'mydata', '--db', db]);
  assert.equal(imp.status, 0, imp.stderr);
  const hash = /as ([0-9a-f]{16})/.exec(imp.stdout)![1];
  const byName = join(dir, 'by-name.json');
  writeFileSync(byName, JSON.stringify({ ...tiny, dataset: { name: 'mydata' } }));
  const a = optlab(['run', byName, '--workers', '0', '--db', db, '--json', '--quiet']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(JSON.parse(a.stdout).dataset.name, 'mydata');
  const byHash = join(dir, 'by-hash.json');
  writeFileSync(byHash, JSON.stringify({ ...tiny, dataset: { name: hash } }));
  const b = optlab(['run', byHash, '--workers', '0', '--db', db, '--json', '--quiet']);
  assert.equal(b.status, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
  const stored = json<{ experiment: { spec: { dataset: unknown } } }>(['show', '1', '--db', db, '--json']);
  assert.deepEqual(stored.experiment.spec.dataset, { name: 'csv', hash }, 'stored as what it means');

  const unknown = join(dir, 'unknown.json');
  writeFileSync(unknown, JSON.stringify({ ...tiny, dataset: { name: 'yourdata' } }));
  const u = optlab(['run', unknown, '--workers', '0', '--db', db]);
  assert.equal(u.status, 2);
  assert.match(
    u.stderr,
    /dataset\.name: .*"yourdata".*; or the name or hash of a data set in the library \(optlab datasets lists them\)/,
  );
  writeFileSync(join(dir, 'mine2.csv'), rows.slice(0, 40).join('\n') + '\n');
  assert.equal(optlab(['datasets', 'import', join(dir, 'mine2.csv'), '--name', 'mydata', '--db', db]).status, 0);
  const twice = optlab(['run', byName, '--workers', '0', '--db', db]);
  assert.equal(twice.status, 2);
  assert.match(
    twice.stderr,
    /dataset\.name: "mydata" names 2 data sets of the library \([0-9a-f]{16}, [0-9a-f]{16}\); name one by its hash/,
  );
});

test('--out is checked before anything runs: a folder, or read-only media, exit 2 with nothing stored', (t) => {
  const db = join(tmp, 'out.db');
  const folder = optlab(['run', tinyFile, '--workers', '0', '--db', db, '--out', tmp]);
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /--out .*: is a folder; give the name of a file to write/);
  const nowhere = optlab(['run', tinyFile, '--workers', '0', '--db', db, '--out', join(tmp, 'no', 'such', 'r.json')]);
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stderr, /cannot be written \(.*no such folder\)/);
  // A folder that takes no new files, whatever the permissions say (root may write anywhere else).
  if (existsSync('/proc/self')) {
    const proc = optlab(['run', tinyFile, '--workers', '0', '--db', db, '--out', '/proc/optlab-out.json']);
    assert.equal(proc.status, 2, proc.stderr);
    assert.match(proc.stderr, /--out \/proc\/optlab-out\.json: cannot be written/);
  }
  assert.deepEqual(json<unknown[]>(['ls', '--db', db, '--json']), [], 'nothing stored');

  const media = join(tmp, 'ro-media');
  mkdirSync(media);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', media], { encoding: 'utf8' });
  if (m.error || m.status !== 0)
    return t.skip(`mount -t tmpfs refused: ${m.error?.message ?? m.stderr.trim()} (needs root)`);
  t.after(() => spawnSync('umount', ['-l', media]));
  const ro = optlab(['run', tinyFile, '--workers', '0', '--db', db, '--out', join(media, 'r.json')]);
  assert.equal(ro.status, 2);
  assert.match(ro.stderr, /--out .*r\.json: cannot be written \(.*read-only media\)/);
  assert.deepEqual(json<unknown[]>(['ls', '--db', db, '--json']), []);
});

test('an --out that fails at the end (a full disk): the table is printed and the results are said to be in the library under their id', (t) => {
  const disk = join(tmp, 'full-out');
  mkdirSync(disk);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', disk], { encoding: 'utf8' });
  if (m.error || m.status !== 0)
    return t.skip(`mount -t tmpfs refused: ${m.error?.message ?? m.stderr.trim()} (needs root)`);
  t.after(() => spawnSync('umount', ['-l', disk]));
  writeFileSync(join(disk, 'filler'), Buffer.alloc(8192));
  const db = join(tmp, 'full-out.db');
  const r = optlab(['run', tinyFile, '--workers', '0', '--db', db, '--out', join(disk, 'r.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /▲ base/, 'the table is printed');
  assert.match(
    r.stderr,
    /cannot write .*r\.json: the disk is full; the results are safe in the library as experiment 1 in .*full-out\.db \(optlab export 1 --out FILE/,
  );
  assert.equal(json<{ status: string }[]>(['ls', '--db', db, '--json'])[0].status, 'done');
  const ok = optlab(['resume', '1', '--db', db, '--quiet', '--out', join(tmp, 'later.json')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(readFileSync(join(tmp, 'later.json'), 'utf8')).evaluation, '3-fold stratified');
});

test('tables fit the terminal: columns that do not fit follow in tables of their own; --wide keeps one table; one pair is not "1 pairs"', () => {
  const two = join(tmp, 'two.json');
  writeFileSync(
    two,
    JSON.stringify({
      ...tiny,
      sweep: {
        optimizer: [
          { name: 'sgd', lr: 0.1 },
          { name: 'adam', lr: 0.05 },
        ],
      },
    }),
  );
  const db = join(tmp, 'tables.db');
  const narrow = optlab(['run', two, '--workers', '0', '--db', db], { COLUMNS: '80' });
  assert.equal(narrow.status, 0, narrow.stderr);
  const long = narrow.stdout.split('\n').filter((l) => l.length > 80);
  assert.deepEqual(long, [], 'every line within 80 columns');
  assert.match(narrow.stdout, /one pair, so Holm's\s+adjustment\s+leaves\s+p\s+as\s+it\s+is/);
  assert.doesNotMatch(narrow.stdout, /1\s+pairs/);
  const metrics = ['val_accuracy', 'train_accuracy', 'gap_accuracy', 'val_loss'];
  for (const m of metrics) assert.match(narrow.stdout, new RegExp(`^configuration .*${m}`, 'm'), `${m} is there`);
  const wide = optlab(['show', '1', '--db', db, '--wide'], { COLUMNS: '80' });
  assert.match(wide.stdout, new RegExp(`^configuration +${metrics.join(' +')}$`, 'm'), 'one table');
});
