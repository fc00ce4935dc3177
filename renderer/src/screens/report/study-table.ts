/**
 * The study's table beside its figure: the comparisons the study's summary concludes on, one row
 * per ensemble (each against its base learner, against its own first member or round, and, for
 * bagging, against the mean of its members), with their intervals and Holm-adjusted p. Pure, so
 * tested without a page.
 */
import type { Measured, StudyView } from '../../../../shared/lab-api.ts';

/** A number as the report's tables write it (lab-format's rule; that module needs the DOM): 4 significant digits, exponent when tiny or huge. */
function formatScore(v: Measured | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

export interface StudyTable {
  caption: string;
  header: string[];
  rows: string[][];
  /** Per row: whether any of its comparisons is significant after Holm (p_Holm ≤ 0.05). */
  significant: boolean[];
  note: string;
}

/** Holm-adjusted p at or below this is significant (the studies' ALPHA). */
const ALPHA = 0.05;

type Diff = { mean: Measured; ci95: [Measured, Measured] | null; pHolm: Measured } | undefined;
type Sum = { mean: Measured } | undefined | null;

const signed = (v: Measured) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${formatScore(v)}`);
/** `+0.019 [0.0075, 0.03], p_Holm 0.014`, or `—`. */
export function diffText(d: Diff): string {
  if (!d) return '—';
  const ci = d.ci95 ? ` [${formatScore(d.ci95[0])}, ${formatScore(d.ci95[1])}]` : '';
  const p = d.pHolm === null ? 'undefined' : d.pHolm < 0.001 ? '< 0.001' : formatScore(d.pHolm);
  return `${signed(d.mean)}${ci}, p_Holm ${p}`;
}
const isSig = (d: Diff) => !!d && d.pHolm !== null && d.pHolm <= ALPHA;
const score = (s: Sum) => formatScore(s?.mean ?? null);
/** Splits whose boosting chain stopped before the rounds asked for. */
const stops = (r: { rounds?: { perfect: Measured; worseThanChance: Measured } }) =>
  r.rounds ? (r.rounds.perfect ?? 0) + (r.rounds.worseThanChance ?? 0) : 0;

/** The table of a study, or null for the studies whose figure and summary say it all. */
export function studyTable(v: StudyView): StudyTable | null {
  if (v.kind !== 'ensembles') return null;
  const { metric, rows } = v.series;
  const ensembles = rows.filter((r) => r.kind !== 'single');
  if (!ensembles.length) return null;
  const label = (key: string | undefined) => rows.find((r) => r.key === key)?.label ?? '—';
  const stopped = ensembles.some((r) => stops(r) > 0);
  return {
    caption: `Each ensemble against its base learner, its first member or round, and (bagging) its members' mean: ${metric}, Δ [95% interval], Holm-adjusted p`,
    header: [
      'ensemble',
      metric,
      'base learner',
      'Δ vs base',
      'first member/round',
      'Δ vs first',
      "members' mean",
      "Δ vs members' mean",
      "members' variance",
      'out-of-bag',
      'rounds played',
    ],
    rows: ensembles.map((r) => {
      const base = rows.find((x) => x.key === r.base);
      const played = r.rounds
        ? `${formatScore(r.rounds.played.mean)}${stops(r) > 0 ? ` (${stops(r)} stopped early)` : ''}`
        : '—';
      return [
        r.label,
        score(r.value),
        base ? `${label(r.base)} (${score(base.value)})` : '—',
        diffText(r.delta),
        r.vsFirst ? score(r.vsFirst.first) : '—',
        diffText(r.vsFirst),
        r.vsMembers ? score(r.vsMembers.members) : '—',
        diffText(r.vsMembers),
        score(r.variance),
        score(r.oob),
        played,
      ];
    }),
    significant: ensembles.map((r) => [r.delta, r.vsFirst, r.vsMembers].some(isSig)),
    note:
      "Paired over splits, corrected resampled t-test, Holm over all of the study's comparisons. The members' mean is each split's members scored alone, averaged: the vote's gain over it is the variance averaging removes; the members' variance is the share of (member, row) pairs whose class differs from the vote." +
      (stopped ? ' A boosting chain that stopped early carries its final ensemble forward to the last round.' : ''),
  };
}
