/**
 * Bootstrap replicates and the error estimates built on them (Efron 1983; Efron & Tibshirani
 * 1997).
 *
 * A replicate draws n rows with replacement; about (1 − 1/n)ⁿ ≈ e⁻¹ ≈ 36.8% of the rows are
 * never drawn and form its out-of-bag (OOB) set. The estimators:
 *  - leave-one-out bootstrap Err⁽¹⁾ = (1/n')·Σ_i (1/|C⁻ⁱ|)·Σ_(b ∈ C⁻ⁱ) L_bi, where C⁻ⁱ is the
 *    set of replicates whose sample left row i out and n' the number of rows with C⁻ⁱ ≠ ∅
 *    (rows never out-of-bag are excluded and counted). It is pessimistic: each model saw only
 *    ~63.2% of the distinct rows;
 *  - .632:  Err⁽·⁶³²⁾ = 0.368·err_train + 0.632·Err⁽¹⁾, with err_train the resubstitution
 *    error of the model fit on all rows (optimistic), so the two biases roughly cancel;
 *  - .632+: Efron & Tibshirani's correction for heavily overfitting models, which moves the
 *    weight toward Err⁽¹⁾ by the relative overfitting rate R (formulas at `estimate632Plus`).
 */
import type { Rng } from '../rng.ts';

/** One bootstrap replicate of rows 0..n−1. */
export interface BootstrapSample {
  /** n row indices drawn uniformly with replacement, in draw order (repeats kept: they weight the fit). */
  sample: Uint32Array;
  /** Rows never drawn, ascending: the replicate's out-of-bag rows. */
  oob: Uint32Array;
}

/** n draws with replacement from 0..n−1 (one rng.int(n) per draw, in order) and the rows left out. */
export function bootstrapSample(n: number, rng: Rng): BootstrapSample {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bootstrapSample: n must be a positive integer, got ${n}`);
  const sample = new Uint32Array(n);
  const drawn = new Uint8Array(n);
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const r = rng.int(n);
    sample[i] = r;
    if (!drawn[r]) {
      drawn[r] = 1;
      distinct++;
    }
  }
  const oob = new Uint32Array(n - distinct);
  for (let i = 0, p = 0; i < n; i++) if (!drawn[i]) oob[p++] = i;
  return { sample, oob };
}

/** A replicate's losses on its out-of-bag rows, for the leave-one-out bootstrap. */
export interface OobLosses {
  /** The replicate's out-of-bag rows (as from bootstrapSample). */
  oob: ArrayLike<number>;
  /** loss[j] = L(y_i, f_b(x_i)) for i = oob[j] (0/1 for misclassification, squared error, …). */
  loss: ArrayLike<number>;
}

/** The leave-one-out bootstrap estimate and its coverage. */
export interface OobEstimate {
  /** Err⁽¹⁾: mean over covered rows of the row's mean loss over replicates that left it out; NaN when no row is covered. */
  error: number;
  /** Number of rows out-of-bag in at least one replicate (n'). */
  rowsUsed: number;
  /** Number of rows in every replicate's sample, hence without an estimate (excluded). */
  rowsNeverOob: number;
}

/** Efron's leave-one-out bootstrap error Err⁽¹⁾ over rows 0..n−1 from each replicate's OOB losses. */
export function leaveOneOutBootstrapError(replicates: readonly OobLosses[], n: number): OobEstimate {
  const sum = new Float64Array(n);
  const count = new Uint32Array(n);
  replicates.forEach((r, b) => {
    if (r.loss.length !== r.oob.length)
      throw new RangeError(
        `leaveOneOutBootstrapError: replicate ${b} has ${r.loss.length} losses for ${r.oob.length} OOB rows`,
      );
    for (let j = 0; j < r.oob.length; j++) {
      const i = r.oob[j];
      if (!(i >= 0 && i < n)) throw new RangeError(`leaveOneOutBootstrapError: replicate ${b} names row ${i} of ${n}`);
      sum[i] += r.loss[j];
      count[i]++;
    }
  });
  let total = 0;
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (count[i] === 0) continue;
    total += sum[i] / count[i];
    used++;
  }
  return { error: used > 0 ? total / used : Number.NaN, rowsUsed: used, rowsNeverOob: n - used };
}

/** Efron's .632 estimator: 0.368·err_train + 0.632·err_oob. */
export function estimate632(errTrain: number, errOob: number): number {
  return 0.368 * errTrain + 0.632 * errOob;
}

/**
 * No-information error rate γ for 0-1 loss: the error if labels and predictions were
 * independent, γ = Σ_k p_k·(1 − q_k), with p_k the fraction of labels equal to k and q_k the
 * fraction of predictions equal to k (over the same rows, the model fit on all of them).
 */
export function noInformationError(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  const n = labels.length;
  if (preds.length !== n) throw new RangeError(`noInformationError: ${preds.length} predictions for ${n} labels`);
  if (n === 0) return Number.NaN;
  const p = new Map<number, number>();
  const q = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    p.set(labels[i], (p.get(labels[i]) ?? 0) + 1);
    q.set(preds[i], (q.get(preds[i]) ?? 0) + 1);
  }
  let g = 0;
  for (const [k, c] of p) g += (c / n) * (1 - (q.get(k) ?? 0) / n);
  return g;
}

/** The .632+ estimate with the pieces it was built from. */
export interface Estimate632Plus {
  /** Err⁽·⁶³²⁺⁾ = (1 − w)·err_train + w·Err⁽¹⁾'. */
  error: number;
  /** Relative overfitting rate R' in [0, 1]. */
  overfittingRate: number;
  /** Weight w = 0.632 / (1 − 0.368·R') on the OOB error, in [0.632, 1]. */
  weight: number;
  /** Err⁽¹⁾' = min(Err⁽¹⁾, γ): the OOB error capped at the no-information rate. */
  oobCapped: number;
}

/**
 * Efron & Tibshirani's (1997) .632+ estimator, in the form of The Elements of Statistical
 * Learning (eq. 7.58–7.59) with the paper's safeguards:
 *   Err⁽¹⁾' = min(Err⁽¹⁾, γ),
 *   R' = (Err⁽¹⁾' − err_train)/(γ − err_train) if Err⁽¹⁾' > err_train (which implies γ > err_train), else 0,
 *   w = 0.632/(1 − 0.368·R'),  Err⁽·⁶³²⁺⁾ = (1 − w)·err_train + w·Err⁽¹⁾'.
 * With no overfitting (R' = 0) it is the .632 estimate (of the capped OOB error); with maximal
 * overfitting (R' = 1) it is Err⁽¹⁾'.
 */
export function estimate632Plus(errTrain: number, errOob: number, gamma: number): Estimate632Plus {
  for (const [name, v] of [
    ['errTrain', errTrain],
    ['errOob', errOob],
    ['gamma', gamma],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`estimate632Plus: ${name} must be a finite number >= 0, got ${v}`);
  }
  const oobCapped = Math.min(errOob, gamma);
  const R = oobCapped > errTrain ? (oobCapped - errTrain) / (gamma - errTrain) : 0;
  const weight = 0.632 / (1 - 0.368 * R);
  return { error: (1 - weight) * errTrain + weight * oobCapped, overfittingRate: R, weight, oobCapped };
}
