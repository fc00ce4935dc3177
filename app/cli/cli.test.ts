// The command line as a user runs it: a real `optlab` process, its output and exit code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-cli-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--help lists the commands', () => {
  const r = optlab('--help');
  assert.equal(r.status, 0);
  for (const c of ['train', 'trace']) assert.match(r.stdout, new RegExp(`^  ${c}\\s`, 'm'));
});

test('trace --json prints N+1 points, the start first, and their losses', () => {
  const r = optlab(
    'trace',
    '--fn',
    'quadratic',
    '--start',
    '-1,0.5',
    '--steps',
    '3',
    '--optimizer',
    '{"name":"sgd","lr":0.01}',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.points.length, 4);
  assert.deepEqual(out.points[0], [-1, 0.5]);
  // Plain GD on 0.5(x² + 50y²): x_t = x0(1 − lr)^t, y_t = y0(1 − 50·lr)^t.
  assert.ok(Math.abs(out.points[3][0] - -1 * 0.99 ** 3) < 1e-15);
  assert.ok(Math.abs(out.points[3][1] - 0.5 * 0.5 ** 3) < 1e-15);
  assert.equal(out.loss[0], 0.5 * (1 + 50 * 0.25));
});

test('train --json on the bundled example prints the history and final scores', () => {
  const r = optlab('train', join(root, 'examples/iris-mlp.json'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.history.length >= 1);
  const h = out.history[0];
  for (const k of ['epoch', 'train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'])
    assert.equal(typeof h[k], 'number', k);
  assert.ok(out.final.test.accuracy > 0.8, `test accuracy ${out.final.test.accuracy}`);
  assert.match(r.stderr, /epoch +1\/100/, 'progress lines go to stderr with --json');
});

test('a wrong spec lists every problem with its JSON path, exit code 2, nothing run', () => {
  const file = join(tmp, 'bad.json');
  writeFileSync(
    file,
    JSON.stringify({
      seed: 1,
      dataset: { name: 'iris', testFraction: 1.5 },
      model: { kind: 'mlp', hidden: [0], activation: 'swish' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: -1 },
      training: { epochs: 0, batchSize: 8 },
      regularizaton: {},
    }),
  );
  const r = optlab('train', file);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '', 'nothing ran');
  for (const p of [
    'dataset.testFraction',
    'model.hidden[0]',
    'model.activation',
    'optimizer.lr',
    'training.epochs',
    'regularizaton: unknown option',
  ]) {
    assert.ok(r.stderr.includes(p), `missing ${p} in:\n${r.stderr}`);
  }
});

test('broken JSON names the line and column; a missing file and an unknown command exit 2', () => {
  const file = join(tmp, 'broken.json');
  writeFileSync(file, '{\n  "seed": 1,\n  "dataset": { "name": "iris" ,, }\n}');
  const r = optlab('train', file);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /line 3, column \d+/);
  assert.equal(optlab('train', join(tmp, 'nope.json')).status, 2);
  assert.equal(optlab('frobnicate').status, 2);
  assert.equal(optlab('trace', '--fn', 'rosenbrock').status, 2);
});

test('datasets: a CSV is imported into the library; a broken one names the line and column, exit 2', () => {
  const db = join(tmp, 'ds.db');
  writeFileSync(join(tmp, 'good.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n');
  writeFileSync(join(tmp, 'bad.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,oops,x\n');
  const ok = optlab('datasets', 'import', join(tmp, 'good.csv'), '--db', db);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /3 rows × 2 features, 2 classes/);
  const bad = optlab('datasets', 'import', join(tmp, 'bad.csv'), '--db', db);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /line 4, column 2 \("b"\): not a number: "oops"/);
  const list = JSON.parse(optlab('datasets', 'ls', '--db', db, '--json').stdout);
  assert.equal(list.length, 1);
  assert.equal(list[0].name, 'good');
});
