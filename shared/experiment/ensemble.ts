/**
 * Scores of an ensemble on one split: bagging members combined by hard or soft vote (or by
 * averaging, for regression), with the out-of-bag estimate on the split's training rows;
 * boosting rounds combined by SAMME's weighted vote. Also the score against ensemble size.
 */
import { classProbabilities, predictClasses } from '../nn/metrics.ts';
import {
  averagePredictions,
  hardVote,
  oobAccuracy,
  oobAverage,
  oobHardVote,
  oobMeanSquaredError,
  oobSoftVote,
  softVote,
  argmaxRows,
  type OobMember,
} from '../resample/bagging.ts';
import { sammeDecision, sammeStagedAccuracy } from '../resample/adaboost.ts';
import { boostingState } from './boosting.ts';
import { uniqueRows, type Plan, type Split } from './plan.ts';
import type { JobResult } from './types.ts';

/** One split's ensemble numbers. */
export interface SplitEnsemble {
  kind: 'bagging' | 'boosting';
  /** `hard vote`, `soft vote`, `average`, `SAMME (sample weights)`, `SAMME (weighted resampling)`. */
  method: string;
  /** The metric of the curve and of `members`: val_accuracy or val_mse. */
  metric: string;
  /** The metric with the first `size` members or rounds. */
  curve: Array<{ size: number; value: number }>;
  /** Each member's (round's) own metric on the validation rows. */
  members: number[];
  /** Out-of-bag estimate of the metric on the split's training rows (bagging). */
  oob?: number;
  /** How boosting handled sample weights, said to the user. */
  note?: string;
}

/** The same, summarized over splits (see aggregate.ts). */
export interface EnsembleReport {
  kind: 'bagging' | 'boosting';
  method: string;
  metric: string;
  curveSummary: Array<{ size: number; value: import('../stats/describe.ts').Summary }>;
  memberSummary: Array<import('../stats/describe.ts').Summary>;
  oobSummary?: import('../stats/describe.ts').Summary;
  note?: string;
}

export interface SplitScores {
  key: string;
  /** Results behind this split (one model, or the members/rounds). */
  results: JobResult[];
  /** Flat metrics (`val_accuracy`, `test_loss`, …) of the model or ensemble. */
  metrics: Record<string, number>;
  ensemble?: SplitEnsemble;
  /** With tuning: every candidate's result (factor order) and the index chosen on the inner rows. */
  tuning?: { candidates: Array<JobResult | undefined>; chosen: number };
}

function accuracyOf(pred: ArrayLike<number>, rows: Uint32Array, y: Float32Array): number {
  let hit = 0;
  for (let i = 0; i < rows.length; i++) if (pred[i] === y[rows[i]]) hit++;
  return rows.length ? hit / rows.length : Number.NaN;
}

function mseOf(pred: ArrayLike<number>, rows: Uint32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s += (pred[i] - y[rows[i]]) ** 2;
  return rows.length ? s / rows.length : Number.NaN;
}

/** Mean negative log-likelihood of averaged class probabilities (the soft-vote ensemble's loss). */
function nll(proba: ArrayLike<number>, K: number, rows: Uint32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s -= Math.log(Math.max(proba[i * K + y[rows[i]]], 1e-12));
  return rows.length ? s / rows.length : Number.NaN;
}

const probs = (out: Float32Array, rows: number, outDim: number) =>
  classProbabilities({ rows, cols: outDim, data: out }).data;
const classes = (out: Float32Array, rows: number, outDim: number) => predictClasses({ rows, cols: outDim, data: out });

function bagging(
  plan: Plan,
  ci: number,
  split: Split,
  key: string,
  results: ReadonlyMap<string, JobResult>,
): SplitScores {
  const spec = plan.configurations[ci].spec;
  const ens = spec.ensemble;
  if (ens?.kind !== 'bagging') throw new Error('not bagging');
  const dp = plan.data[ci];
  const y = dp.data.y;
  const members: JobResult[] = [];
  for (let m = 0; m < ens.members; m++) {
    const r = results.get(`${key}/member=${m}`);
    if (!r) throw new Error(`aggregate: no result for ${key}/member=${m}`);
    members.push(r);
  }
  const fitRows = uniqueRows(split.train);
  const sets: Record<string, Uint32Array> = { val: split.val, train: fitRows };
  if (dp.test.length) sets.test = dp.test;
  const outName = (set: string) => (set === 'train' ? 'fit' : set);
  const metrics: Record<string, number> = {};
  const jobsByKey = new Map(plan.jobs.map((j) => [j.key, j]));
  const regression = dp.data.task === 'regression';
  const outDim = members[0].outDim;
  const K = regression ? 1 : Math.max(2, dp.data.classes);
  const vote = ens.vote ?? 'soft';

  const combine = (rs: JobResult[], set: string): { pred: ArrayLike<number>; proba?: Float64Array } => {
    const rows = sets[set].length;
    const outs = rs.map((r) => r.outputs[outName(set)]);
    if (regression) return { pred: averagePredictions(outs) };
    if (vote === 'hard')
      return {
        pred: hardVote(
          outs.map((o) => classes(o, rows, outDim)),
          K,
        ),
      };
    const proba = softVote(
      outs.map((o) => probs(o, rows, outDim)),
      K,
    );
    return { pred: argmaxRows(proba, K), proba };
  };
  for (const [set, rows] of Object.entries(sets)) {
    const { pred, proba } = combine(members, set);
    if (regression) metrics[`${set}_mse`] = mseOf(pred, rows, y);
    else {
      metrics[`${set}_accuracy`] = accuracyOf(pred, rows, y);
      if (proba) metrics[`${set}_loss`] = nll(proba, K, rows, y);
    }
  }
  const metric = regression ? 'val_mse' : 'val_accuracy';
  const score = (rs: JobResult[]) => {
    const { pred } = combine(rs, 'val');
    return regression ? mseOf(pred, split.val, y) : accuracyOf(pred, split.val, y);
  };
  const curve = members.map((_, m) => ({ size: m + 1, value: score(members.slice(0, m + 1)) }));
  const memberScores = members.map((r) => (regression ? r.final.val?.mse : r.final.val?.accuracy) ?? Number.NaN);

  // Out-of-bag: each training row judged only by the members that never trained on it.
  const pos = new Map<number, number>();
  fitRows.forEach((r, i) => pos.set(r, i));
  const oobMembers: OobMember[] = members.map((r, m) => {
    const job = jobsByKey.get(`${key}/member=${m}`)!;
    const inBag = new Set(job.train);
    const out = r.outputs.fit;
    const idx: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < fitRows.length; i++) {
      if (inBag.has(fitRows[i])) continue;
      idx.push(i);
      if (regression) vals.push(out[i]);
      else if (vote === 'hard') vals.push(classes(out.subarray(i * outDim, (i + 1) * outDim), 1, outDim)[0]);
      else vals.push(...probs(out.subarray(i * outDim, (i + 1) * outDim), 1, outDim));
    }
    return { oob: idx, output: vals };
  });
  const labels = Float32Array.from(fitRows, (r) => y[r]);
  let oob: number;
  if (regression) oob = oobMeanSquaredError(oobAverage(oobMembers, fitRows.length), labels);
  else
    oob = oobAccuracy(
      vote === 'hard' ? oobHardVote(oobMembers, fitRows.length, K) : oobSoftVote(oobMembers, fitRows.length, K),
      labels,
    );
  return {
    key,
    results: members,
    metrics,
    ensemble: {
      kind: 'bagging',
      method: regression ? 'average' : `${vote} vote`,
      metric,
      curve,
      members: memberScores,
      oob,
    },
  };
}

function boosting(
  plan: Plan,
  ci: number,
  split: Split,
  key: string,
  results: ReadonlyMap<string, JobResult>,
): SplitScores {
  const spec = plan.configurations[ci].spec;
  const ens = spec.ensemble;
  if (ens?.kind !== 'boosting') throw new Error('not boosting');
  const dp = plan.data[ci];
  const chain = plan.chains.find((c) => c.key === key);
  if (!chain) throw new Error(`aggregate: no boosting chain ${key}`);
  const st = boostingState(plan, chain, results);
  if (st.boost.alphas.length === 0)
    throw new Error(`${key}: boosting has no learner better than chance (as scikit-learn, the ensemble is refused)`);
  const kept = st.boost.members.map((m) => st.rounds[m]);
  const sets: Record<string, Uint32Array> = { val: split.val, train: st.fitRows };
  if (dp.test.length) sets.test = dp.test;
  const metrics: Record<string, number> = {};
  const y = dp.data.y;
  const predsOn = (set: string) => kept.map((r) => classes(r.outputs[set], sets[set].length, r.outDim));
  for (const set of Object.keys(sets)) {
    const pred = sammeDecision(predsOn(set), st.boost.alphas, st.K);
    metrics[`${set}_accuracy`] = accuracyOf(pred, sets[set], y);
  }
  const yVal = Int32Array.from(split.val, (r) => y[r]);
  const staged = sammeStagedAccuracy(predsOn('val'), st.boost.alphas, st.K, yVal);
  const mode = ens.mode ?? 'weights';
  return {
    key,
    results: st.rounds,
    metrics,
    ensemble: {
      kind: 'boosting',
      method: `SAMME (${mode === 'weights' ? 'sample weights' : 'weighted resampling'})`,
      metric: 'val_accuracy',
      curve: staged.map((value, i) => ({ size: i + 1, value })),
      members: kept.map((r) => r.final.val?.accuracy ?? Number.NaN),
      note:
        (mode === 'weights'
          ? 'each round trains on the sample weights directly (the loss is Σ wᵢℓᵢ / Σ wᵢ)'
          : 'each round trains on rows drawn with probability proportional to the weights') +
        (st.stopped
          ? `; stopped after ${st.rounds.length} rounds (${st.boost.stopped === 'perfect' ? 'a perfect learner' : 'a learner no better than chance'})`
          : ''),
    },
  };
}

export function ensembleSplitMetrics(
  plan: Plan,
  ci: number,
  split: Split,
  key: string,
  results: ReadonlyMap<string, JobResult>,
): SplitScores {
  const kind = plan.configurations[ci].spec.ensemble?.kind;
  return kind === 'bagging' ? bagging(plan, ci, split, key, results) : boosting(plan, ci, split, key, results);
}
