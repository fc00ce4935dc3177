/**
 * The regularization ablation: each regularizer against the baseline (the first
 * configuration), the difference of the primary metric paired over splits with its 95%
 * interval and the corrected resampled t-test, Holm over the regularizers (the family the
 * study draws its conclusion from, not every pair).
 */
import type { Summary } from '../../stats/describe.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import {
  ALPHA,
  formatInterval,
  formatP,
  holmFamily,
  pairedDifference,
  sig,
  splitSizes,
  type PairedDifference,
} from './paired.ts';

export interface RegularizerRow {
  key: string;
  label: string;
  /** The primary metric over splits. */
  value: Summary;
  /** The generalization gap over splits (train − val accuracy, or val − train mse). */
  gap: Summary | undefined;
  /** This − baseline, paired over splits, with its Holm-adjusted p; null for the baseline. */
  delta: (PairedDifference & { pHolm: number }) | null;
}

export interface RegularizationSeries {
  metric: string;
  /** Whether larger is better for the metric. */
  higherIsBetter: boolean;
  baseline: string;
  rows: RegularizerRow[];
  /** Each configuration's score and gap in sweep order (the baseline first). */
  points: Array<{ label: string; value: Summary; gap: Summary | undefined }>;
}

export function regularizationSeries(
  plan: Plan,
  report: ExperimentReport,
): { title: string; summary: string[]; series: RegularizationSeries } {
  const metric = report.primaryMetric;
  const higher = metric.endsWith('accuracy');
  const base = report.configurations[0];
  const sizes = splitSizes(plan, 0);
  const deltas = report.configurations
    .slice(1)
    .map((c) => pairedDifference(c.metrics[metric]?.values ?? [], base.metrics[metric]?.values ?? [], sizes));
  const adjusted = holmFamily(deltas.map((d) => d.p));
  const rows: RegularizerRow[] = report.configurations.map((c, i) => ({
    key: c.key,
    label: c.label,
    value: c.metrics[metric],
    gap: c.metrics.gap_accuracy ?? c.metrics.gap_mse,
    delta: i === 0 ? null : { ...deltas[i - 1], pHolm: adjusted[i - 1] },
  }));
  const series: RegularizationSeries = {
    metric,
    higherIsBetter: higher,
    baseline: base.label,
    rows,
    points: rows.map((r) => ({ label: r.label, value: r.value, gap: r.gap })),
  };
  const better = (d: PairedDifference) => (higher ? d.mean > 0 : d.mean < 0);
  const sig1 = rows.filter((r) => r.delta && r.delta.pHolm <= ALPHA);
  const helps = sig1.filter((r) => better(r.delta!));
  const hurts = sig1.filter((r) => !better(r.delta!));
  const describe = (r: RegularizerRow) =>
    `${r.label} ${sig(r.value.mean, 4)} (Δ ${r.delta!.mean >= 0 ? '+' : ''}${sig(r.delta!.mean)} ${formatInterval(r.delta!.ci95)}, ${formatP(r.delta!.pHolm, 'p_Holm')})`;
  const summary: string[] = [];
  summary.push(
    `Baseline "${base.label}": ${metric} ${sig(base.metrics[metric]?.mean, 4)}, generalization gap ${sig(rows[0].gap?.mean)}.`,
  );
  if (helps.length)
    summary.push(`Significantly better than the baseline after Holm: ${helps.map(describe).join('; ')}.`);
  if (hurts.length) summary.push(`Significantly worse: ${hurts.map(describe).join('; ')}.`);
  if (!sig1.length) {
    const top = rows
      .slice(1)
      .sort((a, b) => (higher ? b.delta!.mean - a.delta!.mean : a.delta!.mean - b.delta!.mean))[0];
    summary.push(
      `No regularizer differs significantly from the baseline at α = ${ALPHA} after Holm over ${rows.length - 1} comparisons` +
        (top ? ` (largest: ${describe(top)})` : '') +
        '; more folds or repeats would narrow the intervals, and fewer training rows or longer training give the regularizers more overfitting to fix.',
    );
  }
  return {
    title: `${metric} of each regularizer against "${base.label}" (Δ paired over splits, Holm over the regularizers)`,
    summary,
    series,
  };
}
