/**
 * The report's chart data: learning curves per configuration (train solid, validation dashed)
 * with a band of ± one std or the 95% t-interval of the mean, and the strip plot of each
 * split's score. Pure functions of the report, so they can be tested without a page.
 */
import type { ReportJson } from '../../../../shared/lab-api.ts';
import { tQuantile } from '../../../../shared/stats/studentt.ts';

/** A chart column: null breaks a line (no value), undefined means no point at this x. */
type Col = (number | null | undefined)[];

/**
 * A line as these pure functions describe it: its colour as an index into the palette's
 * series (a configuration's index is its colour), its dash by data part. `toLineSeries`
 * (plot.ts) turns it into a LineChart series.
 */
export interface PlotSeries {
  label: string;
  color: number;
  part?: 'train' | 'val' | 'test';
  dash?: number[];
  width?: number;
  points?: boolean;
  /** Read on the right y axis. */
  axis?: 'y' | 'y2';
}

export interface Band {
  lo: Col;
  hi: Col;
  color: number;
  axis?: 'y' | 'y2';
}

/** Metrics that have curves for train or validation (`loss`, `accuracy`, `mse`, …). */
export function metricsWithCurves(r: ReportJson): string[] {
  const names = new Set<string>();
  for (const c of r.configurations)
    for (const k of Object.keys(c.curves.series)) {
      const m = /^(train|val)_(.+)$/.exec(k);
      if (m) names.add(m[2]);
    }
  return [...names].sort();
}

/**
 * Lines and bands of `metric` for every configuration, on the union of their epochs, x in
 * epochs: each curve keeps its own length and spacing (undefined where it has no record, so
 * a curve sampled every 10 epochs, or one that stopped early, is drawn whole and ends at its
 * last epoch); null only where a recorded value is missing (a diverged epoch).
 */
export function curveData(
  r: ReportJson,
  metric: string,
  band: 'std' | 'ci',
  only?: readonly number[],
): { series: PlotSeries[]; data: Col[]; bands: Band[] } {
  const picked = r.configurations.map((c, i) => ({ c, i })).filter(({ i }) => !only || only.includes(i));
  const epochs = [...new Set(picked.flatMap(({ c }) => c.curves.epoch.filter((e): e is number => e !== null)))].sort(
    (a, b) => a - b,
  );
  const at = new Map(epochs.map((e, k) => [e, k]));
  const series: PlotSeries[] = [];
  const data: Col[] = [epochs];
  const bands: Band[] = [];
  for (const { c, i } of picked) {
    for (const part of ['train', 'val'] as const) {
      const s = c.curves.series[`${part}_${metric}`];
      if (!s) continue;
      const mean: Col = epochs.map(() => undefined);
      const lo: Col = epochs.map(() => undefined);
      const hi: Col = epochs.map(() => undefined);
      c.curves.epoch.forEach((e, k) => {
        const j = e === null ? undefined : at.get(e);
        if (j === undefined) return;
        const m = s.mean[k];
        const sd = s.std[k];
        const n = c.curves.n[k] ?? 0;
        mean[j] = m ?? null;
        lo[j] = null;
        hi[j] = null;
        if (m === null || m === undefined || sd === null || sd === undefined || n === null || n < 2) return;
        const half = band === 'std' ? sd : tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
        lo[j] = m - half;
        hi[j] = m + half;
      });
      series.push({
        label: `${c.label} ${part === 'val' ? 'validation' : 'train'}`,
        color: i,
        part,
      });
      data.push(mean);
      bands.push({ lo, hi, color: i });
    }
  }
  return { series, data, bands };
}

/**
 * Each split's score of the primary metric, a dot per split, configurations side by side
 * (x = configuration index, splits spread a little around it so that equal scores stay apart).
 */
export function stripData(r: ReportJson, metric = r.primaryMetric): { series: PlotSeries[]; data: Col[] } {
  const xs: number[] = [];
  const cols: Col[] = r.configurations.map(() => []);
  r.configurations.forEach((c, i) => {
    const values = c.metrics[metric]?.values ?? [];
    const n = values.length;
    values.forEach((v, s) => {
      xs.push(i + (n > 1 ? ((s / (n - 1)) * 2 - 1) * 0.25 : 0));
      cols.forEach((col, j) => col.push(j === i ? v : null));
    });
  });
  return {
    series: r.configurations.map((c, i) => ({ label: c.label, color: i, points: true })),
    data: [xs, ...cols],
  };
}
