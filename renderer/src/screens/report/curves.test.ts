import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReportJson } from '../../../../shared/lab-api.ts';
import { curveData, metricsWithCurves, stripData } from './curves.ts';
import { smallReport } from './fixture.ts';

function withCurves(): ReportJson {
  const r = structuredClone(smallReport()) as unknown as { configurations: { curves: unknown }[] };
  r.configurations[0].curves = {
    epoch: [1, 2, 3],
    n: [2, 2, 1],
    series: {
      train_loss: { mean: [1, 0.5, 0.25], std: [0.1, 0.2, null] },
      val_loss: { mean: [1.2, 0.8, 0.6], std: [0.3, 0.3, null] },
    },
  };
  r.configurations[1].curves = { epoch: [2], n: [2], series: { val_accuracy: { mean: [0.9], std: [0.1] } } };
  return r as unknown as ReportJson;
}

test('learning curves on the union of epochs: train solid, validation dashed, a ± std band or a 95% t-interval', () => {
  const r = withCurves();
  assert.deepEqual(metricsWithCurves(r), ['accuracy', 'loss']);
  const std = curveData(r, 'loss', 'std');
  assert.deepEqual(
    std.series.map((s) => [s.label, s.color, s.part]),
    [
      ['A & B train', 0, 'train'],
      ['A & B validation', 0, 'val'],
    ],
  );
  assert.deepEqual(std.data, [
    [1, 2, 3],
    [1, 0.5, 0.25],
    [1.2, 0.8, 0.6],
  ]);
  assert.deepEqual(std.bands[0].lo, [0.9, 0.3, null]);
  assert.deepEqual(std.bands[0].hi, [1.1, 0.7, null]);
  // n = 2: t(0.975, 1) = 12.7062…; half-width 12.7062 · 0.3 / √2 = 2.6954.
  const ci = curveData(r, 'loss', 'ci');
  assert.ok(Math.abs(ci.bands[1].hi[0]! - (1.2 + (12.706204736174707 * 0.3) / Math.SQRT2)) < 1e-9);
  const acc = curveData(r, 'accuracy', 'std');
  // Epochs C has no record of are undefined (passed over), not null (a break in the line).
  assert.deepEqual(acc.data, [
    [1, 2, 3],
    [undefined, 0.9, undefined],
  ]);
  assert.equal(acc.series[0].label, 'C validation');
});

test('curves of different lengths and spacings keep x in epochs and each its own length; only a missing value breaks a line', () => {
  const r = structuredClone(smallReport()) as unknown as { configurations: { curves: unknown }[] };
  // A: a record every 10 epochs up to 30, the last one diverged (NaN, null in JSON); C: epochs 1–4.
  r.configurations[0].curves = {
    epoch: [10, 20, 30],
    n: [2, 2, 2],
    series: { train_loss: { mean: [0.5, 0.25, null], std: [0.1, 0.1, null] } },
  };
  r.configurations[1].curves = {
    epoch: [1, 2, 3, 4],
    n: [2, 2, 2, 2],
    series: { train_loss: { mean: [1, 0.9, 0.8, 0.7], std: [0, 0, 0, 0] } },
  };
  const c = curveData(r as unknown as ReportJson, 'loss', 'std');
  assert.deepEqual(c.data[0], [1, 2, 3, 4, 10, 20, 30]);
  const u = undefined;
  assert.deepEqual(c.data[1], [u, u, u, u, 0.5, 0.25, null]);
  assert.deepEqual(c.data[2], [1, 0.9, 0.8, 0.7, u, u, u]);
  assert.deepEqual(c.bands[0].lo, [u, u, u, u, 0.4, 0.15, null]);
  assert.deepEqual(c.bands[1].hi, [1, 0.9, 0.8, 0.7, u, u, u]);
});

test('the strip plot: a dot per split, spread ±0.25 around its configuration, one series per configuration', () => {
  const s = stripData(smallReport());
  assert.deepEqual(s.data, [
    [-0.25, 0.25, 0.75, 1.25],
    [0.8, 0.9, null, null],
    [null, null, 0.9, 1],
  ]);
  assert.deepEqual(
    s.series.map((x) => [x.label, x.points]),
    [
      ['A & B', true],
      ['C', true],
    ],
  );
});
