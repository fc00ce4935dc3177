/**
 * The two 32-bit halves of a float64, as fdlibm reads and writes them (GET_HIGH_WORD and
 * friends): the high word holds the sign, the exponent and the top 20 bits of the mantissa.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Which half comes first in memory depends on the machine's byte order.
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** The high word of x as a signed 32-bit integer (negative when the sign bit is set). */
export function highWord(x: number): number {
  f64[0] = x;
  return u32[HI] | 0;
}

/** The low word of x, unsigned. */
export function lowWord(x: number): number {
  f64[0] = x;
  return u32[LO];
}

/** The float64 whose words are `hi` and `lo`. */
export function fromWords(hi: number, lo: number): number {
  u32[HI] = hi >>> 0;
  u32[LO] = lo >>> 0;
  return f64[0];
}

/** x with its high word replaced by `hi`. */
export function withHighWord(x: number, hi: number): number {
  f64[0] = x;
  u32[HI] = hi >>> 0;
  return f64[0];
}
