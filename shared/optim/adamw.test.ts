import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from './adam.ts';
import { AdamW, ADAMW_DEFAULTS } from './adamw.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

/**
 * Loshchilov & Hutter's AdamW written out (with torch's γ-scaled decay):
 * θ ← θ(1 − γλ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − γ·m̂/(√v̂ + ε).
 * `lrs` gives γ per step, to check that the decay uses the current γ.
 */
function reference(lrs: number[], b1: number, b2: number, eps: number, wd: number, amsgrad: boolean): number[][] {
  const th = [...THETA0];
  const m = [0, 0];
  const v = [0, 0];
  const vmax = [0, 0];
  return G.map((g, k) => {
    const t = k + 1;
    const lr = lrs[k];
    for (let j = 0; j < 2; j++) {
      th[j] *= 1 - lr * wd;
      m[j] = b1 * m[j] + (1 - b1) * g[j];
      v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
      vmax[j] = Math.max(vmax[j], v[j]);
      const vhat = (amsgrad ? vmax[j] : v[j]) / (1 - b2 ** t);
      th[j] -= (lr * (m[j] / (1 - b1 ** t))) / (Math.sqrt(vhat) + eps);
    }
    return [...th];
  });
}

test('defaults are PyTorch AdamW defaults (weight_decay 1e-2)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(ADAMW_DEFAULTS)), {
    lr: 0.001,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weight_decay: 0.01,
    amsgrad: false,
    maximize: false,
  });
  const opt = new AdamW([param64()]);
  assert.equal(opt.name, 'adamw');
  assert.equal(opt.defaults.weight_decay, 0.01);
  assert.equal(opt.defaults.decoupled_weight_decay, true);
});

test('first step: θ₁ = θ₀(1 − γλ) − γ·g/(|g| + ε)', () => {
  const p = param64();
  p.grad.set(G[0]);
  new AdamW([p], { lr: 0.1, weight_decay: 0.2 }).step();
  assert.ok(Math.abs(p.value[0] - (0.98 - (0.1 * 0.5) / (0.5 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-1.96 + 0.1 / (1 + 1e-8))) < 1e-15);
});

test('AdamW over three steps, decoupled decay not fed to the moments', () => {
  const p = param64();
  const got = run(new AdamW([p], { lr: 0.1, weight_decay: 0.2 }), p);
  assertClose(got, reference([0.1, 0.1, 0.1], 0.9, 0.999, 1e-8, 0.2, false), 1e-12);
  const coupled = param64();
  const l2 = run(new Adam([coupled], { lr: 0.1, weight_decay: 0.2 }), coupled);
  assert.ok(Math.abs(l2[2][0] - got[2][0]) > 1e-3, 'decoupled and L2 decay must differ');
});

test('the decay uses the learning rate of the current step', () => {
  const p = param64();
  const opt = new AdamW([p], { lr: 0.1, weight_decay: 0.2, amsgrad: true, betas: [0.8, 0.9] });
  const lrs = [0.1, 0.05, 0.2];
  const got = G.map((g, k) => {
    opt.lr = lrs[k];
    p.grad.set(g);
    opt.step();
    return Array.from(p.value);
  });
  assertClose(got, reference(lrs, 0.8, 0.9, 1e-8, 0.2, true), 1e-12);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  assertClose(run(new AdamW([p], { lr: 0.1 }), p), reference([0.1, 0.1, 0.1], 0.9, 0.999, 1e-8, 0.01, false), 1e-6);
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [param64()];
  assert.throws(() => new AdamW(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new AdamW(ps, { betas: [0.9, 1] }), { message: 'Invalid beta parameter at index 1: 1' });
  assert.throws(() => new AdamW(ps, { weight_decay: -0.01 }), { message: 'Invalid weight_decay value: -0.01' });
});
