/**
 * The in-memory data set every part of OptLab trains on, plus the operations that do not
 * depend on where it came from: row subsets, the known true function of synthetic regression
 * sets, and the content hash that jobs use to name the data they need.
 */
import { sin } from '../math/index.ts';

export type Task = 'classification' | 'regression';

/** Shape of a row that is an image; pixels are stored row-major, channel fastest (HWC). */
export interface ImageShape {
  /** Pixel rows. */
  height: number;
  /** Pixel columns. */
  width: number;
  /** Values per pixel (1 for grey levels); d = height·width·channels. */
  channels: number;
}

/** The noise-free function behind a synthetic regression set (serializable, so it can travel with jobs). */
export type TruthFunction =
  | {
      /** f(x) = A·sin(ω·x + φ). */
      kind: 'sine';
      /** A in f(x) = A·sin(ω·x + φ). */
      amplitude: number;
      /** ω in f(x) = A·sin(ω·x + φ), radians per unit of x. */
      frequency: number;
      /** φ in f(x) = A·sin(ω·x + φ), radians. */
      phase: number;
    }
  | {
      /** f(x) = Σ_k c[k]·x^k. */
      kind: 'polynomial';
      /** c in f(x) = c[0] + c[1]·x + c[2]·x² + … (ascending powers). */
      coefficients: number[];
    };

/** A synthetic set's true function and its additive Gaussian noise: y = f(x) + N(0, σ²). */
export type RegressionTruth = TruthFunction & {
  /** σ, the standard deviation of the noise added to f(x); σ² is the irreducible error. */
  sigma: number;
};

export interface Dataset {
  /** Short name shown to the user (`iris`, `moons`, a CSV file's base name). */
  name: string;
  /** Whether y holds class ids or real-valued targets. */
  task: Task;
  /** Rows (samples). */
  n: number;
  /** Features per row. */
  d: number;
  /** Features, n×d row-major. */
  x: Float32Array;
  /** Per row: the class id 0..classes−1 as an exact integer (classification) or the target (regression). */
  y: Float32Array;
  /** Number of classes; 0 for regression. */
  classes: number;
  /** Display name of each class id (length = classes; empty for regression). */
  classNames: string[];
  /** Display name of each feature column (length = d). */
  featureNames: string[];
  /** Present when each row is an image (digits: 8×8×1). */
  image?: ImageShape;
  /** Present for synthetic regression sets: the true function and noise level. */
  truth?: RegressionTruth;
}

/** f(row) of a synthetic regression set, without noise; the input is the row's first feature. */
export function trueValue(truth: TruthFunction, row: ArrayLike<number>): number {
  const x = row[0];
  switch (truth.kind) {
    case 'sine':
      return truth.amplitude * sin(truth.frequency * x + truth.phase);
    case 'polynomial': {
      // Horner's rule: fewer roundings than summing powers.
      const c = truth.coefficients;
      let v = 0;
      for (let i = c.length - 1; i >= 0; i--) v = v * x + c[i];
      return v;
    }
  }
}

/** A new data set holding the given rows (in the given order; repeats allowed, as in bootstrap samples). */
export function subset(ds: Dataset, rows: ArrayLike<number>): Dataset {
  const m = rows.length;
  const d = ds.d;
  const x = new Float32Array(m * d);
  const y = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const r = rows[i];
    if (!(Number.isInteger(r) && r >= 0 && r < ds.n))
      throw new RangeError(`subset: row ${r} is outside 0..${ds.n - 1}`);
    x.set(ds.x.subarray(r * d, r * d + d), i * d);
    y[i] = ds.y[r];
  }
  return { ...ds, n: m, x, y, classNames: [...ds.classNames], featureNames: [...ds.featureNames] };
}

/** Row i's features as a view (no copy). */
export function row(ds: Dataset, i: number): Float32Array {
  return ds.x.subarray(i * ds.d, (i + 1) * ds.d);
}

/** Number of rows of each class (classification only). */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.classes).fill(0);
  for (let i = 0; i < ds.n; i++) counts[ds.y[i]]++;
  return counts;
}

/** Everything but the numbers, in a fixed key order so that the hash does not depend on object construction order. */
function metadataText(ds: Dataset): string {
  return JSON.stringify([
    ds.name,
    ds.task,
    ds.n,
    ds.d,
    ds.classes,
    ds.classNames,
    ds.featureNames,
    ds.image ? [ds.image.height, ds.image.width, ds.image.channels] : null,
    ds.truth ? JSON.stringify(ds.truth, Object.keys(ds.truth).sort()) : null,
  ]);
}

/**
 * Two independent 32-bit streams over the same words: FNV-1a (byte-wise) and the murmur3
 * body. One 32-bit hash would make collisions plausible among the thousands of data sets a
 * library collects (bootstrap replicates, CSV edits); 64 bits makes them negligible.
 */
class Hasher {
  #fnv = 0x811c9dc5;
  #mur = 0x9747b28c;
  #words = 0;

  word(w: number): void {
    let f = this.#fnv;
    for (let s = 0; s < 32; s += 8) {
      f ^= (w >>> s) & 0xff;
      f = Math.imul(f, 0x01000193);
    }
    this.#fnv = f;
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.#mur ^ k;
    h = (h << 13) | (h >>> 19);
    this.#mur = (Math.imul(h, 5) + 0xe6546b64) | 0;
    this.#words++;
  }

  /** Float bits as words: the hash sees exactly the stored values, independent of platform byte order. */
  floats(a: Float32Array): void {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < u.length; i++) this.word(u[i]);
  }

  text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  hex(): string {
    let h = this.#mur ^ this.#words;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return (this.#fnv >>> 0).toString(16).padStart(8, '0') + (h >>> 0).toString(16).padStart(8, '0');
  }
}

/** Stable 16-hex-digit content hash of x, y and the metadata; equal data sets hash equal on any machine. */
export function datasetHash(ds: Dataset): string {
  const h = new Hasher();
  h.text(metadataText(ds));
  h.floats(ds.x.subarray(0, ds.n * ds.d));
  h.floats(ds.y.subarray(0, ds.n));
  return h.hex();
}

/**
 * Structural problems of a data set (lengths, class ids, names); empty when consistent.
 * Used on data that crossed a process boundary, where the type system cannot vouch for it.
 */
export function datasetProblems(ds: Dataset): string[] {
  const out: string[] = [];
  if (!(Number.isInteger(ds.n) && ds.n >= 0)) out.push(`n: must be a non-negative integer, got ${ds.n}`);
  if (!(Number.isInteger(ds.d) && ds.d >= 1)) out.push(`d: must be a positive integer, got ${ds.d}`);
  if (out.length) return out;
  if (ds.x.length < ds.n * ds.d) out.push(`x: needs ${ds.n}×${ds.d} = ${ds.n * ds.d} values, got ${ds.x.length}`);
  if (ds.y.length < ds.n) out.push(`y: needs ${ds.n} values, got ${ds.y.length}`);
  if (ds.featureNames.length !== ds.d) out.push(`featureNames: needs ${ds.d} names, got ${ds.featureNames.length}`);
  if (ds.image && ds.image.height * ds.image.width * ds.image.channels !== ds.d) {
    out.push(`image: ${ds.image.height}×${ds.image.width}×${ds.image.channels} does not match d = ${ds.d}`);
  }
  if (ds.task === 'classification') {
    if (ds.classNames.length !== ds.classes)
      out.push(`classNames: needs ${ds.classes} names, got ${ds.classNames.length}`);
    for (let i = 0; i < Math.min(ds.n, ds.y.length); i++) {
      const c = ds.y[i];
      if (!(Number.isInteger(c) && c >= 0 && c < ds.classes)) {
        out.push(`y[${i}]: class id must be an integer in 0..${ds.classes - 1}, got ${c}`);
        break;
      }
    }
  } else if (ds.classes !== 0) {
    out.push(`classes: must be 0 for regression, got ${ds.classes}`);
  }
  return out;
}
