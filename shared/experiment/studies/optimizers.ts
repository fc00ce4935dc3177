/**
 * The optimizers study: learning curves per optimizer and the ranking by the primary metric,
 * each optimizer against the best one, paired over splits, Holm over those comparisons.
 */
import type { Summary } from '../../stats/describe.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import type { JobResult } from '../types.ts';
import { ALPHA, formatP, holmFamily, pairedDifference, sig, splitSizes, type PairedDifference } from './paired.ts';

export interface OptimizerRow {
  key: string;
  label: string;
  /** The ranking metric over splits. */
  value: Summary;
  /** This − the best, paired over splits, Holm over the optimizers; null for the best. */
  vsBest: (PairedDifference & { pHolm: number }) | null;
  /** Learning curves (mean and std over splits per epoch). */
  curves: { epoch: number[]; series: Record<string, { mean: number[]; std: Array<number | null> }> };
}

export interface OptimizersSeries {
  /** What the ranking is by. */
  metric: string;
  higherIsBetter: boolean;
  /** Best first. */
  rows: OptimizerRow[];
}

export function optimizersSeries(
  plan: Plan,
  report: ExperimentReport,
  _results: ReadonlyMap<string, JobResult>,
): { title: string; summary: string[]; series: OptimizersSeries } {
  const metric = report.primaryMetric;
  const higher = metric.endsWith('accuracy');
  const m = (c: (typeof report.configurations)[number]) => c.metrics[metric]?.mean ?? Number.NaN;
  const ranked = report.configurations.slice().sort((a, b) => (higher ? m(b) - m(a) : m(a) - m(b)));
  const best = ranked[0];
  const sizes = splitSizes(plan, 0);
  const diffs = ranked
    .slice(1)
    .map((c) => pairedDifference(c.metrics[metric]?.values ?? [], best.metrics[metric]?.values ?? [], sizes));
  const adjusted = holmFamily(diffs.map((d) => d.p));
  const rows: OptimizerRow[] = ranked.map((c, i) => ({
    key: c.key,
    label: c.label,
    value: c.metrics[metric],
    vsBest: i === 0 ? null : { ...diffs[i - 1], pHolm: adjusted[i - 1] },
    curves: { epoch: c.curves.epoch, series: c.curves.series },
  }));
  const worse = rows.filter((r) => r.vsBest && r.vsBest.pHolm <= ALPHA);
  const summary = [
    `By ${metric}, ${best.label} ranks first (${sig(m(best), 4)}); ` +
      (worse.length
        ? `significantly behind it after Holm: ${worse.map((r) => `${r.label} (Δ ${sig(r.vsBest!.mean)}, ${formatP(r.vsBest!.pHolm, 'p_Holm')})`).join(', ')}.`
        : `no optimizer differs significantly from it at α = ${ALPHA} after Holm over ${rows.length - 1} comparisons, so the ranking is noise; more folds or repeats, or a harder data set, would resolve it.`),
  ];
  return { title: `Optimizers ranked by ${metric}`, summary, series: { metric, higherIsBetter: higher, rows } };
}
