/**
 * Synthetic one-dimensional regression sets with a known true function and known noise,
 * which is what makes an exact bias–variance decomposition possible: y = f(x) + N(0, σ²),
 * and the data set carries f and σ in `truth`.
 */
import { trueValue, type Dataset, type RegressionTruth, type TruthFunction } from './dataset.ts';
import type { Rng } from '../rng.ts';

export interface RegressionOptions {
  /** Rows to generate (default 100). */
  samples?: number;
  /** σ, the std of the Gaussian noise added to f(x) (default 0.1). */
  noise?: number;
  /** x is drawn uniformly in [lo, hi) (default: sine [0, 1], polynomial [−1, 1]). */
  range?: [number, number];
}

export interface SineOptions extends RegressionOptions {
  /** A in f(x) = A·sin(ω·x + φ) (default 1). */
  amplitude?: number;
  /** ω in radians per unit of x (default 2π: one period over [0, 1], Bishop's curve-fitting example). */
  frequency?: number;
  /** φ in radians (default 0). */
  phase?: number;
}

export interface PolynomialOptions extends RegressionOptions {
  /** Coefficients in ascending powers, c[0] + c[1]·x + …; when absent a random polynomial of `degree` is drawn. */
  coefficients?: number[];
  /** Degree of the random polynomial (default 3); its coefficients are i.i.d. N(0, 1). */
  degree?: number;
}

export const DEFAULT_REGRESSION_SAMPLES = 100;
export const DEFAULT_SIGMA = 0.1;

function common(
  what: string,
  o: RegressionOptions,
  defaultRange: [number, number],
): { n: number; sigma: number; lo: number; hi: number } {
  const n = o.samples ?? DEFAULT_REGRESSION_SAMPLES;
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`${what}: samples must be an integer >= 1, got ${n}`);
  const sigma = o.noise ?? DEFAULT_SIGMA;
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new RangeError(`${what}: noise must be >= 0, got ${sigma}`);
  const [lo, hi] = o.range ?? defaultRange;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
    throw new RangeError(`${what}: range must have lo < hi, got [${lo}, ${hi}]`);
  return { n, sigma, lo, hi };
}

/** Draws x uniformly, then y = f(x) + N(0, σ²); the draw order (all x, then all noise) is fixed for reproducibility. */
function sample(name: string, f: TruthFunction, n: number, sigma: number, lo: number, hi: number, rng: Rng): Dataset {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(lo, hi);
  const one = new Float64Array(1);
  for (let i = 0; i < n; i++) {
    // f is evaluated at the stored (float32) x, so that trueValue on the data set's rows is f exactly.
    one[0] = x[i];
    y[i] = trueValue(f, one) + (sigma > 0 ? rng.normal(0, sigma) : 0);
  }
  const truth: RegressionTruth = { ...f, sigma };
  return { name, task: 'regression', n, d: 1, x, y, classes: 0, classNames: [], featureNames: ['x'], truth };
}

/** Noisy sine: x ~ U[lo, hi), y = A·sin(ω·x + φ) + N(0, σ²). */
export function makeSine(o: SineOptions, rng: Rng): Dataset {
  const { n, sigma, lo, hi } = common('sine', o, [0, 1]);
  const amplitude = o.amplitude ?? 1;
  const frequency = o.frequency ?? 2 * Math.PI;
  const phase = o.phase ?? 0;
  for (const [k, v] of [
    ['amplitude', amplitude],
    ['frequency', frequency],
    ['phase', phase],
  ] as const) {
    if (!Number.isFinite(v)) throw new RangeError(`sine: ${k} must be a finite number, got ${v}`);
  }
  return sample('sine', { kind: 'sine', amplitude, frequency, phase }, n, sigma, lo, hi, rng);
}

/** Noisy polynomial: x ~ U[lo, hi), y = Σ c_k x^k + N(0, σ²), with given or random N(0, 1) coefficients. */
export function makePolynomial(o: PolynomialOptions, rng: Rng): Dataset {
  const { n, sigma, lo, hi } = common('polynomial', o, [-1, 1]);
  let coefficients: number[];
  if (o.coefficients) {
    if (o.coefficients.length === 0 || !o.coefficients.every(Number.isFinite)) {
      throw new RangeError(`polynomial: coefficients must be a non-empty list of finite numbers`);
    }
    coefficients = [...o.coefficients];
  } else {
    const degree = o.degree ?? 3;
    if (!(Number.isInteger(degree) && degree >= 0 && degree <= 20))
      throw new RangeError(`polynomial: degree must be an integer in [0, 20], got ${degree}`);
    coefficients = Array.from({ length: degree + 1 }, () => rng.normal());
  }
  return sample('polynomial', { kind: 'polynomial', coefficients }, n, sigma, lo, hi, rng);
}

/**
 * n new rows from the generator behind a synthetic regression set: the same true function
 * (the same polynomial coefficients, not new random ones) and the same σ, new x and new noise.
 * What the textbook bias–variance protocol trains each replicate on.
 */
export function drawFromTruth(data: Dataset, n: number, rng: Rng): Dataset {
  const t = data.truth;
  if (!t) throw new Error(`drawFromTruth: ${data.name} has no known generator (only synthetic regression sets do)`);
  if (t.kind === 'sine')
    return makeSine(
      { samples: n, noise: t.sigma, amplitude: t.amplitude, frequency: t.frequency, phase: t.phase },
      rng,
    );
  return makePolynomial({ samples: n, noise: t.sigma, coefficients: t.coefficients }, rng);
}
