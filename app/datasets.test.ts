import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledFile, loadBundled, loadCsvFile, loadDataset } from './datasets.ts';
import { BUNDLED_NAMES } from '../shared/data/bundled.ts';
import { CsvError } from '../shared/data/csv.ts';
import { classCounts, datasetHash, datasetProblems } from '../shared/data/dataset.ts';
import { Rng } from '../shared/rng.ts';

interface FileInfo {
  rows: number;
  features: number;
  classes: number;
  class_names: string[];
  class_counts: number[];
  feature_names: string[];
  sha256: string;
}
const manifest: { files: Record<string, FileInfo> } = JSON.parse(
  readFileSync(new URL('../shared/data/bundled/datasets.json', import.meta.url), 'utf8'),
);

test('bundled files are the ones datasets.json describes (SHA-256)', () => {
  for (const name of BUNDLED_NAMES) {
    const sha = createHash('sha256')
      .update(readFileSync(bundledFile(name)))
      .digest('hex');
    assert.equal(sha, manifest.files[`${name}.csv`].sha256, name);
  }
});

test('loadBundled matches datasets.json: rows, features, class names and counts, feature names', () => {
  for (const name of BUNDLED_NAMES) {
    const info = manifest.files[`${name}.csv`];
    const ds = loadBundled(name);
    assert.deepEqual(datasetProblems(ds), [], name);
    assert.equal(ds.n, info.rows, name);
    assert.equal(ds.d, info.features, name);
    assert.equal(ds.classes, info.classes, name);
    assert.deepEqual(ds.classNames, info.class_names, name);
    assert.deepEqual(classCounts(ds), info.class_counts, name);
    assert.deepEqual(ds.featureNames, info.feature_names, name);
  }
});

test('loadBundled values: first iris row, digits as 8×8 grey levels 0..16', () => {
  const iris = loadBundled('iris');
  assert.deepEqual(Array.from(iris.x.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  const digits = loadBundled('digits');
  assert.deepEqual(digits.image, { height: 8, width: 8, channels: 1 });
  assert.ok(Array.from(digits.x).every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  // breast_cancer is not sorted by class: the first rows are malignant (0) in scikit-learn's encoding.
  assert.equal(loadBundled('breast_cancer').y[0], 0);
});

test('loadBundled returns a fresh copy each time', () => {
  const a = loadBundled('wine');
  const h = datasetHash(a);
  a.x[0] = -1;
  a.classNames[0] = 'changed';
  assert.equal(datasetHash(loadBundled('wine')), h);
  assert.throws(() => loadBundled('mnist'), /unknown bundled data set "mnist"/);
});

test('loadCsvFile names the set after the file and prefixes problems with the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-csv-'));
  try {
    const good = join(dir, 'houses.csv');
    writeFileSync(good, 'rooms,area,price\n3,70,250\n4,95,310\n');
    const ds = loadCsvFile(good, { task: 'regression' });
    assert.equal(ds.name, 'houses');
    assert.deepEqual(Array.from(ds.y), [250, 310]);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,x\n1\n');
    assert.throws(
      () => loadCsvFile(bad),
      (e: unknown) => {
        assert.ok(e instanceof CsvError);
        assert.equal(e.line, 3);
        assert.ok(e.message.startsWith(`${bad}: `), e.message);
        return true;
      },
    );
    assert.throws(() => loadCsvFile(join(dir, 'missing.csv')), /cannot read CSV file .*missing\.csv: no such file/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('loadDataset covers bundled, synthetic and csv (relative to the spec file) names', () => {
  assert.equal(loadDataset({ name: 'iris' }, new Rng(0)).n, 150);
  const a = loadDataset({ name: 'spirals', samples: 90, classes: 3 }, new Rng(5));
  const b = loadDataset({ name: 'spirals', samples: 90, classes: 3 }, new Rng(5));
  assert.equal(a.n, 90);
  assert.equal(datasetHash(a), datasetHash(b));
  const dir = mkdtempSync(join(tmpdir(), 'optlab-spec-'));
  try {
    writeFileSync(join(dir, 'd.csv'), 'label,x1,x2\nyes,1,2\nno,3,4\nyes,5,6\n');
    const ds = loadDataset({ name: 'csv', path: 'd.csv', target: 'label' }, new Rng(0), join(dir, 'spec.json'));
    assert.equal(ds.name, 'd');
    assert.deepEqual(ds.classNames, ['no', 'yes']);
    assert.deepEqual(Array.from(ds.y), [1, 0, 1]);
    assert.deepEqual(ds.featureNames, ['x1', 'x2']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('loadDataset refuses an invalid spec, listing every problem', () => {
  assert.throws(
    () => loadDataset({ name: 'csv', testFraction: 2 }, new Rng(0)),
    /invalid dataset spec:\ndataset\.path: required when name is "csv".*\ndataset\.testFraction: must be in \[0, 1\), got 2/s,
  );
});
