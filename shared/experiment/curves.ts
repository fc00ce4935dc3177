/**
 * Learning curves averaged over splits. Early stopping makes histories of unequal length;
 * each epoch's mean is over the splits that reached it, and `n` says how many did.
 */
import type { EpochRecord } from '../train/fit.ts';
import { mean, sampleStd } from '../stats/describe.ts';

export interface Curves {
  /** Epoch numbers (1-based). */
  epoch: number[];
  /** Splits that reached each epoch. */
  n: number[];
  /** Per metric (`train_loss`, `val_accuracy`, …): mean and sample std over splits per epoch (std null with one split). */
  series: Record<string, { mean: number[]; std: Array<number | null> }>;
}

export function learningCurves(histories: EpochRecord[][]): Curves {
  const maxEpochs = Math.max(0, ...histories.map((h) => h.length));
  const metrics = new Set<string>();
  for (const h of histories) for (const r of h) for (const k of Object.keys(r)) if (k !== 'epoch') metrics.add(k);
  const names = [...metrics].sort();
  const curves: Curves = { epoch: [], n: [], series: {} };
  for (const m of names) curves.series[m] = { mean: [], std: [] };
  for (let e = 0; e < maxEpochs; e++) {
    const recs = histories.filter((h) => h.length > e).map((h) => h[e]);
    curves.epoch.push(e + 1);
    curves.n.push(recs.length);
    for (const m of names) {
      const vals = recs.map((r) => r[m]).filter((v) => Number.isFinite(v));
      curves.series[m].mean.push(vals.length ? mean(vals) : Number.NaN);
      curves.series[m].std.push(vals.length > 1 ? sampleStd(vals) : null);
    }
  }
  return curves;
}
