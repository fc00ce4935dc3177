/**
 * Feature standardization z = (x − mean)/std, as scikit-learn's StandardScaler: population
 * std (divide by n), and std 1 for constant features so they map to 0 instead of NaN.
 * The statistics are fitted on the training rows only; fitting them on all rows would leak
 * the validation and test parts into training.
 */

export interface Standardizer {
  /** Per-feature mean over the fitted rows. */
  mean: Float64Array;
  /** Per-feature population std √(Σ(x − mean)²/n) over the fitted rows; 1 where that is 0. */
  std: Float64Array;
}

/**
 * Mean and std of each of the d features of the row-major matrix x, over `rows` (all rows
 * when omitted). Two passes in doubles: a one-pass sum of squares loses the variance of
 * features with a large mean (proline in wine is ~750 ± 300).
 */
export function fitStandardizer(x: Float32Array, d: number, rows?: ArrayLike<number>): Standardizer {
  const n = rows ? rows.length : Math.floor(x.length / d);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  if (n === 0) {
    std.fill(1);
    return { mean, std };
  }
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * d;
    for (let j = 0; j < d; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * d;
    for (let j = 0; j < d; j++) {
      const e = x[o + j] - mean[j];
      std[j] += e * e;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / n);
    // A spread this far below the mean's own rounding is float noise of a constant column.
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
  }
  return { mean, std };
}

/**
 * Writes (x − mean)/std for every row of x into `out` and returns it. `out` defaults to x
 * itself (in place); pass a new Float32Array(x.length) for a standardized copy.
 */
export function applyStandardizer(s: Standardizer, x: Float32Array, out: Float32Array = x): Float32Array {
  const d = s.mean.length;
  if (out.length < x.length) throw new RangeError(`applyStandardizer: out has ${out.length} values, needs ${x.length}`);
  if (x.length % d !== 0)
    throw new RangeError(`applyStandardizer: ${x.length} values are not whole rows of ${d} features`);
  for (let o = 0; o < x.length; o += d) {
    for (let j = 0; j < d; j++) out[o + j] = (x[o + j] - s.mean[j]) / s.std[j];
  }
  return out;
}

/** x = z·std + mean: back to the original units (for showing inputs next to standardized models). */
export function invertStandardizer(s: Standardizer, z: Float32Array, out: Float32Array = z): Float32Array {
  const d = s.mean.length;
  if (out.length < z.length)
    throw new RangeError(`invertStandardizer: out has ${out.length} values, needs ${z.length}`);
  for (let o = 0; o < z.length; o += d) {
    for (let j = 0; j < d; j++) out[o + j] = z[o + j] * s.std[j] + s.mean[j];
  }
  return out;
}

/** Plain arrays, for storing with a trained model as JSON. */
export function standardizerToJSON(s: Standardizer): { mean: number[]; std: number[] } {
  return { mean: Array.from(s.mean), std: Array.from(s.std) };
}

export function standardizerFromJSON(j: { mean: number[]; std: number[] }): Standardizer {
  if (j.mean.length !== j.std.length) throw new RangeError('standardizer: mean and std lengths differ');
  return { mean: Float64Array.from(j.mean), std: Float64Array.from(j.std) };
}
