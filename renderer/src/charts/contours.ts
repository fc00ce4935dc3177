/**
 * Contour lines and bands of a function sampled on a grid (d3-contour's marching squares),
 * drawn into a plot frame. The grid covers the frame exactly: cell (i, j) is the i-th column
 * from the left and the j-th row from the top.
 */
import { contours } from 'd3-contour';
import type { Frame } from './frame.ts';

/** One contour: every polygon (outer ring and holes) where the function crosses `value`. */
export interface Contour {
  value: number;
  /** Polygons of rings of [column, row] points in grid units ([0, cols] × [0, rows]). */
  coordinates: number[][][][];
}

/** The contours of `values` (cols×rows, row-major from the top) at each threshold. */
export function contourGrid(values: ArrayLike<number>, cols: number, rows: number, thresholds: number[]): Contour[] {
  const gen = contours().size([cols, rows]).thresholds(thresholds);
  return gen(values as number[]).map((g) => ({ value: g.value, coordinates: g.coordinates }));
}

/** Traces a contour's polygons as one path in the frame (even-odd filling keeps the holes). */
export function traceContour(f: Frame, c: Contour, cols: number, rows: number): void {
  const sx = f.width / cols;
  const sy = f.height / rows;
  const ctx = f.ctx;
  ctx.beginPath();
  for (const polygon of c.coordinates)
    for (const ring of polygon) {
      ring.forEach(([gx, gy], k) => {
        const px = f.left + gx * sx;
        const py = f.top + gy * sy;
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.closePath();
    }
}

/**
 * `count` levels spaced evenly between lo and hi, or logarithmically (for functions whose
 * values span decades, like Rosenbrock's valley); lo must be > 0 for log spacing.
 */
export function levels(lo: number, hi: number, count: number, log: boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const t = (k + 0.5) / count;
    out.push(log ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo));
  }
  return out;
}
