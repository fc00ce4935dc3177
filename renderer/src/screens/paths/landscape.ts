/**
 * The background of a 2-D function: its values on a grid over the view, filled contour bands
 * (viridis, light) and contour lines at log-spaced levels when the values span decades,
 * rendered once into an off-screen canvas the size of the plot.
 */
import { interpolateViridis } from 'd3-scale-chromatic';
import { mix, rgb } from '../../lib/palette.ts';
import type { Function2D } from '../../../../shared/functions2d.ts';
import { contourGrid, levels, traceContour } from '../../charts/contours.ts';
import type { Frame } from '../../charts/frame.ts';

/** Grid cells along the longer side of the view. */
const CELLS = 180;
const LEVELS = 18;

export interface Landscape {
  fn: string;
  width: number;
  height: number;
  canvas: HTMLCanvasElement;
  /** The contour levels drawn, lowest first. */
  levels: number[];
}

/** f on a grid over the view: cols×rows values, row 0 at the top (yMax). */
export function sample(f: Function2D, cols: number, rows: number): Float64Array {
  const v = f.view;
  const out = new Float64Array(cols * rows);
  for (let j = 0; j < rows; j++) {
    const y = v.yMax - ((j + 0.5) / rows) * (v.yMax - v.yMin);
    for (let i = 0; i < cols; i++) out[j * cols + i] = f.value(v.xMin + ((i + 0.5) / cols) * (v.xMax - v.xMin), y);
  }
  return out;
}

/** The levels for a function's values: log-spaced over six decades below the top for `logContours` functions. */
export function contourLevels(f: Function2D, values: Float64Array): number[] {
  let lo = Infinity,
    hi = -Infinity;
  for (const x of values) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (f.logContours) return levels(Math.max(lo, hi * 1e-6, 1e-12), hi, LEVELS, true);
  return levels(lo, hi, LEVELS, false);
}

/** Renders the function's bands and lines for a plot frame of the given size. */
export function renderLandscape(f: Function2D, frame: Frame): Landscape {
  const v = f.view;
  const aspect = (v.yMax - v.yMin) / (v.xMax - v.xMin);
  const cols = aspect <= 1 ? CELLS : Math.round(CELLS / aspect);
  const rows = aspect <= 1 ? Math.round(CELLS * aspect) : CELLS;
  const values = sample(f, cols, rows);
  const lv = contourLevels(f, values);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(frame.width);
  canvas.height = Math.round(frame.height);
  const ctx = canvas.getContext('2d')!;
  const local: Frame = { ...frame, ctx, left: 0, top: 0 };
  // Viridis lightened towards white, so that the paths' colours stand out on every band.
  // (d3-scale-chromatic's viridis gives #rrggbb strings.)
  const shade = (k: number) => {
    const [r, g, b] = mix([255, 255, 255], rgb(interpolateViridis(k / LEVELS)), 0.45);
    return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
  };
  ctx.fillStyle = shade(0);
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const bands = contourGrid(values, cols, rows, lv);
  bands.forEach((c, k) => {
    ctx.fillStyle = shade(k + 1);
    traceContour(local, c, cols, rows);
    ctx.fill('evenodd');
  });
  ctx.strokeStyle = 'rgba(20, 20, 40, 0.22)';
  ctx.lineWidth = frame.ratio;
  for (const c of bands) {
    traceContour(local, c, cols, rows);
    ctx.stroke();
  }
  return { fn: f.name, width: canvas.width, height: canvas.height, canvas, levels: lv };
}
