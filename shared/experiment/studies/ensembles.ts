/**
 * The ensembles study: each ensemble against the single model it is built from (the
 * configuration with the same spec and no ensemble), the difference paired over splits with
 * the corrected resampled t-test, Holm over the ensembles; and the score against the number
 * of members (bagging, with its out-of-bag estimate) or rounds (boosting).
 *
 * What the contrast teaches: bagging averages away the variance of a learner that overfits
 * (a wide network trained long), boosting adds up weak learners to lower their bias; so each
 * ensemble is judged against its own base learner.
 */
import type { Summary } from '../../stats/describe.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import type { ExperimentSpec } from '../types.ts';
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

export interface EnsembleRow {
  key: string;
  label: string;
  kind: 'single' | 'bagging' | 'boosting';
  /** The primary metric over splits. */
  value: Summary;
  /** Score with the first 1, 2, … members or rounds (mean over splits). */
  curve?: Array<{ size: number; value: Summary }>;
  /** Out-of-bag estimate (bagging). */
  oob?: Summary;
  /** Boosting: rounds played over the splits, and the splits that stopped early (their curves carry the final score forward). */
  rounds?: { played: Summary; perfect: number; worseThanChance: number };
  /** The single model this ensemble is built from (its key); absent for single models. */
  base?: string;
  /** Ensemble − its single model, paired over splits, with the Holm-adjusted p over the ensembles. */
  delta?: PairedDifference & { pHolm: number };
}

export interface EnsemblesSeries {
  metric: string;
  rows: EnsembleRow[];
  /** Per configuration in sweep order: the single model's score, or the ensemble's score against its size. */
  curves: Array<{ label: string; single?: Summary; curve?: Array<{ size: number; value: Summary }> }>;
}

/** The spec without its ensemble, name and labels: what makes two configurations the same learner. */
function learnerOf(spec: ExperimentSpec): string {
  const { ensemble: _e, name: _n, sweep: _s, tags: _t, notes: _o, ...rest } = spec;
  return JSON.stringify(rest);
}

/** `; stopped early on 8 of 10 splits, 6.4 rounds played on average` ('' when every split played every round). */
function stoppedEarly(r: EnsembleRow): string {
  const x = r.rounds;
  if (!x || x.perfect + x.worseThanChance === 0) return '';
  const why = [
    x.worseThanChance ? `${x.worseThanChance} at a learner no better than chance` : '',
    x.perfect ? `${x.perfect} at a perfect learner` : '',
  ].filter(Boolean);
  return `; ${x.perfect + x.worseThanChance} of ${x.played.n} splits stopped early (${why.join(', ')}), ${sig(x.played.mean ?? Number.NaN, 2)} rounds played on average`;
}

export function ensemblesSeries(
  plan: Plan,
  report: ExperimentReport,
): { title: string; summary: string[]; series: EnsemblesSeries } {
  const metric = report.primaryMetric;
  const higher = metric.endsWith('accuracy');
  const sizes = splitSizes(plan, 0);
  const specs = new Map(plan.configurations.map((c) => [c.key, c.spec]));
  const singles = report.configurations.filter((c) => !specs.get(c.key)!.ensemble);
  const rows: EnsembleRow[] = report.configurations.map((c) => {
    const spec = specs.get(c.key)!;
    const kind = spec.ensemble?.kind ?? 'single';
    const row: EnsembleRow = { key: c.key, label: c.label, kind, value: c.metrics[metric] };
    if (c.ensemble) {
      row.curve = c.ensemble.curveSummary;
      if (c.ensemble.oobSummary) row.oob = c.ensemble.oobSummary;
      if (c.ensemble.rounds) row.rounds = c.ensemble.rounds;
      const base = singles.find((s) => learnerOf(specs.get(s.key)!) === learnerOf(spec));
      if (base) row.base = base.key;
    }
    return row;
  });
  const withBase = rows.filter((r) => r.base);
  const deltas = withBase.map((r) => {
    const c = report.configurations.find((x) => x.key === r.key)!;
    const b = report.configurations.find((x) => x.key === r.base)!;
    return pairedDifference(c.metrics[metric]?.values ?? [], b.metrics[metric]?.values ?? [], sizes);
  });
  const adjusted = holmFamily(deltas.map((d) => d.p));
  withBase.forEach((r, i) => (r.delta = { ...deltas[i], pHolm: adjusted[i] }));
  const label = (key: string) => rows.find((r) => r.key === key)!.label;
  const summary = withBase.map((r) => {
    const d = r.delta!;
    const helps = higher ? d.mean > 0 : d.mean < 0;
    const base = rows.find((x) => x.key === r.base)!;
    const size = r.curve?.at(-1)?.size;
    const what = r.kind === 'bagging' ? `${size} members` : `${size} rounds${stoppedEarly(r)}`;
    return (
      `${r.label} (${what}) against ${label(r.base!)}: ${metric} ${sig(r.value.mean, 4)} vs ${sig(base.value.mean, 4)} ` +
      `(Δ ${d.mean >= 0 ? '+' : ''}${sig(d.mean)} ${formatInterval(d.ci95)}, ${formatP(d.pHolm, 'p_Holm')}): ` +
      (d.pHolm <= ALPHA ? (helps ? 'significantly better' : 'significantly worse') : 'not significantly different') +
      (r.oob ? `; out-of-bag estimate ${sig(r.oob.mean, 4)}` : '') +
      '.'
    );
  });
  if (withBase.length && withBase.every((r) => r.delta!.pHolm > ALPHA))
    summary.push(
      `No ensemble differs significantly from its base learner at α = ${ALPHA} after Holm; more folds or repeats, or a base learner with more variance (bagging) or more bias (boosting), would resolve it.`,
    );
  return {
    title: `${metric}: each ensemble against its own base learner, and against the number of members or rounds`,
    summary,
    series: {
      metric,
      rows,
      curves: rows.map((r) => (r.curve ? { label: r.label, curve: r.curve } : { label: r.label, single: r.value })),
    },
  };
}
