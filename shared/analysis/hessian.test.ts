import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../data/dataset.ts';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit } from '../train/fit.ts';
import { finiteDifferenceHvp, topHessianEigenvalue, tridiagonalEigen, type HvpObjective } from './hessian.ts';
import { NetworkLoss, RowsObjective } from './objective.ts';

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

test('linear model + mse: exact Hv equals the closed-form (2/n)·X̃ᵀX̃·v, and finite differences agree', () => {
  const data = regressionData(300, 5);
  const rows = Uint32Array.from({ length: 250 }, (_, i) => (i * 7) % 300);
  const { f, theta } = linearObjective(data, rows);
  const H = linearHessian(data, rows);
  const v = Float64Array.from({ length: 6 }, (_, i) => Math.cos(i + 1));
  const hv = new Float64Array(6),
    fd = new Float64Array(6);
  f.hessianVectorProduct(theta, v, hv);
  finiteDifferenceHvp(f, theta, v, 1e-3, fd);
  for (let p = 0; p < 6; p++) {
    let s = 0;
    for (let q = 0; q < 6; q++) s += H[p * 6 + q] * v[q];
    assert.ok(Math.abs(hv[p] - s) <= 1e-12 * Math.abs(s) + 1e-12, `(Hv)[${p}] = ${hv[p]}, expected ${s}`);
    assert.ok(Math.abs(fd[p] - s) <= 1e-8 * Math.abs(s) + 1e-9, `finite difference (Hv)[${p}] = ${fd[p]}`);
  }
});

test('tridiagonalEigen agrees with Jacobi on a 6×6 tridiagonal matrix, vectors included', () => {
  const d = [2, -1, 0.5, 3, 1, -2],
    e = [1, 0.3, -0.7, 2, 0.1];
  const n = 6;
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) T[i * n + i] = d[i];
  for (let i = 0; i < n - 1; i++) T[i * n + i + 1] = T[(i + 1) * n + i] = e[i];
  const ref = jacobiEigenvalues(T, n).sort((a, b) => a - b);
  const all = [0, 1, 2, 3, 4, 5];
  const { values, vectors } = tridiagonalEigen(d, e, all);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(values[i] - ref[i]) <= 1e-13, `${values[i]} vs ${ref[i]}`);
  // Each column z_k of the eigenvector matrix satisfies T·z_k = λ_k·z_k and has unit length.
  for (let k = 0; k < n; k++) {
    let len = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += T[i * n + j] * vectors[j][k];
      assert.ok(Math.abs(s - values[k] * vectors[i][k]) <= 1e-13);
      len += vectors[i][k] ** 2;
    }
    assert.ok(Math.abs(len - 1) <= 1e-13);
  }
});

test('linear model + mse: Lanczos finds the top eigenvalue of (2/n)·X̃ᵀX̃ (default settings)', () => {
  const data = regressionData(300, 5);
  const rows = Uint32Array.from({ length: 300 }, (_, i) => i);
  const { f, theta } = linearObjective(data, rows);
  const ev = jacobiEigenvalues(linearHessian(data, rows), 6);
  const exact = Math.max(...ev);
  const est = topHessianEigenvalue(f, theta, { rng: new Rng(1) });
  assert.ok(exact > 0);
  assert.ok(est.converged);
  assert.ok(Math.abs(est.eigenvalue - exact) <= 1e-10 * exact, `Lanczos ${est.eigenvalue}, Jacobi ${exact}`);
  assert.ok(Math.abs(est.smallestRitzValue - Math.min(...ev)) <= 1e-8 * exact);
  assert.ok(est.iterations <= 6);
  assert.equal(est.trace.length, est.iterations);
});

test('a small tanh MLP: Lanczos agrees with the eigenvalues of the dense exact Hessian, with its residual', () => {
  const data = makeMoons({ samples: 80, noise: 0.2 }, new Rng(2));
  const rows = Uint32Array.from({ length: 80 }, (_, i) => i);
  const model = { kind: 'mlp' as const, hidden: [4], activation: 'tanh' as const };
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
    col = new Float64Array(n),
    e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    f.hessianVectorProduct(theta, e, col);
    for (let i = 0; i < n; i++) H[i * n + j] = col[i];
  }
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      assert.ok(Math.abs(H[i * n + j] - H[j * n + i]) <= 1e-12 * (1 + Math.abs(H[i * n + j])), 'symmetric');
  const ev = jacobiEigenvalues(H, n);
  const exact = Math.max(...ev);
  const est = topHessianEigenvalue(f, theta, { rng: new Rng(8) });
  assert.ok(est.converged, `residual ${est.residual}`);
  assert.ok(Math.abs(est.eigenvalue - exact) <= 1e-9 * Math.abs(exact), `Lanczos ${est.eigenvalue}, dense ${exact}`);
  assert.ok(est.smallestRitzValue >= Math.min(...ev) - 1e-12, 'the smallest Ritz value bounds λmin from above');
  // The reported residual is the true ‖Hy − λy‖ of the reported vector.
  const hy = new Float64Array(n);
  f.hessianVectorProduct(theta, est.vector, hy);
  let res = 0;
  for (let i = 0; i < n; i++) res += (hy[i] - est.eigenvalue * est.vector[i]) ** 2;
  assert.ok(
    Math.abs(Math.sqrt(res) - est.residual) <= 1e-8 * Math.abs(exact) + 1e-12,
    `${Math.sqrt(res)} vs ${est.residual}`,
  );
});

/** L = ½·θᵀ·diag(a)·θ, whose Hessian is diag(a). */
function diagonalQuadratic(a: number[]): HvpObjective {
  return {
    dim: a.length,
    value: (t) => a.reduce((s, ai, i) => s + 0.5 * ai * t[i] * t[i], 0),
    valueAndGradient(t, g) {
      for (let i = 0; i < a.length; i++) g[i] = a[i] * t[i];
      return this.value(t);
    },
    hessianVectorProduct(_t, v, out) {
      for (let i = 0; i < a.length; i++) out[i] = a[i] * v[i];
    },
  };
}

test('the largest eigenvalue with its sign, not the largest in size; the smallest Ritz value shows the saddle', () => {
  const f = diagonalQuadratic([1, -3, 0.5, 2]);
  const est = topHessianEigenvalue(f, [0.3, -0.2, 1, 0], { rng: new Rng(5) });
  assert.ok(Math.abs(est.eigenvalue - 2) < 1e-12, `${est.eigenvalue}`);
  assert.ok(Math.abs(est.smallestRitzValue + 3) < 1e-12, `${est.smallestRitzValue}`);
  assert.ok(est.converged);
  assert.ok(Math.abs(Math.abs(est.vector[3]) - 1) < 1e-9);
  const neg = topHessianEigenvalue(diagonalQuadratic([-1, -4, -0.5]), [0, 0, 0], { rng: new Rng(5) });
  assert.ok(Math.abs(neg.eigenvalue + 0.5) < 1e-12, 'a negative definite Hessian reports its largest, −0.5');
});

test('a step limit that is too short says so: converged is false and the residual is large', () => {
  const f = diagonalQuadratic(Array.from({ length: 50 }, (_, i) => 1 + i / 49 + (i === 49 ? 0.001 : 0)));
  const est = topHessianEigenvalue(f, new Float64Array(50), { rng: new Rng(2), iterations: 3 });
  assert.equal(est.iterations, 3);
  assert.equal(est.converged, false);
  assert.ok(est.residual > 1e-6 * est.eigenvalue);
  const full = topHessianEigenvalue(f, new Float64Array(50), { rng: new Rng(2), iterations: 50 });
  assert.ok(full.converged);
  assert.ok(Math.abs(full.eigenvalue - 2.001) < 1e-9, `${full.eigenvalue}`);
});

test('determinism: the same seed gives the same estimate bit for bit; another seed another start', () => {
  const data = regressionData(120, 3);
  const rows = Uint32Array.from({ length: 120 }, (_, i) => i);
  const { f, theta } = linearObjective(data, rows);
  const a = topHessianEigenvalue(f, theta, { rng: new Rng(9), iterations: 2 });
  const b = topHessianEigenvalue(f, theta, { rng: new Rng(9), iterations: 2 });
  const c = topHessianEigenvalue(f, theta, { rng: new Rng(10), iterations: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.trace, c.trace);
  assert.equal(a.iterations, 2);
});

test('bad options are refused', () => {
  const f = diagonalQuadratic([1, 2]);
  assert.throws(() => topHessianEigenvalue(f, [0, 0], { rng: new Rng(1), iterations: 0 }), /iterations/);
  assert.throws(() => topHessianEigenvalue(f, [0, 0], { rng: new Rng(1), tolerance: -1 }), /tolerance/);
  assert.throws(() => topHessianEigenvalue(f, [0], { rng: new Rng(1) }), /θ has 1/);
  assert.throws(() => finiteDifferenceHvp(f, [0, 0], [1, 0], -1, new Float64Array(2)), /step/);
});
