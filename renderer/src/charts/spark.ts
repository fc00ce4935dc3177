/**
 * A chart model shrunk to a thumbnail: each series as an SVG path in a `width`×`height` box,
 * no axes, each y axis fitted to its own series (x and y on the chart's scales). Pure.
 */
import type { ChartModel } from './series.ts';

export interface SparkLine {
  d: string;
  color: string;
  dash?: string;
  /** Dots rather than a line (a strip): `d` then holds one tiny segment per dot. */
  points: boolean;
}

const fwd = (kind: string | undefined): ((v: number) => number) =>
  kind === 'log2'
    ? Math.log2
    : kind === 'log' || kind === 'log10'
      ? Math.log10
      : kind === 'asinh'
        ? Math.asinh
        : (v) => v;

function fit(values: number[]): (t: number) => number {
  const ok = values.filter(Number.isFinite);
  const lo = Math.min(...ok);
  const hi = Math.max(...ok);
  return hi > lo ? (t) => (t - lo) / (hi - lo) : () => 0.5;
}

export function sparkLines(m: ChartModel, width: number, height: number, pad = 4): SparkLine[] {
  const xs = m.data[0] ?? [];
  const fx = fwd(m.xScale);
  const tx: (number | null)[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    tx.push(typeof x === 'number' && Number.isFinite(fx(x)) ? fx(x) : null);
  }
  const nx = fit(tx.filter((v): v is number => v !== null));
  const scaleOf = (axis: 'y' | 'y2' | undefined) => fwd(axis === 'y2' ? m.y2Scale : m.yScale);
  const ys = (axis: 'y' | 'y2') =>
    m.series.flatMap((s, i) => {
      if ((s.axis ?? 'y') !== axis) return [];
      const f = scaleOf(axis);
      const out: number[] = [];
      const c = m.data[i + 1] ?? [];
      for (let k = 0; k < c.length; k++) if (typeof c[k] === 'number') out.push(f(c[k] as number));
      return out;
    });
  const ny = { y: fit(ys('y')), y2: fit(ys('y2')) };
  const px = (t: number) => (pad + nx(t) * (width - 2 * pad)).toFixed(1);
  const py = (t: number, axis: 'y' | 'y2') => (height - pad - ny[axis](t) * (height - 2 * pad)).toFixed(1);
  return m.series.map((s, i) => {
    const axis = s.axis ?? 'y';
    const f = scaleOf(axis);
    const c = m.data[i + 1] ?? [];
    let d = '';
    let pen = false;
    for (let k = 0; k < tx.length; k++) {
      const v = c[k];
      if (v === undefined) continue;
      const x = tx[k];
      const y = typeof v === 'number' ? f(v) : NaN;
      if (x === null || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (s.points) d += `M${px(x)},${py(y, axis)}h0.01`;
      else d += `${pen ? 'L' : 'M'}${px(x)},${py(y, axis)}`;
      pen = true;
    }
    return {
      d,
      color: s.color,
      dash: s.dash?.length ? s.dash.map((q) => q / 2).join(' ') : undefined,
      points: !!s.points,
    };
  });
}
