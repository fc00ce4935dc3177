import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CONFIG,
  SWEEPABLE,
  configFromQuery,
  configToQuery,
  experimentProblems,
  specProblems,
  sweepValues,
  toExperimentSpec,
  toTrainSpec,
  type PlaygroundConfig,
  type SweepField,
} from './config.ts';
import { validateTrainSpec } from '../../../../shared/schema/validate.ts';
import { expandSweep } from '../../../../shared/experiment/sweep.ts';
import { OPTIMIZER_DEFAULTS, OPTIMIZER_NAMES, type OptionValue } from '../../../../shared/optim/registry.ts';

const cfg = (over: Partial<PlaygroundConfig>): PlaygroundConfig => ({ ...structuredClone(DEFAULT_CONFIG), ...over });

test('the default Playground is a valid training spec: moons, 2-8-8-2 tanh, Adam lr 0.01, batch 10, 300 epochs', () => {
  const spec = toTrainSpec(DEFAULT_CONFIG);
  assert.deepEqual(spec, {
    name: 'Playground: moons',
    seed: 1,
    dataset: { name: 'moons', samples: 300, noise: 0.25, testFraction: 0.5, valFraction: 0, standardize: true },
    model: { kind: 'mlp', hidden: [8, 8], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.01 },
    training: { epochs: 300, batchSize: 10 },
  });
  assert.deepEqual(validateTrainSpec(spec), []);
  assert.deepEqual(specProblems(DEFAULT_CONFIG), []);
});

test('an imported data set: the link names it by hash, the spec as the Lab names it (csv + hash), with the same split', () => {
  const { config, problems } = configFromQuery(new URLSearchParams('data=csv&csv=00ff00ff00ff00ff&stop=early'));
  assert.deepEqual(problems, []);
  assert.equal(configToQuery(config).toString(), 'data=csv&csv=00ff00ff00ff00ff&stop=early');
  const spec = toTrainSpec(config);
  assert.deepEqual(spec.dataset, {
    name: 'csv',
    hash: '00ff00ff00ff00ff',
    testFraction: 0.5,
    valFraction: 0.2,
    standardize: true,
  });
  assert.equal(spec.name, 'Playground: imported data set 00ff00ff00ff00ff');
  assert.deepEqual(specProblems(config), []);
  assert.deepEqual(experimentProblems(toExperimentSpec(config)), []);
  // Without a hash there is nothing to train on, and the spec says so at its path.
  assert.ok(specProblems(cfg({ data: 'csv', csv: null })).some((p) => p.startsWith('dataset')));
  assert.deepEqual(configFromQuery(new URLSearchParams('csv=xyz')).problems, [
    'csv: expected a data set\'s content hash (16 hex digits), got "xyz"; using the default',
  ]);
});

test('every regularizer, dropout, batch norm, early stopping and the full batch land where the spec wants them', () => {
  const c = cfg({
    data: 'spirals',
    classes: 4,
    noise: 0.2,
    dropout: 0.25,
    bn: true,
    l1: 1e-4,
    l2: 1e-3,
    en: 0.01,
    enr: 0.3,
    inoise: 0.1,
    ls: 0.1,
    mixup: 0.4,
    bs: 0,
    stop: 'early',
    patience: 7,
  });
  const spec = toTrainSpec(c);
  assert.deepEqual(spec.dataset, {
    name: 'spirals',
    samples: 300,
    noise: 0.2,
    classes: 4,
    testFraction: 0.5,
    valFraction: 0.2,
    standardize: true,
  });
  assert.deepEqual(spec.model, { kind: 'mlp', hidden: [8, 8], activation: 'tanh', dropout: 0.25, batchNorm: true });
  assert.deepEqual(spec.loss, { kind: 'cross_entropy', label_smoothing: 0.1 });
  assert.deepEqual(spec.training, {
    epochs: 300,
    batchSize: 'full',
    earlyStopping: { monitor: 'val_loss', patience: 7, restoreBest: false },
  });
  assert.deepEqual(spec.regularization, {
    l1: 1e-4,
    l2: 1e-3,
    elasticNet: { alpha: 0.01, l1_ratio: 0.3 },
    inputNoise: 0.1,
    mixup: { alpha: 0.4 },
  });
  assert.deepEqual(specProblems(c), []);
  // No hidden layer: a logistic regression; classes are ignored for sets with two.
  const flat = toTrainSpec(cfg({ hidden: [], classes: 4 }));
  assert.deepEqual(flat.model, { kind: 'logistic' });
  assert.equal(flat.dataset.classes, undefined);
});

test('every optimizer with each of its keywords changed is a valid spec carrying PyTorch names', () => {
  for (const name of OPTIMIZER_NAMES) {
    for (const [key, def] of Object.entries(OPTIMIZER_DEFAULTS[name])) {
      if (key === 'lr') continue;
      const v =
        typeof def === 'boolean' ? !def : Array.isArray(def) ? [0.8, 0.99] : key === 'rho' ? 0.5 : Number(def) + 0.05;
      const options: Record<string, OptionValue> =
        key === 'nesterov' ? { nesterov: true, momentum: 0.9 } : { [key]: v as OptionValue };
      const c = cfg({ opt: name, lr: 0.05, options });
      assert.deepEqual(specProblems(c), [], `${name}.${key}`);
      assert.deepEqual(toTrainSpec(c).optimizer, { name, lr: 0.05, ...options });
      // …and it survives the URL.
      assert.deepEqual(configFromQuery(configToQuery(c)).config, c, `${name}.${key} through the URL`);
    }
  }
  // A problem torch would refuse is reported with its path.
  assert.match(
    specProblems(cfg({ opt: 'sgd', options: { nesterov: true } })).join('\n'),
    /optimizer\.nesterov: Nesterov/,
  );
  assert.match(specProblems(cfg({ loss: 'bce', data: 'blobs' })).join('\n'), /"bce" needs exactly 2 classes/);
});

test('the URL holds only what differs from the defaults, and a bad optimizer option is named and dropped', () => {
  assert.equal(configToQuery(DEFAULT_CONFIG).toString(), '');
  const c = cfg({
    data: 'xor',
    seed: 42,
    hidden: [4],
    opt: 'sgd',
    lr: 0.1,
    options: { momentum: 0.9, nesterov: true },
  });
  const q = configToQuery(c);
  assert.equal(q.toString(), 'data=xor&seed=42&hidden=4&opt=sgd&lr=0.1&o.momentum=0.9&o.nesterov=1');
  assert.deepEqual(configFromQuery(q).config, c);
  const bad = configFromQuery(new URLSearchParams('opt=adam&o.betas=0.9&o.momentum=0.5&o.eps=-1&o.amsgrad=0'));
  assert.deepEqual(bad.config.options, {});
  assert.deepEqual(bad.problems, [
    'o.betas: not a valid adam option value ("0.9"); using the default',
    'o.momentum: not a valid adam option value ("0.5"); using the default',
    'o.eps: not a valid adam option value ("-1"); using the default',
  ]);
});

test('Save as experiment: a 5-fold cross-validation of the same spec, valid as it is and swept over each offered field', () => {
  const c = cfg({ stop: 'early', l2: 1e-3 });
  const plain = toExperimentSpec(c);
  assert.deepEqual(plain.evaluation, { kind: 'kfold', k: 5, stratified: true });
  assert.equal(plain.sweep, undefined);
  const { evaluation: _e, ...rest } = plain;
  assert.deepEqual(rest, toTrainSpec(c));
  assert.deepEqual(experimentProblems(plain), []);
  for (const field of Object.keys(SWEEPABLE) as SweepField[]) {
    const values = sweepValues(c, field);
    const spec = toExperimentSpec(c, { field, values } as never);
    const swept = toExperimentSpec(c, { sweep: { field, values } });
    assert.notDeepEqual(spec, swept);
    assert.deepEqual(experimentProblems(swept), [], field);
    assert.equal(expandSweep(swept).length, values.length, field);
    assert.ok(values.length >= 3, `${field}: ${JSON.stringify(values)}`);
  }
  assert.deepEqual(sweepValues(c, 'optimizer.lr'), [0.001, 0.003, 0.01, 0.03, 0.1]);
  // Batch sizes never exceed the training rows (300 points, half held out for the test).
  assert.deepEqual(sweepValues(c, 'training.batchSize'), [1, 4, 16, 64, 150]);
});

test('optlab run accepts a swept experiment from the Playground and runs every configuration on every fold', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-pg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = toExperimentSpec(cfg({ n: 80, epochs: 3, hidden: [4] }), {
    k: 2,
    sweep: { field: 'optimizer.lr', values: [0.01, 0.1] },
  });
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const bin = fileURLToPath(new URL('../../../../bin/optlab.mjs', import.meta.url));
  const r = spawnSync(
    process.execPath,
    [bin, 'run', file, '--workers', '0', '--db', join(dir, 'lab.db'), '--json', '--quiet'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    evaluation: string;
    configurations: { label: string; overrides: Record<string, unknown>; splits: string[] }[];
  };
  assert.equal(out.evaluation, '2-fold stratified');
  // Two configurations (the swept learning rates), each cross-validated on both folds.
  assert.deepEqual(
    out.configurations.map((c) => [c.overrides, c.splits.length]),
    [
      [{ 'optimizer.lr': 0.01 }, 2],
      [{ 'optimizer.lr': 0.1 }, 2],
    ],
  );
});
