/**
 * Scores of a bagging ensemble on one split: members combined by hard or soft vote (or by
 * averaging, for regression), with the out-of-bag estimate on the split's training rows, and
 * the score against ensemble size. Boosting's scores are in boosting.ts.
 */
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
import { boostingScores } from './boosting.ts';
import { memberKey, SET } from './keys.ts';
import { uniqueRows, type Plan, type Split } from './plan.ts';
import { accuracyOf, classes, mseOf, nll, probs, type SplitScores } from './scores.ts';
import type { JobResult } from './types.ts';

export type { EnsembleReport, SplitEnsemble, SplitScores } from './scores.ts';

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
    const r = results.get(memberKey(key, m));
    if (!r) throw new Error(`aggregate: no result for ${memberKey(key, m)}`);
    members.push(r);
  }
  // The ensemble is judged on the scored rows and also on the split's whole training rows (the members' `fit` outputs).
  const splitTrainRows = uniqueRows(split.train);
  const sets: Record<string, Uint32Array> = { [SET.scored]: split.scored, [SET.train]: splitTrainRows };
  if (dp.test.length) sets.test = dp.test;
  const outName = (set: string) => (set === SET.train ? SET.splitTrain : set);
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
    const { pred } = combine(rs, SET.scored);
    return regression ? mseOf(pred, split.scored, y) : accuracyOf(pred, split.scored, y);
  };
  const curve = members.map((_, m) => ({ size: m + 1, value: score(members.slice(0, m + 1)) }));
  const variance = membersVariance(
    members.map((r) => r.outputs[SET.scored]),
    combine(members, SET.scored).pred,
    split.scored.length,
    outDim,
    regression,
  );
  const memberScores = members.map(
    (r) => (regression ? r.final[SET.scored]?.mse : r.final[SET.scored]?.accuracy) ?? Number.NaN,
  );

  // Out-of-bag: each training row judged only by the members that never trained on it.
  const pos = new Map<number, number>();
  splitTrainRows.forEach((r, i) => pos.set(r, i));
  const oobMembers: OobMember[] = members.map((r, m) => {
    const job = jobsByKey.get(memberKey(key, m))!;
    const inBag = new Set(job.train);
    const out = r.outputs[SET.splitTrain];
    const idx: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < splitTrainRows.length; i++) {
      if (inBag.has(splitTrainRows[i])) continue;
      idx.push(i);
      if (regression) vals.push(out[i]);
      else if (vote === 'hard') vals.push(classes(out.subarray(i * outDim, (i + 1) * outDim), 1, outDim)[0]);
      else vals.push(...probs(out.subarray(i * outDim, (i + 1) * outDim), 1, outDim));
    }
    return { oob: idx, output: vals };
  });
  const labels = Float32Array.from(splitTrainRows, (r) => y[r]);
  let oob: number;
  if (regression) oob = oobMeanSquaredError(oobAverage(oobMembers, splitTrainRows.length), labels);
  else
    oob = oobAccuracy(
      vote === 'hard'
        ? oobHardVote(oobMembers, splitTrainRows.length, K)
        : oobSoftVote(oobMembers, splitTrainRows.length, K),
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
      variance,
    },
  };
}

/**
 * How much the members vary around the ensemble on the scored rows: for classes, the share of
 * (member, row) pairs whose class is not the ensemble's (Domingos' variance with the vote as the
 * main prediction: what the vote removes from a member's error where the vote is right); for
 * regression, the mean over rows of the members' predictions' variance around their average.
 */
function membersVariance(
  outs: Float32Array[],
  pred: ArrayLike<number>,
  rows: number,
  outDim: number,
  regression: boolean,
): number {
  if (!rows) return Number.NaN;
  let s = 0;
  for (const out of outs) {
    if (regression) for (let i = 0; i < rows; i++) s += (out[i] - pred[i]) ** 2;
    else {
      const c = classes(out, rows, outDim);
      for (let i = 0; i < rows; i++) if (c[i] !== pred[i]) s++;
    }
  }
  return s / (outs.length * rows);
}

export function ensembleSplitMetrics(
  plan: Plan,
  ci: number,
  split: Split,
  key: string,
  results: ReadonlyMap<string, JobResult>,
): SplitScores {
  const kind = plan.configurations[ci].spec.ensemble?.kind;
  return kind === 'bagging' ? bagging(plan, ci, split, key, results) : boostingScores(plan, ci, split, key, results);
}
