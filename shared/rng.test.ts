import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, hash32 } from './rng.ts';

test('same seed gives the same stream; different seeds differ', () => {
  const a = new Rng(42),
    b = new Rng(42),
    c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextU32());
  const xb = Array.from({ length: 8 }, () => b.nextU32());
  const xc = Array.from({ length: 8 }, () => c.nextU32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('fork streams are reproducible and independent of draws made on the parent', () => {
  const a = new Rng(7);
  const f1 = a.fork('run=0/fold=3').next();
  a.next();
  a.next();
  const f2 = a.fork('run=0/fold=3').next();
  assert.equal(f1, f2);
  assert.notEqual(a.fork('run=0/fold=4').next(), f1);
});

test('uniform, normal, gamma and beta have the right first two moments', () => {
  const r = new Rng(1);
  const n = 200_000;
  let s = 0,
    s2 = 0,
    g = 0,
    b = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    s += z;
    s2 += z * z;
    g += r.gamma(2.5);
    b += r.beta(0.4, 0.4);
  }
  assert.ok(Math.abs(s / n) < 0.01, `normal mean ${s / n}`);
  assert.ok(Math.abs(s2 / n - 1) < 0.01, `normal var ${s2 / n}`);
  assert.ok(Math.abs(g / n - 2.5) < 0.02, `gamma mean ${g / n}`);
  assert.ok(Math.abs(b / n - 0.5) < 0.01, `beta mean ${b / n}`);
  let u = 0;
  for (let i = 0; i < n; i++) u += r.next();
  assert.ok(Math.abs(u / n - 0.5) < 0.005);
});

test('int is unbiased over a range that does not divide 2^32, and permutation is a permutation', () => {
  const r = new Rng(3);
  const counts = new Array(3).fill(0);
  for (let i = 0; i < 30_000; i++) counts[r.int(3)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 400, String(counts));
  const p = Array.from(r.permutation(50)).sort((x, y) => x - y);
  assert.deepEqual(
    p,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.throws(() => r.int(0), /bad range/);
});

test('hash32 is stable (a changed hash would silently change every stored experiment)', () => {
  assert.equal(hash32(''), hash32(''));
  assert.equal(hash32('run=3/fold=7'), 3192918643);
});
