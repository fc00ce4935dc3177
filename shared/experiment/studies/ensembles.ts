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
  /** Ensemble − its single model, paired over splits, with the Holm-adjusted p over the study's tests. */
  delta?: PairedDifference & { pHolm: number };
  /**
   * The ensemble at its full size − the same ensemble with its first member or round alone
   * (`first`: that score), paired over splits, Holm over the study's tests. For bagging this
   * isolates what averaging does: both sides are trained on bootstrap samples, only the number
   * of members differs, so the gain is the variance the vote removes.
   */
  vsFirst?: PairedDifference & { pHolm: number; first: Summary };
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

/** `Against its first member alone (0.91): Δ +0.03 [0.01, 0.05], p_Holm = 0.002: averaging lowers the variance significantly.` */
function firstSentence(r: EnsembleRow, metric: string, higher: boolean): string {
  const d = r.vsFirst!;
  const what = r.kind === 'bagging' ? 'its first member alone' : 'its first round alone';
  const better = higher ? d.mean > 0 : d.mean < 0;
  const verdict =
    d.pHolm > ALPHA
      ? 'not significantly different'
      : !better
        ? 'significantly worse'
        : r.kind === 'bagging'
          ? 'averaging the members lowers the variance significantly'
          : 'the rounds lower the bias significantly';
  return (
    `Against ${what} (${metric} ${sig(d.first.mean, 4)}): Δ ${d.mean >= 0 ? '+' : ''}${sig(d.mean)} ${formatInterval(d.ci95)}, ` +
    `${formatP(d.pHolm, 'p_Holm')}: ${verdict}.`
  );
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
  const grown = rows.filter((r) => r.curve && r.curve.length > 1);
  const growths = grown.map((r) =>
    pairedDifference(r.curve!.at(-1)!.value.values ?? [], r.curve![0].value.values ?? [], sizes),
  );
  // One family: every ensemble against its base learner, and every ensemble against its first member or round.
  const adjusted = holmFamily([...deltas, ...growths].map((d) => d.p));
  withBase.forEach((r, i) => (r.delta = { ...deltas[i], pHolm: adjusted[i] }));
  grown.forEach(
    (r, i) => (r.vsFirst = { ...growths[i], pHolm: adjusted[deltas.length + i], first: r.curve![0].value }),
  );
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
      '.' +
      (r.vsFirst ? ` ${firstSentence(r, metric, higher)}` : '')
    );
  });
  if (withBase.length && withBase.every((r) => r.delta!.pHolm > ALPHA && (r.vsFirst?.pHolm ?? 1) > ALPHA))
    summary.push(
      `No ensemble differs significantly from its base learner or from its first member or round at α = ${ALPHA} after Holm; more folds or repeats, or a base learner with more variance (bagging) or more bias (boosting), would resolve it.`,
    );
  // Bagging that only beats its own first member: say what the difference between the two contrasts is.
  const bagged = withBase.find(
    (r) => r.kind === 'bagging' && r.delta!.pHolm > ALPHA && r.vsFirst && r.vsFirst.pHolm <= ALPHA,
  );
  if (bagged)
    summary.push(
      `${bagged.label}: each member trains on a bootstrap sample (about 63% of the distinct rows), so the variance the vote removes is spent winning back what one model trained on every row already has; with this learner the vote's gain is significant, the gain over the single model is not.`,
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
