import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from './adam.ts';
import { AdamW, ADAMW_DEFAULTS } from './adamw.ts';
import type { OptParam } from './optimizer.ts';

const THETA0 = [1, -2];
/** A fixed gradient sequence, one row per step. */
const G = [
  [0.5, -1],
  [0.25, 2],
  [-0.75, 0.5],
];

function run(opt: Adam, p: OptParam): number[][] {
  return G.map((g) => {
    p.grad.set(g);
    opt.step();
    return Array.from(p.value);
  });
}

function assertClose(actual: number[][], expected: number[][], tol: number): void {
  for (let t = 0; t < expected.length; t++) {
    for (let j = 0; j < expected[t].length; j++) {
      const d = Math.abs(actual[t][j] - expected[t][j]);
      assert.ok(d <= tol, `step ${t + 1}, element ${j}: got ${actual[t][j]}, expected ${expected[t][j]}`);
    }
  }
}

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

function fresh(): OptParam {
  return { value: Float64Array.from(THETA0), grad: new Float64Array(2) };
}

test('defaults are PyTorch AdamW defaults (weight_decay 1e-2)', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(ADAMW_DEFAULTS)), { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false, maximize: false });
  const opt = new AdamW([fresh()]);
  assert.equal(opt.name, 'adamw');
  assert.equal(opt.defaults.weight_decay, 0.01);
  assert.equal(opt.defaults.decoupled_weight_decay, true);
});

test('first step: θ₁ = θ₀(1 − γλ) − γ·g/(|g| + ε)', () => {
  const p = fresh();
  p.grad.set(G[0]);
  new AdamW([p], { lr: 0.1, weight_decay: 0.2 }).step();
  assert.ok(Math.abs(p.value[0] - (0.98 - (0.1 * 0.5) / (0.5 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-1.96 + 0.1 / (1 + 1e-8))) < 1e-15);
});

test('AdamW over three steps, decoupled decay not fed to the moments', () => {
  const p = fresh();
  const got = run(new AdamW([p], { lr: 0.1, weight_decay: 0.2 }), p);
  assertClose(got, reference([0.1, 0.1, 0.1], 0.9, 0.999, 1e-8, 0.2, false), 1e-12);
  const coupled = fresh();
  const l2 = run(new Adam([coupled], { lr: 0.1, weight_decay: 0.2 }), coupled);
  assert.ok(Math.abs(l2[2][0] - got[2][0]) > 1e-3, 'decoupled and L2 decay must differ');
});

test('the decay uses the learning rate of the current step', () => {
  const p = fresh();
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
  const p: OptParam = { value: Float32Array.from(THETA0), grad: new Float32Array(2) };
  assertClose(run(new AdamW([p], { lr: 0.1 }), p), reference([0.1, 0.1, 0.1], 0.9, 0.999, 1e-8, 0.01, false), 1e-6);
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [fresh()];
  assert.throws(() => new AdamW(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new AdamW(ps, { betas: [0.9, 1] }), { message: 'Invalid beta parameter at index 1: 1' });
  assert.throws(() => new AdamW(ps, { weight_decay: -0.01 }), { message: 'Invalid weight_decay value: -0.01' });
});
