import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATASET_NAMES, validateDatasetSpec } from './validate.ts';

test('valid specs have no problems', () => {
  assert.deepEqual(validateDatasetSpec({ name: 'digits', testFraction: 0.2, standardize: true }), []);
  assert.deepEqual(validateDatasetSpec({ name: 'blobs', samples: 300, classes: 4, noise: 2, stratify: true }), []);
  assert.deepEqual(
    validateDatasetSpec({ name: 'csv', path: 'a.csv', target: 'price', task: 'regression', valFraction: 0 }),
    [],
  );
  assert.deepEqual(validateDatasetSpec({ name: 'polynomial', degree: 5 }), []);
});

test('every problem is listed with its JSON path', () => {
  const p = validateDatasetSpec({
    name: 'moons',
    testFraction: 1.5,
    valFraction: -0.1,
    samples: 2.5,
    noise: -1,
    stratify: 'yes',
    testFracton: 0.2,
  });
  assert.ok(p.includes('dataset.testFraction: must be in [0, 1), got 1.5'), p.join('\n'));
  assert.ok(p.includes('dataset.valFraction: must be in [0, 1), got -0.1'), p.join('\n'));
  assert.ok(
    p.some((s) => s.startsWith('dataset.samples: must be an integer')),
    p.join('\n'),
  );
  assert.ok(
    p.some((s) => s.startsWith('dataset.noise: must be >= 0')),
    p.join('\n'),
  );
  assert.ok(
    p.some((s) => s.startsWith('dataset.stratify: must be true or false')),
    p.join('\n'),
  );
  assert.ok(
    p.some((s) => s.startsWith('dataset.testFracton: unknown option')),
    p.join('\n'),
  );
  assert.equal(p.length, 6, p.join('\n'));
});

test("an unknown name lists the known ones; the path prefix is the caller's", () => {
  const p = validateDatasetSpec({ name: 'mnist' }, 'experiment.dataset');
  assert.equal(p.length, 1);
  assert.match(p[0], /^experiment\.dataset\.name: unknown "mnist" \(known: /);
  for (const n of DATASET_NAMES) assert.ok(p[0].includes(n), n);
  assert.match(validateDatasetSpec(undefined)[0], /^dataset: required object/);
  assert.match(validateDatasetSpec({})[0], /^dataset\.name: required/);
});

test('csv needs a path; options for other data sets are flagged, not ignored', () => {
  assert.deepEqual(validateDatasetSpec({ name: 'csv' }), [
    'dataset.path: required when name is "csv" (the CSV file to load)',
  ]);
  assert.deepEqual(validateDatasetSpec({ name: 'csv', path: '' }), [
    'dataset.path: must be a non-empty string, got ""',
  ]);
  const p = validateDatasetSpec({ name: 'moons', classes: 4, path: 'x.csv', degree: 2 });
  assert.ok(p.includes('dataset.classes: only used by spirals and blobs, not by "moons"'), p.join('\n'));
  assert.ok(p.includes('dataset.path: only used when name is "csv", not by "moons"'), p.join('\n'));
  assert.ok(p.includes('dataset.degree: only used by polynomial, not by "moons"'), p.join('\n'));
  assert.ok(
    validateDatasetSpec({ name: 'iris', samples: 10 })[0].startsWith('dataset.samples: only used by synthetic sets'),
  );
  assert.match(
    validateDatasetSpec({ name: 'csv', path: 'a.csv', target: -1 })[0],
    /target: must be a column name or a 0-based column index, got -1/,
  );
});

test('stratify is refused for regression sets; samples must cover the classes', () => {
  assert.match(validateDatasetSpec({ name: 'sine', stratify: true })[0], /^dataset\.stratify: only for classification/);
  assert.match(validateDatasetSpec({ name: 'csv', path: 'a.csv', task: 'regression', stratify: true })[0], /stratify/);
  assert.deepEqual(validateDatasetSpec({ name: 'sine', stratify: false }), []);
  assert.match(validateDatasetSpec({ name: 'blobs', samples: 3, classes: 5 })[0], /3 samples cannot cover 5 classes/);
});
