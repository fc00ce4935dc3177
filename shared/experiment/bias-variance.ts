/**
 * The bias–variance study's numbers for one configuration: from the replicates' predictions on
 * the held-out test rows (bootstrap resamples of one training set, or fresh training sets from
 * the generator: `evaluation.trainingSets`). Regression with a known truth (synthetic sine and
 * polynomial sets) uses the squared-loss decomposition with the true f and the known σ²;
 * classification uses Domingos' (2000) 0-1 decomposition with the observed labels as y*.
 */
import { trueValue } from '../data/dataset.ts';
import { squaredLossDecomposition, zeroOneDecomposition } from '../stats/biasvariance.ts';
import { predictClasses } from '../nn/metrics.ts';
import type { Plan } from './plan.ts';
import type { SplitScores } from './ensemble.ts';

export interface BiasVarianceReport {
  loss: 'squared' | 'zero-one';
  /**
   * How the replicates' training sets were made: `bootstrap`, resamples of one training set
   * (its own noise is then shared by every replicate and shows up as bias); `fresh`, new sets
   * drawn from the known generator (the textbook protocol).
   */
  protocol: 'bootstrap' | 'fresh';
  /** Squared: bias² = mean_t (ȳ_t − f_t)²; zero-one: fraction of points whose main prediction is wrong. */
  bias2: number;
  /** Squared: mean_t of the variance of predictions over replicates; zero-one: net variance V_u − V_b. */
  variance: number;
  /** σ² of the synthetic set (0 for zero-one, where noise is counted in the bias). */
  noise: number;
  /** bias² + variance + noise (zero-one: bias + net variance, which equals the mean 0-1 loss). */
  expectedError: number;
  /** Mean over replicates of the error on the observed test targets. */
  measuredError: number;
  /** Standard error of measuredError over the test points. */
  measuredErrorSE: number | null;
  /** Squared: (1/T)·Σ (y_t − f_t)², the noise the test targets actually carry (σ² on average); zero-one: 0. */
  realizedNoise: number;
  /** Squared: (2/(BT))·Σ (ŷ − f)(f − y), zero on average; zero-one: 0. bias2 + variance + realizedNoise + crossTerm = measuredError. */
  crossTerm: number;
  replicates: number;
  points: number;
}

export function biasVarianceReport(plan: Plan, ci: number, scores: SplitScores[]): BiasVarianceReport | undefined {
  const c = plan.configurations[ci];
  const dp = plan.data[ci];
  if (c.spec.evaluation?.kind !== 'bootstrap' || c.spec.ensemble || dp.test.length === 0) return undefined;
  const data = dp.data;
  const protocol = c.spec.evaluation.trainingSets === 'fresh' ? 'fresh' : 'bootstrap';
  const outs = scores.map((s) => s.results[0]?.outputs.test).filter((o): o is Float32Array => o !== undefined);
  if (outs.length < 2) return undefined;
  const T = dp.test.length;
  if (data.task === 'regression') {
    if (!data.truth) return undefined;
    const f = Float64Array.from(dp.test, (r) => trueValue(data.truth!, data.x.subarray(r * data.d, (r + 1) * data.d)));
    const y = Float64Array.from(dp.test, (r) => data.y[r]);
    const d = squaredLossDecomposition(outs, f, data.truth.sigma ** 2, y);
    return {
      loss: 'squared',
      protocol,
      bias2: d.bias2,
      variance: d.variance,
      noise: d.noise,
      expectedError: d.expectedError,
      measuredError: d.empiricalError ?? Number.NaN,
      measuredErrorSE: d.empiricalErrorSE,
      realizedNoise: d.realizedNoise ?? Number.NaN,
      crossTerm: d.crossTerm ?? Number.NaN,
      replicates: d.replicates,
      points: d.points,
    };
  }
  const K = scores[0].results[0].outDim;
  const preds = outs.map((o) => predictClasses({ rows: T, cols: K, data: o }));
  const yStar = Int32Array.from(dp.test, (r) => data.y[r]);
  const d = zeroOneDecomposition(preds, yStar);
  return {
    loss: 'zero-one',
    protocol,
    bias2: d.bias,
    variance: d.netVariance,
    noise: 0,
    expectedError: d.bias + d.netVariance,
    measuredError: d.loss,
    measuredErrorSE: d.lossSE,
    realizedNoise: 0,
    crossTerm: 0,
    replicates: d.replicates,
    points: d.points,
  };
}
