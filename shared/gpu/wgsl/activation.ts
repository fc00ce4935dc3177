/**
 * WGSL of the element-wise nonlinearities, with the CPU layer's definitions (shared/nn/
 * activation.ts, PyTorch's): forward f(x) and backward dy·f′ from the input x or the output y,
 * whichever the CPU differentiates from. GELU is exact, x·Φ(x), with Φ from W. J. Cody's erfc
 * approximation as shared/stats/erf.ts evaluates it, here in float32.
 */
import type { Activation } from '../../schema/types.ts';

/** Activation ids as the kernels' uniforms carry them. */
export const ACT_ID: Readonly<Record<Activation, number>> = {
  identity: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
  leaky_relu: 4,
  gelu: 5,
};

/** Whether backward reads the activation's input (otherwise its output suffices). */
export function needsInput(a: Activation): boolean {
  return a === 'leaky_relu' || a === 'gelu';
}

/** The flat thread index of a one-dimensional kernel dispatched over x and y (see groups1d). */
export const FLAT_INDEX = /* wgsl */ `
fn flatIndex(g: vec3u, n: vec3u) -> u32 { return g.x + g.y * n.x * 256u; }
`;

/** Φ(x) = erfc(−x/√2)/2 (Cody's three ranges) and the activations, `act` an ACT_ID. */
export const ACTIVATIONS_WGSL = /* wgsl */ `
fn phi(x: f32) -> f32 {
  let z = -x * 0.70710678118654752;
  let az = abs(z);
  var e: f32;
  if (az <= 0.5) {
    let y = z * z;
    e = 1.0 - (z * ((((0.18577770618460315 * y + 3.1611237438705656) * y + 113.86415415105016) * y
      + 377.485237685302) * y + 3209.3775891384695)) / ((((y + 23.601290952344122) * y + 244.02463793444417) * y
      + 1282.6165260773723) * y + 2844.2368334391706);
  } else {
    var r: f32 = 0.0;
    if (az <= 4.0) {
      r = ((((((((2.1531153547440383e-8 * az + 0.56418849698867009) * az + 8.8831497943883759) * az
        + 66.119190637141634) * az + 298.63513819740013) * az + 881.95222124176909) * az + 1712.0476126340706) * az
        + 2051.0783778260716) * az + 1230.3393547979972) / ((((((((az + 15.744926110709835) * az + 117.6939508913125) * az
        + 537.18110186200986) * az + 1621.3895745666902) * az + 3290.7992357334597) * az + 4362.6190901432472) * az
        + 3439.3676741437216) * az + 1230.3393548037495);
    } else if (az < 27.0) {
      let w = 1.0 / (az * az);
      r = (0.56418958354775628 - (w * (((((0.016315387137302097 * w + 0.30532663496123236) * w + 0.36034489994980445) * w
        + 0.12578172611122926) * w + 0.016083785148742275) * w + 6.5874916152983678e-4))
        / (((((w + 2.5685201922898682) * w + 1.8729528499234604) * w + 0.52790510295142837) * w + 0.06051834131244132) * w
        + 0.0023352049762686918)) / az;
    }
    let tail = exp(-az * az) * r;
    e = select(2.0 - tail, tail, z > 0.0);
  }
  return 0.5 * e;
}

fn sigm(v: f32) -> f32 {
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

fn actForward(act: u32, v: f32, slope: f32) -> f32 {
  switch act {
    case 1u: { return select(v, 0.0, v <= 0.0); }
    case 2u: { return sigm(v); }
    // Clamped: some drivers form tanh from exp(2x), which overflows; tanh(±15) is ±1 in float32.
    case 3u: { return tanh(clamp(v, -15.0, 15.0)); }
    case 4u: { return select(slope * v, v, v > 0.0); }
    case 5u: { return v * phi(v); }
    default: { return v; }
  }
}

/** dy·f′, from the input x or the output y as the CPU layer differentiates. */
fn actBackward(act: u32, x: f32, y: f32, g: f32, slope: f32) -> f32 {
  switch act {
    case 1u: { return select(g, 0.0, y <= 0.0); }
    case 2u: { return g * y * (1.0 - y); }
    case 3u: { return g * (1.0 - y * y); }
    case 4u: { return select(slope * g, g, x > 0.0); }
    case 5u: { return g * (phi(x) + x * 0.3989422804014327 * exp(-0.5 * x * x)); }
    default: { return g; }
  }
}
`;
