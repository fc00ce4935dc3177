/**
 * Bias–variance decomposition over B bootstrap replicates (models trained on B resampled
 * training sets, each predicting the same T test points).
 *
 * Squared loss (regression), with the true function f known (synthetic data) and noise σ²:
 *   main prediction ȳ_t = (1/B)·Σ_b ŷ_bt
 *   bias²    = (1/T)·Σ_t (ȳ_t − f_t)²
 *   variance = (1/T)·Σ_t (1/B)·Σ_b (ŷ_bt − ȳ_t)²          (population variance over replicates)
 *   expected error = bias² + variance + σ²
 * and bias² + variance equals (1/(BT))·Σ_bt (ŷ_bt − f_t)² exactly (the cross term vanishes
 * because ȳ_t is the mean). Given noisy targets y_t, the empirical (1/(BT))·Σ_bt (ŷ_bt − y_t)²
 * is reported too; it estimates the expected error. On one test set it differs from bias² +
 * variance + σ² by two terms that only vanish on average over test noise, and with them the
 * identity closes exactly:
 *   measured = bias² + variance + realized noise + cross term,
 *   realized noise = (1/T)·Σ_t (y_t − f_t)²          (this test set's own noise, against σ²)
 *   cross term     = (2/(BT))·Σ_bt (ŷ_bt − f_t)(f_t − y_t)
 * (expand (ŷ − y)² = (ŷ − f)² + (f − y)² + 2(ŷ − f)(f − y)). The standard error of the
 * measured error is that of the mean over test points of each point's error (1/B)·Σ_b (ŷ_bt − y_t)².
 *
 * 0-1 loss (classification), Domingos (2000), noise-free form:
 *   main prediction y_m,t = the most frequent prediction over replicates (ties: smallest class)
 *   bias_t     = [y_m,t ≠ y*_t]
 *   variance_t = P_b(ŷ_bt ≠ y_m,t)
 *   loss_t     = P_b(ŷ_bt ≠ y*_t) = bias_t + c_t·variance_t,
 *     c_t = 1 on unbiased points, c_t = −P_b(ŷ_bt = y*_t | ŷ_bt ≠ y_m,t) on biased points
 *     (−1 for two classes, where a prediction that is not the main one must be the true one).
 *   unbiased variance V_u = (1/T)·Σ_(unbiased t) variance_t
 *   biased variance   V_b = (1/T)·Σ_(biased t) |c_t|·variance_t = (1/T)·Σ_(biased t) P_b(ŷ_bt = y*_t)
 *   net variance = V_u − V_b, and mean loss = mean bias + net variance exactly.
 * The noise term needs the Bayes-optimal label y*, which real data never shows: pass the
 * observed labels as y* and the noise is folded into the bias (Domingos' own practice on UCI
 * data), or pass y* for synthetic data whose optimal labels are known.
 */

/** Regression decomposition under squared loss. */
export interface SquaredLossDecomposition {
  /** Main prediction ȳ_t = mean over replicates of ŷ_bt, per test point. */
  mainPrediction: Float64Array;
  /** bias² = mean over t of (ȳ_t − f_t)². */
  bias2: number;
  /** variance = mean over t of (1/B)·Σ_b (ŷ_bt − ȳ_t)². */
  variance: number;
  /** Noise σ² of the targets around f (given, not estimated). */
  noise: number;
  /** bias² + variance + noise: the expected squared error on a fresh noisy target. */
  expectedError: number;
  /** Mean over replicates and points of (ŷ_bt − y_t)² against the observed noisy targets; null when none were given. */
  empiricalError: number | null;
  /** (1/T)·Σ_t (y_t − f_t)²: the noise these test targets actually carry; null without targets. */
  realizedNoise: number | null;
  /** (2/(BT))·Σ_bt (ŷ_bt − f_t)(f_t − y_t): zero on average over test noise; null without targets. */
  crossTerm: number | null;
  /** Standard error of empiricalError over the test points; null without targets or with one point. */
  empiricalErrorSE: number | null;
  /** Number of replicates B. */
  replicates: number;
  /** Number of test points T. */
  points: number;
}

function shape(preds: ReadonlyArray<ArrayLike<number>>, T: number, where: string): number {
  const B = preds.length;
  if (B < 1) throw new RangeError(`${where}: needs at least one replicate`);
  if (T < 1) throw new RangeError(`${where}: needs at least one test point`);
  for (let b = 0; b < B; b++) {
    if (preds[b].length !== T)
      throw new RangeError(`${where}: replicate ${b} has ${preds[b].length} predictions for ${T} points`);
  }
  return B;
}

/**
 * Squared-loss decomposition: `preds[b][t]` is replicate b's prediction at point t, `f[t]` the
 * true function value, `noiseVariance` σ², and optionally `y[t]` the observed noisy target.
 */
export function squaredLossDecomposition(
  preds: ReadonlyArray<ArrayLike<number>>,
  f: ArrayLike<number>,
  noiseVariance: number,
  y?: ArrayLike<number> | null,
): SquaredLossDecomposition {
  const T = f.length;
  const B = shape(preds, T, 'squaredLossDecomposition');
  if (!(noiseVariance >= 0))
    throw new RangeError(`squaredLossDecomposition: noise variance must be >= 0, got ${noiseVariance}`);
  if (y && y.length !== T) throw new RangeError(`squaredLossDecomposition: ${y.length} targets for ${T} points`);
  const main = new Float64Array(T);
  const perPoint = new Float64Array(T);
  let bias2 = 0;
  let variance = 0;
  let empirical = 0;
  let realized = 0;
  let cross = 0;
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let b = 0; b < B; b++) s += preds[b][t];
    const m = s / B;
    main[t] = m;
    let v = 0,
      e2 = 0,
      c = 0;
    for (let b = 0; b < B; b++) {
      const d = preds[b][t] - m;
      v += d * d;
      if (y) {
        const e = preds[b][t] - y[t];
        e2 += e * e;
        c += (preds[b][t] - f[t]) * (f[t] - y[t]);
      }
    }
    variance += v / B;
    bias2 += (m - f[t]) * (m - f[t]);
    if (y) {
      empirical += e2;
      perPoint[t] = e2 / B;
      realized += (y[t] - f[t]) * (y[t] - f[t]);
      cross += c;
    }
  }
  bias2 /= T;
  variance /= T;
  let se: number | null = null;
  if (y && T > 1) {
    const mu = empirical / (B * T);
    let ss = 0;
    for (let t = 0; t < T; t++) ss += (perPoint[t] - mu) * (perPoint[t] - mu);
    se = Math.sqrt(ss / (T - 1) / T);
  }
  return {
    mainPrediction: main,
    bias2,
    variance,
    noise: noiseVariance,
    expectedError: bias2 + variance + noiseVariance,
    empiricalError: y ? empirical / (B * T) : null,
    realizedNoise: y ? realized / T : null,
    crossTerm: y ? (2 * cross) / (B * T) : null,
    empiricalErrorSE: se,
    replicates: B,
    points: T,
  };
}

/** Domingos' decomposition of the 0-1 loss. */
export interface ZeroOneDecomposition {
  /** Main prediction y_m,t: the most frequent predicted class at t (smallest class on ties). */
  mainPrediction: Int32Array;
  /** Per point: 1 when the main prediction differs from y*_t, else 0. */
  biasPerPoint: Uint8Array;
  /** Per point: P_b(ŷ_bt ≠ y_m,t). */
  variancePerPoint: Float64Array;
  /** Mean bias over points: the fraction of points whose main prediction is wrong. */
  bias: number;
  /** Mean of variancePerPoint over all points (Domingos' V, before splitting by bias). */
  variance: number;
  /** V_u = (1/T)·Σ over unbiased points of variance_t: variance that adds to the loss. */
  unbiasedVariance: number;
  /** V_b = (1/T)·Σ over biased points of P_b(ŷ_bt = y*_t): variance that removes loss. */
  biasedVariance: number;
  /** Net variance V_u − V_b. */
  netVariance: number;
  /** Mean 0-1 loss over replicates and points, (1/(BT))·Σ_bt [ŷ_bt ≠ y*_t]; equals bias + netVariance. */
  loss: number;
  /** Standard error of `loss` over the test points (of each point's loss P_b(ŷ_bt ≠ y*_t)); null with one point. */
  lossSE: number | null;
  /** Number of replicates B. */
  replicates: number;
  /** Number of test points T. */
  points: number;
}

/**
 * 0-1 loss decomposition: `preds[b][t]` is replicate b's predicted class (an integer ≥ 0) at
 * point t, and `yStar[t]` the label taken as optimal (the observed label when the noise is
 * unknown, which counts the noise as bias).
 */
export function zeroOneDecomposition(
  preds: ReadonlyArray<ArrayLike<number>>,
  yStar: ArrayLike<number>,
): ZeroOneDecomposition {
  const T = yStar.length;
  const B = shape(preds, T, 'zeroOneDecomposition');
  let K = 0;
  const classOf = (v: number, where: string): number => {
    if (!(Number.isInteger(v) && v >= 0))
      throw new RangeError(`zeroOneDecomposition: ${where} must be a class id (integer >= 0), got ${v}`);
    return v;
  };
  for (let t = 0; t < T; t++) K = Math.max(K, classOf(yStar[t], `yStar[${t}]`) + 1);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) K = Math.max(K, classOf(preds[b][t], `preds[${b}][${t}]`) + 1);
  const main = new Int32Array(T);
  const biasPer = new Uint8Array(T);
  const varPer = new Float64Array(T);
  const counts = new Int32Array(K);
  // Sums of counts stay integers until the final divisions, so the identity loss = bias + net variance holds to rounding of one division each.
  let biasCount = 0;
  let wrongCount = 0;
  let varSum = 0;
  let unbiasedSum = 0;
  let biasedHits = 0;
  const lossPer = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    counts.fill(0);
    for (let b = 0; b < B; b++) counts[preds[b][t]]++;
    let mode = 0;
    for (let k = 1; k < K; k++) if (counts[k] > counts[mode]) mode = k;
    main[t] = mode;
    const y = yStar[t];
    const offMain = B - counts[mode];
    varPer[t] = offMain / B;
    varSum += offMain;
    wrongCount += B - counts[y];
    lossPer[t] = (B - counts[y]) / B;
    if (mode !== y) {
      biasPer[t] = 1;
      biasCount++;
      biasedHits += counts[y];
    } else {
      unbiasedSum += offMain;
    }
  }
  const loss = wrongCount / (B * T);
  let ss = 0;
  for (let t = 0; t < T; t++) ss += (lossPer[t] - loss) ** 2;
  const unbiasedVariance = unbiasedSum / (B * T);
  const biasedVariance = biasedHits / (B * T);
  return {
    mainPrediction: main,
    biasPerPoint: biasPer,
    variancePerPoint: varPer,
    bias: biasCount / T,
    variance: varSum / (B * T),
    unbiasedVariance,
    biasedVariance,
    netVariance: unbiasedVariance - biasedVariance,
    loss,
    lossSE: T > 1 ? Math.sqrt(ss / (T - 1) / T) : null,
    replicates: B,
    points: T,
  };
}
