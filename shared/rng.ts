/**
 * Seeded pseudo-random generator: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix32, with named independent streams via `fork(key)`.
 *
 * Every random draw in OptLab comes from one of these; nothing draws from JavaScript's unseeded global generator, so the
 * same seed gives the same numbers on any machine and in any process.
 */
import { cos, log, pow, sin } from './math/index.ts';

/** 32-bit string hash (FNV-1a followed by a murmur3 finalizer) used to derive stream seeds. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One step of splitmix32: turns any 32-bit state into a well-mixed word. */
function splitmix32(state: number): [next: number, out: number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

export class Rng {
  /** The seed this generator was created from (kept for forking). */
  readonly seed: number;
  /** xoshiro128** state words. */
  #s = new Uint32Array(4);
  /** Second Box–Muller variate, kept for the next `normal()` call (NaN when empty). */
  #spare = Number.NaN;

  constructor(seed: number | string) {
    this.seed = typeof seed === 'string' ? hash32(seed) : seed >>> 0;
    let st = this.seed;
    for (let i = 0; i < 4; i++) {
      const [n, out] = splitmix32(st);
      st = n;
      this.#s[i] = out;
    }
    if ((this.#s[0] | this.#s[1] | this.#s[2] | this.#s[3]) === 0) this.#s[0] = 1;
  }

  /** An independent stream named by `key`; the same seed and key always give the same stream. */
  fork(key: string): Rng {
    return new Rng(hash32(key, this.seed ^ 0x5bd1e995));
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n > 0) || n > 0x100000000 || !Number.isInteger(n)) throw new RangeError(`Rng.int: bad range ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x: number;
    do x = this.nextU32();
    while (x >= limit);
    return x % n;
  }

  /** Standard normal draw (Box–Muller, polar form not used so that draws per call stay fixed). */
  normal(mean = 0, std = 1): number {
    if (!Number.isNaN(this.#spare)) {
      const z = this.#spare;
      this.#spare = Number.NaN;
      return mean + std * z;
    }
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    const r = Math.sqrt(-2 * log(u1));
    this.#spare = r * sin(2 * Math.PI * u2);
    return mean + std * r * cos(2 * Math.PI * u2);
  }

  /** Gamma(shape k, scale 1) draw (Marsaglia & Tsang 2000; boosted for k < 1). */
  gamma(k: number): number {
    if (!(k > 0)) throw new RangeError(`Rng.gamma: shape must be > 0, got ${k}`);
    if (k < 1) return this.gamma(k + 1) * pow(this.next() || Number.MIN_VALUE, 1 / k);
    const d = k - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
  }

  /** Beta(a, b) draw as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
