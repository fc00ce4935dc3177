/**
 * A line chart as a standalone SVG document, from the same ChartModel the canvas chart draws
 * (uPlot paints on a canvas, which has no vector form): one `<path class="series">` per line
 * (a `<g class="series">` of dots for a strip), bands, labelled guides, both y axes, a title
 * and a legend. Ticks come from d3-array (`ticks`, `nice`), never from hand-written rules.
 * Pure: the theme's colours are passed in, so it runs (and is tested) without a page.
 */
import { nice, ticks } from 'd3-array';
import type { ChartModel, Column } from './series.ts';
import { formatTick } from './format.ts';

export interface SvgTheme {
  /** Text and `ink` series. */
  ink: string;
  /** Axis labels and ticks. */
  muted: string;
  grid: string;
  background: string;
}

export const LIGHT_THEME: SvgTheme = { ink: '#222', muted: '#555', grid: '#e4e4e4', background: '#fff' };

type Kind = 'linear' | 'log2' | 'log10' | 'log' | 'asinh';

/** A scale's forward map to a uniform space, and the ticks to draw in value space. */
function transform(kind: Kind): { f: (v: number) => number; ok: (v: number) => boolean } {
  if (kind === 'log2') return { f: Math.log2, ok: (v) => v > 0 };
  if (kind === 'log' || kind === 'log10') return { f: Math.log10, ok: (v) => v > 0 };
  if (kind === 'asinh') return { f: Math.asinh, ok: Number.isFinite };
  return { f: (v) => v, ok: Number.isFinite };
}

interface Axis {
  /** Value → pixel. */
  px: (v: number) => number;
  ok: (v: number) => boolean;
  ticks: number[];
}

function axis(kind: Kind, values: number[], from: number, to: number): Axis | null {
  const { f, ok } = transform(kind);
  const vs = values.filter((v) => Number.isFinite(v) && ok(v));
  if (!vs.length) return null;
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  if (lo === hi) {
    const d = kind === 'linear' ? Math.abs(lo) * 0.1 || 1 : 0;
    if (kind === 'linear') [lo, hi] = [lo - d, hi + d];
    else if (kind === 'asinh') [lo, hi] = [lo - 1, hi + 1];
    else [lo, hi] = [lo / 2, hi * 2];
  }
  let tk: number[];
  if (kind === 'linear') {
    [lo, hi] = nice(lo, hi, 5);
    tk = ticks(lo, hi, 5);
  } else if (kind === 'asinh') {
    tk = ticks(lo, hi, 5);
  } else {
    const base = kind === 'log2' ? 2 : 10;
    const e0 = Math.floor(Math.log(lo) / Math.log(base) + 1e-9);
    const e1 = Math.ceil(Math.log(hi) / Math.log(base) - 1e-9);
    tk = [];
    for (let e = e0; e <= e1; e++) if (base ** e >= lo * (1 - 1e-9) && base ** e <= hi * (1 + 1e-9)) tk.push(base ** e);
    // Less than two powers inside the range: the linear ticks of the range, read on the log scale.
    if (tk.length < 2) tk = ticks(lo, hi, 4).filter((v) => v > 0);
  }
  const a = f(lo);
  const b = f(hi);
  return { px: (v) => from + ((f(v) - a) / (b - a)) * (to - from), ok, ticks: tk };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n1 = (v: number) => (Math.round(v * 10) / 10).toString();
const numbers = (c: Column | undefined): number[] => {
  const out: number[] = [];
  if (c) for (let i = 0; i < c.length; i++) if (typeof c[i] === 'number') out.push(c[i] as number);
  return out;
};

/** The chart as an SVG document `width`×`height` CSS pixels (the legend adds rows below). */
export function chartSvg(m: ChartModel, width = 640, height = 320, theme: SvgTheme = LIGHT_THEME): string {
  const color = (c: string) => (c === 'ink' ? theme.ink : c);
  const hasY2 = m.series.some((s) => s.axis === 'y2');
  const left = 64;
  const right = width - (hasY2 ? 64 : 16);
  const top = 30 + (m.guides?.length ? 14 : 0);
  const bottom = height - 40;
  const xs = m.data[0] ?? [];
  const onAxis = (k: 'y' | 'y2') => (s: { axis?: 'y' | 'y2' }) => (s.axis ?? 'y') === k;
  const valuesOf = (k: 'y' | 'y2') => [
    ...m.series.flatMap((s, i) => (onAxis(k)(s) ? numbers(m.data[i + 1]) : [])),
    ...(m.bands ?? []).filter(onAxis(k)).flatMap((b) => [...numbers(b.lo), ...numbers(b.hi)]),
  ];
  const X = axis(m.xScale ?? 'linear', [...numbers(xs), ...(m.guides ?? []).map((g) => g.x)], left, right);
  const Y = axis(m.yScale ?? 'linear', valuesOf('y'), bottom, top);
  const Y2 = hasY2 ? axis(m.y2Scale ?? 'linear', valuesOf('y2'), bottom, top) : null;

  // Legend rows under the x label, wrapped by an estimate of the text's width.
  const legend: { x: number; row: number; i: number }[] = [];
  let lx = left;
  let row = 0;
  m.series.forEach((s, i) => {
    const w = 34 + s.label.length * 6.4 + (s.axis === 'y2' ? 30 : 0);
    if (lx + w > width - 8 && lx > left) {
      lx = left;
      row++;
    }
    legend.push({ x: lx, row, i });
    lx += w;
  });
  const total = height + (m.series.length ? (row + 1) * 18 + 4 : 0);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}" font-family="system-ui, sans-serif" font-size="11">`,
    `<title>${esc(m.title)}</title>`,
    `<rect width="${width}" height="${total}" fill="${theme.background}"/>`,
    `<text x="${left}" y="16" font-size="13" font-weight="600" fill="${theme.ink}">${esc(m.title)}</text>`,
  );
  if (!X || !Y) {
    out.push(`<text x="${left}" y="${(top + bottom) / 2}" fill="${theme.muted}">No data to plot.</text></svg>`);
    return out.join('\n');
  }
  const inX = (v: number) => v >= Math.min(left, right) - 0.5 && v <= right + 0.5;
  // Grid and tick labels.
  out.push(`<g class="axis x" fill="${theme.muted}" text-anchor="middle">`);
  for (const t of X.ticks) {
    const x = X.px(t);
    if (!inX(x)) continue;
    out.push(`<line x1="${n1(x)}" x2="${n1(x)}" y1="${top}" y2="${bottom}" stroke="${theme.grid}"/>`);
    out.push(`<text x="${n1(x)}" y="${bottom + 14}">${esc(formatTick(t))}</text>`);
  }
  out.push(`<text x="${(left + right) / 2}" y="${bottom + 32}" font-weight="600">${esc(m.xLabel)}</text></g>`);
  const yAxis = (A: Axis, label: string, side: 'left' | 'right') => {
    const x0 = side === 'left' ? left - 6 : right + 6;
    out.push(
      `<g class="axis ${side === 'left' ? 'y' : 'y2'}" fill="${theme.muted}" text-anchor="${side === 'left' ? 'end' : 'start'}">`,
    );
    for (const t of A.ticks) {
      const y = A.px(t);
      if (y < top - 0.5 || y > bottom + 0.5) continue;
      if (side === 'left')
        out.push(`<line x1="${left}" x2="${right}" y1="${n1(y)}" y2="${n1(y)}" stroke="${theme.grid}"/>`);
      out.push(`<text x="${x0}" y="${n1(y + 4)}">${esc(formatTick(t))}</text>`);
    }
    const lx2 = side === 'left' ? 14 : width - 10;
    out.push(
      `<text transform="translate(${lx2} ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle" font-weight="600">${esc(label)}</text></g>`,
    );
  };
  yAxis(Y, m.yLabel, 'left');
  if (Y2) yAxis(Y2, m.y2Label ?? '', 'right');
  out.push(
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="${theme.grid}"/>`,
  );

  // Bands: polygons over each run of points where both ends are known.
  for (const b of m.bands ?? []) {
    const A = (b.axis ?? 'y') === 'y2' ? Y2 : Y;
    if (!A) continue;
    const runs: [number, number, number][][] = [[]];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      const lo = b.lo[i];
      const hi = b.hi[i];
      if (lo === undefined && hi === undefined) continue;
      if (
        typeof x !== 'number' ||
        typeof lo !== 'number' ||
        typeof hi !== 'number' ||
        !X.ok(x) ||
        !A.ok(lo) ||
        !A.ok(hi)
      ) {
        runs.push([]);
        continue;
      }
      runs[runs.length - 1].push([X.px(x), A.px(hi), A.px(lo)]);
    }
    for (const r of runs.filter((q) => q.length > 1)) {
      const d = [...r.map(([x, y]) => [x, y]), ...r.reverse().map(([x, , y]) => [x, y])]
        .map(([x, y], i) => `${i ? 'L' : 'M'}${n1(x)},${n1(y)}`)
        .join('');
      out.push(`<path class="band" d="${d}Z" fill="${color(b.color)}" fill-opacity="0.16" stroke="none"/>`);
    }
  }

  // Guides.
  for (const g of m.guides ?? []) {
    const x = X.ok(g.x) ? X.px(g.x) : NaN;
    if (!inX(x)) continue;
    out.push(
      `<g class="guide"><line x1="${n1(x)}" x2="${n1(x)}" y1="${top}" y2="${bottom}" stroke="${theme.ink}" stroke-opacity="0.45" stroke-dasharray="4 3"/>`,
      `<text x="${n1(x)}" y="${top - 4}" text-anchor="middle" fill="${theme.ink}">${esc(g.label)}</text></g>`,
    );
  }

  // Series: null breaks a line, undefined is passed over.
  m.series.forEach((s, i) => {
    const A = s.axis === 'y2' ? Y2 : Y;
    const col = m.data[i + 1] ?? [];
    const label = esc(s.label);
    const stroke = color(s.color);
    if (!A) {
      out.push(`<path class="series" data-label="${label}" d="" stroke="${stroke}"/>`);
      return;
    }
    const pts: ([number, number] | null)[] = [];
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      const y = col[k];
      if (y === undefined) continue;
      if (typeof x !== 'number' || y === null || !X.ok(x) || !A.ok(y)) pts.push(null);
      else pts.push([X.px(x), A.px(y)]);
    }
    if (s.points) {
      out.push(`<g class="series" data-label="${label}" fill="${stroke}">`);
      for (const p of pts) if (p) out.push(`<circle cx="${n1(p[0])}" cy="${n1(p[1])}" r="3.5"/>`);
      out.push('</g>');
      return;
    }
    let d = '';
    let pen = false;
    for (const p of pts) {
      if (!p) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${n1(p[0])},${n1(p[1])}`;
      pen = true;
    }
    const dash = s.dash?.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
    out.push(
      `<path class="series" data-label="${label}" d="${d}" fill="none" stroke="${stroke}" stroke-width="${s.width ?? 1.75}"${dash} stroke-linejoin="round"/>`,
    );
  });

  // Legend.
  out.push(`<g class="legend" fill="${theme.ink}">`);
  for (const { x, row: r, i } of legend) {
    const s = m.series[i];
    const y = height + 4 + r * 18;
    const stroke = color(s.color);
    if (s.points) out.push(`<circle cx="${x + 11}" cy="${y}" r="3.5" fill="${stroke}"/>`);
    else {
      const dash = s.dash?.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
      out.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${stroke}" stroke-width="2"${dash}/>`);
    }
    out.push(`<text x="${x + 28}" y="${y + 4}">${esc(s.label)}${s.axis === 'y2' ? ' (right)' : ''}</text>`);
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}
