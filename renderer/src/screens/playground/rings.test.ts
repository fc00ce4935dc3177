import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contours } from 'd3-contour';
import { packRings, traceRings, unpackRings } from './rings.ts';

/** A 4×4 grid: +1 on the left half, −1 on the right (a class margin whose boundary is x = 2). */
const HALVES = Array.from({ length: 16 }, (_, c) => (c % 4 < 2 ? 1 : -1));

test('packed rings give back every ring of every contour, point for point', () => {
  const lines = contours().size([4, 4]).thresholds([0])(HALVES);
  const rings = unpackRings(packRings(lines));
  // One ring around the left half: the boundary x = 2 half-way between the cells on either
  // side, closed along the grid's edges (grid units are halves: float32 holds them exactly).
  assert.deepEqual(rings, lines[0].coordinates[0]);
  assert.deepEqual(
    rings[0].filter(([x]) => x === 2).map(([, y]) => y),
    [3.5, 2.5, 1.5, 0.5, 3.5],
  );
  // Several contours with several polygons each, in order.
  const bumps = Array.from({ length: 25 }, (_, c) => (c === 6 || c === 18 ? 1 : 0));
  const two = contours().size([5, 5]).thresholds([0.5, 0.25])(bumps);
  const want = two.flatMap((l) => l.coordinates.flatMap((polygon) => polygon));
  assert.equal(want.length, 4);
  assert.deepEqual(unpackRings(packRings(two)), want);
  assert.deepEqual([...packRings([])], [0]);
});

test('traced rings are closed subpaths, scaled from grid units', () => {
  const calls: string[] = [];
  const sink = {
    moveTo: (x: number, y: number) => calls.push(`M${x},${y}`),
    lineTo: (x: number, y: number) => calls.push(`L${x},${y}`),
    closePath: () => calls.push('Z'),
  };
  traceRings(
    sink,
    packRings([
      {
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 2],
            ],
          ],
          [
            [
              [3, 3],
              [4, 3],
            ],
          ],
        ],
      },
    ]),
    10,
    100,
  );
  assert.deepEqual(calls, ['M0,0', 'L10,0', 'L10,200', 'Z', 'M30,300', 'L40,300', 'Z']);
});
