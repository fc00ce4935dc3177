import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSvg } from './svg.ts';
import type { ChartModel } from './series.ts';

/** Tags open and close in order (a small well-formedness check; the e2e test parses it with DOMParser). */
function balanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (!m[1]) stack.push(m[2]);
    else if (stack.pop() !== m[2]) return false;
  }
  return stack.length === 0;
}
const seriesPaths = (svg: string) => [...svg.matchAll(/<path class="series" data-label="([^"]*)" d="([^"]*)"/g)];

test('the SVG export: one path per series, null breaks a line and undefined is passed over, labels escaped', () => {
  const m: ChartModel = {
    title: 'A & B <curves>',
    xLabel: 'epoch',
    yLabel: 'loss',
    series: [
      { label: 'A train', color: '#0072B2' },
      { label: 'A validation', color: '#0072B2', dash: [8, 4] },
      { label: 'B <train>', color: 'ink' },
    ],
    data: [
      [0, 5, 10],
      [1, 0.5, 0.25],
      [1, null, 0.5],
      [0.8, undefined, 0.4],
    ],
    bands: [{ lo: [0.9, 0.4, 0.2], hi: [1.1, 0.6, 0.3], color: '#0072B2' }],
  };
  const svg = chartSvg(m, 640, 320);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(balanced(svg), svg);
  const paths = seriesPaths(svg);
  assert.deepEqual(
    paths.map((p) => p[1]),
    ['A train', 'A validation', 'B &lt;train&gt;'],
  );
  assert.ok(svg.includes('<title>A &amp; B &lt;curves&gt;</title>'));
  // x: 0 → left edge 64, 10 → right edge 640 − 16 = 624, so 5 → 344.
  assert.match(paths[0][2], /^M64,[\d.]+L344,[\d.]+L624,[\d.]+$/);
  // The validation line's null splits it in two; B's undefined joins its first and last points.
  assert.equal((paths[1][2].match(/M/g) ?? []).length, 2);
  assert.match(paths[2][2], /^M64,[\d.]+L624,[\d.]+$/);
  // y is nice()d to [0.2, 1.2]: the top of the plot (y = 30) is 1.2, the bottom (y = 280) 0.2: 1 ↦ 80.
  assert.match(paths[0][2], /^M64,80L/);
  assert.equal((svg.match(/class="band"/g) ?? []).length, 1);
  // 'ink' is the theme's text colour.
  assert.ok(svg.includes('stroke="#222"'));
  assert.ok(svg.includes('stroke-dasharray="8 4"'));
});

test('the SVG export: a right axis, a log₂ x axis with its powers of two as ticks, and labelled guides', () => {
  const m: ChartModel = {
    title: 'batch size',
    xLabel: 'batch size',
    yLabel: 'test accuracy',
    y2Label: 'sharpness',
    xScale: 'log2',
    series: [
      { label: 'test accuracy', color: '#0072B2' },
      { label: 'λmax', color: '#E69F00', axis: 'y2' },
    ],
    data: [
      [8, 32, 128, 512],
      [0.9, 0.88, 0.85, 0.8],
      [5, 20, 80, 320],
    ],
    guides: [
      { x: 8, label: 'SB' },
      { x: 512, label: 'LB' },
    ],
  };
  const svg = chartSvg(m);
  assert.ok(balanced(svg));
  assert.equal(seriesPaths(svg).length, 2);
  const xTicks = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+">(\d+)<\/text>/g)].map((t) => Number(t[1]));
  for (const v of [8, 16, 32, 64, 128, 256, 512]) assert.ok(xTicks.includes(v), `tick ${v} in ${xTicks.join(',')}`);
  assert.ok(svg.includes('class="axis y2"'));
  assert.ok(svg.includes('>SB</text>') && svg.includes('>LB</text>'));
  // With a right axis the plot spans 64…576; 8 → 512 is six doublings, so 32 (two) ↦ 64 + 512/3.
  const d = seriesPaths(svg)[0][2];
  assert.match(d, /^M64,[\d.]+L234\.7,[\d.]+L405\.3,[\d.]+L576,/);
  assert.ok(svg.includes('λmax (right)'));
});

test('the SVG export of a chart with no data says so instead of failing', () => {
  const svg = chartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [], data: [[]] });
  assert.ok(balanced(svg));
  assert.ok(svg.includes('No data to plot.'));
});
