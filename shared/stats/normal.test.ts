import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalPdf, normalQuantile, normalSf } from './normal.ts';

function close(actual: number, expected: number, rel: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rel, `${what}: got ${actual}, expected ${expected} (relative error ${err.toExponential(2)})`);
}

test('normal CDF and tails: symmetry and reference values', () => {
  assert.equal(normalCdf(0), 0.5);
  close(normalPdf(0), 1 / Math.sqrt(2 * Math.PI), 1e-16, 'φ(0)');
  // scipy.stats.norm 1.17.1.
  close(normalCdf(1.959963984540054), 0.975, 1e-15, 'Φ(1.96)');
  close(normalCdf(-10), 7.61985302416047e-24, 1e-13, 'Φ(−10)');
  close(normalSf(10), 7.61985302416047e-24, 1e-13, '1 − Φ(10) without cancellation');
  for (const z of [-3, -0.7, 0.2, 2.5]) assert.ok(Math.abs(normalCdf(z) + normalSf(z) - 1) < 1e-16);
});

test('normal quantile inverts the CDF to the last digits, centre and tails', () => {
  // scipy.stats.norm.ppf 1.17.1.
  close(normalQuantile(0.975), 1.959963984540054, 2e-16, 'z_0.975');
  close(normalQuantile(0.025), -1.959963984540054, 2e-16, 'z_0.025');
  close(normalQuantile(1e-10), -6.361340902404056, 2e-16, 'z_1e-10');
  // mpmath: √2·erfinv(2p − 1) for p = 0.5 + 1e-12 (the double) is 2.5065728237018603e-12.
  close(normalQuantile(0.5 + 1e-12), 2.5065728237018603e-12, 1e-14, 'z near the centre');
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  for (const p of [1e-300, 1e-20, 0.001, 0.1, 0.3, 0.6, 0.8, 0.99, 0.999999]) {
    const z = normalQuantile(p);
    close(p < 0.5 ? normalCdf(z) : normalSf(z), p < 0.5 ? p : 1 - p, 1e-13, `round trip at ${p}`);
  }
  assert.throws(() => normalQuantile(1.2), /\[0, 1\]/);
});
