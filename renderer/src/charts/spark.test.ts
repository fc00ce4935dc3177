import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sparkLines } from './spark.ts';

test('a thumbnail fits each y axis to its own series, x on the chart’s scale, and passes over undefined', () => {
  const lines = sparkLines(
    {
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      xScale: 'log2',
      series: [
        { label: 'a', color: '#0072B2' },
        { label: 'b', color: 'ink', axis: 'y2', dash: [8, 4] },
      ],
      data: [
        [1, 2, 4],
        [0, undefined, 1],
        [100, 300, 200],
      ],
    },
    110,
    60,
    5,
  );
  // Box 5…105 × 5…55; log₂ x: 1 → 5, 2 → 55, 4 → 105.
  assert.equal(lines[0].d, 'M5.0,55.0L105.0,5.0');
  // Its own axis: 100 at the bottom, 300 at the top, 200 halfway.
  assert.equal(lines[1].d, 'M5.0,55.0L55.0,5.0L105.0,30.0');
  assert.equal(lines[1].dash, '4 2');
  assert.equal(lines[1].color, 'ink');
});
