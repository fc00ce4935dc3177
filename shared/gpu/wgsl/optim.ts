/**
 * WGSL of the optimizers' updates, one thread per value, term by term the single-tensor
 * code paths of torch.optim that shared/optim follows (see each `*Update` there for the
 * formulas). The host computes what depends only on the step (γ, bias corrections, NAdam's
 * μ products) in double precision each step and passes it in the step uniform; the values'
 * own arithmetic is float32 here, where the CPU rounds from double: results agree to about
 * one float32 rounding per step.
 *
 * Every update first adds the weight penalty's gradient l2·θ + l1·sign(θ) (zero for biases and
 * batch-norm terms, as shared/train/penalty.ts), and does nothing once the loss has diverged.
 *
 * Hyperparameters h0…h2, their complements k0 = 1 − h0 and k1 = 1 − h1 (taken in double on the
 * host: 1 − β₂ from a float32 β₂ = 0.999 would be off by 1e-5), and flags f0, f1 per optimizer:
 *   sgd       h0 μ, h1 τ (dampening)                  f0 momentum on, f1 nesterov
 *   adagrad   h0 ε                                     step c0 = γ/(1 + (t−1)η)
 *   adadelta  h0 ρ, h1 ε
 *   rmsprop   h0 α, h1 ε, h2 μ                        f0 centered
 *   adam      h0 β₁, h1 β₂, h2 ε                      f0 amsgrad; step c0 = γ/(1−β₁ᵗ), c1 = √(1−β₂ᵗ), c2 = shrink
 *   nadam     h0 β₁, h1 β₂, h2 ε                      step c0 = 1−β₂ᵗ, c1 = cg, c2 = cm, c3 = shrink
 */
import type { OptimizerName } from '../../optim/registry.ts';

/**
 * The state tensors each optimizer binds (at 5, 6, 7), by torch's names; `used` says which
 * exist for these options (the others are bound to a placeholder and never touched).
 */
export function optimizerStates(
  name: OptimizerName,
  o: { momentum?: number; centered?: boolean; amsgrad?: boolean },
): { names: string[]; used: boolean[] } {
  switch (name) {
    case 'sgd':
      return { names: ['momentum_buffer'], used: [(o.momentum ?? 0) !== 0] };
    case 'adagrad':
      return { names: ['sum'], used: [true] };
    case 'adadelta':
      return { names: ['square_avg', 'acc_delta'], used: [true, true] };
    case 'rmsprop':
      return {
        names: ['square_avg', 'grad_avg', 'momentum_buffer'],
        used: [true, !!o.centered, (o.momentum ?? 0) > 0],
      };
    case 'adam':
    case 'adamw':
      return { names: ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'], used: [true, true, !!o.amsgrad] };
    case 'nadam':
      return { names: ['exp_avg', 'exp_avg_sq'], used: [true, true] };
  }
}

/** The element update of each optimizer; th is θ after the penalty, g0 the penalized gradient. */
const BODY: Record<OptimizerName, string> = {
  sgd: `
  let g = h.sign * g0 + h.wd * th;
  if (h.f0 == 0u) { value[i] = th - st.lr * g; return; }
  let b = select(h.h0 * s0[i] + h.k1 * g, g, st.first != 0u);
  s0[i] = b;
  value[i] = th - st.lr * select(b, g + h.h0 * b, h.f1 != 0u);`,
  adagrad: `
  let g = h.sign * g0 + h.wd * th;
  let s = s0[i] + g * g;
  s0[i] = s;
  value[i] = th - st.c0 * (g / (sqrt(s) + h.h0));`,
  adadelta: `
  let g = h.sign * g0 + h.wd * th;
  let v = h.h0 * s0[i] + h.k0 * (g * g);
  s0[i] = v;
  let u = s1[i];
  let delta = (sqrt(u + h.h1) / sqrt(v + h.h1)) * g;
  s1[i] = h.h0 * u + h.k0 * (delta * delta);
  value[i] = th - st.lr * delta;`,
  rmsprop: `
  let g = h.sign * g0 + h.wd * th;
  let v = h.h0 * s0[i] + h.k0 * (g * g);
  s0[i] = v;
  var d: f32;
  if (h.f0 != 0u) {
    let m = lerp(s1[i], g, h.k0);
    s1[i] = m;
    d = sqrt(v - m * m) + h.h1;
  } else {
    d = sqrt(v) + h.h1;
  }
  if (h.h2 > 0.0) {
    let b = h.h2 * s2[i] + g / d;
    s2[i] = b;
    value[i] = th - st.lr * b;
  } else {
    value[i] = th - st.lr * (g / d);
  }`,
  adam: `
  let th2 = st.c2 * th;
  let g = h.sign * g0 + h.wd * th2;
  let m = lerp(s0[i], g, h.k0);
  s0[i] = m;
  var v = h.h1 * s1[i] + h.k1 * (g * g);
  s1[i] = v;
  if (h.f0 != 0u) {
    v = max(s2[i], v);
    s2[i] = v;
  }
  let d = sqrt(v) / st.c1 + h.h2;
  value[i] = th2 - st.c0 * (m / d);`,
  adamw: '',
  nadam: `
  let th2 = st.c3 * th;
  let g = h.sign * g0 + h.wd * th2;
  let m = lerp(s0[i], g, h.k0);
  s0[i] = m;
  let v = h.h1 * s1[i] + h.k1 * (g * g);
  s1[i] = v;
  let d = sqrt(v / st.c0) + h.h2;
  value[i] = th2 + st.c1 * (g / d) + st.c2 * (m / d);`,
};
BODY.adamw = BODY.adam;

/**
 * WGSL of one optimizer's update over the n values of a tensor. Bindings: 0 hyperparameters,
 * 1 step uniform, 2 θ, 3 ∇, 4 status, 5… state tensors. `wd` is the L2 added to the gradient
 * (0 when decoupled: then the step's shrink factor applies it).
 */
export function optimizerWgsl(name: OptimizerName, states: number): string {
  const decls = Array.from(
    { length: states },
    (_, k) => `@group(0) @binding(${5 + k}) var<storage, read_write> s${k}: array<f32>;`,
  ).join('\n');
  return /* wgsl */ `
struct H { n: u32, l1: f32, l2: f32, sign: f32, wd: f32, h0: f32, h1: f32, h2: f32, k0: f32, k1: f32, f0: u32, f1: u32 }
struct S { t: u32, slot: u32, lr: f32, c0: f32, c1: f32, c2: f32, c3: f32, first: u32 }
@group(0) @binding(0) var<uniform> h: H;
@group(0) @binding(1) var<uniform> st: S;
@group(0) @binding(2) var<storage, read_write> value: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read> status: array<u32>;
${decls}
/** torch.lerp(a, b, w), from the nearer end. */
fn lerp(a: f32, b: f32, w: f32) -> f32 {
  if (abs(w) < 0.5) { return a + w * (b - a); }
  return b - (b - a) * (1.0 - w);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gid.x + gid.y * nw.x * 256u;
  if (i >= h.n || status[0] != 0u) { return; }
  let th = value[i];
  let g0 = grad[i] + (h.l2 * th + select(select(0.0, -h.l1, th < 0.0), h.l1, th > 0.0));
${BODY[name]}
}
`;
}
