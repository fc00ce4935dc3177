/**
 * AdaBoost SAMME (Zhu, Zou, Rosset & Hastie 2009, "Multi-class AdaBoost") as arithmetic on
 * arrays, with scikit-learn's AdaBoostClassifier(algorithm='SAMME') rules; the learners
 * themselves are fit elsewhere (one `fit` job per round, sequentially).
 *
 * Round m, with sample weights w (any positive scale), predictions ŷ and labels y in 0..K−1:
 *   err_m = Σ_i w_i·[ŷ_i ≠ y_i] / Σ_i w_i
 *   α_m   = η·(ln((1 − err_m)/err_m) + ln(K − 1))          (η = learning_rate)
 *   w_i  ← w_i·exp(α_m·[ŷ_i ≠ y_i]), then renormalized to sum 1.
 * Stopping, as sklearn's `_boost_discrete` and `fit`:
 *   - err_m ≤ 0 (a perfect learner): it is kept with weight α_m = 1 (sklearn's choice, not ∞)
 *     and boosting stops; if it is the first learner the ensemble is that learner alone;
 *   - err_m ≥ 1 − 1/K (no better than chance): the learner is discarded and boosting stops;
 *     when it is the first learner the ensemble is empty (sklearn raises "BaseClassifier in
 *     AdaBoostClassifier ensemble is worse than random"; here `stopped` says so and
 *     `sammeDecision` refuses an empty ensemble).
 * α_m > 0 whenever a round continues, because err_m < 1 − 1/K ⇔ (1 − err)/err > 1/(K − 1).
 *
 * The ensemble predicts argmax_k Σ_m α_m·[ŷ_m = k] (ties to the smallest class, as numpy's
 * argmax). sklearn's decision_function scores each class with α for a vote and −α/(K − 1)
 * otherwise; that is an increasing affine map of the same sum, so the argmax is the same.
 */
import type { Rng } from '../rng.ts';
import { argmaxRows } from './bagging.ts';
import { exp, log } from '../math/index.ts';

/** Why boosting stopped, or null while it goes on. */
export type BoostingStop = null | 'perfect' | 'worse_than_chance';

/** One SAMME round's arithmetic. */
export interface SammeRound {
  /** Weighted error err = Σ w·[ŷ ≠ y] / Σ w. */
  error: number;
  /** Learner weight α = η·(ln((1−err)/err) + ln(K−1)); 1 for a perfect learner, 0 for a discarded one. */
  alpha: number;
  /** Whether the learner joins the ensemble (false only when worse than chance). */
  kept: boolean;
  /** Why boosting stops after this round, or null to go on. */
  stop: BoostingStop;
  /** Next round's weights w·exp(α·[ŷ ≠ y]) / Σ, summing to 1; null when boosting stops. */
  weights: Float64Array | null;
}

function checkClasses(v: ArrayLike<number>, K: number, what: string): void {
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (!(Number.isInteger(c) && c >= 0 && c < K))
      throw new RangeError(`samme: ${what}[${i}] must be a class in 0..${K - 1}, got ${c}`);
  }
}

/** One SAMME step: the learner's weighted error and weight α, and the reweighted rows. */
export function sammeRound(
  w: ArrayLike<number>,
  pred: ArrayLike<number>,
  y: ArrayLike<number>,
  K: number,
  learningRate = 1,
): SammeRound {
  const n = w.length;
  if (pred.length !== n || y.length !== n)
    throw new RangeError(`sammeRound: ${n} weights, ${pred.length} predictions, ${y.length} labels`);
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`sammeRound: K must be an integer >= 2, got ${K}`);
  if (!(learningRate > 0 && Number.isFinite(learningRate)))
    throw new RangeError(`sammeRound: learning_rate must be > 0, got ${learningRate}`);
  checkClasses(pred, K, 'pred');
  checkClasses(y, K, 'y');
  let total = 0;
  let wrong = 0;
  for (let i = 0; i < n; i++) {
    if (!(w[i] >= 0 && Number.isFinite(w[i])))
      throw new RangeError(`sammeRound: weight ${i} must be finite and >= 0, got ${w[i]}`);
    total += w[i];
    if (pred[i] !== y[i]) wrong += w[i];
  }
  if (!(total > 0)) throw new RangeError('sammeRound: the weights sum to 0');
  const error = wrong / total;
  if (error <= 0) return { error, alpha: 1, kept: true, stop: 'perfect', weights: null };
  if (error >= 1 - 1 / K) return { error, alpha: 0, kept: false, stop: 'worse_than_chance', weights: null };
  const alpha = learningRate * (log((1 - error) / error) + log(K - 1));
  // e^α overflows only for a huge η; scaling the correct rows by e^(−α) instead gives the same normalized weights.
  const up = exp(alpha);
  const [wrongScale, rightScale] = Number.isFinite(up) ? [up, 1] : [1, exp(-alpha)];
  const next = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    next[i] = w[i] * (pred[i] !== y[i] ? wrongScale : rightScale);
    sum += next[i];
  }
  for (let i = 0; i < n; i++) next[i] /= sum;
  return { error, alpha, kept: true, stop: null, weights: next };
}

/** A boosting run between rounds: what the next round trains with, and the ensemble so far. */
export interface BoostingState {
  /** Weights for the next round, summing to 1 (uniform 1/n at the start). */
  weights: Float64Array;
  /** α of each kept learner, in round order. */
  alphas: number[];
  /** Weighted error of each round played, kept or not. */
  errors: number[];
  /** Round index (0-based) of each kept learner, parallel to alphas. */
  members: number[];
  /** Why boosting stopped, or null while more rounds may be played. */
  stopped: BoostingStop;
}

/** The state before round 0: uniform weights 1/n, no learners. */
export function startBoosting(n: number): BoostingState {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`startBoosting: n must be a positive integer, got ${n}`);
  return { weights: new Float64Array(n).fill(1 / n), alphas: [], errors: [], members: [], stopped: null };
}

/** The state after a round whose learner predicted `pred` on the training rows (a new object; the old one is unchanged). */
export function advanceBoosting(
  state: BoostingState,
  pred: ArrayLike<number>,
  y: ArrayLike<number>,
  K: number,
  learningRate = 1,
): BoostingState {
  if (state.stopped) throw new RangeError(`advanceBoosting: boosting already stopped (${state.stopped})`);
  const r = sammeRound(state.weights, pred, y, K, learningRate);
  const round = state.errors.length;
  return {
    weights: r.weights ?? state.weights,
    alphas: r.kept ? [...state.alphas, r.alpha] : state.alphas,
    errors: [...state.errors, r.error],
    members: r.kept ? [...state.members, round] : state.members,
    stopped: r.stop,
  };
}

/**
 * n row indices drawn with replacement with probability w_i/Σw, in draw order (one
 * rng.next() per draw): the training rows for a learner that cannot take sample weights.
 * Rows of weight 0 are never drawn.
 */
export function weightedResample(w: ArrayLike<number>, n: number, rng: Rng): Uint32Array {
  const m = w.length;
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`weightedResample: n must be a non-negative integer, got ${n}`);
  const cum = new Float64Array(m);
  let s = 0;
  for (let i = 0; i < m; i++) {
    if (!(w[i] >= 0 && Number.isFinite(w[i])))
      throw new RangeError(`weightedResample: weight ${i} must be finite and >= 0, got ${w[i]}`);
    s += w[i];
    cum[i] = s;
  }
  if (!(s > 0)) throw new RangeError('weightedResample: the weights sum to 0');
  const out = new Uint32Array(n);
  for (let d = 0; d < n; d++) {
    // First index whose cumulative weight exceeds u·total; u·total < cum[m−1], so one always does.
    const target = rng.next() * s;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    out[d] = lo;
  }
  return out;
}

/** Vote totals score[i·K + k] = Σ_m α_m·[pred_m[i] = k] over the first `rounds` learners. */
export function sammeScores(
  preds: ReadonlyArray<ArrayLike<number>>,
  alphas: readonly number[],
  K: number,
  rounds = alphas.length,
): Float64Array {
  if (preds.length !== alphas.length)
    throw new RangeError(`samme: ${preds.length} prediction sets for ${alphas.length} weights`);
  if (!(rounds >= 1 && rounds <= alphas.length))
    throw new RangeError(`samme: the ensemble has no learners to vote (rounds=${rounds} of ${alphas.length})`);
  const n = preds[0].length;
  const score = new Float64Array(n * K);
  for (let m = 0; m < rounds; m++) {
    const p = preds[m];
    if (p.length !== n) throw new RangeError(`samme: learner ${m} predicted ${p.length} rows, learner 0 ${n}`);
    checkClasses(p, K, `preds[${m}]`);
    for (let i = 0; i < n; i++) score[i * K + p[i]] += alphas[m];
  }
  return score;
}

/** The ensemble's prediction argmax_k Σ_m α_m·[pred_m = k]. */
export function sammeDecision(
  preds: ReadonlyArray<ArrayLike<number>>,
  alphas: readonly number[],
  K: number,
): Int32Array {
  return argmaxRows(sammeScores(preds, alphas, K), K);
}

/** The ensemble's predictions after 1, 2, …, M learners (sklearn's staged_predict), built incrementally. */
export function sammeStagedDecisions(
  preds: ReadonlyArray<ArrayLike<number>>,
  alphas: readonly number[],
  K: number,
): Int32Array[] {
  if (preds.length !== alphas.length)
    throw new RangeError(`samme: ${preds.length} prediction sets for ${alphas.length} weights`);
  if (preds.length === 0) return [];
  const n = preds[0].length;
  const score = new Float64Array(n * K);
  const stages: Int32Array[] = [];
  for (let m = 0; m < preds.length; m++) {
    const p = preds[m];
    if (p.length !== n) throw new RangeError(`samme: learner ${m} predicted ${p.length} rows, learner 0 ${n}`);
    checkClasses(p, K, `preds[${m}]`);
    for (let i = 0; i < n; i++) score[i * K + p[i]] += alphas[m];
    stages.push(argmaxRows(score, K));
  }
  return stages;
}

/** Accuracy of the ensemble after each round against labels y (sklearn's staged_score), for boosting curves. */
export function sammeStagedAccuracy(
  preds: ReadonlyArray<ArrayLike<number>>,
  alphas: readonly number[],
  K: number,
  y: ArrayLike<number>,
): number[] {
  return sammeStagedDecisions(preds, alphas, K).map((d) => {
    if (d.length !== y.length) throw new RangeError(`samme: ${y.length} labels for ${d.length} rows`);
    let hit = 0;
    for (let i = 0; i < d.length; i++) if (d[i] === y[i]) hit++;
    return d.length > 0 ? hit / d.length : Number.NaN;
  });
}
