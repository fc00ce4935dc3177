import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { classCounts, datasetProblems } from './dataset.ts';
import { balancedCounts, makeBlobs, makeCircles, makeMoons, makeSpirals, makeXor } from './synthetic.ts';

const F32 = 1e-6; // float32 rounding of values of size ~1

test('balancedCounts gives the first n mod k classes one more row', () => {
  assert.deepEqual(balancedCounts(10, 3), [4, 3, 3]);
  assert.deepEqual(balancedCounts(9, 3), [3, 3, 3]);
});

test('every generator has the right shape, consistent metadata and balanced classes', () => {
  const rng = new Rng(1);
  const cases = [
    [makeCircles({ samples: 101 }, rng), 2, [50, 51]],
    [makeMoons({ samples: 101 }, rng), 2, [50, 51]],
    [makeSpirals({ samples: 100, classes: 3 }, rng), 2, [34, 33, 33]],
    [makeXor({ samples: 101 }, rng), 2, [51, 50]],
    [makeBlobs({ samples: 100, classes: 4, features: 3 }, rng), 3, [25, 25, 25, 25]],
  ] as const;
  for (const [ds, d, counts] of cases) {
    assert.equal(ds.d, d, ds.name);
    assert.equal(ds.x.length, ds.n * ds.d, ds.name);
    assert.deepEqual(datasetProblems(ds), [], ds.name);
    assert.deepEqual(classCounts(ds), counts, ds.name);
    assert.ok(Array.from(ds.x).every(Number.isFinite), ds.name);
  }
});

test('the same seed gives the same data; another seed different data', () => {
  for (const make of [makeCircles, makeMoons, makeSpirals, makeXor, makeBlobs]) {
    const a = make({ samples: 50 }, new Rng(9));
    const b = make({ samples: 50 }, new Rng(9));
    const c = make({ samples: 50 }, new Rng(10));
    assert.deepEqual(a.x, b.x, a.name);
    assert.deepEqual(a.y, b.y, a.name);
    assert.notDeepEqual(a.x, c.x, a.name);
  }
});

test('circles with noise 0 lie exactly on radius 1 (class 0) and radius factor (class 1)', () => {
  const ds = makeCircles({ samples: 200, noise: 0, factor: 0.5 }, new Rng(2));
  for (let i = 0; i < ds.n; i++) {
    const r = Math.hypot(ds.x[2 * i], ds.x[2 * i + 1]);
    assert.ok(Math.abs(r - (ds.y[i] === 0 ? 1 : 0.5)) < F32, `row ${i}: r = ${r}, class ${ds.y[i]}`);
  }
});

test('moons with noise 0 lie on their two half circles', () => {
  const ds = makeMoons({ samples: 100, noise: 0 }, new Rng(3));
  for (let i = 0; i < ds.n; i++) {
    const [px, py] = [ds.x[2 * i], ds.x[2 * i + 1]];
    if (ds.y[i] === 0) {
      assert.ok(Math.abs(Math.hypot(px, py) - 1) < F32 && py >= -F32);
    } else {
      assert.ok(Math.abs(Math.hypot(px - 1, py - 0.5) - 1) < F32 && py <= 0.5 + F32);
    }
  }
});

test('spirals with noise 0: each arm is the first arm rotated by 2πc/k', () => {
  const k = 4;
  const ds = makeSpirals({ samples: 200, noise: 0, classes: k, turns: 1.5 }, new Rng(4));
  for (let i = 0; i < ds.n; i++) {
    const [px, py] = [ds.x[2 * i], ds.x[2 * i + 1]];
    const t = Math.hypot(px, py);
    if (t < 1e-3) continue; // the centre has no reliable angle
    const base = Math.atan2(py, px) - 2 * Math.PI * 1.5 * t;
    let a = (base - (2 * Math.PI * ds.y[i]) / k) / (2 * Math.PI);
    a -= Math.round(a);
    assert.ok(Math.abs(a) < 1e-5, `row ${i}: off by ${a} turns`);
  }
});

test('xor with noise 0 labels by the sign of x1·x2, no point on an axis', () => {
  const ds = makeXor({ samples: 300, noise: 0 }, new Rng(5));
  for (let i = 0; i < ds.n; i++) {
    const p = ds.x[2 * i] * ds.x[2 * i + 1];
    assert.notEqual(p, 0);
    assert.equal(ds.y[i], p > 0 ? 0 : 1);
    assert.ok(Math.abs(ds.x[2 * i]) <= 1 && Math.abs(ds.x[2 * i + 1]) <= 1);
  }
});

test('blobs: each class is centred in the box with the asked std', () => {
  const std = 0.5;
  const ds = makeBlobs({ samples: 6000, classes: 3, noise: std, shuffle: false }, new Rng(6));
  for (let c = 0; c < 3; c++) {
    let m = 0,
      s2 = 0;
    const rows = 2000;
    for (let i = c * rows; i < (c + 1) * rows; i++) m += ds.x[2 * i];
    m /= rows;
    for (let i = c * rows; i < (c + 1) * rows; i++) s2 += (ds.x[2 * i] - m) ** 2;
    assert.ok(m > -10.5 && m < 10.5, `centre ${m}`);
    assert.ok(Math.abs(Math.sqrt(s2 / rows) - std) < 0.03, `std ${Math.sqrt(s2 / rows)}`);
    assert.ok(
      Array.from(ds.y.subarray(c * rows, (c + 1) * rows)).every((v) => v === c),
      'unshuffled rows are grouped by class',
    );
  }
});

test('bad options are rejected with the option named', () => {
  const rng = new Rng(0);
  assert.throws(() => makeCircles({ samples: 1 }, rng), /samples must be an integer >= 2, got 1/);
  assert.throws(() => makeCircles({ factor: 1 }, rng), /factor must be in \(0, 1\)/);
  assert.throws(() => makeSpirals({ classes: 1 }, rng), /classes must be an integer >= 2/);
  assert.throws(() => makeBlobs({ samples: 3, classes: 4 }, rng), /3 samples cannot cover 4 classes/);
  assert.throws(() => makeMoons({ noise: -1 }, rng), /noise must be >= 0/);
});
