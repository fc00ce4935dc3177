import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import type { Mat } from '../linalg/mat.ts';
import type { LossSpec } from '../schema/types.ts';

/**
 * Gathers rows of the data set into a batch matrix, and the matching training targets.
 * Training and evaluation both go through `gatherInputs`, so a row is standardized the
 * same way (same float operations, same bits) whichever path sees it.
 */

/** How a network's outputs relate to the data set's y. */
export type TargetKind = 'onehot' | 'binary' | 'value';

/**
 * Optimizer steps in one epoch over n rows in batches of B: ⌈n/B⌉, less the lone last row
 * that batch norm cannot take (see fit's loop). With `maxSteps` the last epoch may stop short.
 */
export function stepsPerEpoch(n: number, batchSize: number | 'full', batchNorm: boolean): number {
  const B = batchSize === 'full' || batchSize === 0 ? n : Math.min(batchSize, n);
  const full = Math.ceil(n / B);
  return batchNorm && n > 1 && n % B === 1 ? full - 1 : full;
}

/** The targets a loss needs of a data set, and the network's output units. */
export function targetKind(data: Dataset, loss: LossSpec): { kind: TargetKind; outDim: number } {
  if (data.task === 'regression') return { kind: 'value', outDim: 1 };
  if (loss.kind === 'bce') {
    if (data.classes !== 2) throw new Error(`loss "bce" needs 2 classes, the data set has ${data.classes}`);
    return { kind: 'binary', outDim: 1 };
  }
  if (loss.kind === 'mse') throw new Error('loss "mse" is for regression; use "cross_entropy" or "bce" for classes');
  return { kind: 'onehot', outDim: data.classes };
}

/** Copies raw features of `rows[start..start+count)` into `out` (count×d). */
export function gatherRaw(data: Dataset, rows: ArrayLike<number>, start: number, count: number, out: Mat): void {
  const d = data.d,
    x = data.x,
    o = out.data;
  for (let i = 0; i < count; i++) {
    const src = rows[start + i] * d;
    const dst = i * d;
    for (let j = 0; j < d; j++) o[dst + j] = x[src + j];
  }
}

/** z = (x − mean)/std in place on the first `count` rows of a batch. */
export function standardizeBatch(s: Standardizer | null, count: number, out: Mat): void {
  if (!s) return;
  const d = out.cols,
    o = out.data,
    mean = s.mean,
    std = s.std;
  for (let i = 0; i < count; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) o[base + j] = (o[base + j] - mean[j]) / std[j];
  }
}

/** Raw rows, then standardized: what an evaluation forward pass sees. */
export function gatherInputs(
  data: Dataset,
  s: Standardizer | null,
  rows: ArrayLike<number>,
  start: number,
  count: number,
  out: Mat,
): void {
  gatherRaw(data, rows, start, count, out);
  standardizeBatch(s, count, out);
}

/**
 * Targets as the loss wants them: one-hot rows for cross-entropy (label smoothing and mixup
 * work on these probabilities), 0/1 for binary cross-entropy, the value for regression.
 */
export function gatherTargets(
  data: Dataset,
  kind: TargetKind,
  rows: ArrayLike<number>,
  start: number,
  count: number,
  out: Mat,
): void {
  const y = data.y,
    t = out.data;
  if (kind === 'onehot') {
    const C = out.cols;
    t.fill(0, 0, count * C);
    for (let i = 0; i < count; i++) t[i * C + y[rows[start + i]]] = 1;
  } else {
    for (let i = 0; i < count; i++) t[i] = y[rows[start + i]];
  }
}

/** Per-row sample weights of a batch (for weighted learners such as boosting rounds). */
export function gatherWeights(
  weights: Float32Array,
  rows: ArrayLike<number>,
  start: number,
  count: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < count; i++) out[i] = weights[rows[start + i]];
  return out;
}
