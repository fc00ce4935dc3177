import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classCounts, datasetHash, datasetProblems, row, subset, trueValue, type Dataset } from './dataset.ts';

function tiny(): Dataset {
  return {
    name: 'tiny',
    task: 'classification',
    n: 4,
    d: 2,
    x: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    y: Float32Array.from([0, 1, 1, 0]),
    classes: 2,
    classNames: ['a', 'b'],
    featureNames: ['f1', 'f2'],
  };
}

test('trueValue evaluates the sine and the polynomial (ascending coefficients)', () => {
  const sine = { kind: 'sine' as const, amplitude: 2, frequency: Math.PI, phase: 0.5 };
  assert.equal(trueValue(sine, [0.25]), 2 * Math.sin(Math.PI * 0.25 + 0.5));
  const poly = { kind: 'polynomial' as const, coefficients: [1, -2, 3] };
  assert.equal(trueValue(poly, [2]), 1 - 4 + 12);
  assert.equal(trueValue(poly, Float32Array.from([0])), 1);
});

test('subset copies the chosen rows in order, repeats allowed, and does not alias the original', () => {
  const ds = tiny();
  const s = subset(ds, Uint32Array.from([3, 1, 1]));
  assert.equal(s.n, 3);
  assert.deepEqual(Array.from(s.x), [6, 7, 2, 3, 2, 3]);
  assert.deepEqual(Array.from(s.y), [0, 1, 1]);
  assert.deepEqual(Array.from(row(s, 0)), [6, 7]);
  s.x[0] = 99;
  assert.equal(ds.x[6], 6);
  assert.deepEqual(classCounts(s), [1, 2]);
  assert.throws(() => subset(ds, [4]), /outside 0\.\.3/);
});

test('datasetHash is 16 hex digits, pinned, and equal for equal content', () => {
  const h = datasetHash(tiny());
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.equal(datasetHash(tiny()), h);
  // x stored at an offset inside a larger buffer hashes like a fresh copy.
  const ds = tiny();
  const big = new Float32Array(12);
  big.set(ds.x, 4);
  assert.equal(datasetHash({ ...ds, x: big.subarray(4) }), h);
  // A changed hash would orphan every stored experiment's data reference. The value was
  // cross-checked with an independent Python FNV-1a + murmur3 implementation.
  assert.equal(h, '31b7551994ed33b9');
});

test('datasetHash changes with any value of x or y and with the metadata', () => {
  const base = datasetHash(tiny());
  const seen = new Set([base]);
  const variants: ((d: Dataset) => void)[] = [
    (d) => {
      d.x[5] = 5.000001;
    },
    (d) => {
      d.y[0] = 1;
    },
    (d) => {
      d.classNames = ['a', 'c'];
    },
    (d) => {
      d.featureNames = ['f2', 'f1'];
    },
    (d) => {
      d.name = 'other';
    },
    (d) => {
      d.image = { height: 1, width: 2, channels: 1 };
    },
    (d) => {
      d.x = Float32Array.from([1, 0, 2, 3, 4, 5, 6, 7]);
    },
  ];
  for (const change of variants) {
    const d = tiny();
    change(d);
    const h = datasetHash(d);
    assert.ok(!seen.has(h), `collision for ${change.toString()}`);
    seen.add(h);
  }
});

test('datasetProblems finds inconsistent shapes and class ids', () => {
  assert.deepEqual(datasetProblems(tiny()), []);
  const bad = tiny();
  bad.y[2] = 2;
  assert.match(datasetProblems(bad).join('\n'), /y\[2\]: class id must be an integer in 0\.\.1, got 2/);
  const img = { ...tiny(), image: { height: 3, width: 1, channels: 1 } };
  assert.match(datasetProblems(img).join('\n'), /image: 3×1×1 does not match d = 2/);
  assert.match(datasetProblems({ ...tiny(), x: new Float32Array(3) }).join('\n'), /x: needs 4×2 = 8 values, got 3/);
});
