/** The Library's "best" column. Pure. */
import type { ReportJson } from '../../../../shared/lab-api.ts';

/** The best configuration's mean of the report's main metric (highest accuracy, lowest error). */
export function bestScore(r: ReportJson): { metric: string; value: number } | null {
  const m = r.primaryMetric;
  const higher = /accuracy|r2/.test(m);
  let best: number | null = null;
  for (const c of r.configurations) {
    const v = c.metrics[m]?.mean;
    if (v === null || v === undefined) continue;
    if (best === null || (higher ? v > best : v < best)) best = v;
  }
  return best === null ? null : { metric: m, value: best };
}
