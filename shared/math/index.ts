/**
 * Elementary functions with the same bits in every JavaScript engine, for everything in
 * shared/ that computes numbers a result depends on. ECMAScript lets Math.exp, Math.log,
 * Math.sin, Math.pow and the like differ in the last bit between engines, and they do (V8 in
 * Node 20 and in Chromium 156 disagree on about one exp in ten): with them, the Playground in
 * a browser, a worker on another machine and `optlab train` would not give the same numbers
 * for the same spec. Math.sqrt, Math.abs, Math.floor and the arithmetic operators are exact
 * (IEEE 754) and stay as they are. ESLint forbids the others in shared/.
 */
import { exp, expm1, log } from './exp-log.ts';

export { exp, expm1, log, log1p } from './exp-log.ts';
export { sin, cos } from './trig.ts';

/** tanh (FreeBSD's s_tanh.c, on expm1). */
export function tanh(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  let z: number;
  if (a >= 22) z = 1;
  else if (a < 3.725290298461914e-9)
    return x; // |x| < 2^-28
  else if (a >= 1) z = 1 - 2 / (expm1(2 * a) + 2);
  else {
    const t = expm1(-2 * a);
    z = -t / (t + 2);
  }
  return x < 0 ? -z : z;
}

/** 2^27 + 1: splits a double into two halves whose products are exact (Veltkamp). */
const SPLIT = 134217729;

/**
 * x^n for an integer n ≥ 0, by repeated squaring in double-double arithmetic (about 100
 * bits), rounded once at the end: correctly rounded but in the rarest cases. Bias
 * corrections βᵗ and step schedules γᵏ use it.
 */
export function powInt(x: number, n: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`powInt: n must be an integer >= 0, got ${n}`);
  if (n === 0) return 1;
  if (!Number.isFinite(x) || x === 0) {
    // 0, ±∞ and NaN: plain products are exact (and keep the sign of odd powers).
    let r = 1;
    for (let k = n, b = x; k > 0; k = Math.floor(k / 2), b *= b) if (k % 2 === 1) r *= b;
    return r;
  }
  // Result r = rh + rl and base b = bh + bl = x^(2^i), each a double-double. The products
  // are Dekker's: the leading parts' exact product p + e (Veltkamp splits), plus the cross terms.
  let rh = 1,
    rl = 0,
    bh = x,
    bl = 0;
  let k = n;
  for (;;) {
    if (k % 2 === 1) {
      const p = rh * bh;
      const a = SPLIT * rh,
        a1 = a - (a - rh),
        a2 = rh - a1;
      const b = SPLIT * bh,
        b1 = b - (b - bh),
        b2 = bh - b1;
      const lo = a1 * b1 - p + a1 * b2 + a2 * b1 + a2 * b2 + (rh * bl + rl * bh);
      rh = p + lo;
      rl = lo - (rh - p);
    }
    k = Math.floor(k / 2);
    if (k === 0) break;
    const p = bh * bh;
    const b = SPLIT * bh,
      b1 = b - (b - bh),
      b2 = bh - b1;
    const lo = b1 * b1 - p + 2 * b1 * b2 + b2 * b2 + 2 * bh * bl;
    bh = p + lo;
    bl = lo - (bh - p);
  }
  return rh + rl;
}

/**
 * x^y for x > 0 as e^(y·ln x): relative error about |y·ln x|·2⁻⁵³ on top of exp's own, fine
 * for the exponents the core uses (NAdam's 0.96^(t·ψ), the gamma sampler's u^(1/k)).
 * Integer exponents of any x go through powInt.
 */
export function pow(x: number, y: number): number {
  if (Number.isInteger(y) && y >= 0 && y <= 2 ** 53) return powInt(x, y);
  if (x === 1 || y === 0) return 1;
  if (!(x > 0)) {
    if (x === 0) return y > 0 ? 0 : Infinity;
    return NaN;
  }
  return exp(y * log(x));
}
