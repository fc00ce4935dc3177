// A library that cannot be opened, read or written, as a user meets it through `optlab`: a
// folder given as --db, a damaged file, read-only media, a full disk. Each message names the
// path and what to do. Read-only media and full disks are real: tmpfs mounts (skipped, with the
// reason, where this process may not mount).
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Library, LibraryError } from './library.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });

/** A small experiment, run to the end: 2 configurations × 3 folds. */
const SPEC = {
  seed: 3,
  dataset: { name: 'iris' },
  model: { kind: 'logistic' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.05 },
  training: { epochs: 5, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 3 },
  sweep: { 'optimizer.lr': [0.05, 0.1] },
};

/** Mounts a tmpfs at `dir` (size in kB), or says why it cannot. */
function mountTmpfs(dir: string, kb: number): string | undefined {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return `cannot run mount: ${r.error.message}`;
  return r.status === 0 ? undefined : `mount -t tmpfs refused: ${r.stderr.trim()} (needs root)`;
}
const remount = (dir: string, opts: string) => {
  const r = spawnSync('mount', ['-o', `remount,${opts}`, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};
const umount = (dir: string) => spawnSync('umount', ['-l', dir]);

describe('library errors', { timeout: 300_000 }, () => {
  let tmp = '';
  let specFile = '';
  let good = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-liberr-'));
    specFile = join(tmp, 'spec.json');
    writeFileSync(specFile, JSON.stringify(SPEC));
    good = join(tmp, 'good.db');
    const r = optlab('run', specFile, '--db', good, '--workers', '0', '--quiet', '--json');
    assert.equal(r.status, 0, r.stderr);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('--db at a folder names it and says to give a file inside it', () => {
    const folder = join(tmp, 'a-folder');
    mkdirSync(folder);
    assert.throws(
      () => Library.open(folder),
      (e) => e instanceof LibraryError && e.kind === 'folder',
    );
    for (const cmd of [['ls'], ['run', specFile, '--queue']]) {
      const r = optlab(...cmd, '--db', folder);
      assert.equal(r.status, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`${folder} is a folder; --db takes the path of the library file, e\\.g\\. ${folder}/library\\.db`),
      );
      assert.doesNotMatch(r.stderr, /unable to open database file$/m);
    }
  });

  test('a damaged library names its path and the ways out, from the first query or a later one', () => {
    // The schema page overwritten: SQLite stops at once.
    const schema = join(tmp, 'schema.db');
    copyFileSync(good, schema);
    const fd = openSync(schema, 'r+');
    writeSync(fd, Buffer.alloc(3000, 0xde), 0, 3000, 100);
    closeSync(fd);
    const r = optlab('ls', '--db', schema);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`the library ${schema} is damaged \\(database disk image is malformed\\)`));
    assert.match(r.stderr, /Restore it from a backup/);
    // Intact as SQLite sees it, but a stored spec no longer parses.
    const record = join(tmp, 'record.db');
    copyFileSync(good, record);
    const lib = Library.open(record);
    lib.close();
    const raw = spawnSync(process.execPath, [
      '-e',
      `const D=require(${JSON.stringify(join(root, 'node_modules/better-sqlite3'))});const d=new D(${JSON.stringify(record)});d.pragma('ignore_check_constraints = ON');d.prepare("UPDATE experiments SET spec = '{garbage'").run();d.close()`,
    ]);
    assert.equal(raw.status, 0, raw.stderr?.toString());
    const show = optlab('show', '1', '--db', record);
    assert.equal(show.status, 1);
    assert.match(show.stderr, new RegExp(`the library ${record} is damaged: a stored record cannot be read`));
  });

  test('read-only media: ls, show and export read the library; run and resume say it cannot be written', (t: TestContext) => {
    const media = join(tmp, 'ro');
    const why = mountTmpfs(media, 4096);
    if (why) return t.skip(why);
    t.after(() => umount(media));
    const db = join(media, 'library.db');
    copyFileSync(good, db);
    remount(media, 'ro');
    const ls = optlab('ls', '--db', db, '--json');
    assert.equal(ls.status, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout), JSON.parse(optlab('ls', '--db', good, '--json').stdout));
    const show = optlab('show', '1', '--db', db, '--json', '--jobs');
    assert.equal(show.status, 0, show.stderr);
    assert.equal(show.stdout, optlab('show', '1', '--db', good, '--json', '--jobs').stdout);
    const exp = optlab('export', '1', '--db', db);
    assert.equal(exp.status, 0, exp.stderr);
    assert.equal(exp.stdout, optlab('export', '1', '--db', good).stdout);
    for (const cmd of [
      ['run', specFile, '--queue'],
      ['resume', '1', '--workers', '0'],
    ]) {
      const r = optlab(...cmd, '--db', db);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot write the library ${db}: it is on read-only media`));
      assert.match(r.stderr, /optlab ls, show and export can still read it/);
    }
    const none = optlab('ls', '--db', join(media, 'other', 'library.db'));
    assert.equal(none.status, 1);
    assert.match(
      none.stderr,
      /there is no library at .*other\/library\.db \(and none can be created there: read-only media\)/,
    );
  });

  test('a full disk: the run stops naming the path; with space again, resume finishes it with the same report', (t: TestContext) => {
    const disk = join(tmp, 'small');
    // Room for the schema and a few results, not for all 60 of this experiment.
    const why = mountTmpfs(disk, 500);
    if (why) return t.skip(why);
    t.after(() => umount(disk));
    const spec = join(tmp, 'many.json');
    writeFileSync(
      spec,
      JSON.stringify({
        ...SPEC,
        evaluation: { kind: 'kfold', k: 10 },
        sweep: { 'optimizer.lr': [0.01, 0.02, 0.05, 0.1, 0.2, 0.5] },
      }),
    );
    const db = join(disk, 'library.db');
    const r = optlab('run', spec, '--db', db, '--workers', '0', '--quiet', '--json');
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`the disk holding the library ${db} is full\\. Free some space, then go on with optlab resume`),
    );
    remount(disk, 'size=16m');
    const list = JSON.parse(optlab('ls', '--db', db, '--json').stdout) as Array<{ id: number; jobs: { done: number } }>;
    assert.equal(list.length, 1);
    assert.ok(
      list[0].jobs.done > 0 && list[0].jobs.done < 60,
      `${list[0].jobs.done} jobs committed before the disk filled`,
    );
    const resumed = optlab('resume', String(list[0].id), '--db', db, '--workers', '0', '--quiet', '--json');
    assert.equal(resumed.status, 0, resumed.stderr);
    const fresh = optlab('run', spec, '--db', join(tmp, 'roomy.db'), '--workers', '0', '--quiet', '--json');
    assert.equal(resumed.stdout, fresh.stdout);
  });
});
