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
  // Sums of x and x² per distribution; the second moment is checked through the variance.
  const m = { normal: [0, 0], gamma: [0, 0], beta: [0, 0], uniform: [0, 0] };
  const add = (k: keyof typeof m, x: number) => {
    m[k][0] += x;
    m[k][1] += x * x;
  };
  for (let i = 0; i < n; i++) {
    add('normal', r.normal());
    add('gamma', r.gamma(2.5));
    add('beta', r.beta(0.4, 0.4));
  }
  for (let i = 0; i < n; i++) add('uniform', r.next());
  const mean = (k: keyof typeof m) => m[k][0] / n;
  const variance = (k: keyof typeof m) => m[k][1] / n - mean(k) ** 2;
  // N(0, 1); Gamma(k = 2.5, θ = 1): mean k, variance k; Beta(a, a): mean 1/2, variance 1/(4(2a + 1)); U(0, 1): 1/2, 1/12.
  // Tolerances are about 5 standard errors of each estimate at n = 200 000.
  assert.ok(Math.abs(mean('normal')) < 0.012, `normal mean ${mean('normal')}`);
  assert.ok(Math.abs(variance('normal') - 1) < 0.016, `normal variance ${variance('normal')}`);
  assert.ok(Math.abs(mean('gamma') - 2.5) < 0.018, `gamma mean ${mean('gamma')}`);
  assert.ok(Math.abs(variance('gamma') - 2.5) < 0.06, `gamma variance ${variance('gamma')}`);
  assert.ok(Math.abs(mean('beta') - 0.5) < 0.005, `beta mean ${mean('beta')}`);
  assert.ok(Math.abs(variance('beta') - 1 / 7.2) < 0.002, `beta variance ${variance('beta')}`);
  assert.ok(Math.abs(mean('uniform') - 0.5) < 0.004, `uniform mean ${mean('uniform')}`);
  assert.ok(Math.abs(variance('uniform') - 1 / 12) < 0.0015, `uniform variance ${variance('uniform')}`);
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
  // FNV-1a then murmur3's finalizer, computed independently (Python, 32-bit arithmetic).
  assert.equal(hash32(''), 2872998923);
  assert.equal(hash32('a'), 444641715);
  assert.equal(hash32('run=3/fold=7'), 3192918643);
  assert.equal(hash32('run=3/fold=7', 1), 973271030);
});
