/**
 * The aggregator: job results in, the experiment's answer out. Results are always taken in
 * the plan's key order, never in arrival order, so the report is the same bytes whichever
 * executor ran the jobs and however many workers it had.
 */
import { backendsOf, type BackendUse } from './backends.ts';
import { clipToRange, summarize, type Summary } from '../stats/describe.ts';
import { correctedResampledTTest } from '../stats/ttest.ts';
import { holm } from '../stats/holm.ts';
import { estimate632 } from '../resample/bootstrap.ts';
import type { Plan } from './plan.ts';
import type { ExperimentSpec, JobResult } from './types.ts';
import { ensembleSplitMetrics, type EnsembleReport, type SplitScores } from './ensemble.ts';
import { jobKey, SET } from './keys.ts';
import { biasVarianceReport, type BiasVarianceReport } from './bias-variance.ts';
import { learningCurves, type Curves } from './curves.ts';
import { speedMetrics } from './speed.ts';
import { chooseCandidate, tuneKey, tuningReport, tuningValues, type TuningReport } from './tuning.ts';

export interface ConfigurationReport {
  key: string;
  label: string;
  overrides: Record<string, unknown>;
  /** Per metric: mean, std, 95% interval and the per-split values in key order. */
  metrics: Record<string, Summary>;
  /** Learning curves averaged over splits (mean and std per epoch). */
  curves: Curves;
  /** The split keys, in the order of every `values` array. */
  splits: string[];
  /** Parameters of one model. */
  parameters: number;
  /** Splits whose training diverged (NaN or infinite loss). */
  diverged: number;
  /** Present with an ensemble: per-member/per-round scores and the score against ensemble size. */
  ensemble?: EnsembleReport;
  /** Present for analyses (sharpness, Hessian eigenvalue): mean over splits. */
  analysis?: Record<string, Summary>;
  /** Present for bootstrap evaluation of a synthetic regression set with a known truth. */
  biasVariance?: BiasVarianceReport;
  /** Present with `tuning`: the candidates, the value chosen per split and the sensitivity curve. */
  tuning?: TuningReport;
}

export interface Comparison {
  /** Configuration keys compared (a − b). */
  a: string;
  b: string;
  metric: string;
  meanDifference: number;
  t: number;
  df: number;
  /** Two-sided p-value of the corrected resampled t-test (Nadeau & Bengio 2003). */
  p: number;
  /** p after Holm's step-down correction over all pairs of this report. */
  pHolm: number;
  /** pHolm ≤ 0.05: Holm's procedure at family-wise level 0.05 rejects (the rule of holm() in shared/stats/holm.ts). */
  significant: boolean;
}

export interface ExperimentReport {
  name: string;
  seed: number;
  evaluation: string;
  dataset: { name: string; rows: number; features: number; classes: number; hash: string; dev: number; test: number };
  configurations: ConfigurationReport[];
  comparisons: Comparison[];
  /** The main metric of comparisons (val_accuracy for classes, val_mse for regression). */
  primaryMetric: string;
  /** What the planner warned about (the run went on); absent when nothing. */
  warnings?: string[];
  /** The engines that trained the models (absent when all ran on the CPU's plain path). */
  backends?: BackendUse[];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Per split: scores of the single model, or of the ensemble when there is one. */
function splitScores(plan: Plan, ci: number, results: ReadonlyMap<string, JobResult>): SplitScores[] {
  const c = plan.configurations[ci];
  const dp = plan.data[ci];
  return dp.splits.map((s) => {
    const key = jobKey(c.key, s.key);
    if (c.spec.tuning) {
      const candidates = tuningValues(c.spec).map((_, i) => results.get(tuneKey(key, i)));
      const chosen = chooseCandidate(candidates, c.spec.tuning.by);
      const r = candidates[chosen] ?? candidates[0];
      if (!r) throw new Error(`aggregate: no result for ${tuneKey(key, 0)}`);
      return { key, results: [r], metrics: flatten(r), tuning: { candidates, chosen } };
    }
    if (!c.spec.ensemble) {
      const r = results.get(key);
      if (!r) throw new Error(`aggregate: no result for ${key}`);
      return { key, results: [r], metrics: flatten(r) };
    }
    return ensembleSplitMetrics(plan, ci, s, key, results);
  });
}

/** `{train: {loss, accuracy}}` → `{train_loss, train_accuracy}`. */
export function flatten(r: JobResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [set, m] of Object.entries(r.final)) {
    // The report scores the model on the rows it trained on, the rows it is judged on and the test part.
    if (set === SET.inner || set === SET.splitTrain) continue;
    for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[`${set}_${k}`] = v;
  }
  return out;
}

/**
 * The range a metric can take, by its name: accuracies in [0, 1] (their gap in [−1, 1]),
 * losses and mse at least 0, r² at most 1; other gaps and analyses are unbounded.
 */
export function metricRange(name: string): [lo: number, hi: number] | undefined {
  if (name === 'gap_accuracy') return [-1, 1];
  if (name.startsWith('gap_')) return undefined;
  if (name.endsWith('accuracy')) return [0, 1];
  if (name.endsWith('loss') || name.endsWith('mse')) return [0, Infinity];
  if (name.endsWith('r2')) return [-Infinity, 1];
  return undefined;
}

/** Mean, std and the 95% t-interval, clipped to the metric's range where it leaves it. */
export function summarizeMetric(name: string, values: number[]): Summary {
  const s = summarize(values);
  const range = metricRange(name);
  return range ? clipToRange(s, range[0], range[1]) : s;
}

function summarizeMetrics(rows: Record<string, number>[]): Record<string, Summary> {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))].sort(byKey);
  const out: Record<string, Summary> = {};
  for (const m of names) {
    const vals = rows.map((r) => r[m]).filter((v) => v !== undefined && Number.isFinite(v));
    out[m] = summarizeMetric(m, vals);
  }
  return out;
}

/** Holm over the pairs' p-values at family-wise level 0.05: adjusted p-values and decisions (pHolm ≤ 0.05). */
export function holmSignificance(p: number[]): { pHolm: number; significant: boolean }[] {
  const h = holm(p, 0.05);
  return h.adjusted.map((pHolm, i) => ({ pHolm, significant: h.rejected[i] }));
}

export function aggregate(plan: Plan, results: ReadonlyMap<string, JobResult>): ExperimentReport {
  const spec = plan.spec;
  const d0 = plan.data[0];
  const classification = d0.data.task === 'classification';
  const primaryMetric = classification ? 'val_accuracy' : 'val_mse';
  // Efron's .632 needs out-of-bag rows; fresh training sets are scored on other rows.
  const bootstrap = spec.evaluation?.kind === 'bootstrap' && spec.evaluation.trainingSets !== 'fresh';
  const perConfig: SplitScores[][] = [];
  const configurations: ConfigurationReport[] = plan.configurations.map((c, ci) => {
    const scores = splitScores(plan, ci, results);
    perConfig.push(scores);
    const rows = scores.map((s) => {
      const m = { ...s.metrics };
      if (c.spec.speed) {
        const job = plan.jobs.find((j) => j.key === s.results[0].key);
        if (job) Object.assign(m, speedMetrics(s.results[0].history, c.spec.speed, job));
      }
      if (classification && m.train_accuracy !== undefined && m.val_accuracy !== undefined)
        m.gap_accuracy = m.train_accuracy - m.val_accuracy;
      if (m.train_loss !== undefined && m.val_loss !== undefined) m.gap_loss = m.val_loss - m.train_loss;
      if (!classification && m.train_mse !== undefined && m.val_mse !== undefined) m.gap_mse = m.val_mse - m.train_mse;
      // Efron's .632 per replicate: the optimistic error on its own sample, the pessimistic out-of-bag one.
      if (bootstrap && classification && m.train_accuracy !== undefined && m.val_accuracy !== undefined) {
        m.estimate632_accuracy = 1 - estimate632(1 - m.train_accuracy, 1 - m.val_accuracy);
      }
      if (bootstrap && !classification && m.train_mse !== undefined && m.val_mse !== undefined)
        m.estimate632_mse = estimate632(m.train_mse, m.val_mse);
      return m;
    });
    const all = scores.flatMap((s) => s.results);
    const report: ConfigurationReport = {
      key: c.key,
      label: c.label,
      overrides: c.overrides,
      metrics: summarizeMetrics(rows),
      curves: learningCurves(scores.map((s) => s.results[0].history)),
      splits: scores.map((s) => s.key),
      parameters: all[0]?.paramCount ?? 0,
      diverged: all.filter((r) => r.diverged).length,
    };
    if (c.spec.ensemble) report.ensemble = scores[0].ensemble && mergeEnsemble(scores);
    const analysisRows = all.filter((r) => r.analysis).map((r) => r.analysis!);
    if (analysisRows.length) report.analysis = summarizeMetrics(analysisRows);
    const bv = biasVarianceReport(plan, ci, scores);
    if (bv) report.biasVariance = bv;
    if (c.spec.tuning)
      report.tuning = tuningReport(
        c.spec,
        scores.map((s) => s.tuning!.candidates),
        scores.map((s) => s.tuning!.chosen),
        primaryMetric,
      );
    return report;
  });
  const report: ExperimentReport = {
    name: spec.name ?? '',
    seed: spec.seed,
    evaluation: describeEvaluation(spec),
    dataset: {
      name: d0.data.name,
      rows: d0.data.n,
      features: d0.data.d,
      classes: d0.data.classes,
      hash: d0.hash,
      dev: d0.dev.length,
      test: d0.test.length,
    },
    configurations,
    comparisons: compare(plan, perConfig, primaryMetric),
    primaryMetric,
    ...(plan.warnings?.length ? { warnings: [...plan.warnings] } : {}),
  };
  const backends = backendsOf(results.values());
  if (backends) report.backends = backends;
  return report;
}

function mergeEnsemble(scores: SplitScores[]): EnsembleReport {
  const first = scores[0].ensemble!;
  const summarize = (values: number[]) => summarizeMetric(first.metric, values);
  // Every split's curve has one point per member or round asked for (boosting carries a stopped
  // chain's final score forward), so each point is a mean over the same splits.
  const longest = scores.reduce((a, s) => (s.ensemble!.curve.length > a.ensemble!.curve.length ? s : a)).ensemble!;
  const curve = longest.curve.map((_, i) => {
    const vals = scores
      .map((s) => s.ensemble!.curve[i]?.value)
      .filter((v): v is number => v !== undefined && Number.isFinite(v));
    return { size: longest.curve[i].size, value: summarize(vals) };
  });
  const mostMembers = Math.max(...scores.map((s) => s.ensemble!.members.length));
  const members = Array.from({ length: mostMembers }, (_, i) =>
    summarize(scores.map((s) => s.ensemble!.members[i]).filter((v) => v !== undefined && Number.isFinite(v))),
  );
  const oobVals = scores.map((s) => s.ensemble!.oob).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const variances = scores
    .map((s) => s.ensemble!.variance)
    .filter((v): v is number => v !== undefined && Number.isFinite(v));
  const played = scores.map((s) => s.ensemble!.rounds).filter((v): v is number => v !== undefined);
  const stops = scores.map((s) => s.ensemble!.stopped);
  return {
    kind: first.kind,
    method: first.method,
    metric: first.metric,
    curveSummary: curve,
    memberSummary: members,
    oobSummary: oobVals.length ? summarize(oobVals) : undefined,
    ...(variances.length ? { varianceSummary: summarizeMetric('variance', variances) } : {}),
    note: first.note === undefined ? undefined : first.note + stopNote(stops, scores.length),
    ...(first.kind === 'boosting' && played.length
      ? {
          rounds: {
            played: summarize(played),
            perfect: stops.filter((s) => s === 'perfect').length,
            worseThanChance: stops.filter((s) => s === 'worse_than_chance').length,
          },
        }
      : {}),
  };
}

/** Boosting: how many splits stopped before the rounds asked for, and why ('' when none did). */
function stopNote(stops: Array<string | undefined>, splits: number): string {
  const perfect = stops.filter((s) => s === 'perfect').length;
  const chance = stops.filter((s) => s === 'worse_than_chance').length;
  if (!perfect && !chance) return '';
  const why = [
    perfect ? `${perfect} at a perfect learner` : '',
    chance ? `${chance} at a learner no better than chance (discarded)` : '',
  ].filter(Boolean);
  return `; ${perfect + chance} of ${splits} splits stopped early (${why.join(', ')}), their ensembles carried forward to the last round`;
}

/** How a spec's rows are judged, in words: `5-fold stratified`, `bootstrap × 20`, `holdout`. */
export function describeEvaluation(spec: ExperimentSpec): string {
  const ev = spec.evaluation ?? { kind: 'holdout' };
  switch (ev.kind) {
    case 'holdout':
      return 'holdout';
    case 'kfold':
      return `${ev.k}-fold${(ev.stratified ?? true) ? ' stratified' : ''}${(ev.repeats ?? 1) > 1 ? ` × ${ev.repeats} repeats` : ''}`;
    case 'loo':
      return 'leave-one-out';
    case 'bootstrap':
      return `bootstrap × ${ev.replicates}`;
  }
}

/**
 * Every pair of configurations judged on the same rows (same data, same splits), by the
 * corrected resampled t-test on their per-split differences, then Holm over all pairs.
 */
function compare(plan: Plan, perConfig: SplitScores[][], metric: string): Comparison[] {
  const out: Omit<Comparison, 'pHolm' | 'significant'>[] = [];
  const n = plan.configurations.length;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (plan.data[a] !== plan.data[b]) continue;
      const sa = perConfig[a],
        sb = perConfig[b];
      const da: number[] = [];
      for (let i = 0; i < sa.length; i++) {
        const x = sa[i].metrics[metric],
          y = sb[i].metrics[metric];
        if (Number.isFinite(x) && Number.isFinite(y)) da.push(x - y);
      }
      if (da.length < 2) continue;
      const splits = plan.data[a].splits;
      const nTrain = splits.reduce((s, x) => s + x.train.length, 0) / splits.length;
      const nTest = splits.reduce((s, x) => s + x.scored.length, 0) / splits.length;
      const t = correctedResampledTTest(da, nTrain, nTest);
      out.push({
        a: plan.configurations[a].key,
        b: plan.configurations[b].key,
        metric,
        meanDifference: t.meanDiff,
        t: t.t,
        df: t.df,
        p: t.p,
      });
    }
  }
  const decided = holmSignificance(out.map((c) => c.p));
  return out.map((c, i) => ({ ...c, ...decided[i] }));
}
