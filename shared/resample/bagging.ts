/**
 * Combining the members of a bagged ensemble (Breiman 1996), and its out-of-bag estimate.
 *
 * - Hard vote: each member names a class; the ensemble takes the most frequent one, ties to
 *   the smallest class id (numpy's argmax of the vote counts, as sklearn's VotingClassifier).
 * - Soft vote: the average of the members' class-probability rows, predicting its argmax
 *   (sklearn's BaggingClassifier when the learner has predict_proba).
 * - Regression: the average of the members' predictions.
 * - Out-of-bag (Breiman 1996b; sklearn's oob_score): row i is predicted by combining only the
 *   members whose bootstrap sample left i out, so no member judges a row it trained on. Rows
 *   that every member drew have no such prediction; sklearn keeps them (as NaN rows, with a
 *   warning), here they are excluded from the estimate and counted in `excluded`.
 *
 * Outputs are flat arrays: one number per row for class ids and regression values, K numbers
 * per row (row-major) for class probabilities.
 */

/** Class with the largest score in each row of an n×K score matrix (the smallest class on ties). */
export function argmaxRows(score: ArrayLike<number>, K: number): Int32Array {
  const n = score.length / K;
  if (!Number.isInteger(n)) throw new RangeError(`argmaxRows: ${score.length} scores do not make rows of ${K}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (score[i * K + k] > score[i * K + best]) best = k;
    out[i] = best;
  }
  return out;
}

function checkK(K: number, where: string): void {
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`${where}: K must be a positive integer, got ${K}`);
}

function classAt(v: number, K: number, where: string): number {
  if (!(Number.isInteger(v) && v >= 0 && v < K))
    throw new RangeError(`${where}: a class in 0..${K - 1} expected, got ${v}`);
  return v;
}

function sameLength(outputs: ReadonlyArray<ArrayLike<number>>, where: string): number {
  if (outputs.length === 0) throw new RangeError(`${where}: no members to combine`);
  const len = outputs[0].length;
  outputs.forEach((o, m) => {
    if (o.length !== len) throw new RangeError(`${where}: member ${m} has ${o.length} outputs, member 0 has ${len}`);
  });
  return len;
}

/** Majority class per row over members' class predictions (ties to the smallest class). */
export function hardVote(preds: ReadonlyArray<ArrayLike<number>>, K: number): Int32Array {
  checkK(K, 'hardVote');
  const n = sameLength(preds, 'hardVote');
  const counts = new Float64Array(n * K);
  preds.forEach((p) => {
    for (let i = 0; i < n; i++) counts[i * K + classAt(p[i], K, 'hardVote')]++;
  });
  return argmaxRows(counts, K);
}

/** Average class-probability matrix (n×K, row-major) over members. */
export function softVote(probas: ReadonlyArray<ArrayLike<number>>, K: number): Float64Array {
  checkK(K, 'softVote');
  const len = sameLength(probas, 'softVote');
  if (len % K !== 0) throw new RangeError(`softVote: ${len} probabilities do not make rows of ${K}`);
  const avg = new Float64Array(len);
  probas.forEach((p) => {
    for (let j = 0; j < len; j++) avg[j] += p[j];
  });
  for (let j = 0; j < len; j++) avg[j] /= probas.length;
  return avg;
}

/** Mean of members' regression predictions per row. */
export function averagePredictions(preds: ReadonlyArray<ArrayLike<number>>): Float64Array {
  const n = sameLength(preds, 'averagePredictions');
  const avg = new Float64Array(n);
  preds.forEach((p) => {
    for (let i = 0; i < n; i++) avg[i] += p[i];
  });
  for (let i = 0; i < n; i++) avg[i] /= preds.length;
  return avg;
}

/** One member's outputs on its own out-of-bag rows. */
export interface OobMember {
  /** The member's out-of-bag rows (indices into the n rows of the bagged training set). */
  oob: ArrayLike<number>;
  /** Outputs on those rows in the same order: a class id or value per row, or K probabilities per row. */
  output: ArrayLike<number>;
}

/** Which rows have an out-of-bag prediction. */
export interface OobCoverage {
  /** Rows out-of-bag for at least one member, ascending. */
  rows: Uint32Array;
  /** Number of members that voted on each of `rows`. */
  votes: Uint32Array;
  /** Rows in every member's sample, without an OOB prediction (left out of the estimate). */
  excluded: number;
}

/** OOB class predictions, parallel to `rows`. */
export interface OobClassification extends OobCoverage {
  /** Predicted class of each covered row. */
  prediction: Int32Array;
}

/** OOB soft vote: averaged probabilities and their argmax, parallel to `rows`. */
export interface OobSoftClassification extends OobClassification {
  /** Average probability rows (rows.length × K) over the members that left the row out. */
  proba: Float64Array;
}

/** OOB regression predictions, parallel to `rows`. */
export interface OobRegression extends OobCoverage {
  /** Mean prediction of the members that left the row out. */
  prediction: Float64Array;
}

/** Sums `width` outputs per row over the members that left each row out; returns sums, counts and the covered rows. */
function accumulate(
  members: readonly OobMember[],
  n: number,
  width: number,
  where: string,
): { sums: Float64Array; cover: OobCoverage } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${where}: n must be a non-negative integer, got ${n}`);
  const sums = new Float64Array(n * width);
  const count = new Uint32Array(n);
  members.forEach((mem, m) => {
    if (mem.output.length !== mem.oob.length * width) {
      throw new RangeError(
        `${where}: member ${m} has ${mem.output.length} outputs for ${mem.oob.length} OOB rows (${width} per row)`,
      );
    }
    for (let j = 0; j < mem.oob.length; j++) {
      const i = mem.oob[j];
      if (!(Number.isInteger(i) && i >= 0 && i < n))
        throw new RangeError(`${where}: member ${m} names row ${i} of ${n}`);
      count[i]++;
      for (let c = 0; c < width; c++) sums[i * width + c] += mem.output[j * width + c];
    }
  });
  let covered = 0;
  for (let i = 0; i < n; i++) if (count[i] > 0) covered++;
  const rows = new Uint32Array(covered);
  const votes = new Uint32Array(covered);
  for (let i = 0, p = 0; i < n; i++) {
    if (count[i] === 0) continue;
    rows[p] = i;
    votes[p++] = count[i];
  }
  return { sums, cover: { rows, votes, excluded: n - covered } };
}

/** OOB hard vote over rows 0..n−1: each member's output is a class id per OOB row. */
export function oobHardVote(members: readonly OobMember[], n: number, K: number): OobClassification {
  checkK(K, 'oobHardVote');
  const oneHot = members.map((mem, m) => {
    if (mem.output.length !== mem.oob.length)
      throw new RangeError(`oobHardVote: member ${m} has ${mem.output.length} outputs for ${mem.oob.length} OOB rows`);
    const o = new Float64Array(mem.output.length * K);
    for (let j = 0; j < mem.output.length; j++) o[j * K + classAt(mem.output[j], K, 'oobHardVote')] = 1;
    return { oob: mem.oob, output: o };
  });
  const { sums, cover } = accumulate(oneHot, n, K, 'oobHardVote');
  const picked = new Float64Array(cover.rows.length * K);
  cover.rows.forEach((i, p) => picked.set(sums.subarray(i * K, i * K + K), p * K));
  return { ...cover, prediction: argmaxRows(picked, K) };
}

/** OOB soft vote over rows 0..n−1: each member's output is K probabilities per OOB row. */
export function oobSoftVote(members: readonly OobMember[], n: number, K: number): OobSoftClassification {
  checkK(K, 'oobSoftVote');
  const { sums, cover } = accumulate(members, n, K, 'oobSoftVote');
  const proba = new Float64Array(cover.rows.length * K);
  cover.rows.forEach((i, p) => {
    for (let c = 0; c < K; c++) proba[p * K + c] = sums[i * K + c] / cover.votes[p];
  });
  return { ...cover, proba, prediction: argmaxRows(proba, K) };
}

/** OOB regression average over rows 0..n−1: each member's output is one value per OOB row. */
export function oobAverage(members: readonly OobMember[], n: number): OobRegression {
  const { sums, cover } = accumulate(members, n, 1, 'oobAverage');
  const prediction = new Float64Array(cover.rows.length);
  cover.rows.forEach((i, p) => (prediction[p] = sums[i] / cover.votes[p]));
  return { ...cover, prediction };
}

/** Fraction of covered rows whose OOB class is the label y[row] (NaN when no row is covered). */
export function oobAccuracy(res: OobClassification, y: ArrayLike<number>): number {
  if (res.rows.length === 0) return Number.NaN;
  let hit = 0;
  res.rows.forEach((i, p) => {
    if (res.prediction[p] === y[i]) hit++;
  });
  return hit / res.rows.length;
}

/** Mean squared error of the OOB predictions against y[row] over covered rows (NaN when none is covered). */
export function oobMeanSquaredError(res: OobRegression, y: ArrayLike<number>): number {
  if (res.rows.length === 0) return Number.NaN;
  let s = 0;
  res.rows.forEach((i, p) => {
    const e = res.prediction[p] - y[i];
    s += e * e;
  });
  return s / res.rows.length;
}
