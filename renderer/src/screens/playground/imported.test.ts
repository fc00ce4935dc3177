import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetPreview } from '../../../../shared/lab-api.ts';
import { MAX_IMPORTED_ROWS, datasetFromPreview, playgroundRefusal } from './imported.ts';

const TWO_D = { task: 'classification', d: 2, n: 4, classes: 2 } as const;

test('the Playground takes 2-feature classification sets and says why it refuses the others', () => {
  assert.equal(playgroundRefusal(TWO_D), null);
  assert.match(playgroundRefusal({ ...TWO_D, task: 'regression', classes: 0 })!, /regression set/);
  assert.equal(
    playgroundRefusal({ ...TWO_D, d: 4 }),
    '4 feature columns: the Playground draws 2-D data (2 numeric columns and a class label)',
  );
  assert.match(playgroundRefusal({ ...TWO_D, d: 1 })!, /^1 feature column: /);
  assert.equal(
    playgroundRefusal({ ...TWO_D, n: MAX_IMPORTED_ROWS + 1 }),
    `${MAX_IMPORTED_ROWS + 1} rows: the Playground draws at most ${MAX_IMPORTED_ROWS}`,
  );
  assert.equal(playgroundRefusal({ ...TWO_D, n: MAX_IMPORTED_ROWS }), null);
  assert.match(playgroundRefusal({ ...TWO_D, classes: 6 })!, /^6 classes: /);
});

function preview(head: DatasetPreview['head'], n = head.length): DatasetPreview {
  return {
    info: { hash: '0123456789abcdef', name: 'yesno', createdAt: 0, bytes: 0, experiments: 0, ...TWO_D, n },
    featureNames: ['a', 'b'],
    classNames: ['no', 'yes'],
    image: null,
    head,
  };
}

test('a preview of every row becomes the data set: features as float32, classes by their names', () => {
  const ds = datasetFromPreview(
    preview([
      { x: [0.1, 2], y: 'yes' },
      { x: [-3, 0.5], y: 'no' },
      { x: [1e-3, 4], y: 'no' },
      { x: [7, -1], y: 'yes' },
    ]),
  );
  assert.equal(ds.n, 4);
  assert.equal(ds.d, 2);
  assert.deepEqual(Array.from(ds.x), Array.from(new Float32Array([0.1, 2, -3, 0.5, 1e-3, 4, 7, -1])));
  assert.deepEqual(Array.from(ds.y), [1, 0, 0, 1]);
  assert.deepEqual(ds.classNames, ['no', 'yes']);
  assert.deepEqual(ds.featureNames, ['a', 'b']);
});

test('a preview that is not the whole set, or names an unknown class, is refused with the row', () => {
  assert.throws(() => datasetFromPreview(preview([{ x: [0, 1], y: 'no' }], 4)), /handed over 1 of its 4 rows/);
  const rows = [
    { x: [0, 1], y: 'no' },
    { x: [0, 1], y: 'maybe' },
    { x: [0, 1], y: 'no' },
    { x: [0, 1], y: 'yes' },
  ];
  assert.throws(() => datasetFromPreview(preview(rows)), /row 2 is not 2 features and one of its classes/);
});
