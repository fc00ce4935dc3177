/**
 * The error function, needed for PyTorch's exact GELU 0.5·x·(1 + erf(x/√2)).
 * W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; the CALERF routine),
 * accurate to about 1e-16 in double precision on the whole line, in three ranges so that no
 * range suffers cancellation: erf directly for |x| ≤ 0.5, erfc = e^(−x²)·R(x) beyond.
 */
import { exp } from '../math/index.ts';

/* eslint-disable no-loss-of-precision -- Cody's coefficients are kept with every printed digit; each parses to its nearest double. */
const A0 = 3.1611237438705656,
  A1 = 113.86415415105016,
  A2 = 377.485237685302,
  A3 = 3209.3775891384695,
  A4 = 0.18577770618460315;
const B0 = 23.601290952344122,
  B1 = 244.02463793444417,
  B2 = 1282.6165260773723,
  B3 = 2844.2368334391706;

const C0 = 0.56418849698867009,
  C1 = 8.8831497943883759,
  C2 = 66.119190637141634,
  C3 = 298.63513819740013;
const C4 = 881.95222124176909,
  C5 = 1712.0476126340706,
  C6 = 2051.0783778260716,
  C7 = 1230.3393547979972,
  C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835,
  D1 = 117.6939508913125,
  D2 = 537.18110186200986,
  D3 = 1621.3895745666902;
const D4 = 3290.7992357334597,
  D5 = 4362.6190901432472,
  D6 = 3439.3676741437216,
  D7 = 1230.3393548037495;

const P0 = 0.30532663496123236,
  P1 = 0.36034489994980445,
  P2 = 0.12578172611122926,
  P3 = 0.016083785148742275;
const P4 = 6.5874916152983678e-4,
  P5 = 0.016315387137302097;
const Q0 = 2.5685201922898682,
  Q1 = 1.8729528499234604,
  Q2 = 0.52790510295142837,
  Q3 = 0.06051834131244132;
const Q4 = 0.0023352049762686918;

/** 1/√π. */
const INV_SQRT_PI = 0.56418958354775628;

/** erfc(|x|)·e^(x²) for |x| > 0.5, the smooth factor of erfc (Cody's second and third ranges). */
function erfcScaled(ax: number): number {
  if (ax <= 4) {
    const num = (((((((C8 * ax + C0) * ax + C1) * ax + C2) * ax + C3) * ax + C4) * ax + C5) * ax + C6) * ax + C7;
    const den = (((((((ax + D0) * ax + D1) * ax + D2) * ax + D3) * ax + D4) * ax + D5) * ax + D6) * ax + D7;
    return num / den;
  }
  const z = 1 / (ax * ax);
  const num = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
  const den = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
  return (INV_SQRT_PI - (z * num) / den) / ax;
}

/** e^(−x²) computed as e^(−t²)·e^(−(x−t)(x+t)) with t = x rounded to 1/16, so the large exponent loses no bits. */
function expNegSquare(ax: number): number {
  const t = Math.trunc(ax * 16) / 16;
  return exp(-t * t) * exp(-(ax - t) * (ax + t));
}

export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.5) {
    const y = x * x;
    return (x * ((((A4 * y + A0) * y + A1) * y + A2) * y + A3)) / ((((y + B0) * y + B1) * y + B2) * y + B3);
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  const r = 1 - expNegSquare(ax) * erfcScaled(ax);
  return x > 0 ? r : -r;
}

/** Complementary error function 1 − erf(x), without cancellation for large x. */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  if (ax <= 0.5) return 1 - erf(x);
  const tail = ax >= 27 ? 0 : expNegSquare(ax) * erfcScaled(ax);
  return x > 0 ? tail : 2 - tail;
}

/**
 * out[i] = Φ(x[i]) = erfc(−x[i]/√2)/2, the standard normal CDF, for i < n. The erfc evaluation is
 * written out inside the loop because a non-inlined call returning a double makes V8 box the
 * result on the heap, and GELU evaluates this millions of times per epoch.
 */
export function normalCdfInto(x: Float32Array | Float64Array, out: Float32Array | Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const z = -x[i] * Math.SQRT1_2;
    const az = Math.abs(z);
    let erfcZ: number;
    if (az <= 0.5) {
      const y = z * z;
      erfcZ = 1 - (z * ((((A4 * y + A0) * y + A1) * y + A2) * y + A3)) / ((((y + B0) * y + B1) * y + B2) * y + B3);
    } else {
      let r: number;
      if (az <= 4) {
        r =
          ((((((((C8 * az + C0) * az + C1) * az + C2) * az + C3) * az + C4) * az + C5) * az + C6) * az + C7) /
          ((((((((az + D0) * az + D1) * az + D2) * az + D3) * az + D4) * az + D5) * az + D6) * az + D7);
      } else if (az < 27) {
        const w = 1 / (az * az);
        r =
          (INV_SQRT_PI -
            (w * (((((P5 * w + P0) * w + P1) * w + P2) * w + P3) * w + P4)) /
              (((((w + Q0) * w + Q1) * w + Q2) * w + Q3) * w + Q4)) /
          az;
      } else {
        r = 0;
      }
      // One exp of −z² suffices here: its rounding is ~z²·1e-16 relative, far below float32's.
      const tail = exp(-az * az) * r;
      erfcZ = z > 0 ? tail : 2 - tail;
    }
    out[i] = 0.5 * erfcZ;
  }
}
