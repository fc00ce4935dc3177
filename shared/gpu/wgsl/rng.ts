/**
 * The counter-based generator of the device's dropout masks. A sequential generator cannot
 * run on thousands of threads at once, so each unit's draw is a hash of where it is:
 *
 *   key  = h(h(h(key0 ^ h(t)) ^ key1) + layer)          per step t and dropout layer
 *   u(i) = h(key + i·0x9E3779B9)                        per unit i of the batch
 *
 * with h Chris Wellons' `lowbias32` integer hash (a bijection on 32 bits). key0 and key1 come
 * from the fit's seed, so a fit's masks are fixed by its seed and step, whatever the device.
 * These masks are not the CPU engine's (it draws from xoshiro128** in row order): a dropout
 * fit on the device follows another trajectory than on the CPU, with the same distribution.
 * `dropoutBits` below is the same function on the host, for tests.
 */

export const DROPOUT_BITS_WGSL = /* wgsl */ `
fn lowbias32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}
fn dropoutBits(key0: u32, key1: u32, t: u32, layer: u32, i: u32) -> u32 {
  let key = lowbias32(lowbias32(lowbias32(key0 ^ lowbias32(t)) ^ key1) + layer);
  return lowbias32(key + i * 0x9e3779b9u);
}
`;

/** lowbias32 on the host. */
export function lowbias32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The device's dropout draw for unit i of layer `layer` at step t (the WGSL function above). */
export function dropoutBits(key0: number, key1: number, t: number, layer: number, i: number): number {
  const key = lowbias32((lowbias32(lowbias32(key0 ^ lowbias32(t)) ^ key1) + layer) >>> 0);
  return lowbias32((key + Math.imul(i, 0x9e3779b9)) >>> 0);
}

/** The smallest u32 u with u ≥ p·2³²: a unit is kept when its draw is at least this (probability 1−p). */
export function dropoutThreshold(p: number): number {
  return Math.min(Math.ceil(p * 4294967296), 4294967295);
}
