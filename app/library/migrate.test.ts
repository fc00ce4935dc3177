import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, NewerSchemaError, NotALibraryError, migrate, schemaVersion } from './migrate.ts';
import { Library } from './library.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A valid experiment spec (the library checks what it stores). */
const specOf = (): ExperimentSpec => ({
  seed: 3,
  dataset: { name: 'moons', samples: 60, noise: 0.3 },
  model: { kind: 'mlp', hidden: [4] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.05 },
  training: { epochs: 2, batchSize: 16 },
});

const tables = (db: Database.Database) =>
  (
    db
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`,
      )
      .all() as { name: string }[]
  ).map((r) => r.name);

test('migrate: from an empty file to the current schema, each migration once', (t) => {
  const file = join(tempDir(t), 'library.db');
  const db = new Database(file);
  assert.deepEqual(migrate(db), { from: 0, to: SCHEMA_VERSION });
  assert.equal(schemaVersion(db), MIGRATIONS.length);
  assert.deepEqual(tables(db), [
    'datasets',
    'experiment_datasets',
    'experiment_tags',
    'experiments',
    'job_faults',
    'job_results',
    'jobs',
    'library_meta',
    'results',
  ]);
  assert.deepEqual(migrate(db), { from: SCHEMA_VERSION, to: SCHEMA_VERSION }, 'a second run does nothing');
  db.close();
});

test("migration 1 (upgrade from version 0): a zero-byte file becomes a library; another program's database is refused untouched", (t) => {
  const dir = tempDir(t);
  const empty = join(dir, 'empty.db');
  writeFileSync(empty, '');
  const lib = Library.open(empty);
  assert.equal(lib.settings().schemaVersion, SCHEMA_VERSION);
  lib.close();

  const foreign = join(dir, 'foreign.db');
  const db = new Database(foreign);
  db.exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)`);
  assert.throws(
    () => migrate(db),
    (e: unknown) =>
      e instanceof NotALibraryError && /foreign\.db is not an OptLab library: .*\(invoices\)/.test(e.message),
  );
  assert.equal(schemaVersion(db), 0);
  assert.deepEqual(tables(db), ['invoices']);
  assert.deepEqual(db.prepare('SELECT total FROM invoices').all(), [{ total: 12.5 }]);
  db.close();
});

test('migration 2 (upgrade from version 1): experiments and their tags survive, and tags get their indexed table', (t) => {
  const file = join(tempDir(t), 'library.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 1));
  assert.equal(schemaVersion(db), 1);
  const spec = JSON.stringify({ seed: 1 });
  const insert = db.prepare(
    `INSERT INTO experiments (name, spec, created_at, updated_at, tags, notes) VALUES (?, ?, 1, 1, ?, ?)`,
  );
  insert.run('Optimizers on digits', spec, JSON.stringify(['optimizers', 'Digits', 'digits', 7]), 'first try');
  insert.run('Capacity', spec, '[]', '');
  db.prepare(`INSERT INTO jobs (experiment_id, key, state) VALUES (1, 'config=0/fold=0', 'done')`).run();
  db.prepare(`INSERT INTO job_results (experiment_id, key, result) VALUES (1, 'config=0/fold=0', x'0102')`).run();
  db.close();

  const lib = Library.open(file);
  assert.equal(lib.settings().schemaVersion, SCHEMA_VERSION);
  const e = lib.getExperiment(1)!;
  assert.equal(e.name, 'Optimizers on digits');
  assert.equal(e.notes, 'first try');
  assert.deepEqual(e.tags, ['optimizers', 'Digits', 'digits', 7], 'the JSON array is left as it was');
  assert.deepEqual(
    lib.listExperiments({ tag: 'DIGITS' }).map((x) => x.id),
    [1],
    'the backfilled tag table answers, case-insensitively',
  );
  assert.deepEqual(
    lib.listExperiments({ tag: 'optimizers' }).map((x) => x.id),
    [1],
  );
  assert.deepEqual(lib.jobStates(1).counts, { pending: 0, leased: 0, done: 1, failed: 0 });
  lib.close();

  const check = new Database(file);
  assert.deepEqual(
    check.prepare('SELECT experiment_id, tag FROM experiment_tags ORDER BY tag').all(),
    [
      { experiment_id: 1, tag: 'Digits' },
      { experiment_id: 1, tag: 'optimizers' },
    ],
    'one row per tag (case-insensitive), non-strings skipped',
  );
  const plan = check.prepare(`EXPLAIN QUERY PLAN SELECT experiment_id FROM experiment_tags WHERE tag = 'x'`).all() as {
    detail: string;
  }[];
  assert.ok(
    plan.some((p) => /USING (COVERING )?INDEX experiment_tags_tag/.test(p.detail)),
    JSON.stringify(plan),
  );
  check.close();
});

test('migration 3 (upgrade from version 2): experiments keep their rows, ids and tags; a run left running reads as interrupted', (t) => {
  const file = join(tempDir(t), 'library.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, 2));
  assert.equal(schemaVersion(db), 2);
  const spec = JSON.stringify({ seed: 1 });
  const insert = db.prepare(
    `INSERT INTO experiments (name, spec, status, created_at, updated_at, started_at, tags, notes, error) VALUES (?, ?, ?, 1, 2, ?, ?, ?, ?)`,
  );
  insert.run('Killed mid-run', spec, 'running', 5, JSON.stringify(['cv']), 'kill -9', null);
  insert.run('Finished', spec, 'done', 5, '[]', '', null);
  insert.run('Deleted later', spec, 'failed', 5, '[]', '', 'boom');
  db.prepare(
    `INSERT INTO jobs (experiment_id, key, state) VALUES (1, 'config=0/fold=0', 'done'), (1, 'config=0/fold=1', 'leased')`,
  ).run();
  db.prepare(`INSERT INTO job_results (experiment_id, key, result) VALUES (1, 'config=0/fold=0', x'0102')`).run();
  db.prepare(`INSERT INTO results (experiment_id, report, created_at) VALUES (2, '{}', 3)`).run();
  db.prepare('DELETE FROM experiments WHERE id = 3').run();
  db.close();

  const lib = Library.open(file);
  assert.equal(lib.settings().schemaVersion, SCHEMA_VERSION);
  const e = lib.getExperiment(1)!;
  assert.deepEqual(
    [e.name, e.status, e.startedAt, e.tags, e.notes, e.owner, e.kernels],
    ['Killed mid-run', 'interrupted', 5, ['cv'], 'kill -9', null, null],
    'running with no process to own it: interrupted',
  );
  assert.deepEqual(lib.jobStates(1).counts, { pending: 0, leased: 1, done: 1, failed: 0 });
  assert.equal(lib.getExperiment(2)!.hasReport, true);
  assert.deepEqual(
    lib.listExperiments({ status: 'interrupted' }).map((x) => x.id),
    [1],
  );
  assert.deepEqual(lib.listExperiments({ status: 'running' }), []);
  assert.equal(
    lib.createExperiment({ ...specOf(), name: 'new' }, { tags: ['fresh'] }),
    4,
    'id 3 was given once and is not given again',
  );
  assert.deepEqual(
    lib.listExperiments({ tag: 'fresh' }).map((x) => x.id),
    [4],
    'the tag triggers work on the rebuilt table',
  );
  assert.equal(lib.deleteExperiment(1), true);
  assert.deepEqual(lib.jobStates(1).jobs, [], 'deleting cascades to the jobs through the rebuilt table');
  lib.close();

  const check = new Database(file);
  assert.deepEqual(check.pragma('foreign_key_check'), []);
  assert.throws(() => check.prepare(`UPDATE experiments SET status = 'paused' WHERE id = 2`).run(), /CHECK constraint/);
  check.prepare(`UPDATE experiments SET status = 'interrupted' WHERE id = 2`).run();
  assert.deepEqual(
    check.prepare('SELECT owner, heartbeat_at, kernels, cost_units FROM experiments WHERE id = 2').get(),
    { owner: null, heartbeat_at: null, kernels: null, cost_units: null },
    'the new columns start empty',
  );
  const indexes = (
    check
      .prepare(
        `SELECT name FROM sqlite_schema WHERE type IN ('index', 'trigger') AND tbl_name = 'experiments' ORDER BY name`,
      )
      .all() as {
      name: string;
    }[]
  ).map((r) => r.name);
  assert.deepEqual(indexes, [
    'experiments_name',
    'experiments_status',
    'experiments_tags_insert',
    'experiments_tags_update',
    'experiments_updated',
  ]);
  check.close();
});

test('migration 4 (upgrade from version 3): the library gets an id of its own, experiments an engine column, results keep their bytes', (t) => {
  const dir = tempDir(t);
  const ids = ['a.db', 'b.db'].map((name) => {
    const file = join(dir, name);
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 3));
    db.prepare(
      `INSERT INTO experiments (name, spec, created_at, updated_at, tags, notes) VALUES ('CV', '{"seed":1}', 1, 1, '[]', '')`,
    ).run();
    db.prepare(
      `INSERT INTO jobs (experiment_id, key, state, worker) VALUES (1, 'config=0/fold=0', 'done', 'w1')`,
    ).run();
    db.prepare(`INSERT INTO job_results (experiment_id, key, result) VALUES (1, 'config=0/fold=0', x'0102')`).run();
    db.close();
    const lib = Library.open(file);
    assert.equal(lib.settings().schemaVersion, 4);
    const e = lib.getExperiment(1)!;
    assert.equal(e.engine, null, 'an experiment run before engines were recorded says none');
    assert.deepEqual(lib.jobStates(1).faults, []);
    const id = lib.libraryId();
    assert.match(id, /^[0-9a-f]{16}$/);
    lib.setEngine(1, { kind: 'redis', where: 'redis://h:6379', backend: 'cpu', queue: 'jobs.cpu.js' });
    assert.deepEqual(lib.getExperiment(1)!.engine, {
      kind: 'redis',
      where: 'redis://h:6379',
      backend: 'cpu',
      queue: 'jobs.cpu.js',
    });
    lib.close();
    const again = Library.open(file);
    assert.equal(again.libraryId(), id, 'made once, kept');
    again.close();
    const raw = new Database(file, { readonly: true });
    assert.deepEqual(
      raw.prepare('SELECT hex(result) AS h FROM job_results').all(),
      [{ h: '0102' }],
      'committed bytes untouched',
    );
    assert.throws(
      () => raw.prepare(`UPDATE experiments SET engine = 'not json' WHERE id = 1`).run(),
      /readonly|CHECK constraint/,
    );
    raw.close();
    return id;
  });
  assert.notEqual(ids[0], ids[1], 'two libraries, two ids');
  const db = new Database(join(dir, 'a.db'));
  assert.throws(() => db.prepare(`UPDATE experiments SET engine = 'not json' WHERE id = 1`).run(), /CHECK constraint/);
  db.close();
});

test('migrate: a database from a newer OptLab is refused with a clear message, before anything is written', (t) => {
  const file = join(tempDir(t), 'library.db');
  Library.open(file).close();
  const db = new Database(file);
  db.pragma('journal_mode = DELETE');
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => Library.open(file),
    (e: unknown) =>
      e instanceof NewerSchemaError &&
      e.message ===
        `library.db was written by a newer OptLab (schema version ${SCHEMA_VERSION + 1}, this one knows ${SCHEMA_VERSION}); upgrade OptLab or open another --db`,
  );
  const after = new Database(file, { readonly: true });
  assert.equal(after.pragma('journal_mode', { simple: true }), 'delete', 'not even switched to WAL');
  assert.equal(schemaVersion(after), SCHEMA_VERSION + 1);
  after.close();
});

test('migrate: a failing migration rolls back whole and leaves the version where it was', (t) => {
  const file = join(tempDir(t), 'library.db');
  const db = new Database(file);
  migrate(db, MIGRATIONS.slice(0, 1));
  const fkBefore = db.pragma('foreign_keys', { simple: true });
  const broken = [
    ...MIGRATIONS.slice(0, 1),
    { version: 2, name: 'broken', sql: 'CREATE TABLE half_done (a INTEGER); SELECT * FROM no_such_table;' },
  ];
  assert.throws(() => migrate(db, broken), /no such table/);
  assert.equal(schemaVersion(db), 1);
  assert.ok(!tables(db).includes('half_done'));
  assert.equal(db.pragma('foreign_keys', { simple: true }), fkBefore, 'foreign_keys is back as it was');
  db.close();
});

test('migrate: a list with a gap in its version numbers is a programming error', () => {
  const db = new Database(':memory:');
  assert.throws(() => migrate(db, [{ version: 2, name: 'x', sql: '' }]), /has version 2, expected 1/);
  db.close();
});
