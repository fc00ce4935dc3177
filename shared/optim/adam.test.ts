import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, ADAM_DEFAULTS } from './adam.ts';
import { THETA0, param64, param32, run, assertClose } from './testing.ts';

/** Gradients that shrink after step 1, so that AMSGrad's running maximum differs from v. */
const G = [
  [2, -1],
  [0.1, 0.2],
  [0.05, -0.1],
  [1, 1],
];

/**
 * Kingma & Ba's Adam written out: g ← g + λθ (L2), m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − γ·m̂/(√v̂ + ε). AMSGrad as torch implements it keeps
 * the maximum of the raw v and bias-corrects that maximum with the current t.
 */
function reference(lr: number, b1: number, b2: number, eps: number, wd: number, amsgrad: boolean): number[][] {
  const th = [...THETA0];
  const m = [0, 0];
  const v = [0, 0];
  const vmax = [0, 0];
  return G.map((gt, k) => {
    const t = k + 1;
    for (let j = 0; j < 2; j++) {
      const g = gt[j] + wd * th[j];
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      vmax[j] = Math.max(vmax[j], v[j]);
      const mhat = m[j] / (1 - b1 ** t);
      const vhat = (amsgrad ? vmax[j] : v[j]) / (1 - b2 ** t);
      th[j] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
    return [...th];
  });
}

test('defaults are PyTorch Adam defaults', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(ADAM_DEFAULTS)), {
    lr: 0.001,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weight_decay: 0,
    amsgrad: false,
    maximize: false,
    decoupled_weight_decay: false,
  });
});

test('the first step is γ·g/(|g| + ε): the bias corrections undo the zero start', () => {
  const p = param64();
  p.grad.set(G[0]);
  new Adam([p], { lr: 0.1 }).step();
  assert.ok(Math.abs(p.value[0] - (1 - (0.1 * 2) / (2 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-2 + 0.1 / (1 + 1e-8))) < 1e-15);
});

test('Adam over four steps', () => {
  const p = param64();
  const opt = new Adam([p], { lr: 0.1 });
  assertClose(run(opt, p, G), reference(0.1, 0.9, 0.999, 1e-8, 0, false), 1e-12);
  const s = opt.stateOf(0);
  assert.equal(s.step, 4);
  assert.equal(s.max_exp_avg_sq, undefined);
});

test('Adam with L2 weight decay added to the gradient and other betas', () => {
  const p = param64();
  assertClose(
    run(new Adam([p], { lr: 0.05, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1 }), p, G),
    reference(0.05, 0.8, 0.99, 1e-6, 0.1, false),
    1e-12,
  );
});

test('AMSGrad keeps the running maximum of v and differs from Adam once gradients shrink', () => {
  const p = param64();
  const opt = new Adam([p], { lr: 0.1, amsgrad: true, betas: [0.9, 0.9] });
  const got = run(opt, p, G);
  const want = reference(0.1, 0.9, 0.9, 1e-8, 0, true);
  assertClose(got, want, 1e-12);
  const plain = reference(0.1, 0.9, 0.9, 1e-8, 0, false);
  assert.ok(Math.abs(got[2][0] - plain[2][0]) > 1e-3, 'amsgrad should change step 3');
  // element 0 by hand: v = 0.4, 0.36 + 0.001 = 0.361, 0.3249 + 0.00025 = 0.32515, 0.292635 + 0.1 = 0.392635
  const s = opt.stateOf(0);
  assert.ok(Math.abs((s.exp_avg_sq as Float64Array)[0] - 0.392635) < 1e-15);
  assert.ok(Math.abs((s.max_exp_avg_sq as Float64Array)[0] - 0.4) < 1e-15);
});

test('AMSGrad with weight decay', () => {
  const p = param64();
  assertClose(
    run(new Adam([p], { lr: 0.1, amsgrad: true, weight_decay: 0.05 }), p, G),
    reference(0.1, 0.9, 0.999, 1e-8, 0.05, true),
    1e-12,
  );
});

test('maximize ascends', () => {
  const p = param64();
  p.grad.set(G[0]);
  new Adam([p], { lr: 0.1, maximize: true }).step();
  assert.ok(Math.abs(p.value[0] - (1 + (0.1 * 2) / (2 + 1e-8))) < 1e-15);
});

test('decoupled_weight_decay shrinks θ by (1 − γλ) before the step instead of adding λθ to g', () => {
  const p = param64();
  p.grad.set(G[0]);
  new Adam([p], { lr: 0.1, weight_decay: 0.5, decoupled_weight_decay: true }).step();
  // θ₁ = 0.95·θ₀ − 0.1·g/(|g| + ε)
  assert.ok(Math.abs(p.value[0] - (0.95 - (0.1 * 2) / (2 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-1.9 + 0.1 / (1 + 1e-8))) < 1e-15);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  const opt = new Adam([p], { lr: 0.1, amsgrad: true });
  assertClose(run(opt, p, G), reference(0.1, 0.9, 0.999, 1e-8, 0, true), 1e-6);
  assert.ok(opt.stateOf(0).exp_avg instanceof Float32Array);
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [param64()];
  assert.throws(() => new Adam(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new Adam(ps, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
  assert.throws(() => new Adam(ps, { betas: [1, 0.999] }), { message: 'Invalid beta parameter at index 0: 1' });
  assert.throws(() => new Adam(ps, { betas: [0.9, 1.2] }), { message: 'Invalid beta parameter at index 1: 1.2' });
  assert.throws(() => new Adam(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
});
