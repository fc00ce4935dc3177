/**
 * Learning curves averaged over splits. Early stopping makes histories of unequal length;
 * each epoch's mean is over the splits that reached it, and `n` says how many did.
 */
import type { EpochRecord } from '../train/fit.ts';
import { mean, sampleStd } from '../stats/describe.ts';

export interface Curves {
  /** Epoch numbers (1-based) of the points: every epoch, or every `training.curveEvery` and the last. */
  epoch: number[];
  /** Splits that reached each epoch (early stopping ends some histories sooner). */
  n: number[];
  /** Per metric (`train_loss`, `val_accuracy`, …): mean and sample std over splits per epoch (std null with one split). */
  series: Record<string, { mean: number[]; std: Array<number | null> }>;
}

export function learningCurves(histories: EpochRecord[][]): Curves {
  // Points are taken at the epochs the records name (every `training.curveEvery` epochs and at
  // the last), not at their positions: with curveEvery 10, the third point is epoch 30.
  const epochs = [...new Set(histories.flatMap((h) => h.map((r) => r.epoch)))].sort((a, b) => a - b);
  const metrics = new Set<string>();
  for (const h of histories) for (const r of h) for (const k of Object.keys(r)) if (k !== 'epoch') metrics.add(k);
  const names = [...metrics].sort();
  const curves: Curves = { epoch: [], n: [], series: {} };
  for (const m of names) curves.series[m] = { mean: [], std: [] };
  const byEpoch = histories.map((h) => new Map(h.map((r) => [r.epoch, r])));
  for (const e of epochs) {
    const recs = byEpoch.map((h) => h.get(e)).filter((r): r is EpochRecord => r !== undefined);
    curves.epoch.push(e);
    curves.n.push(recs.length);
    for (const m of names) {
      const vals = recs.map((r) => r[m]).filter((v) => Number.isFinite(v));
      curves.series[m].mean.push(vals.length ? mean(vals) : Number.NaN);
      curves.series[m].std.push(vals.length > 1 ? sampleStd(vals) : null);
    }
  }
  return curves;
}
