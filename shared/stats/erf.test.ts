import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erf, erfc, normalCdfInto } from './erf.ts';

// Reference values from C's libm (Python's math.erf / math.erfc).
const REF: [x: number, erf: number, erfc: number][] = [
  [-3, -0.9999779095030014, 1.9999779095030015],
  [-1, -0.8427007929497149, 1.842700792949715],
  [-0.5, -0.5204998778130465, 1.5204998778130465],
  [-0.001, -0.0011283787909692365, 1.0011283787909693],
  [0, 0, 1],
  [0.5, 0.5204998778130465, 0.4795001221869535],
  [1, 0.8427007929497149, 0.15729920705028513],
  [2, 0.9953222650189527, 0.004677734981047265],
  [3, 0.9999779095030014, 2.2090496998585438e-5],
  [6, 1, 2.1519736712498916e-17],
];

/** erf by its Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), exact to ~1e-14 for |x| ≤ 3. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-18) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test('erf and erfc match libm reference values', () => {
  for (const [x, e, c] of REF) {
    assert.ok(Math.abs(erf(x) - e) < 1e-15, `erf(${x}) = ${erf(x)}, expected ${e}`);
    assert.ok(Math.abs(erfc(x) - c) <= 1e-14 * Math.abs(c), `erfc(${x}) = ${erfc(x)}, expected ${c}`);
  }
});

test('erf agrees with its power series to better than 1e-7 (in fact ~1e-14) on [-3, 3]', () => {
  let worst = 0;
  for (let i = -3000; i <= 3000; i++) {
    const x = i / 1000;
    worst = Math.max(worst, Math.abs(erf(x) - erfSeries(x)));
  }
  console.log(`erf max |error| vs series on [-3, 3]: ${worst.toExponential(2)}`);
  assert.ok(worst < 1e-13, `worst ${worst}`);
});

test('erf is odd, bounded by 1 and monotone; erfc = 1 - erf', () => {
  let prev = -1;
  for (let i = -800; i <= 800; i++) {
    const x = i / 100;
    const e = erf(x);
    assert.equal(erf(-x), -e);
    assert.ok(e >= prev && Math.abs(e) <= 1, `at ${x}`);
    assert.ok(Math.abs(erfc(x) - (1 - e)) < 1e-15, `erfc at ${x}`);
    prev = e;
  }
  assert.equal(erf(Infinity), 1);
  assert.equal(erfc(-Infinity), 2);
  assert.equal(erfc(40), 0);
});

test('normalCdfInto gives Φ(x) = erfc(−x/√2)/2 to double precision, in every range of the approximation', () => {
  const xs = Float64Array.from({ length: 2401 }, (_, i) => (i - 1200) / 30); // −40 … 40
  const out = new Float64Array(xs.length);
  normalCdfInto(xs, out, xs.length);
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    const ref = 0.5 * erfc(-xs[i] * Math.SQRT1_2);
    worst = Math.max(worst, Math.abs(out[i] - ref) / Math.max(ref, 1e-300));
  }
  assert.ok(worst < 1e-13, `worst relative difference ${worst}`);
  // Φ(1) from libm: 0.5·erfc(−1/√2)
  assert.ok(Math.abs(out[1230] - 0.8413447460685429) < 1e-15);
  const nan = new Float64Array(1);
  normalCdfInto(Float64Array.of(Number.NaN), nan, 1);
  assert.ok(Number.isNaN(nan[0]));
});
