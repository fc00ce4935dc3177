/**
 * Scores computed from a network's raw outputs: accuracy (argmax of the logits, or logit > 0
 * for a single binary output), mean squared error, R² and class probabilities. Used after
 * training and by the aggregator, not in the training step, so they may allocate results.
 */
import type { Mat } from '../linalg/mat.ts';
import { mat } from '../linalg/mat.ts';
import { exp } from '../math/index.ts';

/** Predicted class per row: argmax over columns (first on ties), or logit > 0 when there is one column. */
export function predictClasses(logits: Mat, out?: Int32Array): Int32Array {
  const B = logits.rows,
    C = logits.cols;
  const pred = out ?? new Int32Array(B);
  if (pred.length < B) throw new RangeError(`predictClasses: output holds ${pred.length}, need ${B}`);
  const z = logits.data;
  if (C === 1) {
    for (let i = 0; i < B; i++) pred[i] = z[i] > 0 ? 1 : 0;
    return pred;
  }
  for (let i = 0; i < B; i++) {
    const base = i * C;
    let best = 0;
    let m = z[base];
    for (let j = 1; j < C; j++) {
      if (z[base + j] > m) {
        m = z[base + j];
        best = j;
      }
    }
    pred[i] = best;
  }
  return pred;
}

/** Fraction of rows whose predicted class equals the label (labels 0/1 for a single binary output). */
export function accuracy(logits: Mat, labels: ArrayLike<number>): number {
  const B = logits.rows;
  if (labels.length < B) throw new RangeError(`accuracy: ${labels.length} labels for ${B} rows`);
  if (B === 0) return Number.NaN;
  const pred = predictClasses(logits);
  let hits = 0;
  for (let i = 0; i < B; i++) if (pred[i] === labels[i]) hits++;
  return hits / B;
}

/** Class of each target row: argmax of a probability row, or t ≥ 0.5 for a single column. */
export function targetClasses(targets: Mat, out?: Int32Array): Int32Array {
  const B = targets.rows,
    C = targets.cols;
  const cls = out ?? new Int32Array(B);
  const t = targets.data;
  if (C === 1) {
    for (let i = 0; i < B; i++) cls[i] = t[i] >= 0.5 ? 1 : 0;
    return cls;
  }
  return predictClasses(targets, cls);
}

/** Mean over all elements of (pred − target)². */
export function meanSquaredError(pred: Mat, target: Mat): number {
  sameShape('meanSquaredError', pred, target);
  const n = pred.rows * pred.cols;
  const p = pred.data,
    t = target.data;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - t[i];
    s += d * d;
  }
  return s / n;
}

/**
 * Coefficient of determination 1 − SS_res/SS_tot per output column, averaged uniformly over
 * columns (scikit-learn's r2_score default). A constant target column scores 1 when predicted
 * exactly and 0 otherwise, as scikit-learn's force_finite does.
 */
export function r2Score(pred: Mat, target: Mat): number {
  sameShape('r2Score', pred, target);
  const B = pred.rows,
    C = pred.cols;
  const p = pred.data,
    t = target.data;
  let total = 0;
  for (let j = 0; j < C; j++) {
    let mean = 0;
    for (let i = 0; i < B; i++) mean += t[i * C + j];
    mean /= B;
    let res = 0,
      tot = 0;
    for (let i = 0; i < B; i++) {
      const k = i * C + j;
      const r = t[k] - p[k];
      const d = t[k] - mean;
      res += r * r;
      tot += d * d;
    }
    total += tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
  }
  return total / C;
}

/** Row-wise softmax e^(z−max)/Σ e^(z−max), into `out` or a new matrix. */
export function softmax(logits: Mat, out?: Mat): Mat {
  const B = logits.rows,
    C = logits.cols;
  const o = out ?? mat(B, C);
  if (o.data.length < B * C) throw new RangeError(`softmax: output holds ${o.data.length}, need ${B * C}`);
  o.rows = B;
  o.cols = C;
  const z = logits.data,
    p = o.data;
  for (let i = 0; i < B; i++) {
    const base = i * C;
    let m = z[base];
    for (let j = 1; j < C; j++) if (z[base + j] > m) m = z[base + j];
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = exp(z[base + j] - m);
      p[base + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < C; j++) p[base + j] *= inv;
  }
  return o;
}

/**
 * Class probabilities B×K from logits: softmax for several outputs, and [1 − σ(z), σ(z)] for a
 * single binary logit, so that every classifier hands the aggregator one column per class.
 */
export function classProbabilities(logits: Mat, out?: Mat): Mat {
  if (logits.cols !== 1) return softmax(logits, out);
  const B = logits.rows;
  const o = out ?? mat(B, 2);
  if (o.data.length < B * 2) throw new RangeError(`classProbabilities: output holds ${o.data.length}, need ${B * 2}`);
  o.rows = B;
  o.cols = 2;
  const z = logits.data,
    p = o.data;
  for (let i = 0; i < B; i++) {
    const v = z[i];
    const e = exp(-Math.abs(v));
    const s = v >= 0 ? 1 / (1 + e) : e / (1 + e);
    p[2 * i] = 1 - s;
    p[2 * i + 1] = s;
  }
  return o;
}

function sameShape(name: string, a: Mat, b: Mat): void {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new RangeError(`${name}: shapes ${a.rows}×${a.cols} and ${b.rows}×${b.cols} differ`);
}
