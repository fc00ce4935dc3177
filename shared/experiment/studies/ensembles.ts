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
import { summarize, type Summary } from '../../stats/describe.ts';
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
  /**
   * Bagging: the ensemble − the mean of its members' own scores on the same split (`members`:
   * that mean over splits), paired over splits, Holm over the study's tests. The same contrast
   * as vsFirst with every member as the baseline instead of one: the expected gain of the vote
   * over one bootstrap-trained member, measured with less noise.
   */
  vsMembers?: PairedDifference & { pHolm: number; members: Summary };
  /**
   * Bagging: the members' variance around the ensemble on the scored rows, over splits (classes:
   * the share of (member, row) pairs whose class is not the ensemble's; regression: the mean
   * variance of the members' predictions).
   */
  variance?: Summary;
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

/** Per split, the mean of the members' own scores (undefined unless every member has a score on every split). */
function memberMeans(e: ExperimentReport['configurations'][number]['ensemble']): number[] | undefined {
  const ms = e?.memberSummary;
  if (!ms?.length) return undefined;
  const n = ms[0].values?.length ?? 0;
  if (!n || ms.some((m) => m.values?.length !== n)) return undefined;
  return Array.from({ length: n }, (_, j) => ms.reduce((a, m) => a + m.values[j], 0) / ms.length);
}

/**
 * `Against the mean of its members' own scores (val_accuracy 0.915): Δ +0.019 [0.007, 0.030],
 * p_Holm = 0.014: averaging the members lowers the variance significantly; the members' variance
 * (class ≠ the vote's) is 0.061, 72% of a member's error (0.085).`
 */
function membersSentence(r: EnsembleRow, metric: string, higher: boolean): string {
  const d = r.vsMembers!;
  const better = higher ? d.mean > 0 : d.mean < 0;
  const verdict =
    d.pHolm > ALPHA
      ? 'not significantly different'
      : better
        ? 'averaging the members lowers the variance significantly'
        : 'significantly worse';
  const memberError = higher ? 1 - (d.members.mean ?? Number.NaN) : (d.members.mean ?? Number.NaN);
  const v = r.variance?.mean;
  const spread =
    v === undefined || v === null
      ? ''
      : `; the members' variance (${higher ? 'share of their classes that differ from the vote' : 'of their predictions around the average'}) is ${sig(v)}, ` +
        `${sig((100 * v) / memberError, 2)}% of a member's ${higher ? 'error' : metric} (${sig(memberError)})`;
  return (
    `Against the mean of its members' own scores (${metric} ${sig(d.members.mean, 4)}): Δ ${d.mean >= 0 ? '+' : ''}${sig(d.mean)} ${formatInterval(d.ci95)}, ` +
    `${formatP(d.pHolm, 'p_Holm')}: ${verdict}${spread}.`
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
      if (c.ensemble.varianceSummary) row.variance = c.ensemble.varianceSummary;
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
  // Bagging: each split's ensemble against the mean of that split's members' own scores.
  const bagged = rows
    .map((r) => ({ r, means: memberMeans(report.configurations.find((x) => x.key === r.key)?.ensemble) }))
    .filter((x): x is { r: EnsembleRow; means: number[] } => x.r.kind === 'bagging' && x.means !== undefined);
  const averaging = bagged.map(({ r, means }) => pairedDifference(r.value.values ?? [], means, sizes));
  // One family: every ensemble against its base learner, every ensemble against its first member
  // or round, and every bagging ensemble against its members' mean.
  const adjusted = holmFamily([...deltas, ...growths, ...averaging].map((d) => d.p));
  withBase.forEach((r, i) => (r.delta = { ...deltas[i], pHolm: adjusted[i] }));
  grown.forEach(
    (r, i) => (r.vsFirst = { ...growths[i], pHolm: adjusted[deltas.length + i], first: r.curve![0].value }),
  );
  bagged.forEach(
    ({ r, means }, i) =>
      (r.vsMembers = {
        ...averaging[i],
        pHolm: adjusted[deltas.length + growths.length + i],
        members: summarize(means),
      }),
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
      (r.vsFirst ? ` ${firstSentence(r, metric, higher)}` : '') +
      (r.vsMembers ? ` ${membersSentence(r, metric, higher)}` : '')
    );
  });
  const significant = (r: EnsembleRow) =>
    [r.delta, r.vsFirst, r.vsMembers].some((d) => d !== undefined && d.pHolm <= ALPHA);
  if (withBase.length && !withBase.some(significant))
    summary.push(
      `No ensemble differs significantly from its base learner or from its first member or round at α = ${ALPHA} after Holm; more folds or repeats, or a base learner with more variance (bagging) or more bias (boosting), would resolve it.`,
    );
  // Bagging that only beats its own first member: say what the difference between the two contrasts is.
  const gainOnlyOverMembers = withBase.find(
    (r) =>
      r.kind === 'bagging' &&
      r.delta!.pHolm > ALPHA &&
      [r.vsFirst, r.vsMembers].some((d) => d !== undefined && d.pHolm <= ALPHA),
  );
  if (gainOnlyOverMembers) {
    const r = gainOnlyOverMembers;
    const single = rows.find((x) => x.key === r.base)!.value.mean;
    const members = r.vsMembers?.members.mean;
    const gap =
      members !== undefined && members !== null && single !== null
        ? ` (a member scores ${sig(members, 4)} on average, the single model ${sig(single, 4)}: a gap of ${sig(single - members)} against the vote's gain of ${sig(r.vsMembers!.mean)})`
        : '';
    summary.push(
      `${r.label}: each member trains on a bootstrap sample (about 63% of the distinct rows), so the variance the vote removes is spent winning back what one model trained on every row already has${gap}; with this learner the vote's gain over its members is significant, the gain over the single model is not.`,
    );
  }
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
