import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adagrad, ADAGRAD_DEFAULTS } from './adagrad.ts';
import type { OptParam } from './optimizer.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

/** Adagrad written out: g ← g + λθ, s ← s + g², θ ← θ − γ/(1 + (t−1)η) · g/(√s + ε). */
function reference(lr: number, lrDecay: number, wd: number, s0: number, eps: number): number[][] {
  const th = [...THETA0];
  const s = [s0, s0];
  return G.map((gt, k) => {
    const t = k + 1;
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let j = 0; j < 2; j++) {
      const g = gt[j] + wd * th[j];
      s[j] += g * g;
      th[j] -= (clr * g) / (Math.sqrt(s[j]) + eps);
    }
    return [...th];
  });
}

test('defaults are PyTorch Adagrad defaults', () => {
  assert.deepEqual(
    { ...ADAGRAD_DEFAULTS },
    { lr: 0.01, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
  );
});

test('first step from a zero accumulator moves each coordinate by about γ·sign(g)', () => {
  const p = param64();
  p.grad.set(G[0]);
  new Adagrad([p], { lr: 0.1 }).step();
  // s = g², so θ₁ = θ₀ − 0.1·g/(|g| + 1e-10)
  assert.ok(Math.abs(p.value[0] - (1 - (0.1 * 0.5) / (0.5 + 1e-10))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-2 + 0.1 / (1 + 1e-10))) < 1e-15);
});

test('plain Adagrad over three steps', () => {
  const p = param64();
  assertClose(run(new Adagrad([p], { lr: 0.1 }), p), reference(0.1, 0, 0, 0, 1e-10), 1e-12);
});

test('lr_decay, initial accumulator and weight decay', () => {
  const p = param64();
  const opt = new Adagrad([p], {
    lr: 0.1,
    lr_decay: 0.5,
    initial_accumulator_value: 0.1,
    weight_decay: 0.1,
    eps: 1e-10,
  });
  const got = run(opt, p);
  assertClose(got, reference(0.1, 0.5, 0.1, 0.1, 1e-10), 1e-12);
  // step 1, element 0 by hand: g = 0.5 + 0.1 = 0.6, s = 0.1 + 0.36 = 0.46, clr = 0.1
  assert.ok(Math.abs(got[0][0] - (1 - 0.06 / (Math.sqrt(0.46) + 1e-10))) < 1e-15);
  assert.equal(opt.stateOf(0).step, 3);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  const opt = new Adagrad([p], { lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 0.1 });
  assertClose(run(opt, p), reference(0.1, 0.5, 0, 0.1, 1e-10), 1e-6);
  assert.ok(opt.stateOf(0).sum instanceof Float32Array);
});

test('constructor errors carry PyTorch messages', () => {
  const ps: OptParam[] = [{ value: new Float64Array(1), grad: new Float64Array(1) }];
  assert.throws(() => new Adagrad(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new Adagrad(ps, { lr_decay: -1 }), { message: 'Invalid lr_decay value: -1' });
  assert.throws(() => new Adagrad(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
  assert.throws(() => new Adagrad(ps, { initial_accumulator_value: -1 }), {
    message: 'Invalid initial_accumulator_value value: -1',
  });
  assert.throws(() => new Adagrad(ps, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
});
