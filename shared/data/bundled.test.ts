import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED, BUNDLED_NAMES, isBundledName, parseBundled } from './bundled.ts';
import { classCounts, datasetProblems } from './dataset.ts';

/** CSV text shaped like the bundled file `name`, with made-up values (the real files are checked in app/datasets.test.ts). */
function fakeCsv(name: keyof typeof BUNDLED, rows = BUNDLED[name].rows): string {
  const info = BUNDLED[name];
  const head = Array.from({ length: info.features }, (_, j) => `f${j}`).join(',') + ',target';
  const lines = [head];
  for (let i = 0; i < rows; i++) {
    lines.push(
      Array.from({ length: info.features }, (_, j) => String((i * 7 + j) % 17)).join(',') +
        ',' +
        (i % info.classNames.length),
    );
  }
  return lines.join('\n') + '\n';
}

test('metadata is consistent: names, class counts sum to rows, digits is 8×8×1', () => {
  assert.deepEqual([...BUNDLED_NAMES], ['iris', 'wine', 'breast_cancer', 'digits']);
  for (const name of BUNDLED_NAMES) {
    const info = BUNDLED[name];
    assert.equal(info.name, name);
    assert.equal(
      info.classCounts.reduce((a, b) => a + b, 0),
      info.rows,
      name,
    );
    assert.equal(info.classCounts.length, info.classNames.length, name);
  }
  assert.deepEqual(BUNDLED.digits.image, { height: 8, width: 8, channels: 1 });
  assert.equal(BUNDLED.digits.features, 64);
  assert.deepEqual(BUNDLED.breast_cancer.classNames, ['malignant', 'benign']);
  assert.ok(isBundledName('wine') && !isBundledName('moons'));
});

test("parseBundled keeps the file's class ids and names them from the metadata", () => {
  const ds = parseBundled('iris', fakeCsv('iris'));
  assert.deepEqual(datasetProblems(ds), []);
  assert.equal(ds.name, 'iris');
  assert.deepEqual(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(classCounts(ds), [50, 50, 50]);
  assert.equal(ds.y[4], 1);
  assert.equal(ds.image, undefined);
});

test('parseBundled gives digits its image shape', () => {
  const ds = parseBundled('digits', fakeCsv('digits'));
  assert.deepEqual(ds.image, { height: 8, width: 8, channels: 1 });
  assert.equal(ds.classNames[7], '7');
  assert.deepEqual(datasetProblems(ds), []);
});

test('parseBundled rejects a damaged file and an unknown name', () => {
  assert.throws(
    () => parseBundled('wine', fakeCsv('wine', 100)),
    /wine\.csv: expected 178 rows, 13 features, 3 classes; got 100, 13, 3/,
  );
  assert.throws(
    () => parseBundled('mnist', 'a,target\n1,0\n'),
    /unknown bundled data set "mnist" \(known: iris, wine, breast_cancer, digits\)/,
  );
  const shifted = fakeCsv('breast_cancer').replace(/,0\n/g, ',5\n');
  assert.throws(() => parseBundled('breast_cancer', shifted), /target labels must be 0\.\.1/);
});
