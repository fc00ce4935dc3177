import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../data/dataset.ts';
import { makeBlobs, makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit } from '../train/fit.ts';
import type { Activation, LossSpec, ModelSpec } from '../schema/types.ts';
import { buildModel } from '../nn/model.ts';
import { finiteDifferenceHvp } from './hessian.ts';
import { inFloat64, NetworkLoss, RowsObjective, type ObjectiveTerms } from './objective.ts';
import { RopNetwork } from './rop.ts';

/** The dense Hessian of a RopNetwork's mean loss over one chunk, column by column from Hv. */
function ropHessian(rop: RopNetwork, x: number[], t: number[], rows: number): number[][] {
  const n = rop.dim;
  const H: number[][] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(n);
    v[j] = 1;
    const g = new Float64Array(n),
      hv = new Float64Array(n);
    rop.accumulate(Float64Array.from(x), Float64Array.from(t), rows, v, 1, g, hv);
    H.push([...hv]);
  }
  return H;
}

/** A float64 network of the given spec with θ set to `theta` (params order: W, b per dense layer). */
function tinyNet(spec: ModelSpec, inDim: number, outDim: number, theta: number[]) {
  const model = inFloat64(() => buildModel(spec, inDim, outDim, new Rng(0)));
  let o = 0;
  for (const p of model.params()) for (let i = 0; i < p.value.length; i++) p.value[i] = theta[o++];
  assert.equal(o, theta.length);
  return model;
}

test('hand values: 1→1→1 net with squared error, H = 2(∇f∇fᵀ + r·∇²f), the same for identity, ReLU and leaky ReLU', () => {
  // f = (x·w1 + b1)·w2 + b2 at x = 2, θ = (w1, b1, w2, b2) = (0.5, −0.5, 3, 0.25), target 1:
  // u = 0.5 > 0 (ReLU on its linear side), f = 1.75, r = f − t = 0.75, ∇f = (x·w2, w2, u, 1)
  // = (6, 3, 0.5, 1), and ∇²f has ∂²f/∂w1∂w2 = x = 2, ∂²f/∂b1∂w2 = 1. So H = 2·∇f∇fᵀ + 2r·∇²f:
  const expected = [
    [72, 36, 9, 12],
    [36, 18, 4.5, 6],
    [9, 4.5, 0.5, 1],
    [12, 6, 1, 2],
  ];
  for (const activation of ['identity', 'relu', 'leaky_relu'] as Activation[]) {
    const model = tinyNet({ kind: 'mlp', hidden: [1], activation }, 1, 1, [0.5, -0.5, 3, 0.25]);
    const H = ropHessian(new RopNetwork(model, { loss: 'mse' }), [2], [1], 1);
    assert.deepEqual(H, expected, activation);
  }
});

test('hand values: a dead ReLU unit has a zero Hessian row and column for its weights', () => {
  // u = 2·0.5 − 2 = −1 < 0: the hidden unit is off, f = b2, and only ∂²L/∂b2² = 2 is left.
  const model = tinyNet({ kind: 'mlp', hidden: [1], activation: 'relu' }, 1, 1, [0.5, -2, 3, 0.25]);
  const H = ropHessian(new RopNetwork(model, { loss: 'mse' }), [2], [1], 1);
  assert.deepEqual(H, [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 2],
  ]);
});

test('hand values: tanh unit, H_w2w2 = 2·tanh(u)², H_w1w1 = 2x²w2²(tanh′² + r·tanh″/w2)', () => {
  const x = 0.7,
    w1 = 0.9,
    b1 = 0.1,
    w2 = -1.3,
    b2 = 0.2,
    t = 0.5;
  const u = x * w1 + b1,
    h = Math.tanh(u),
    d1 = 1 - h * h,
    d2 = -2 * h * d1;
  const r = h * w2 + b2 - t;
  const model = tinyNet({ kind: 'mlp', hidden: [1], activation: 'tanh' }, 1, 1, [w1, b1, w2, b2]);
  const H = ropHessian(new RopNetwork(model, { loss: 'mse' }), [x], [t], 1);
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-14 * Math.max(1, Math.abs(b));
  // f = w2·tanh(x·w1 + b1) + b2: ∂f/∂w1 = w2·d1·x, ∂²f/∂w1² = w2·d2·x², ∂²f/∂w1∂w2 = d1·x.
  assert.ok(close(H[0][0], 2 * ((w2 * d1 * x) ** 2 + r * w2 * d2 * x * x)), `${H[0][0]}`);
  assert.ok(close(H[2][2], 2 * h * h), `${H[2][2]}`);
  assert.ok(close(H[0][2], 2 * (w2 * d1 * x * h + r * d1 * x)), `${H[0][2]}`);
  assert.ok(close(H[2][0], H[0][2]));
  assert.ok(close(H[3][3], 2));
});

test('hand values: softmax regression with label smoothing, H = x̃x̃ᵀ ⊗ m·(diag p − ppᵀ)', () => {
  // One row x = (1, −2), three classes, label 2, ε = 0.3: the logits' Hessian is
  // m·(diag p − ppᵀ) with m = Σt′ = 1, and z = x·W + b makes H = x̃x̃ᵀ ⊗ that (x̃ = (x, 1)).
  const W = [0.2, -0.1, 0.4, 0.3, 0.05, -0.2],
    b = [0.1, 0, -0.3];
  const model = tinyNet({ kind: 'logistic' }, 2, 3, [...W, ...b]);
  const rop = new RopNetwork(model, { loss: 'cross_entropy', labelSmoothing: 0.3 });
  const x = [1, -2];
  const H = ropHessian(rop, x, [0, 0, 1], 1);
  const z = [0, 1, 2].map((j) => x[0] * W[j] + x[1] * W[3 + j] + b[j]);
  const e = z.map(Math.exp),
    s = e[0] + e[1] + e[2];
  const p = e.map((v) => v / s);
  const xt = [x[0], x[1], 1];
  // θ order: W (2×3 row-major: W[k][j] at 3k + j), then b[j] at 6 + j; feature k̃ of x̃.
  const at = (i: number) => (i < 6 ? { k: Math.floor(i / 3), j: i % 3 } : { k: 2, j: i - 6 });
  for (let r = 0; r < 9; r++)
    for (let c = 0; c < 9; c++) {
      const A = at(r),
        B = at(c);
      const hz = (A.j === B.j ? p[A.j] : 0) - p[A.j] * p[B.j];
      const want = xt[A.k] * xt[B.k] * hz;
      assert.ok(Math.abs(H[r][c] - want) <= 1e-15, `H[${r}][${c}] = ${H[r][c]}, expected ${want}`);
    }
});

/** A trained float64 objective of a given model and loss, with its training rows. */
function trained(
  data: Dataset,
  model: ModelSpec,
  loss: LossSpec,
  terms?: ObjectiveTerms,
): { f: RowsObjective; theta: Float64Array } {
  const rows = Uint32Array.from({ length: data.n }, (_, i) => i);
  const r = fit({
    data,
    train: rows,
    evals: { train: rows },
    seed: 5,
    config: { model, loss, optimizer: { name: 'adam', lr: 0.03 }, training: { epochs: 8, batchSize: 16 } },
  });
  const net = new NetworkLoss({ model, loss, data, standardizer: r.standardizer, outDim: r.outDim, terms }, r.state);
  return { f: new RowsObjective(net, rows), theta: net.params() };
}

/** Max |a − b| over max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

/** Richardson-extrapolated central difference: (4·D(h/2) − D(h))/3, error O(h⁴). */
function fdHv(f: RowsObjective, theta: Float64Array, v: Float64Array, h: number): Float64Array {
  const a = new Float64Array(f.dim),
    b = new Float64Array(f.dim);
  finiteDifferenceHvp(f, theta, v, h, a);
  finiteDifferenceHvp(f, theta, v, h / 2, b);
  return Float64Array.from(a, (x, i) => (4 * b[i] - x) / 3);
}

const moons = makeMoons({ samples: 90, noise: 0.2 }, new Rng(2));
const blobs = makeBlobs({ samples: 120, classes: 3, noise: 1.2 }, new Rng(4));

for (const activation of ['tanh', 'gelu', 'sigmoid'] as Activation[]) {
  const cases: Array<{ name: string; data: Dataset; model: ModelSpec; loss: LossSpec; terms?: ObjectiveTerms }> = [
    {
      name: 'cross-entropy with label smoothing, batch norm, dropout off, L1 + L2',
      data: blobs,
      model: { kind: 'mlp', hidden: [7, 5], activation, batchNorm: true, dropout: 0.3 },
      loss: { kind: 'cross_entropy', label_smoothing: 0.1 },
      terms: { labelSmoothing: 0.1, l1: 1e-3, l2: 1e-2 },
    },
    {
      name: 'bce with logits',
      data: moons,
      model: { kind: 'mlp', hidden: [6], activation },
      loss: { kind: 'bce' },
    },
  ];
  for (const c of cases) {
    test(`exact Hv agrees with finite differences to 1e-8: ${activation}, ${c.name}`, () => {
      const { f, theta } = trained(c.data, c.model, c.loss, c.terms);
      const rng = new Rng(31);
      for (let trial = 0; trial < 2; trial++) {
        const v = Float64Array.from({ length: f.dim }, () => rng.normal());
        const exact = new Float64Array(f.dim);
        f.hessianVectorProduct(theta, v, exact);
        const fd = fdHv(f, theta, v, 1e-3);
        const err = relErr(exact, fd);
        assert.ok(err <= 1e-8, `relative difference ${err}`);
      }
      // The R-operator's gradient is the layers' own gradient (two independent code paths).
      const g1 = new Float64Array(f.dim),
        g2 = new Float64Array(f.dim);
      const l1 = f.valueAndGradient(theta, g1);
      const l2 = f.net.hessianVectorProduct(f.rows, new Float64Array(f.dim), new Float64Array(f.dim), g2);
      assert.ok(relErr(g2, g1) <= 1e-12, `gradient ${relErr(g2, g1)}`);
      assert.ok(Math.abs(l1 - l2) <= 1e-13 * l1, `loss ${l1} vs ${l2}`);
    });
  }
}

test('exact Hv agrees with finite differences to 1e-8: mse regression, gelu with batch norm', () => {
  const n = 80;
  const rng = new Rng(9);
  const x = new Float32Array(n * 3),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = rng.normal();
    y[i] = Math.sin(x[i * 3]) + 0.5 * x[i * 3 + 1] * x[i * 3 + 2] + rng.normal(0, 0.1);
  }
  const data: Dataset = {
    name: 'reg',
    task: 'regression',
    n,
    d: 3,
    x,
    y,
    classes: 0,
    classNames: [],
    featureNames: ['a', 'b', 'c'],
  };
  const { f, theta } = trained(
    data,
    { kind: 'mlp', hidden: [8], activation: 'gelu', batchNorm: true },
    { kind: 'mse' },
    { l2: 0.05 },
  );
  const v = Float64Array.from({ length: f.dim }, () => rng.normal());
  const exact = new Float64Array(f.dim);
  f.hessianVectorProduct(theta, v, exact);
  assert.ok(relErr(exact, fdHv(f, theta, v, 1e-3)) <= 1e-8);
});

test('the Hessian is symmetric: uᵀ(Hv) = vᵀ(Hu) for a relu net with batch norm', () => {
  const { f, theta } = trained(
    blobs,
    { kind: 'mlp', hidden: [9, 4], activation: 'relu', batchNorm: true },
    { kind: 'cross_entropy' },
  );
  const rng = new Rng(3);
  const u = Float64Array.from({ length: f.dim }, () => rng.normal()),
    v = Float64Array.from({ length: f.dim }, () => rng.normal());
  const hu = new Float64Array(f.dim),
    hv = new Float64Array(f.dim);
  f.hessianVectorProduct(theta, u, hu);
  f.hessianVectorProduct(theta, v, hv);
  let a = 0,
    b = 0;
  for (let i = 0; i < f.dim; i++) {
    a += u[i] * hv[i];
    b += v[i] * hu[i];
  }
  assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(a), `${a} vs ${b}`);
});

test('chunking changes nothing but rounding; a layer without a rule is refused', () => {
  const rows = Uint32Array.from({ length: blobs.n }, (_, i) => i);
  const model: ModelSpec = { kind: 'mlp', hidden: [5], activation: 'tanh' };
  const r = fit({
    data: blobs,
    train: rows,
    evals: { train: rows },
    seed: 1,
    config: {
      model,
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam' },
      training: { epochs: 2, batchSize: 32 },
    },
  });
  const mk = (chunk: number) =>
    new NetworkLoss(
      { model, loss: { kind: 'cross_entropy' }, data: blobs, standardizer: r.standardizer, outDim: 3, chunk },
      r.state,
    );
  const a = mk(7),
    b = mk(256);
  const v = Float64Array.from({ length: a.dim }, (_, i) => Math.cos(i));
  const ha = new Float64Array(a.dim),
    hb = new Float64Array(a.dim);
  a.hessianVectorProduct(rows, v, ha);
  b.hessianVectorProduct(rows, v, hb);
  assert.ok(relErr(ha, hb) <= 1e-13);
  assert.throws(
    () => new RopNetwork({ layers: [{ kind: 'conv' }], paramCount: () => 0 } as never, { loss: 'mse' }),
    /no second-order rule for layer "conv"/,
  );
});
