import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adadelta, ADADELTA_DEFAULTS } from './adadelta.ts';
import type { OptParam } from './optimizer.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

/** Zeiler's Adadelta with torch's γ and λ: v ← ρv + (1−ρ)g², Δ = √(u+ε)/√(v+ε)·g, u ← ρu + (1−ρ)Δ², θ ← θ − γΔ. */
function reference(lr: number, rho: number, eps: number, wd: number): number[][] {
  const th = [...THETA0];
  const v = [0, 0];
  const u = [0, 0];
  return G.map((gt) => {
    for (let j = 0; j < 2; j++) {
      const g = gt[j] + wd * th[j];
      v[j] = rho * v[j] + (1 - rho) * g * g;
      const delta = (Math.sqrt(u[j] + eps) / Math.sqrt(v[j] + eps)) * g;
      u[j] = rho * u[j] + (1 - rho) * delta * delta;
      th[j] -= lr * delta;
    }
    return [...th];
  });
}

test('defaults are PyTorch Adadelta defaults', () => {
  assert.deepEqual({ ...ADADELTA_DEFAULTS }, { lr: 1, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false });
});

test('first step is √ε/√(0.1g² + ε)·g with the defaults', () => {
  const p = param64();
  p.grad.set(G[0]);
  const opt = new Adadelta([p]);
  opt.step();
  const d0 = (Math.sqrt(1e-6) / Math.sqrt(0.1 * 0.25 + 1e-6)) * 0.5;
  assert.ok(Math.abs(p.value[0] - (1 - d0)) < 1e-15);
  const s = opt.stateOf(0);
  assert.ok(Math.abs((s.square_avg as Float64Array)[0] - 0.025) < 1e-15);
  assert.ok(Math.abs((s.acc_delta as Float64Array)[0] - 0.1 * d0 * d0) < 1e-18);
});

test('default Adadelta over three steps', () => {
  const p = param64();
  assertClose(run(new Adadelta([p]), p), reference(1, 0.9, 1e-6, 0), 1e-12);
});

test('lr, rho, eps and weight decay', () => {
  const p = param64();
  const opt = new Adadelta([p], { lr: 0.5, rho: 0.8, eps: 1e-3, weight_decay: 0.1 });
  assertClose(run(opt, p), reference(0.5, 0.8, 1e-3, 0.1), 1e-12);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  assertClose(run(new Adadelta([p], { eps: 1e-3 }), p), reference(1, 0.9, 1e-3, 0), 1e-6);
});

test('constructor errors carry PyTorch messages', () => {
  const ps: OptParam[] = [{ value: new Float64Array(1), grad: new Float64Array(1) }];
  assert.throws(() => new Adadelta(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new Adadelta(ps, { rho: 1.5 }), { message: 'Invalid rho value: 1.5' });
  assert.throws(() => new Adadelta(ps, { rho: -0.1 }), { message: 'Invalid rho value: -0.1' });
  assert.throws(() => new Adadelta(ps, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
  assert.throws(() => new Adadelta(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
  new Adadelta(ps, { rho: 1 });
});
