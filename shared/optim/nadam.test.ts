import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAdam, NADAM_DEFAULTS, nadamMu } from './nadam.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

/** Π_{i=1..n} μ_i with μ_i = β₁(1 − ½·0.96^(iψ)). */
function muProd(b1: number, psi: number, n: number): number {
  let prod = 1;
  for (let i = 1; i <= n; i++) prod *= b1 * (1 - 0.5 * 0.96 ** (i * psi));
  return prod;
}

/**
 * NAdam as torch's documentation states it: g ← g + λθ (or θ ← θ(1 − γλ) when decoupled),
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * m̂ = μ_{t+1}m/(1 − Π_{i≤t+1}μ_i) + (1 − μ_t)g/(1 − Π_{i≤t}μ_i), v̂ = v/(1 − β₂ᵗ),
 * θ ← θ − γ·m̂/(√v̂ + ε).
 */
function reference(
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
  psi: number,
  decoupled: boolean,
): number[][] {
  const th = [...THETA0];
  const m = [0, 0];
  const v = [0, 0];
  return G.map((gt, k) => {
    const t = k + 1;
    const muT = b1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    for (let j = 0; j < 2; j++) {
      if (decoupled) th[j] *= 1 - lr * wd;
      const g = gt[j] + (decoupled ? 0 : wd * th[j]);
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      const mhat = (muNext * m[j]) / (1 - muProd(b1, psi, t + 1)) + ((1 - muT) * g) / (1 - muProd(b1, psi, t));
      const vhat = v[j] / (1 - b2 ** t);
      th[j] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
    return [...th];
  });
}

test('defaults are PyTorch NAdam defaults', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(NADAM_DEFAULTS)), {
    lr: 0.002,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weight_decay: 0,
    momentum_decay: 0.004,
    decoupled_weight_decay: false,
    maximize: false,
  });
});

test('μ_t = β₁(1 − ½·0.96^(tψ)) and mu_product is their running product', () => {
  // Values computed separately in Python for β₁ = 0.9, ψ = 4e-3.
  assert.ok(Math.abs(nadamMu(0.9, 0.004, 1) - 0.45007347359129607) < 1e-15);
  assert.ok(Math.abs(nadamMu(0.9, 0.004, 3) - 0.45022038478672294) < 1e-15);
  const p = param64();
  const opt = new NAdam([p]);
  run(opt, p);
  assert.ok(Math.abs((opt.stateOf(0).mu_product as number) - 0.0912142874159059) < 1e-15);
  assert.equal(opt.stateOf(0).step, 3);
});

test('NAdam with defaults over three steps', () => {
  const p = param64();
  assertClose(run(new NAdam([p]), p), reference(0.002, 0.9, 0.999, 1e-8, 0, 0.004, false), 1e-12);
});

test('NAdam with L2 weight decay, other betas and a faster momentum schedule', () => {
  const p = param64();
  const opt = new NAdam([p], { lr: 0.1, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1, momentum_decay: 0.5 });
  assertClose(run(opt, p), reference(0.1, 0.8, 0.99, 1e-6, 0.1, 0.5, false), 1e-12);
});

test('NAdam with decoupled weight decay (NAdamW)', () => {
  const p = param64();
  const opt = new NAdam([p], { lr: 0.1, weight_decay: 0.1, decoupled_weight_decay: true });
  assertClose(run(opt, p), reference(0.1, 0.9, 0.999, 1e-8, 0.1, 0.004, true), 1e-12);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  const opt = new NAdam([p], { lr: 0.1 });
  assertClose(run(opt, p), reference(0.1, 0.9, 0.999, 1e-8, 0, 0.004, false), 1e-6);
  const mp = opt.stateOf(0).mu_product as number;
  assert.equal(mp, Math.fround(mp), 'mu_product is kept in float32 like torch’s default-dtype scalar');
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [param64()];
  assert.throws(() => new NAdam(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new NAdam(ps, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
  assert.throws(() => new NAdam(ps, { betas: [-0.1, 0.999] }), { message: 'Invalid beta parameter at index 0: -0.1' });
  assert.throws(() => new NAdam(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
  assert.throws(() => new NAdam(ps, { momentum_decay: -1 }), { message: 'Invalid momentum_decay value: -1' });
});
