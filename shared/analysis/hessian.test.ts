import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../data/dataset.ts';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit } from '../train/fit.ts';
import { hessianVectorProduct, topHessianEigenvalue } from './hessian.ts';
import { NetworkLoss, RowsObjective, type Objective } from './objective.ts';

/** Eigenvalues of a small symmetric matrix (row-major n×n) by cyclic Jacobi rotations. */
function jacobiEigenvalues(a: Float64Array, n: number): number[] {
  const m = a.slice();
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p],
            akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k],
            aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]).sort((x, y) => Math.abs(y) - Math.abs(x));
}

test('the Jacobi reference solver itself: eigenvalues of a known 3×3 matrix', () => {
  // [[2,1,0],[1,2,0],[0,0,-5]] has eigenvalues 3, 1, −5.
  const ev = jacobiEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, -5]), 3);
  assert.deepEqual(
    ev.map((v) => Math.round(v * 1e9) / 1e9),
    [-5, 3, 1],
  );
});

/** Regression rows with features of unequal scales, so the spectrum has a clear top. */
function regressionData(n: number, d: number): Dataset {
  const rng = new Rng(21);
  const x = new Float32Array(n * d),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0.3;
    for (let j = 0; j < d; j++) {
      x[i * d + j] = rng.normal(0.2 * j, 1 + j);
      t += (j % 2 ? -1 : 1) * x[i * d + j];
    }
    y[i] = t + rng.normal(0, 0.1);
  }
  return {
    name: 'reg',
    task: 'regression',
    n,
    d,
    x,
    y,
    classes: 0,
    classNames: [],
    featureNames: Array.from({ length: d }, (_, j) => `f${j}`),
  };
}

/** (2/n)·X̃ᵀX̃ with X̃ = [X, 1]: the Hessian of the mean squared error of a linear model. */
function linearHessian(data: Dataset, rows: Uint32Array): Float64Array {
  const d = data.d,
    m = d + 1,
    H = new Float64Array(m * m);
  const row = new Float64Array(m);
  for (const r of rows) {
    for (let j = 0; j < d; j++) row[j] = data.x[r * d + j];
    row[d] = 1;
    for (let p = 0; p < m; p++) for (let q = 0; q < m; q++) H[p * m + q] += (2 / rows.length) * row[p] * row[q];
  }
  return H;
}

function linearObjective(data: Dataset, rows: Uint32Array): { f: RowsObjective; theta: Float64Array } {
  const rng = new Rng(4);
  const state = Float64Array.from({ length: data.d + 1 }, () => rng.uniform(-1, 1));
  const net = new NetworkLoss(
    { model: { kind: 'linear' }, loss: { kind: 'mse' }, data, standardizer: null, outDim: 1 },
    state,
  );
  return { f: new RowsObjective(net, rows), theta: net.params() };
}

test('linear model + mse: Hv equals the closed-form (2/n)·X̃ᵀX̃·v', () => {
  const data = regressionData(300, 5);
  const rows = Uint32Array.from({ length: 250 }, (_, i) => (i * 7) % 300);
  const { f, theta } = linearObjective(data, rows);
  const H = linearHessian(data, rows);
  const v = Float64Array.from({ length: 6 }, (_, i) => Math.cos(i + 1));
  const hv = new Float64Array(6);
  const vHv = hessianVectorProduct(f, theta, v, 1e-3, hv);
  let expectedQ = 0,
    vv = 0;
  for (let p = 0; p < 6; p++) {
    let s = 0;
    for (let q = 0; q < 6; q++) s += H[p * 6 + q] * v[q];
    assert.ok(Math.abs(hv[p] - s) <= 1e-8 * Math.abs(s) + 1e-9, `(Hv)[${p}] = ${hv[p]}, expected ${s}`);
    expectedQ += v[p] * s;
    vv += v[p] * v[p];
  }
  assert.ok(Math.abs(vHv - expectedQ / vv) <= 1e-8 * Math.abs(expectedQ / vv));
});

test('linear model + mse: power iteration finds the top eigenvalue of (2/n)·X̃ᵀX̃ (default settings)', () => {
  const data = regressionData(300, 5);
  const rows = Uint32Array.from({ length: 300 }, (_, i) => i);
  const { f, theta } = linearObjective(data, rows);
  const exact = jacobiEigenvalues(linearHessian(data, rows), 6)[0];
  const est = topHessianEigenvalue(f, theta, { rng: new Rng(1) });
  assert.ok(exact > 0);
  assert.ok(Math.abs(est.eigenvalue - exact) <= 1e-3 * exact, `power iteration ${est.eigenvalue}, Jacobi ${exact}`);
  assert.ok(est.iterations <= 20);
  assert.equal(est.trace.length, est.iterations);
  const tight = topHessianEigenvalue(f, theta, { rng: new Rng(1), iterations: 200, tolerance: 1e-13 });
  assert.ok(Math.abs(tight.eigenvalue - exact) <= 1e-8 * exact, `tight ${tight.eigenvalue}, Jacobi ${exact}`);
});

test('a small tanh MLP: the power iteration agrees with a dense finite-difference Hessian', () => {
  const data = makeMoons({ samples: 80, noise: 0.2 }, new Rng(2));
  const rows = Uint32Array.from({ length: 80 }, (_, i) => i);
  const model = { kind: 'mlp' as const, hidden: [3], activation: 'tanh' as const };
  const r = fit({
    data,
    train: rows,
    evals: { train: rows },
    seed: 3,
    config: {
      model,
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: 0.05 },
      training: { epochs: 20, batchSize: 16 },
    },
  });
  const net = new NetworkLoss(
    { model, loss: { kind: 'cross_entropy' }, data, standardizer: r.standardizer, outDim: 2 },
    r.state,
  );
  const f = new RowsObjective(net, rows);
  const theta = net.params();
  const n = f.dim;
  const H = new Float64Array(n * n),
    gp = new Float64Array(n),
    gm = new Float64Array(n);
  const h = 1e-5;
  for (let j = 0; j < n; j++) {
    const p = theta.slice();
    p[j] += h;
    f.valueAndGradient(p, gp);
    p[j] -= 2 * h;
    f.valueAndGradient(p, gm);
    for (let i = 0; i < n; i++) H[i * n + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = (H[i * n + j] + H[j * n + i]) / 2;
  const exact = jacobiEigenvalues(H, n)[0];
  const est = topHessianEigenvalue(f, theta, { rng: new Rng(8), iterations: 300, tolerance: 1e-12 });
  assert.ok(
    Math.abs(est.eigenvalue - exact) <= 1e-5 * Math.abs(exact),
    `power iteration ${est.eigenvalue}, dense ${exact}`,
  );
});

/** L = ½·θᵀ·diag(a)·θ, whose Hessian is diag(a). */
function diagonalQuadratic(a: number[]): Objective {
  return {
    dim: a.length,
    value: (t) => a.reduce((s, ai, i) => s + 0.5 * ai * t[i] * t[i], 0),
    valueAndGradient(t, g) {
      for (let i = 0; i < a.length; i++) g[i] = a[i] * t[i];
      return this.value(t);
    },
  };
}

test('power iteration reports the eigenvalue of largest magnitude with its sign', () => {
  const f = diagonalQuadratic([1, -3, 0.5, 2]);
  const est = topHessianEigenvalue(f, [0.3, -0.2, 1, 0], { rng: new Rng(5), iterations: 100, tolerance: 1e-12 });
  assert.ok(Math.abs(est.eigenvalue + 3) < 1e-9, `${est.eigenvalue}`);
  assert.ok(est.converged);
  assert.ok(Math.abs(Math.abs(est.vector[1]) - 1) < 1e-6);
});

test('determinism: the same seed gives the same estimate bit for bit; the iteration limit holds', () => {
  const data = regressionData(120, 3);
  const rows = Uint32Array.from({ length: 120 }, (_, i) => i);
  const { f, theta } = linearObjective(data, rows);
  const a = topHessianEigenvalue(f, theta, { rng: new Rng(9), iterations: 4, tolerance: 0 });
  const b = topHessianEigenvalue(f, theta, { rng: new Rng(9), iterations: 4, tolerance: 0 });
  const c = topHessianEigenvalue(f, theta, { rng: new Rng(10), iterations: 4, tolerance: 0 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.trace, c.trace);
  assert.equal(a.iterations, 4);
  assert.equal(a.converged, false);
});

test('bad options are refused', () => {
  const f = diagonalQuadratic([1, 2]);
  assert.throws(() => topHessianEigenvalue(f, [0, 0], { rng: new Rng(1), iterations: 0 }), /iterations/);
  assert.throws(() => topHessianEigenvalue(f, [0, 0], { rng: new Rng(1), relativeStep: 0 }), /relativeStep/);
  assert.throws(() => topHessianEigenvalue(f, [0], { rng: new Rng(1) }), /θ has 1/);
  assert.throws(() => hessianVectorProduct(f, [0, 0], [1, 0], -1, new Float64Array(2)), /step/);
});
