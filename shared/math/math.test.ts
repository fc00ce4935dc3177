import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cos, exp, expm1, log, log1p, pow, powInt, sin, tanh } from './index.ts';
import { Rng } from '../rng.ts';

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** Units in the last place between a and b (same sign assumed; 0 when both are the same bits). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  f64[0] = a;
  const x = i64[0];
  f64[0] = b;
  const y = i64[0];
  return Number(x > y ? x - y : y - x);
}

/** Checks f against the engine's g on n points drawn from `draw`: at most `max` ulps apart anywhere. */
function agree(
  t: { diagnostic(s: string): void },
  name: string,
  f: (x: number) => number,
  g: (x: number) => number,
  draw: (r: Rng) => number,
  max = 1,
) {
  const rng = new Rng(`math-${name}`);
  let worst = 0,
    differ = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const x = draw(rng);
    const d = ulps(f(x), g(x));
    if (d > 0) differ++;
    if (d > worst) worst = d;
    if (d > max) assert.fail(`${name}(${x}) = ${f(x)}, the engine says ${g(x)}: ${d} ulps apart`);
  }
  t.diagnostic(`${name}: ${differ} of ${n} differ from the engine's, by at most ${worst} ulp`);
}

test('exp and expm1 agree with the engine within 1 ulp over their whole range', (t) => {
  agree(t, 'exp', exp, Math.exp, (r) => r.uniform(-745, 709.7));
  agree(t, 'exp (|x| < 2)', exp, Math.exp, (r) => r.uniform(-2, 2));
  agree(t, 'expm1', expm1, Math.expm1, (r) => r.uniform(-40, 709.7));
  agree(t, 'expm1 (|x| < 1)', expm1, Math.expm1, (r) => r.uniform(-1, 1) * 10 ** -r.int(12));
});

test('log and log1p agree with the engine within 1 ulp, subnormals included', (t) => {
  agree(t, 'log', log, Math.log, (r) => 10 ** r.uniform(-307, 308));
  agree(t, 'log (near 1)', log, Math.log, (r) => 1 + r.uniform(-0.3, 0.3) * 10 ** -r.int(10));
  agree(t, 'log (subnormal)', log, Math.log, (r) => r.uniform(0, 1) * 2 ** -1030);
  agree(t, 'log1p', log1p, Math.log1p, (r) => r.uniform(-1, 1) * 10 ** -r.int(16));
  agree(t, 'log1p (large)', log1p, Math.log1p, (r) => 10 ** r.uniform(-1, 300));
});

test('sin, cos and tanh agree with the engine within 1 ulp where the core uses them', (t) => {
  agree(t, 'sin', sin, Math.sin, (r) => r.uniform(-100, 100));
  agree(t, 'cos', cos, Math.cos, (r) => r.uniform(-100, 100));
  agree(t, 'sin (to 1e6)', sin, Math.sin, (r) => r.uniform(-1e6, 1e6));
  agree(t, 'cos (small)', cos, Math.cos, (r) => r.uniform(-1, 1) * 10 ** -r.int(9));
  agree(t, 'tanh', tanh, Math.tanh, (r) => r.uniform(-25, 25), 2);
  agree(t, 'tanh (small)', tanh, Math.tanh, (r) => r.uniform(-1, 1) * 10 ** -r.int(9), 2);
});

test('special values: zeros, infinities, NaN, the edges of overflow, exact cases', () => {
  assert.equal(exp(0), 1);
  assert.ok(ulps(exp(1), Math.E) <= 1); // fdlibm's e is one ulp high, as is V8's
  assert.equal(exp(-Infinity), 0);
  assert.equal(exp(Infinity), Infinity);
  assert.ok(Number.isNaN(exp(NaN)));
  assert.equal(exp(709.79), Infinity);
  assert.equal(exp(709.7), Math.exp(709.7));
  assert.equal(exp(-746), 0);
  assert.equal(exp(-745), Math.exp(-745)); // the smallest subnormal
  assert.equal(log(1), 0);
  assert.equal(log(0), -Infinity);
  assert.equal(log(-0), -Infinity);
  assert.ok(Number.isNaN(log(-1)));
  assert.equal(log(Infinity), Infinity);
  assert.equal(log(Math.E), 1);
  assert.equal(log(2), Math.LN2);
  assert.equal(log(Number.MIN_VALUE), Math.log(Number.MIN_VALUE));
  assert.equal(log1p(-1), -Infinity);
  assert.ok(Number.isNaN(log1p(-2)));
  assert.ok(Object.is(log1p(-0), -0));
  assert.equal(expm1(-Infinity), -1);
  assert.ok(Object.is(expm1(-0), -0));
  assert.ok(Object.is(sin(-0), -0));
  assert.equal(cos(0), 1);
  assert.ok(Number.isNaN(sin(Infinity)));
  assert.equal(sin(Math.PI / 2), 1);
  assert.equal(cos(Math.PI), -1);
  assert.equal(tanh(Infinity), 1);
  assert.equal(tanh(-Infinity), -1);
  assert.ok(Object.is(tanh(-0), -0));
  assert.ok(Number.isNaN(tanh(NaN)));
});

test('powers: integer powers by double-double squaring, real powers through exp and log', () => {
  assert.equal(powInt(2, 10), 1024);
  assert.equal(powInt(0.5, 3), 0.125);
  assert.equal(powInt(7, 0), 1);
  assert.equal(powInt(-2, 3), -8);
  assert.throws(() => powInt(2, 1.5), /integer/);
  // Against the engine's pow (within an ulp of the truth): at most one ulp apart.
  const rng = new Rng('powInt');
  let differ = 0;
  for (let i = 0; i < 20_000; i++) {
    const b = rng.uniform(0.5, 1);
    const n = rng.int(100_000);
    const d = ulps(powInt(b, n), Math.pow(b, n));
    assert.ok(d <= 1, `${b}^${n}: ${d} ulps from the engine's`);
    if (d) differ++;
  }
  assert.ok(differ < 200, `${differ} of 20000 powers differ from the engine's`);
  assert.equal(pow(0.96, 0.004), exp(0.004 * log(0.96)));
  assert.ok(ulps(pow(0.96, 0.004 * 777), Math.pow(0.96, 0.004 * 777)) <= 4);
  assert.equal(pow(0.3, 2), powInt(0.3, 2));
  assert.equal(pow(0, 0.5), 0);
  assert.ok(Number.isNaN(pow(-1, 0.5)));
  assert.equal(pow(1, 1e9 + 0.5), 1);
});

test('the same bits on every engine: pinned results of each function (any change to the code shows here)', () => {
  const bits = (v: number) => {
    f64[0] = v;
    return i64[0].toString(16);
  };
  const got = {
    exp: [exp(-3.7), exp(0.2), exp(41.3)].map(bits),
    expm1: [expm1(1e-7), expm1(-0.4), expm1(30)].map(bits),
    log: [log(1e-300), log(0.73), log(123456.789)].map(bits),
    log1p: [log1p(-0.3), log1p(1e-9), log1p(5)].map(bits),
    sin: [sin(0.3), sin(2.5), sin(-100.25)].map(bits),
    cos: [cos(0.3), cos(2.5), cos(-100.25)].map(bits),
    tanh: [tanh(0.1), tanh(-2.3), tanh(17)].map(bits),
    powInt: [powInt(0.999, 1234), powInt(0.9, 7)].map(bits),
    pow: [pow(0.96, 0.5), pow(0.3, 2.5)].map(bits),
  };
  assert.deepEqual(got, PINNED);
});

/** Bits of the pinned results above (hex of the int64 view), computed once. */
const PINNED = {
  exp: ['3f99511fc6871044', '3ff38add9e58ac8d', '43a7f8f2313f27e3'],
  expm1: ['3e7ad7f2b1414adb', '-402ae6860ce4e1db', '42a370470aec26ed'],
  log: ['-3f7a69cbb807804b', '-402bdbc776cdad0b', '40277281cad8a844'],
  log1p: ['-40292c3cdb1ec0b2', '3e112e0be801f1d9', '3ffcab0bfa2a2002'],
  sin: ['3fd2e9cd95baba33', '3fe326af0dcfcab0', '3fd1bf00980dc35c'],
  cos: ['3fee921dd42f09ba', '-40165d08107a7483', '3feebec72ba6b0ec'],
  tanh: ['3fb983d7795f413a', '-4010a30ce1e37efd', '3fefffffffffffe1'],
  powInt: ['3fd29edc3254efc2', '3fde9c6a99d1cdbf'],
  pow: ['3fef5a7cecdb684a', '3fa93d32bceafc28'],
};
