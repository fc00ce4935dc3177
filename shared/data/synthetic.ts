/**
 * Synthetic two-dimensional classification sets, the classic pictures of decision
 * boundaries: circles, moons, spirals, xor and Gaussian blobs. Circles, moons and blobs
 * follow scikit-learn's `make_circles`, `make_moons` and `make_blobs` (same geometry, same
 * per-class counts); the numbers differ because the generator differs.
 */
import type { Dataset } from './dataset.ts';
import type { Rng } from '../rng.ts';
import { cos, sin } from '../math/index.ts';

export interface SyntheticOptions {
  /** Rows to generate (default 200). */
  samples?: number;
  /** Std of the Gaussian noise added to each coordinate; for blobs the std of each cluster (defaults: DEFAULT_NOISE). */
  noise?: number;
  /** Number of classes (spirals, blobs; default 3). */
  classes?: number;
  /** Shuffle the rows (default true, as scikit-learn); otherwise rows come grouped by class. */
  shuffle?: boolean;
}

export interface CirclesOptions extends SyntheticOptions {
  /** Radius of the inner circle relative to the outer one (radius 1), in (0, 1); default 0.8. */
  factor?: number;
}

export interface SpiralsOptions extends SyntheticOptions {
  /** Full turns each arm makes from the centre to radius 1 (default 1). */
  turns?: number;
}

export interface BlobsOptions extends SyntheticOptions {
  /** Features per row (default 2). */
  features?: number;
  /** Centres are drawn uniformly in [lo, hi] per coordinate (default [−10, 10], as scikit-learn). */
  centerBox?: [number, number];
}

export const DEFAULT_SAMPLES = 200;

/** Rows per class when n rows are split over k classes: the first n mod k classes get one more (scikit-learn's rule). */
export function balancedCounts(n: number, k: number): number[] {
  return Array.from({ length: k }, (_, c) => Math.floor(n / k) + (c < n % k ? 1 : 0));
}

/** Noise used when the options give none: enough to make each picture look natural. */
export const DEFAULT_NOISE = { circles: 0.05, moons: 0.1, spirals: 0.05, xor: 0.1, blobs: 1 } as const;

function checkCommon(what: keyof typeof DEFAULT_NOISE, o: SyntheticOptions): { n: number; noise: number } {
  const n = o.samples ?? DEFAULT_SAMPLES;
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`${what}: samples must be an integer >= 2, got ${n}`);
  const noise = o.noise ?? DEFAULT_NOISE[what];
  if (!(Number.isFinite(noise) && noise >= 0)) throw new RangeError(`${what}: noise must be >= 0, got ${noise}`);
  return { n, noise };
}

function checkClasses(what: string, k: number, n: number): void {
  if (!(Number.isInteger(k) && k >= 2)) throw new RangeError(`${what}: classes must be an integer >= 2, got ${k}`);
  if (n < k) throw new RangeError(`${what}: ${n} samples cannot cover ${k} classes`);
}

/** Row i of `xs`/`ys` are drawn in class order; this shuffles them together and packs the data set. */
function finish(
  name: string,
  x: Float32Array,
  y: Float32Array,
  d: number,
  classNames: string[],
  shuffle: boolean,
  rng: Rng,
): Dataset {
  const n = y.length;
  let xs = x;
  let ys = y;
  if (shuffle) {
    const p = rng.permutation(n);
    xs = new Float32Array(n * d);
    ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xs.set(x.subarray(p[i] * d, p[i] * d + d), i * d);
      ys[i] = y[p[i]];
    }
  }
  const featureNames = Array.from({ length: d }, (_, j) => `x${j + 1}`);
  return { name, task: 'classification', n, d, x: xs, y: ys, classes: classNames.length, classNames, featureNames };
}

/** Two concentric circles: class 0 the outer (radius 1), class 1 the inner (radius `factor`). */
export function makeCircles(o: CirclesOptions, rng: Rng): Dataset {
  const { n, noise } = checkCommon('circles', o);
  const factor = o.factor ?? 0.8;
  if (!(factor > 0 && factor < 1)) throw new RangeError(`circles: factor must be in (0, 1), got ${factor}`);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const inner = i >= nOut;
    const m = inner ? nIn : nOut;
    const t = (2 * Math.PI * (inner ? i - nOut : i)) / m;
    const r = inner ? factor : 1;
    x[2 * i] = r * cos(t) + (noise > 0 ? rng.normal(0, noise) : 0);
    x[2 * i + 1] = r * sin(t) + (noise > 0 ? rng.normal(0, noise) : 0);
    y[i] = inner ? 1 : 0;
  }
  return finish('circles', x, y, 2, ['outer', 'inner'], o.shuffle ?? true, rng);
}

/** Two interleaving half circles: class 0 the upper moon, class 1 the lower one shifted right. */
export function makeMoons(o: SyntheticOptions, rng: Rng): Dataset {
  const { n, noise } = checkCommon('moons', o);
  const nOut = Math.floor(n / 2);
  const nIn = n - nOut;
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const inner = i >= nOut;
    const m = inner ? nIn : nOut;
    const j = inner ? i - nOut : i;
    // linspace(0, π, m) includes both ends, as scikit-learn's.
    const t = m > 1 ? (Math.PI * j) / (m - 1) : 0;
    const px = inner ? 1 - cos(t) : cos(t);
    const py = inner ? 1 - sin(t) - 0.5 : sin(t);
    x[2 * i] = px + (noise > 0 ? rng.normal(0, noise) : 0);
    x[2 * i + 1] = py + (noise > 0 ? rng.normal(0, noise) : 0);
    y[i] = inner ? 1 : 0;
  }
  return finish('moons', x, y, 2, ['upper', 'lower'], o.shuffle ?? true, rng);
}

/**
 * k interleaved spiral arms: arm c at parameter t ∈ [0, 1] sits at radius t and angle
 * 2πc/k + 2π·turns·t, so the arms are rotated copies of each other.
 */
export function makeSpirals(o: SpiralsOptions, rng: Rng): Dataset {
  const { n, noise } = checkCommon('spirals', o);
  const k = o.classes ?? 3;
  checkClasses('spirals', k, n);
  const turns = o.turns ?? 1;
  if (!(Number.isFinite(turns) && turns > 0)) throw new RangeError(`spirals: turns must be > 0, got ${turns}`);
  const counts = balancedCounts(n, k);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  let i = 0;
  for (let c = 0; c < k; c++) {
    const m = counts[c];
    for (let j = 0; j < m; j++, i++) {
      const t = m > 1 ? j / (m - 1) : 0;
      const a = (2 * Math.PI * c) / k + 2 * Math.PI * turns * t;
      x[2 * i] = t * cos(a) + (noise > 0 ? rng.normal(0, noise) : 0);
      x[2 * i + 1] = t * sin(a) + (noise > 0 ? rng.normal(0, noise) : 0);
      y[i] = c;
    }
  }
  const names = Array.from({ length: k }, (_, c) => `arm ${c}`);
  return finish('spirals', x, y, 2, names, o.shuffle ?? true, rng);
}

/**
 * XOR: points uniform in the four quadrants of [−1, 1]²; class 1 where the coordinates have
 * different signs. Each class gets exactly half the rows (one more for class 0 when n is odd);
 * the label is decided before noise is added, so noise moves points across the axes.
 */
export function makeXor(o: SyntheticOptions, rng: Rng): Dataset {
  const { n, noise } = checkCommon('xor', o);
  const counts = balancedCounts(n, 2);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i < counts[0] ? 0 : 1;
    const sx = rng.next() < 0.5 ? 1 : -1;
    const sy = c === 0 ? sx : -sx;
    // 1 − U ∈ (0, 1] keeps points off the axes, where the label would be ambiguous.
    x[2 * i] = sx * (1 - rng.next()) + (noise > 0 ? rng.normal(0, noise) : 0);
    x[2 * i + 1] = sy * (1 - rng.next()) + (noise > 0 ? rng.normal(0, noise) : 0);
    y[i] = c;
  }
  return finish('xor', x, y, 2, ['same sign', 'different sign'], o.shuffle ?? true, rng);
}

/** k isotropic Gaussian clusters with std `noise` (default 1) around centres drawn uniformly in `centerBox`. */
export function makeBlobs(o: BlobsOptions, rng: Rng): Dataset {
  const { n, noise: std } = checkCommon('blobs', o);
  const k = o.classes ?? 3;
  checkClasses('blobs', k, n);
  const d = o.features ?? 2;
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`blobs: features must be an integer >= 1, got ${d}`);
  const [lo, hi] = o.centerBox ?? [-10, 10];
  if (!(lo < hi)) throw new RangeError(`blobs: centerBox must have lo < hi, got [${lo}, ${hi}]`);
  const centers = new Float64Array(k * d);
  for (let i = 0; i < k * d; i++) centers[i] = rng.uniform(lo, hi);
  const counts = balancedCounts(n, k);
  const x = new Float32Array(d * n);
  const y = new Float32Array(n);
  let i = 0;
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < counts[c]; j++, i++) {
      for (let f = 0; f < d; f++) x[i * d + f] = centers[c * d + f] + (std > 0 ? rng.normal(0, std) : 0);
      y[i] = c;
    }
  }
  const names = Array.from({ length: k }, (_, c) => `blob ${c}`);
  return finish('blobs', x, y, d, names, o.shuffle ?? true, rng);
}
