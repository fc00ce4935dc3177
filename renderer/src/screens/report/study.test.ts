import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyView } from '../../../../shared/lab-api.ts';
import { studyFigures, sweptNumber } from './study.ts';

const s = (mean: number | null, std: number | null = null) => ({
  mean,
  std,
  ci95: null,
  n: 2,
  values: mean === null ? [] : [mean, mean],
});
const view = (v: unknown) => v as StudyView;

test('a swept value as a number: plain numbers, and a layer list as its widest layer', () => {
  assert.equal(sweptNumber('16'), 16);
  assert.equal(sweptNumber('0.001'), 0.001);
  assert.equal(sweptNumber('[32]'), 32);
  assert.equal(sweptNumber('[64,16]'), 64);
  assert.equal(sweptNumber('mlp'), null);
  assert.equal(sweptNumber('[]'), null);
});

test('capacity: x is the swept width on a log₂ axis (not the parameter count), the best width marked', () => {
  const point = (x: string, parameters: number, train: number, val: number) => ({
    key: x,
    x,
    parameters,
    train: s(train, 0.01),
    val: s(val, 0.02),
    overfitting: false,
  });
  const [f] = studyFigures(
    view({
      kind: 'capacity',
      summary: [],
      series: {
        path: 'model.hidden',
        measure: 'error (1 − accuracy)',
        points: [point('[1]', 10, 0.5, 0.5), point('[8]', 80, 0.2, 0.25), point('[64]', 640, 0.01, 0.4)],
        best: 1,
        tests: null,
        uShape: true,
      },
    }),
  );
  assert.deepEqual(f.data[0], [1, 8, 64]);
  assert.equal(f.xScale, 'log2');
  assert.match(f.xLabel, /hidden width/);
  assert.deepEqual(f.guides, [{ x: 8, label: 'best' }]);
  assert.deepEqual(
    f.bands[1].lo.map((v) => Number(v?.toFixed(3))),
    [0.48, 0.23, 0.38],
  );
});

test('capacity over a non-numeric sweep falls back to the parameter count (log₁₀)', () => {
  const [f] = studyFigures(
    view({
      kind: 'capacity',
      summary: [],
      series: {
        path: 'model',
        measure: 'mse',
        points: [
          { key: 'a', x: 'linear', parameters: 5, train: s(1), val: s(1), overfitting: false },
          { key: 'b', x: 'mlp(hidden=8)', parameters: 57, train: s(0.5), val: s(0.7), overfitting: false },
        ],
        best: 1,
        tests: null,
        uShape: false,
      },
    }),
  );
  assert.deepEqual(f.data[0], [5, 57]);
  assert.equal(f.xScale, 'log10');
});

test('bias–variance: x is the swept value, not the setting index', () => {
  const point = (x: string, bias2: number, variance: number) => ({
    x,
    key: x,
    bias2,
    variance,
    noise: 0.1,
    expectedError: bias2 + variance + 0.1,
    measuredError: bias2 + variance + 0.1,
  });
  const [f] = studyFigures(
    view({
      kind: 'bias-variance',
      summary: [],
      series: {
        path: 'model.hidden',
        loss: 'squared',
        protocol: 'fresh',
        points: [point('[1]', 0.5, 0.01), point('[16]', 0.1, 0.05), point('[256]', 0.05, 0.3)],
      },
    }),
  );
  assert.deepEqual(f.data[0], [1, 16, 256]);
  assert.equal(f.xScale, 'log2');
  // Expected errors 0.61, 0.25, 0.45: the best is width 16.
  assert.deepEqual(f.guides, [{ x: 16, label: 'best' }]);
});

test('batch size: test accuracy on the left axis, ε-sharpness and λmax on the right, SB and LB guides; the interpolation marks α = 0 and 1', () => {
  const point = (batchSize: number, acc: number, sharp: number, lam: number) => ({
    batchSize,
    test_accuracy: s(acc, 0.01),
    sharpness: { 'sharpness_eps_0.001': s(sharp), 'sharpness_eps_0.0005': s(sharp / 2) },
    hessian: s(lam),
  });
  const figs = studyFigures(
    view({
      kind: 'batch-size',
      summary: [],
      series: {
        metric: 'val_accuracy',
        rows: [],
        points: [point(8, 0.95, 1, 2), point(32, 0.94, 3, 6), point(512, 0.9, 40, 90)],
        interpolation: {
          from: 'bs=8',
          to: 'bs=512',
          split: 'fold=0',
          alphas: [-0.5, 0, 0.5, 1, 1.5],
          loss: { train: [2, 0.1, 0.5, 0.1, 3], test: [2.1, 0.3, 0.6, 0.4, 3.2] },
        },
      },
    }),
  );
  const [b, ip] = figs;
  assert.deepEqual(b.data[0], [8, 32, 512]);
  assert.equal(b.xScale, 'log2');
  assert.deepEqual(
    b.series.map((q) => [q.label, q.axis ?? 'y']),
    [
      ['test accuracy', 'y'],
      ['ε-sharpness, ε = 0.001', 'y2'],
      ['λmax of the Hessian', 'y2'],
    ],
  );
  assert.deepEqual(b.data.slice(1), [
    [0.95, 0.94, 0.9],
    [1, 3, 40],
    [2, 6, 90],
  ]);
  // 1 … 90 spans more than 20×: the right axis is logarithmic.
  assert.equal(b.y2Scale, 'log');
  assert.deepEqual(b.guides, [
    { x: 8, label: 'SB' },
    { x: 512, label: 'LB' },
  ]);
  assert.deepEqual(ip.guides, [
    { x: 0, label: 'SB' },
    { x: 1, label: 'LB' },
  ]);
  assert.deepEqual(
    ip.series.map((q) => [q.label, q.part]),
    [
      ['train loss', 'train'],
      ['test loss', 'test'],
    ],
  );
});

test('ensembles: a curve per ensemble against its size, single models as levels, and bagging’s out-of-bag line', () => {
  const [f] = studyFigures(
    view({
      kind: 'ensembles',
      summary: [],
      series: {
        metric: 'val_accuracy',
        rows: [
          { key: 'a', label: 'single', kind: 'single', value: s(0.8) },
          { key: 'b', label: 'bagging', kind: 'bagging', value: s(0.86), oob: s(0.84) },
          { key: 'c', label: 'boosting', kind: 'boosting', value: s(0.9) },
        ],
        curves: [
          { label: 'single', single: s(0.8) },
          {
            label: 'bagging',
            curve: [
              { size: 1, value: s(0.78) },
              { size: 5, value: s(0.85) },
              { size: 10, value: s(0.86) },
            ],
          },
          {
            label: 'boosting',
            curve: [
              { size: 1, value: s(0.7) },
              { size: 2, value: s(0.8) },
              { size: 10, value: s(0.9) },
            ],
          },
        ],
      },
    }),
  );
  const u = undefined;
  assert.deepEqual(f.data[0], [1, 2, 5, 10]);
  assert.deepEqual(
    f.series.map((q) => [q.label, q.color]),
    [
      ['single', 0],
      ['bagging', 1],
      ['bagging: out-of-bag estimate', 1],
      ['boosting', 2],
    ],
  );
  assert.deepEqual(f.data.slice(1), [
    [0.8, 0.8, 0.8, 0.8],
    [0.78, u, 0.85, 0.86],
    [0.84, 0.84, 0.84, 0.84],
    [0.7, 0.8, u, 0.9],
  ]);
});
