import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tCdf, tPdf, tQuantile, tSf, tTwoSidedP } from './studentt.ts';
import { normalQuantile } from './normal.ts';

function close(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what}: got ${actual}, expected ${expected} (relative error ${err.toExponential(2)})`);
}

test('t quantiles t_(0.975, ν) match the tables to double precision', () => {
  // scipy.stats.t.ppf(0.975, ν) 1.17.1 (ν = 9 also checked against mpmath to 40 digits).
  const ref: [df: number, q: number][] = [
    [1, 12.706204736174694],
    [2, 4.302652729749462],
    [4, 2.7764451051977934],
    [9, 2.262157162798205],
    [30, 2.0422724563012378],
    [1000, 1.9623390808264083],
  ];
  for (const [df, q] of ref) close(tQuantile(0.975, df), q, 2e-15, `t_(0.975, ${df})`);
  // The brief's anchors.
  assert.equal(tQuantile(0.975, 9).toFixed(10), '2.2621571628');
  assert.equal(tQuantile(0.975, 1).toFixed(7), '12.7062047');
  assert.equal(tQuantile(0.975, Infinity), normalQuantile(0.975));
  assert.equal(tQuantile(0.975, Infinity).toFixed(6), '1.959964');
  // mpmath: 1.959966356814107035…; ν = 10⁶ is where the continued fraction's accuracy has dropped to ~1e-12.
  close(tQuantile(0.975, 1e6), 1.959966356814107, 1e-11, 't_(0.975, 1e6)');
});

test('t quantiles: closed forms for ν = 1 and 2, symmetry, tails and centre', () => {
  // ν = 1 is Cauchy: t_p = tan(π(p − ½)), written as −cot(πp) or cot(π(1 − p)) so that the tails are well conditioned;
  // ν = 2: t_p = (2p − 1)/√(2p(1 − p)).
  for (const p of [0.01, 0.2, 0.3, 0.7, 0.9, 0.999]) {
    close(
      tQuantile(p, 1),
      p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p)),
      1e-14,
      `Cauchy ${p}`,
    );
    close(tQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-14, `ν=2 ${p}`);
  }
  // scipy.stats.t.ppf 1.17.1.
  close(tQuantile(0.995, 5), 4.032142983555228, 1e-14, 't_(0.995, 5)');
  close(tQuantile(0.9, 3.5), 1.5765766051364052, 1e-14, 't_(0.9, 3.5)');
  close(tQuantile(1e-8, 7), -27.802283188119887, 1e-14, 't_(1e-8, 7)');
  // mpmath root of the CDF: 2.6342472487707528e-12 (scipy's ppf gives 2.6342472250052466e-12, wrong in the 9th digit).
  // eslint-disable-next-line no-loss-of-precision -- mpmath's digits as printed
  close(tQuantile(0.5 + 1e-12, 5), 2.6342472487707528e-12, 1e-13, 'near the centre');
  assert.equal(tQuantile(0.5, 3), 0);
  // Exact symmetry where 1 − p is exactly representable (0.8 is not exactly 1 − 0.2 in binary).
  assert.equal(tQuantile(0.125, 6), -tQuantile(0.875, 6));
  assert.equal(tQuantile(0.3125, 6), -tQuantile(0.6875, 6));
  assert.equal(tQuantile(0, 3), -Infinity);
  assert.equal(tQuantile(1, 3), Infinity);
  assert.throws(() => tQuantile(0.5, 0), /degrees of freedom/);
});

test('t CDF, tails and two-sided p-values', () => {
  // ν = 4 has a closed form: F(t) = ½ + (3/8)·(t/√(1 + t²/4))·(1 − t²/(12·(1 + t²/4))).
  for (const t of [0.3, 1, 2.5, 6]) {
    const u = 1 + (t * t) / 4;
    close(tCdf(t, 4), 0.5 + (3 / 8) * (t / Math.sqrt(u)) * (1 - (t * t) / (12 * u)), 1e-15, `F_4(${t})`);
  }
  // Cauchy: F(1) = ¾.
  close(tCdf(1, 1), 0.75, 1e-15, 'F_1(1)');
  // scipy.stats.t 1.17.1: cdf and 2·sf(|t|).
  close(tCdf(-1.5, 3), 0.11529193262241147, 1e-14, 'F_3(−1.5)');
  close(tCdf(0.3, 2.5), 0.6063288142524014, 1e-14, 'F_2.5(0.3)');
  close(tTwoSidedP(2.5, 9), 0.033861827682985735, 1e-14, 'p(2.5, 9)');
  close(tTwoSidedP(8, 20), 1.165662827148851e-7, 1e-14, 'p(8, 20)');
  close(tTwoSidedP(40, 100), 2.462107602140071e-63, 1e-14, 'p(40, 100): far tail without cancellation');
  close(tSf(40, 100), 2.462107602140071e-63 / 2, 1e-14, 'sf(40, 100)');
  assert.equal(tTwoSidedP(0, 5), 1);
  assert.equal(tTwoSidedP(-2.5, 9), tTwoSidedP(2.5, 9));
  assert.equal(tCdf(Infinity, 3), 1);
  assert.equal(tSf(Infinity, 3), 0);
  for (const t of [-4, -0.5, 0.1, 3]) close(tCdf(t, 7) + tSf(t, 7), 1, 1e-15, `cdf + sf at ${t}`);
});

test('t density integrates to the CDF (Simpson on [0, 2] for ν = 3)', () => {
  const N = 2000;
  const h = 2 / N;
  let s = tPdf(0, 3) + tPdf(2, 3);
  for (let i = 1; i < N; i++) s += (i % 2 ? 4 : 2) * tPdf(i * h, 3);
  close((s * h) / 3, tCdf(2, 3) - 0.5, 1e-12, 'Simpson');
  // ν = 1: f(t) = 1/(π(1 + t²)).
  close(tPdf(2, 1), 1 / (5 * Math.PI), 1e-15, 'Cauchy density');
});
