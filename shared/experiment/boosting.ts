/**
 * AdaBoost SAMME chains. A chain's state is never stored: it is replayed from the results of
 * its rounds in round order, so the weights of the next round are the same whether the run
 * went straight through, was resumed after a crash, or ran on other machines.
 */
import { predictClasses } from '../nn/metrics.ts';
import { advanceBoosting, startBoosting, weightedResample, type BoostingState } from '../resample/adaboost.ts';
import { Rng } from '../rng.ts';
import { jobSeed, makeJob, uniqueRows, type Chain, type Plan } from './plan.ts';
import type { Job, JobResult } from './types.ts';

export interface ChainState {
  /** Results of the rounds played, in round order. */
  rounds: JobResult[];
  /** SAMME state after those rounds (weights for the next one, α of the kept learners). */
  boost: BoostingState;
  /** The rows every round is fitted and reweighted on. */
  fitRows: Uint32Array;
  /** Class ids of fitRows. */
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

export function roundKey(chain: Chain, round: number): string {
  return `${chain.key}/round=${round}`;
}

export function boostingState(plan: Plan, chain: Chain, results: ReadonlyMap<string, JobResult>): ChainState {
  const ens = ensembleOf(plan, chain);
  const c = plan.configurations[chain.config];
  const dp = plan.data[chain.config];
  // The chain's own key fixes the inner validation rows, so every round holds out the same ones.
  const base = makeJob(c.spec, chain.config, chain.key, dp, uniqueRows(chain.split.train), chain.split.val);
  base.outputsFor = [...new Set(['train', ...base.outputsFor])];
  const fitRows = base.evals.train;
  const labels = Int32Array.from(fitRows, (r) => dp.data.y[r]);
  const K = Math.max(2, dp.data.classes);
  let boost = startBoosting(fitRows.length);
  const rounds: JobResult[] = [];
  for (let r = 0; r < ens.rounds; r++) {
    const res = results.get(roundKey(chain, r));
    if (!res) break;
    rounds.push(res);
    const out = res.outputs.train;
    if (!out) throw new Error(`${res.key}: result lacks the outputs on the training rows that boosting needs`);
    const pred = predictClasses({ rows: fitRows.length, cols: res.outDim, data: out });
    boost = advanceBoosting(boost, pred, labels, K, ens.learning_rate ?? 1);
    if (boost.stopped) break;
  }
  return { rounds, boost, fitRows, labels, K, maxRounds: ens.rounds, stopped: boost.stopped !== null, base };
}

/** The job of round `round`: the base job with this round's sample weights (or weighted resample). */
export function boostingJob(plan: Plan, chain: Chain, round: number, state: ChainState): Job {
  const ens = ensembleOf(plan, chain);
  const spec = plan.configurations[chain.config].spec;
  const key = roundKey(chain, round);
  const seed = jobSeed(spec.seed, key.replace(/^config=\d+\//, ''));
  const job: Job = { ...state.base, key, seed, initSeed: seed, evals: { ...state.base.evals } };
  const n = state.fitRows.length;
  if ((ens.mode ?? 'weights') === 'weights') {
    // The loss takes Σ wᵢℓᵢ / Σ wᵢ, so only relative weights matter; mean 1 keeps them readable.
    const w = new Float32Array(plan.data[chain.config].data.n);
    for (let i = 0; i < n; i++) w[state.fitRows[i]] = state.boost.weights[i] * n;
    job.weights = w;
  } else {
    const idx = weightedResample(state.boost.weights, n, new Rng(seed).fork('resample'));
    job.train = Uint32Array.from(idx, (i) => state.fitRows[i]);
  }
  return job;
}
