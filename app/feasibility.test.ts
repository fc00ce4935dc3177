// Specs that pass the schema but cannot run here: refused by real `optlab` processes before
// anything is stored, each problem with its path, exit code 2. And runs that diverge say so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLimits, parseSize } from './feasibility.ts';
import { formatBytes } from '../shared/experiment/feasibility.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/optlab.mjs');

describe('feasibility at creation', { timeout: 300_000 }, () => {
  let tmp = '';
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-feasible-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const optlab = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      cwd: tmp,
      // Bounded: before the checks, some of these specs ran until they had eaten the machine.
      timeout: 120_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, OPTLAB_MEMORY_LIMIT: '', ...env },
    });
  const file = (name: string, spec: object) => {
    const f = join(tmp, name);
    writeFileSync(f, JSON.stringify(spec));
    return f;
  };
  const base = {
    seed: 1,
    dataset: { name: 'iris' },
    model: { kind: 'mlp', hidden: [8] },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 3, batchSize: 16 },
    evaluation: { kind: 'kfold', k: 5 },
  };
  /** The experiments stored in a library (none when the file was never created). */
  const stored = (db: string) => {
    const r = optlab(['ls', '--db', db, '--json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown[];
  };

  test('a model of 4.3 billion parameters: exit 2 with the estimate and the limit, nothing stored; the limit can be raised', () => {
    const db = join(tmp, 'model.db');
    const spec = file('big.json', { ...base, model: { kind: 'mlp', hidden: [65536, 65536] } });
    const r = optlab(['run', spec, '--db', db], { OPTLAB_MEMORY_LIMIT: '3.1G' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /- model: about 86\.2 GB needed, 3\.1 GB allowed \(4,295,557,123 parameters; /);
    assert.match(r.stderr, /--memory-limit SIZE/);
    assert.deepEqual(stored(db), []);
    const t = optlab(
      [
        'train',
        file('big-train.json', { ...base, evaluation: undefined, model: { kind: 'mlp', hidden: [65536, 65536] } }),
      ],
      {
        OPTLAB_MEMORY_LIMIT: '3.1G',
      },
    );
    assert.equal(t.status, 2, t.stderr);
    assert.match(t.stderr, /- model: about 86\.2 GB needed, 3\.1 GB allowed/);
    // Raised past the estimate, the experiment is accepted (queued here, so that nothing trains).
    const q = optlab(['run', spec, '--db', db, '--queue', '--memory-limit', '100G'], { OPTLAB_MEMORY_LIMIT: '3.1G' });
    assert.equal(q.status, 0, q.stderr);
    assert.equal(stored(db).length, 1);
    const bad = optlab(['run', spec, '--db', db, '--memory-limit', 'lots']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--memory-limit: not a size: "lots"/);
  });

  test('without a limit given, half of this machine memory: eight layers of 65536 are refused anywhere', () => {
    const db = join(tmp, 'default.db');
    const hidden = new Array<number>(8).fill(65536);
    const r = optlab(['run', file('huge.json', { ...base, model: { kind: 'mlp', hidden } }), '--db', db]);
    assert.equal(r.status, 2, r.stderr);
    const allowed = memoryLimits(undefined, {}).memoryBytes;
    assert.match(r.stderr, /- model: about \d+ GB needed, [\d.]+ [GMT]B allowed/);
    assert.ok(r.stderr.includes(` needed, ${formatBytes(allowed)} allowed`), r.stderr);
    assert.deepEqual(stored(db), []);
  });

  test('leave-one-out on a 288,000-row CSV is refused at once with the plan size; nothing stored', () => {
    const csv = join(tmp, 'large.csv');
    const lines = ['a,b,label'];
    for (let i = 0; i < 288_000; i++) lines.push(`${i % 97},${(i * 7) % 13},${i % 2}`);
    writeFileSync(csv, lines.join('\n') + '\n');
    const db = join(tmp, 'loo.db');
    const spec = file('loo.json', {
      ...base,
      dataset: { name: 'csv', path: 'large.csv', testFraction: 0.2 },
      model: { kind: 'logistic' },
      evaluation: { kind: 'loo' },
    });
    const r = optlab(['run', spec, '--db', db]);
    assert.equal(r.status, 2, `${r.signal ?? ''} ${r.stderr}`);
    assert.match(
      r.stderr,
      /- evaluation: the plan needs about \d+ GB, [\d.]+ [GMT]B allowed \(230,400 jobs: row indices 212 GB/,
    );
    assert.deepEqual(stored(db), []);
  });

  test('evaluation.k past the rows or every class: exit 2 with the path, nothing stored; past some classes only it is accepted', () => {
    const db = join(tmp, 'k.db');
    // 15 rows outside the test part, 5 per class.
    const few = optlab([
      'run',
      file('k.json', { ...base, dataset: { name: 'iris', testFraction: 0.9 }, evaluation: { kind: 'kfold', k: 10 } }),
      '--db',
      db,
    ]);
    assert.equal(few.status, 2, few.stderr);
    assert.match(
      few.stderr,
      /- evaluation\.k: 10 stratified folds need a class with at least 10 members, but the largest has 5 \(of 15 rows outside the test part\); use k ≤ 5/,
    );
    const rows = optlab([
      'run',
      file('k2.json', {
        ...base,
        dataset: { name: 'iris', testFraction: 0.9 },
        evaluation: { kind: 'kfold', k: 16, stratified: false },
      }),
      '--db',
      db,
    ]);
    assert.equal(rows.status, 2, rows.stderr);
    assert.match(rows.stderr, /- evaluation\.k: 16 folds need at least 16 rows; the development part has 15/);
    assert.deepEqual(stored(db), []);
    // Classes of 6 and 2: k = 3 is more than one class has, as scikit-learn allows with a warning.
    writeFileSync(
      join(tmp, 'uneven.csv'),
      'x,y\n' + [1, 2, 3, 4, 5, 6, 7, 8].map((v, i) => `${v},${i < 6 ? 'a' : 'b'}`).join('\n') + '\n',
    );
    const uneven = optlab([
      'run',
      file('k3.json', { ...base, dataset: { name: 'csv', path: 'uneven.csv' }, evaluation: { kind: 'kfold', k: 3 } }),
      '--db',
      db,
      '--queue',
    ]);
    assert.equal(uneven.status, 0, uneven.stderr);
    assert.equal(stored(db).length, 1);
  });

  test('batch norm with a batch of 1 row is refused with its path by train and run', () => {
    const spec = {
      ...base,
      model: { kind: 'mlp', hidden: [8], batchNorm: true },
      training: { epochs: 3, batchSize: 1 },
    };
    const db = join(tmp, 'bn.db');
    const r = optlab(['run', file('bn.json', spec), '--db', db]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /- training\.batchSize: batch norm needs at least 2 rows per batch/);
    assert.deepEqual(stored(db), []);
    const t = optlab(['train', file('bn-train.json', { ...spec, evaluation: undefined })]);
    assert.equal(t.status, 2, t.stderr);
    assert.match(t.stderr, /- training\.batchSize: batch norm needs at least 2 rows per batch/);
    assert.equal(t.stdout, '');
  });

  test('a long plan gets its job count and estimated time shown before it is stored', () => {
    const db = join(tmp, 'long.db');
    const spec = file('long.json', {
      ...base,
      dataset: { name: 'digits' },
      model: { kind: 'mlp', hidden: [64] },
      training: { epochs: 30, batchSize: 16 },
      evaluation: { kind: 'loo' },
    });
    const r = optlab(['run', spec, '--db', db, '--queue', '--workers', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /long\.json: 1,797 jobs, about [\d.]+ (min|h) on 2 workers/);
    const short = optlab(['run', file('short.json', base), '--db', db, '--queue']);
    assert.equal(short.status, 0, short.stderr);
    assert.doesNotMatch(short.stderr, /jobs, about/);
  });

  test('train with lr 1e30 says "diverged" in its text and its JSON, and exits 3', () => {
    const spec = file('nan.json', { ...base, evaluation: undefined, optimizer: { name: 'sgd', lr: 1e30 } });
    const text = optlab(['train', spec]);
    assert.equal(text.status, 3, text.stderr);
    assert.match(text.stdout, /\(DIVERGED\)/);
    assert.match(text.stderr, /^diverged: the training loss became NaN or infinite in epoch 1; lower optimizer\.lr/m);
    const json = optlab(['train', spec, '--json']);
    assert.equal(json.status, 3, json.stderr);
    assert.equal(JSON.parse(json.stdout).final.diverged, true);
    const fine = optlab(['train', file('fine.json', { ...base, evaluation: undefined }), '--json']);
    assert.equal(fine.status, 0, fine.stderr);
    assert.equal(JSON.parse(fine.stdout).final.diverged, false);
  });

  test('a preset on a data set it does not take is a usage error: exit 2', () => {
    const r = optlab(['run', '--preset', 'optimizers', '--dataset', 'sine', '--db', join(tmp, 'p.db')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--dataset: preset "optimizers" does not take "sine" \(it takes: iris, /);
    assert.match(r.stderr, /Usage: optlab run/);
  });
});

test('parseSize: decimal and binary units, refusals', () => {
  assert.equal(parseSize('3.1G'), 3_100_000_000);
  assert.equal(parseSize('512MB'), 512_000_000);
  assert.equal(parseSize('1GiB'), 1024 ** 3);
  assert.equal(parseSize('2048'), 2048);
  assert.throws(() => parseSize('lots'), /not a size/);
  assert.throws(() => parseSize('0'), /more than 0/);
  assert.equal(memoryLimits('1G', {}).memoryBytes, 1e9);
  assert.equal(memoryLimits(undefined, { OPTLAB_MEMORY_LIMIT: '2G' }).memoryBytes, 2e9);
  assert.throws(() => memoryLimits(undefined, { OPTLAB_MEMORY_LIMIT: 'x' }), /^Error: OPTLAB_MEMORY_LIMIT: not a size/);
});
