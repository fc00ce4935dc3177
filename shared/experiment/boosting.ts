/**
 * Boosting, all of it: AdaBoost SAMME chains (one per configuration and split, planned in
 * plan.ts), the job of each round, the rounds a run plays next, and the chain's scores for
 * the aggregator. A chain's state is never stored: it is replayed from the results of its
 * rounds in round order, so the weights of the next round are the same whether the run went
 * straight through, was resumed after a crash, or ran on other machines. SAMME's arithmetic
 * is in shared/resample/adaboost.ts.
 */
import {
  advanceBoosting,
  sammeDecision,
  sammeStagedAccuracy,
  startBoosting,
  weightedResample,
  type BoostingState,
} from '../resample/adaboost.ts';
import { Rng } from '../rng.ts';
import { roundKey, SET, withoutConfig } from './keys.ts';
import { jobSeed, makeJob, uniqueRows, type Chain, type Plan, type Split } from './plan.ts';
import { accuracyOf, classes, type SplitScores } from './scores.ts';
import type { Job, JobResult } from './types.ts';

export { roundKey };

export interface ChainState {
  /** Results of the rounds played, in round order. */
  rounds: JobResult[];
  /** SAMME state after those rounds (weights for the next one, α of the kept learners). */
  boost: BoostingState;
  /** The rows every round is fitted and reweighted on (the split's training rows, less the early-stopping ones). */
  trainRows: Uint32Array;
  /** Class ids of trainRows. */
  labels: Int32Array;
  /** Classes K. */
  K: number;
  /** `ensemble.rounds`. */
  maxRounds: number;
  /** Boosting stopped early (a perfect learner, or one no better than chance). */
  stopped: boolean;
  /** The job every round is made from (rows, evals, config). */
  base: Job;
}

function ensembleOf(plan: Plan, chain: Chain) {
  const ens = plan.configurations[chain.config].spec.ensemble;
  if (ens?.kind !== 'boosting') throw new Error(`chain ${chain.key}: not a boosting configuration`);
  return ens;
}

/** The most rounds the plan's chains can play (each may stop sooner). */
export function maxRounds(plan: Plan): number {
  return plan.chains.reduce((n, c) => n + ensembleOf(plan, c).rounds, 0);
}

export function boostingState(plan: Plan, chain: Chain, results: ReadonlyMap<string, JobResult>): ChainState {
  const ens = ensembleOf(plan, chain);
  const c = plan.configurations[chain.config];
  const dp = plan.data[chain.config];
  // The chain's own key fixes the inner validation rows, so every round holds out the same ones.
  const base = makeJob(c.spec, chain.config, chain.key, dp, uniqueRows(chain.split.train), chain.split.scored);
  base.outputsFor = [...new Set([SET.train, ...base.outputsFor])];
  const trainRows = base.evals[SET.train];
  const labels = Int32Array.from(trainRows, (r) => dp.data.y[r]);
  const K = Math.max(2, dp.data.classes);
  let boost = startBoosting(trainRows.length);
  const rounds: JobResult[] = [];
  for (let r = 0; r < ens.rounds; r++) {
    const res = results.get(roundKey(chain.key, r));
    if (!res) break;
    rounds.push(res);
    const out = res.outputs[SET.train];
    if (!out) throw new Error(`${res.key}: result lacks the outputs on the training rows that boosting needs`);
    const pred = classes(out, trainRows.length, res.outDim);
    boost = advanceBoosting(boost, pred, labels, K, ens.learning_rate ?? 1);
    if (boost.stopped) break;
  }
  return { rounds, boost, trainRows, labels, K, maxRounds: ens.rounds, stopped: boost.stopped !== null, base };
}

/** The job of round `round`: the base job with this round's sample weights (or weighted resample). */
export function boostingJob(plan: Plan, chain: Chain, round: number, state: ChainState): Job {
  const ens = ensembleOf(plan, chain);
  const spec = plan.configurations[chain.config].spec;
  const key = roundKey(chain.key, round);
  const seed = jobSeed(spec.seed, withoutConfig(key));
  const job: Job = { ...state.base, key, seed, initSeed: seed, evals: { ...state.base.evals } };
  const n = state.trainRows.length;
  if ((ens.mode ?? 'weights') === 'weights') {
    // The loss takes Σ wᵢℓᵢ / Σ wᵢ, so only relative weights matter; mean 1 keeps them readable.
    const w = new Float32Array(plan.data[chain.config].data.n);
    for (let i = 0; i < n; i++) w[state.trainRows[i]] = state.boost.weights[i] * n;
    job.weights = w;
  } else {
    const idx = weightedResample(state.boost.weights, n, new Rng(seed).fork('resample'));
    job.train = Uint32Array.from(idx, (i) => state.trainRows[i]);
  }
  return job;
}

/** The next round of every chain that goes on: all chains advance together, so their rounds run in parallel. */
export function nextRounds(plan: Plan, results: ReadonlyMap<string, JobResult>): Job[] {
  const batch: Job[] = [];
  for (const chain of plan.chains) {
    const state = boostingState(plan, chain, results);
    if (state.stopped || state.rounds.length >= state.maxRounds) continue;
    batch.push(boostingJob(plan, chain, state.rounds.length, state));
  }
  return batch;
}

/**
 * The score after each of the `rounds` rounds asked for, from the score after each kept
 * learner. The learners a chain keeps are its first rounds (a learner no better than chance
 * is discarded and ends the chain; a perfect one is kept and ends it), so after the stop the
 * ensemble no longer changes and its score is carried forward: every split then has a point
 * at every round, and each round's mean is over all the splits, not only over those still
 * boosting (which would mix different sets of splits along the curve).
 */
export function roundCurve(staged: readonly number[], rounds: number): Array<{ size: number; value: number }> {
  if (staged.length === 0) throw new RangeError('roundCurve: no learner was kept');
  if (staged.length > rounds) throw new RangeError(`roundCurve: ${staged.length} learners kept of ${rounds} rounds`);
  return Array.from({ length: rounds }, (_, i) => ({ size: i + 1, value: staged[Math.min(i, staged.length - 1)] }));
}

/** One split's boosting scores: SAMME's weighted vote of the kept rounds, and the score against rounds. */
export function boostingScores(
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
  const sets: Record<string, Uint32Array> = { [SET.scored]: split.scored, [SET.train]: st.trainRows };
  if (dp.test.length) sets[SET.test] = dp.test;
  const metrics: Record<string, number> = {};
  const y = dp.data.y;
  const predsOn = (set: string) => kept.map((r) => classes(r.outputs[set], sets[set].length, r.outDim));
  for (const set of Object.keys(sets)) {
    const pred = sammeDecision(predsOn(set), st.boost.alphas, st.K);
    metrics[`${set}_accuracy`] = accuracyOf(pred, sets[set], y);
  }
  const yScored = Int32Array.from(split.scored, (r) => y[r]);
  const staged = sammeStagedAccuracy(predsOn(SET.scored), st.boost.alphas, st.K, yScored);
  const mode = ens.mode ?? 'weights';
  const stop = st.boost.stopped;
  return {
    key,
    results: st.rounds,
    metrics,
    ensemble: {
      kind: 'boosting',
      method: `SAMME (${mode === 'weights' ? 'sample weights' : 'weighted resampling'})`,
      metric: `${SET.scored}_accuracy`,
      curve: roundCurve(staged, ens.rounds),
      rounds: st.rounds.length,
      ...(stop ? { stopped: stop } : {}),
      members: kept.map((r) => r.final[SET.scored]?.accuracy ?? Number.NaN),
      // Where the chain stopped is in `rounds` and `stopped`; the report counts the splits that did.
      note:
        mode === 'weights'
          ? 'each round trains on the sample weights directly (the loss is Σ wᵢℓᵢ / Σ wᵢ)'
          : 'each round trains on rows drawn with probability proportional to the weights',
    },
  };
}
