import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD, SGD_DEFAULTS } from './sgd.ts';
import type { OptParam } from './optimizer.ts';
import { THETA0, G, param64, param32, run, assertClose } from './testing.ts';

test('defaults are PyTorch 2.x SGD defaults', () => {
  assert.deepEqual(
    { ...SGD_DEFAULTS },
    { lr: 0.001, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
  );
  const opt = new SGD([param64()]);
  assert.equal(opt.lr, 0.001);
  assert.equal(opt.name, 'sgd');
});

test('plain SGD: θ ← θ − γg, values worked out by hand', () => {
  const p = param64();
  // γ = 0.1: [1, −2] → [0.95, −1.9] → [0.925, −2.1] → [1.0, −2.15]
  assertClose(
    run(new SGD([p], { lr: 0.1 }), p),
    [
      [0.95, -1.9],
      [0.925, -2.1],
      [1, -2.15],
    ],
    1e-12,
  );
});

test('momentum: the buffer starts as the first gradient, dampening only from step 2 on', () => {
  const p = param64();
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
  p.grad.set(G[0]);
  opt.step();
  // b₁ = g₁ exactly (a clone, not (1 − τ)g₁)
  assert.deepEqual(Array.from(opt.stateOf(0).momentum_buffer as Float64Array), [0.5, -1]);
  // element 0 by hand: b = 0.5, 0.9·0.5 + 0.5·0.25 = 0.575, 0.9·0.575 − 0.5·0.75 = 0.1425
  //                    θ = 1 − 0.05 = 0.95, 0.95 − 0.0575 = 0.8925, 0.8925 − 0.01425 = 0.87825
  // element 1 by hand: b = −1, −0.9 + 1 = 0.1, 0.09 + 0.25 = 0.34
  //                    θ = −1.9, −1.91, −1.944
  assert.deepEqual(Array.from(p.value), [0.95, -1.9]);
  const rest = run(opt, p, G.slice(1));
  assertClose(
    rest,
    [
      [0.8925, -1.91],
      [0.87825, -1.944],
    ],
    1e-12,
  );
  const b = opt.stateOf(0).momentum_buffer as Float64Array;
  assertClose([Array.from(b)], [[0.1425, 0.34]], 1e-12);
});

test('nesterov with weight decay follows the recurrence g ← g + λθ, b ← μb + g, θ ← θ − γ(g + μb)', () => {
  const lr = 0.05,
    mu = 0.9,
    wd = 0.1;
  const p = param64();
  const got = run(new SGD([p], { lr, momentum: mu, nesterov: true, weight_decay: wd }), p);
  const th = [...THETA0];
  const b = [0, 0];
  const want: number[][] = [];
  for (let t = 0; t < G.length; t++) {
    for (let j = 0; j < 2; j++) {
      const g = G[t][j] + wd * th[j];
      b[j] = t === 0 ? g : mu * b[j] + g;
      th[j] -= lr * (g + mu * b[j]);
    }
    want.push([...th]);
  }
  assertClose(got, want, 1e-12);
  // first step by hand, element 0: g = 0.5 + 0.1 = 0.6, b = 0.6, θ = 1 − 0.05·(0.6 + 0.54) = 0.943
  assert.ok(Math.abs(got[0][0] - 0.943) < 1e-12);
});

test('weight decay without momentum and maximize', () => {
  const p = param64();
  // maximize: g ← −∇ + λθ. Step 1, element 0: −0.5 + 0.2·1 = −0.3 → θ = 1 + 0.03 = 1.03
  const got = run(new SGD([p], { lr: 0.1, weight_decay: 0.2, maximize: true }), p);
  const th = [...THETA0];
  const want = G.map((g) => {
    for (let j = 0; j < 2; j++) th[j] -= 0.1 * (-g[j] + 0.2 * th[j]);
    return [...th];
  });
  assertClose(got, want, 1e-12);
  assert.ok(Math.abs(got[0][0] - 1.03) < 1e-12);
});

test('a learning rate changed between steps scales the whole momentum buffer (torch convention)', () => {
  const p: OptParam = { value: Float64Array.of(0), grad: Float64Array.of(1) };
  const opt = new SGD([p], { lr: 0.1, momentum: 0.5 });
  opt.step(); // b = 1, θ = −0.1
  opt.lr = 0.01;
  opt.step(); // b = 1.5, θ = −0.1 − 0.015
  assert.ok(Math.abs(p.value[0] - -0.115) < 1e-15);
});

test('float32 params follow the float64 recurrence to float32 precision', () => {
  const p = param32();
  const opt = new SGD([p], { lr: 0.05, momentum: 0.9, nesterov: true });
  const got = run(opt, p);
  const th = [...THETA0];
  const b = [0, 0];
  const want = G.map((gt, t) => {
    for (let j = 0; j < 2; j++) {
      b[j] = t === 0 ? gt[j] : 0.9 * b[j] + gt[j];
      th[j] -= 0.05 * (gt[j] + 0.9 * b[j]);
    }
    return [...th];
  });
  assertClose(got, want, 1e-6);
  assert.ok(opt.stateOf(0).momentum_buffer instanceof Float32Array);
});

test('state is allocated once and reused; no buffer without momentum', () => {
  const p = param64();
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  p.grad.set(G[0]);
  opt.step();
  const b = opt.stateOf(0).momentum_buffer;
  opt.step();
  opt.step();
  assert.equal(opt.stateOf(0).momentum_buffer, b);
  const plain = new SGD([param64()], { lr: 0.1 });
  plain.step();
  assert.deepEqual(plain.stateOf(0), {});
});

test('constructor errors carry PyTorch messages', () => {
  const ps = [param64()];
  assert.throws(() => new SGD(ps, { lr: -1 }), { message: 'Invalid learning rate: -1' });
  assert.throws(() => new SGD(ps, { momentum: -0.5 }), { message: 'Invalid momentum value: -0.5' });
  assert.throws(() => new SGD(ps, { weight_decay: -1 }), { message: 'Invalid weight_decay value: -1' });
  assert.throws(() => new SGD(ps, { nesterov: true }), {
    message: 'Nesterov momentum requires a momentum and zero dampening',
  });
  assert.throws(() => new SGD(ps, { nesterov: true, momentum: 0.9, dampening: 0.1 }), {
    message: 'Nesterov momentum requires a momentum and zero dampening',
  });
  new SGD(ps, { lr: 0 });
});
