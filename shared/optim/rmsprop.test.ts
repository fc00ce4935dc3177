import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RMSprop, RMSPROP_DEFAULTS } from './rmsprop.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

/**
 * RMSprop written out: v ← αv + (1−α)g²; centered: ḡ ← αḡ + (1−α)g, d = √(v − ḡ²) + ε, else
 * d = √v + ε; momentum: b ← μb + g/d, θ ← θ − γb, else θ ← θ − γg/d. All state starts at 0.
 */
function reference(lr: number, alpha: number, eps: number, wd: number, mu: number, centered: boolean): number[][] {
  const th = [...THETA0];
  const v = [0, 0];
  const gbar = [0, 0];
  const b = [0, 0];
  return G.map((gt) => {
    for (let j = 0; j < 2; j++) {
      const g = gt[j] + wd * th[j];
      v[j] = alpha * v[j] + (1 - alpha) * g * g;
      let d: number;
      if (centered) {
        gbar[j] = alpha * gbar[j] + (1 - alpha) * g;
        d = Math.sqrt(v[j] - gbar[j] * gbar[j]) + eps;
      } else {
        d = Math.sqrt(v[j]) + eps;
      }
      if (mu > 0) {
        b[j] = mu * b[j] + g / d;
        th[j] -= lr * b[j];
      } else {
        th[j] -= (lr * g) / d;
      }
    }
    return [...th];
  });
}

test('defaults are PyTorch RMSprop defaults', () => {
  assert.deepEqual(
    { ...RMSPROP_DEFAULTS },
    { lr: 0.01, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
  );
});

test('first plain step divides by √(0.01g²) = 0.1|g|', () => {
  const p = param64();
  p.grad.set(G[0]);
  new RMSprop([p]).step();
  // θ₁ = θ₀ − 0.01·g/(0.1|g| + 1e-8) ≈ θ₀ − 0.1·sign(g)
  assert.ok(Math.abs(p.value[0] - (1 - (0.01 * 0.5) / (0.05 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(p.value[1] - (-2 + 0.01 / (0.1 + 1e-8))) < 1e-15);
});

test('plain RMSprop over three steps', () => {
  const p = param64();
  assertClose(run(new RMSprop([p]), p), reference(0.01, 0.99, 1e-8, 0, 0, false), 1e-12);
});

test('centered RMSprop divides by the running standard deviation', () => {
  const p = param64();
  const opt = new RMSprop([p], { lr: 0.01, alpha: 0.9, centered: true });
  const got = run(opt, p);
  assertClose(got, reference(0.01, 0.9, 1e-8, 0, 0, true), 1e-12);
  // step 1, element 0: v = 0.025, ḡ = 0.05, d = √(0.025 − 0.0025) = √0.0225 = 0.15
  assert.ok(Math.abs(got[0][0] - (1 - (0.01 * 0.5) / (0.15 + 1e-8))) < 1e-12);
  assert.ok((opt.stateOf(0).grad_avg as Float64Array) instanceof Float64Array);
});

test('RMSprop with momentum: the buffer starts at 0, so b₁ = g/d', () => {
  const p = param64();
  const opt = new RMSprop([p], { lr: 0.01, momentum: 0.9 });
  assertClose(run(opt, p), reference(0.01, 0.99, 1e-8, 0, 0.9, false), 1e-12);
  assert.equal(opt.stateOf(0).step, 3);
});

test('centered RMSprop with momentum and weight decay', () => {
  const p = param64();
  const opt = new RMSprop([p], { lr: 0.02, alpha: 0.95, eps: 1e-6, momentum: 0.5, centered: true, weight_decay: 0.1 });
  assertClose(run(opt, p), reference(0.02, 0.95, 1e-6, 0.1, 0.5, true), 1e-12);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  const opt = new RMSprop([p], { lr: 0.01, momentum: 0.9, centered: true });
  assertClose(run(opt, p), reference(0.01, 0.99, 1e-8, 0, 0.9, true), 1e-6);
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [param64()];
  assert.throws(() => new RMSprop(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new RMSprop(ps, { eps: -1 }), { message: 'Invalid epsilon value: -1' });
  assert.throws(() => new RMSprop(ps, { momentum: -1 }), { message: 'Invalid momentum value: -1' });
  assert.throws(() => new RMSprop(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
  assert.throws(() => new RMSprop(ps, { alpha: -1 }), { message: 'Invalid alpha value: -1' });
});
