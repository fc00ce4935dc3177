import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { datasetHash } from './dataset.ts';
import { SYNTHETIC_NAMES, isSyntheticName, makeDataset, specTask } from './make.ts';

test('makeDataset builds every synthetic name with the spec options', () => {
  for (const name of SYNTHETIC_NAMES) {
    const ds = makeDataset({ name, samples: 60 }, new Rng(1));
    assert.equal(ds.name, name);
    assert.equal(ds.n, 60);
    assert.equal(ds.task, specTask({ name }));
  }
  assert.equal(makeDataset({ name: 'blobs', classes: 5, samples: 50 }, new Rng(1)).classes, 5);
  assert.equal(makeDataset({ name: 'spirals', classes: 4 }, new Rng(1)).classes, 4);
  const poly = makeDataset({ name: 'polynomial', degree: 2, noise: 0.3 }, new Rng(1));
  assert.deepEqual(poly.truth?.kind === 'polynomial' && poly.truth.coefficients.length, 3);
  assert.equal(poly.truth?.sigma, 0.3);
});

test('makeDataset is deterministic in the rng', () => {
  const a = makeDataset({ name: 'moons', noise: 0.2 }, new Rng(8));
  const b = makeDataset({ name: 'moons', noise: 0.2 }, new Rng(8));
  assert.equal(datasetHash(a), datasetHash(b));
  assert.notEqual(datasetHash(a), datasetHash(makeDataset({ name: 'moons', noise: 0.2 }, new Rng(9))));
});

test('makeDataset refuses bundled and csv names, pointing at the loader', () => {
  assert.throws(() => makeDataset({ name: 'iris' }, new Rng(0)), /not a synthetic data set.*loadDataset/s);
  assert.equal(isSyntheticName('iris'), false);
  assert.equal(specTask({ name: 'csv', task: 'regression' }), 'regression');
  assert.equal(specTask({ name: 'csv' }), 'classification');
  assert.equal(specTask({ name: 'digits' }), 'classification');
});

test('labelNoise flips that share of the classes to another class, leaves the features, and is seeded', () => {
  const clean = makeDataset({ name: 'blobs', samples: 2000, classes: 3 }, new Rng(4));
  const noisy = makeDataset({ name: 'blobs', samples: 2000, classes: 3, labelNoise: 0.2 }, new Rng(4));
  assert.deepEqual(noisy.x, clean.x);
  let flipped = 0;
  for (let i = 0; i < clean.n; i++) if (noisy.y[i] !== clean.y[i]) flipped++;
  assert.ok(Math.abs(flipped / clean.n - 0.2) < 0.03, `${flipped} of ${clean.n}`);
  assert.deepEqual(makeDataset({ name: 'blobs', samples: 2000, classes: 3, labelNoise: 0.2 }, new Rng(4)).y, noisy.y);
  const moons = makeDataset({ name: 'moons', samples: 100, labelNoise: 0.5 }, new Rng(1));
  assert.ok([...moons.y].every((v) => v === 0 || v === 1));
});
