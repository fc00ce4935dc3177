/**
 * sin and cos in float64 after fdlibm (its kernels on [−π/4, π/4] and the reduction of
 * e_rem_pio2.c up to 2^19·π/2), for the same bits in every JavaScript engine (see
 * exp-log.ts). Accurate to under one unit in the last place for |x| ≤ 2^19·π/2 ≈ 823550;
 * beyond that the same reduction goes on and loses accuracy, but not determinism. Nothing in
 * the training core takes angles that large.
 *
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 * Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy, modify,
 * and distribute this software is freely granted, provided that this notice is preserved.
 */
import { fromWords, highWord } from './words.ts';

const S1 = -1.66666666666666324348e-1;
const S2 = 8.33333333332248946124e-3;
const S3 = -1.98412698298579493134e-4;
const S4 = 2.75573137070700676789e-6;
const S5 = -2.50507602534068634195e-8;
const S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x| ≤ π/4, y the tail of x (iy = 0: y is 0). */
function kernelSin(x: number, y: number, iy: number): number {
  if ((highWord(x) & 0x7fffffff) < 0x3e400000) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = 4.16666666666666019037e-2;
const C2 = -1.38888888888741095749e-3;
const C3 = 2.48015872894767294178e-5;
const C4 = -2.75573143513906633035e-7;
const C5 = 2.0875723212981748279e-9;
const C6 = -1.13596475577881948265e-11;

/**
 * cos(x + y) for |x| ≤ π/4. Above 0.3, 1 − x²/2 is computed as (1 − q) − (x²/2 − q) with q
 * about x²/4 (exact differences), which keeps the subtraction accurate.
 */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0);
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-1;
const PIO2_1 = 1.57079632673412561417; // first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // π/2 − PIO2_1
const PIO2_2 = 6.0771005063039659766e-11; // second 33 bits
const PIO2_2T = 2.02226624879595063154e-21;
const PIO2_3 = 2.0222662487111664558e-21; // third 33 bits
const PIO2_3T = 8.47842766036889956997e-32;
/** High words of n·π/2 for n = 1…32: near them, the first reduction step may cancel. */
const NPIO2_HW = [
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb, 0x402c463a,
  0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb, 0x403ab41b, 0x403c463a,
  0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c, 0x4043a28c, 0x40446b9c, 0x404534ac,
  0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
];

/** x = n·π/2 + (y0 + y1) with |y0 + y1| ≤ π/4 for |x| > π/4; returns n, the remainder in `out`. */
function remPio2(x: number, out: Float64Array): number {
  const hx = highWord(x);
  const ix = hx & 0x7fffffff;
  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = ±1, with more bits of π/2 right next to it.
    let z: number;
    if (hx > 0) {
      z = x - PIO2_1;
      if (ix !== 0x3ff921fb) {
        out[0] = z - PIO2_1T;
        out[1] = z - out[0] - PIO2_1T;
      } else {
        z -= PIO2_2;
        out[0] = z - PIO2_2T;
        out[1] = z - out[0] - PIO2_2T;
      }
      return 1;
    }
    z = x + PIO2_1;
    if (ix !== 0x3ff921fb) {
      out[0] = z + PIO2_1T;
      out[1] = z - out[0] + PIO2_1T;
    } else {
      z += PIO2_2;
      out[0] = z + PIO2_2T;
      out[1] = z - out[0] + PIO2_2T;
    }
    return -1;
  }
  // Cody–Waite reduction of |x| with π/2 in three 33-bit pieces.
  const t0 = Math.abs(x);
  const n = Math.trunc(t0 * INV_PIO2 + 0.5);
  let r = t0 - n * PIO2_1;
  let w = n * PIO2_1T;
  if (n < 32 && ix !== NPIO2_HW[n - 1]) {
    out[0] = r - w; // not near a multiple of π/2: no cancellation
  } else {
    const j = ix >> 20;
    out[0] = r - w;
    let i = j - ((highWord(out[0]) >> 20) & 0x7ff);
    if (i > 16) {
      let t = r;
      w = n * PIO2_2;
      r = t - w;
      w = n * PIO2_2T - (t - r - w);
      out[0] = r - w;
      i = j - ((highWord(out[0]) >> 20) & 0x7ff);
      if (i > 49) {
        t = r;
        w = n * PIO2_3;
        r = t - w;
        w = n * PIO2_3T - (t - r - w);
        out[0] = r - w;
      }
    }
  }
  out[1] = r - out[0] - w;
  if (hx < 0) {
    out[0] = -out[0];
    out[1] = -out[1];
    return -n;
  }
  return n;
}

const y = new Float64Array(2);

export function sin(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0); // |x| ≤ π/4
  if (ix >= 0x7ff00000) return NaN;
  const n = remPio2(x, y);
  switch (n & 3) {
    case 0:
      return kernelSin(y[0], y[1], 1);
    case 1:
      return kernelCos(y[0], y[1]);
    case 2:
      return -kernelSin(y[0], y[1], 1);
    default:
      return -kernelCos(y[0], y[1]);
  }
}

export function cos(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0);
  if (ix >= 0x7ff00000) return NaN;
  const n = remPio2(x, y);
  switch (n & 3) {
    case 0:
      return kernelCos(y[0], y[1]);
    case 1:
      return -kernelSin(y[0], y[1], 1);
    case 2:
      return -kernelCos(y[0], y[1]);
    default:
      return kernelSin(y[0], y[1], 1);
  }
}
