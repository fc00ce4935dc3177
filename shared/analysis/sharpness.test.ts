import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit } from '../train/fit.ts';
import { NetworkLoss, RowsObjective, type Objective } from './objective.ts';
import { boxHalfWidths, epsilonSharpness, sharpnessValue } from './sharpness.ts';

/** L = ½·θᵀAθ + c₀ for a dense symmetric A (row-major). */
function quadratic(A: number[][], c0 = 0): Objective & { evals: number } {
  const n = A.length;
  return {
    dim: n,
    evals: 0,
    value(t) {
      this.evals++;
      let s = c0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += 0.5 * t[i] * A[i][j] * t[j];
      return s;
    },
    valueAndGradient(t, g) {
      for (let i = 0; i < n; i++) {
        g[i] = 0;
        for (let j = 0; j < n; j++) g[i] += A[i][j] * t[j];
      }
      return this.value(t);
    },
  };
}

const scaledIdentity = (n: number, c: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? c : 0)));

test('½·c·‖θ‖²: the maximum sits at the outward corner, and the ascent from a random start reaches it', () => {
  const c = 3,
    x = [0.5, -1.2, 0.1, 2, -0.3];
  const eps = 0.01;
  const r = boxHalfWidths(x, eps);
  const L0 = 0.5 * c * x.reduce((s, v) => s + v * v, 0);
  const Lmax = 0.5 * c * x.reduce((s, v, i) => s + (Math.abs(v) + r[i]) ** 2, 0);
  const exact = sharpnessValue(L0, Lmax);
  assert.ok(exact > 0);
  const f = quadratic(scaledIdentity(5, c));
  for (const [name, opts] of [
    ['random start only', { cornerStart: false, randomStarts: 1 }],
    ['corner start only', { cornerStart: true, randomStarts: 0 }],
  ] as const) {
    const [est] = epsilonSharpness(f, x, [eps], { ...opts, rng: new Rng(7) });
    assert.ok(Math.abs(est.sharpness - exact) <= 1e-10 * exact, `${name}: ${est.sharpness} vs ${exact}`);
    assert.equal(est.baseLoss, L0);
  }
});

test('a linear loss aᵀθ: the box is what stops the ascent, at Σ|aᵢ|·rᵢ above L(x)', () => {
  const a = [2, -1, 0.5, -3];
  const f: Objective = {
    dim: 4,
    value: (t) => 5 + a.reduce((s, ai, i) => s + ai * t[i], 0),
    valueAndGradient(t, g) {
      g.set(a);
      return this.value(t);
    },
  };
  const x = [1, 2, -1, 0];
  const eps = 0.05;
  const r = boxHalfWidths(x, eps);
  const L0 = f.value(x);
  const exact = sharpnessValue(L0, L0 + a.reduce((s, ai, i) => s + Math.abs(ai) * r[i], 0));
  const [est] = epsilonSharpness(f, x, [eps], { rng: new Rng(1), cornerStart: false, randomStarts: 3 });
  assert.ok(Math.abs(est.sharpness - exact) <= 1e-12 * exact, `${est.sharpness} vs ${exact}`);
});

test('a convex quadratic with couplings: a lower bound of the vertex maximum, and close to it', () => {
  const rng = new Rng(3);
  const n = 6;
  const B = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
  const A = B.map((_, i) => B.map((__, j) => B[i].reduce((s, v, k) => s + v * B[j][k], 0)));
  const x = Array.from({ length: n }, () => rng.normal(0, 0.5));
  const f = quadratic(A, 1);
  const eps = 0.05;
  const r = boxHalfWidths(x, eps);
  // A convex function's maximum over a box is at one of its 2ⁿ vertices.
  let best = -Infinity;
  for (let mask = 0; mask < 1 << n; mask++)
    best = Math.max(best, f.value(x.map((v, i) => v + (mask & (1 << i) ? r[i] : -r[i]))));
  const exact = sharpnessValue(f.value(x), best);
  const [est] = epsilonSharpness(f, x, [eps], { rng: new Rng(4) });
  assert.ok(est.sharpness <= exact * (1 + 1e-12), `${est.sharpness} > ${exact}`);
  assert.ok(est.sharpness >= 0.98 * exact, `${est.sharpness} far below ${exact}`);
});

test('budget: one shared gradient at x, then steps + 1 passes per start and ε', () => {
  const f = quadratic(scaledIdentity(3, 1));
  const est = epsilonSharpness(f, [1, 1, 1], [0.1, 0.2], { rng: new Rng(1), steps: 10, randomStarts: 1 });
  assert.deepEqual(
    est.map((e) => e.evaluations),
    [22, 22],
  );
  assert.equal(f.evals, 1 + 44);
  const none = epsilonSharpness(f, [1, 1, 1], [0.1], { rng: new Rng(1), cornerStart: false, randomStarts: 0 });
  assert.equal(none[0].sharpness, 0);
});

test('a wider box keeps what a narrower one found (a narrow peak the wide search would miss)', () => {
  // L(θ) = exp(−(θ − 0.05)²/(2·0.02²)) in one dimension, at x = 0: the peak lies in the ε = 0.06
  // box, while the ε = 1 box's corner start sits where the gradient underflows to 0.
  const peak = (t: number) => Math.exp(-((t - 0.05) ** 2) / (2 * 0.02 ** 2));
  const f: Objective = {
    dim: 1,
    value: (t) => peak(t[0]),
    valueAndGradient(t, g) {
      g[0] = (-(t[0] - 0.05) / 0.02 ** 2) * peak(t[0]);
      return peak(t[0]);
    },
  };
  const opts = { rng: new Rng(1), randomStarts: 0 };
  const [alone] = epsilonSharpness(f, [0], [1], opts);
  const [narrow, wide] = epsilonSharpness(f, [0], [0.06, 1], opts);
  assert.ok(narrow.maxLoss > 0.99, `narrow box: ${narrow.maxLoss}`);
  assert.ok(alone.maxLoss < 0.5, `wide box alone: ${alone.maxLoss}`);
  assert.equal(wide.maxLoss, narrow.maxLoss);
});

function trainedObjective(batchSize: number) {
  const data = makeMoons({ samples: 160, noise: 0.25 }, new Rng(6));
  const rows = Uint32Array.from({ length: 160 }, (_, i) => i);
  const model = { kind: 'mlp' as const, hidden: [16], activation: 'relu' as const, batchNorm: true };
  const r = fit({
    data,
    train: rows,
    evals: { train: rows },
    seed: 2,
    config: {
      model,
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
      training: { epochs: 15, batchSize },
    },
  });
  const net = new NetworkLoss(
    { model, loss: { kind: 'cross_entropy' }, data, standardizer: r.standardizer, outDim: r.outDim },
    r.state,
  );
  return { f: new RowsObjective(net, rows), x: net.params() };
}

test('trained MLP: ≥ 0, never decreasing in ε whatever order ε are given in, same seed same numbers', () => {
  const { f, x } = trainedObjective(16);
  const epsilons = [1e-3, 5e-4, 1e-2, 1e-4];
  const a = epsilonSharpness(f, x, epsilons, { rng: new Rng(12) });
  const b = epsilonSharpness(f, x, epsilons, { rng: new Rng(12) });
  assert.deepEqual(a, b);
  assert.deepEqual(
    a.map((e) => e.epsilon),
    epsilons,
  );
  const byEps = [...a].sort((p, q) => p.epsilon - q.epsilon);
  for (let i = 0; i < byEps.length; i++) {
    assert.ok(byEps[i].sharpness >= 0, `ε ${byEps[i].epsilon}: ${byEps[i].sharpness}`);
    if (i > 0)
      assert.ok(byEps[i].sharpness >= byEps[i - 1].sharpness, `ε ${byEps[i].epsilon} below ε ${byEps[i - 1].epsilon}`);
  }
  // A box 100× wider must reveal a real increase, not only the carried-over value.
  assert.ok(byEps[3].sharpness > 10 * byEps[0].sharpness, `${byEps[3].sharpness} vs ${byEps[0].sharpness}`);
});

test('invalid ε and options are refused', () => {
  const f = quadratic(scaledIdentity(2, 1));
  assert.throws(() => epsilonSharpness(f, [0, 0], [0], { rng: new Rng(1) }), /ε/);
  assert.throws(() => epsilonSharpness(f, [0, 0], [Number.NaN], { rng: new Rng(1) }), /ε/);
  assert.throws(() => epsilonSharpness(f, [0, 0], [0.1], { rng: new Rng(1), steps: 1.5 }), /steps/);
  assert.throws(() => epsilonSharpness(f, [0], [0.1], { rng: new Rng(1) }), /x has 1/);
});
