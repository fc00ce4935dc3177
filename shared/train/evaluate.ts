import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import { Scratch, type Mat } from '../linalg/mat.ts';
import type { Loss } from '../nn/loss.ts';
import type { Sequential } from '../nn/model.ts';
import { predictClasses } from '../nn/metrics.ts';
import type { Rng } from '../rng.ts';
import { gatherInputs, gatherTargets, standardizeBatch, type TargetKind } from './batches.ts';

/** Scores of a model on one set of rows (inference mode: running batch-norm stats, no dropout). */
export interface SetMetrics {
  /** Mean data loss (no penalty, no label smoothing: the same yardstick for every configuration). */
  loss: number;
  /** Fraction of rows classified correctly (classification only). */
  accuracy?: number;
  /** Mean squared error of the prediction (regression only). */
  mse?: number;
  /** R² = 1 − SS_res/SS_tot (regression only). */
  r2?: number;
}

/** Rows per forward pass at evaluation: bounds memory on large sets. */
const CHUNK = 512;

/** Reusable buffers for evaluation, so per-epoch scoring allocates nothing after the first call. */
export class Evaluator {
  readonly #x = new Scratch();
  readonly #t = new Scratch();
  #pred = new Int32Array(0);

  constructor(
    /** The data set rows are taken from. */
    readonly data: Dataset,
    /** Feature scaling fitted on the training rows (null: raw features). */
    readonly standardizer: Standardizer | null,
    /** How y is turned into the loss's targets. */
    readonly targets: TargetKind,
    /** The plain data loss used for scoring. */
    readonly loss: Loss,
  ) {}

  /**
   * Scores `model` on `rows`; when `outputs` is given, writes the raw outputs (rows×outDim)
   * there as well. `rng` is only required by the layer interface; nothing random runs here.
   */
  score(model: Sequential, rows: Uint32Array, rng: Rng, outputs?: Float32Array): SetMetrics {
    const data = this.data;
    const n = rows.length;
    if (n === 0) return { loss: Number.NaN };
    const ctx = { training: false, rng };
    const acc = { lossSum: 0, hits: 0, sse: 0 };
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const xb = this.#x.get(count, data.d);
      gatherInputs(data, this.standardizer, rows, start, count, xb);
      const out = model.forward(xb, ctx);
      if (outputs) outputs.set(out.data.subarray(0, count * out.cols), start * out.cols);
      this.#chunk(out, rows, start, count, acc);
    }
    return this.#metrics(rows, acc);
  }

  /**
   * The same scores from outputs computed elsewhere (a device): `all` holds rows×outDim raw
   * outputs in the order of `rows`. Summed in the same chunks as `score`.
   */
  scoreOutputs(rows: Uint32Array, all: Float32Array, outDim: number, outputs?: Float32Array): SetMetrics {
    const n = rows.length;
    if (n === 0) return { loss: Number.NaN };
    if (outputs) outputs.set(all.subarray(0, n * outDim));
    const acc = { lossSum: 0, hits: 0, sse: 0 };
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const out = { rows: count, cols: outDim, data: all.subarray(start * outDim, (start + count) * outDim) };
      this.#chunk(out, rows, start, count, acc);
    }
    return this.#metrics(rows, acc);
  }

  /** Adds one chunk's loss, hits (classification) or squared errors (regression) to `acc`. */
  #chunk(out: Mat, rows: Uint32Array, start: number, count: number, acc: Sums): void {
    const data = this.data;
    const outDim = out.cols;
    const tb = this.#t.get(count, outDim);
    gatherTargets(data, this.targets, rows, start, count, tb);
    acc.lossSum += this.loss.evaluate(out, tb) * count;
    if (data.task === 'classification') {
      if (this.#pred.length < count) this.#pred = new Int32Array(CHUNK);
      const pred = predictClasses(out, this.#pred);
      for (let i = 0; i < count; i++) if (pred[i] === data.y[rows[start + i]]) acc.hits++;
    } else {
      for (let i = 0; i < count; i++) {
        const e = out.data[i * outDim] - data.y[rows[start + i]];
        acc.sse += e * e;
      }
    }
  }

  #metrics(rows: Uint32Array, acc: Sums): SetMetrics {
    const data = this.data;
    const n = rows.length;
    if (data.task === 'classification') return { loss: acc.lossSum / n, accuracy: acc.hits / n };
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data.y[rows[i]];
    mean /= n;
    let sst = 0;
    for (let i = 0; i < n; i++) sst += (data.y[rows[i]] - mean) ** 2;
    return { loss: acc.lossSum / n, mse: acc.sse / n, r2: sst > 0 ? 1 - acc.sse / sst : Number.NaN };
  }

  /**
   * Inference-mode outputs of `model` for n rows of raw features `x` (n×d, not rows of the
   * data set: e.g. a grid over the input plane), standardized as the data set's rows are,
   * written into `out` (n×outDim).
   */
  predict(model: Sequential, x: Float32Array, n: number, out: Float32Array, rng: Rng): void {
    const d = this.data.d;
    if (x.length < n * d) throw new RangeError(`predict: ${n} rows need ${n * d} values, got ${x.length}`);
    const ctx = { training: false, rng };
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const xb = this.#x.get(count, d);
      xb.data.set(x.subarray(start * d, (start + count) * d));
      standardizeBatch(this.standardizer, count, xb);
      const o = model.forward(xb, ctx);
      if (out.length < (start + count) * o.cols)
        throw new RangeError(`predict: out needs ${n * o.cols} values, got ${out.length}`);
      out.set(o.data.subarray(0, count * o.cols), start * o.cols);
    }
  }
}

/** Running sums of a set's scoring. */
interface Sums {
  /** Σ chunk mean loss × chunk rows. */
  lossSum: number;
  /** Rows classified correctly. */
  hits: number;
  /** Σ squared errors (regression). */
  sse: number;
}
