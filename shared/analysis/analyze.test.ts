import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBlobs } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';
import { fit, type FitConfig } from '../train/fit.ts';
import {
  analyze,
  type AnalysisJob,
  type AnalysisSpec,
  GRADIENT_NORM_KEY,
  HESSIAN_CONVERGED_KEY,
  HESSIAN_ITERATIONS_KEY,
  HESSIAN_KEY,
  HESSIAN_RESIDUAL_KEY,
  HESSIAN_SMALLEST_KEY,
  sharpnessKey,
  sharpnessLinearKey,
  trainingObjective,
} from './analyze.ts';
import { topHessianEigenvalue } from './hessian.ts';
import { epsilonSharpness } from './sharpness.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeBlobs({ samples: 180, classes: 3, noise: 1.5 }, new Rng(5));
const config: FitConfig = {
  model: { kind: 'mlp', hidden: [10], activation: 'gelu', dropout: 0.2, batchNorm: true },
  loss: { kind: 'cross_entropy', label_smoothing: 0.1 },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 6, batchSize: 32 },
  regularization: { l2: 1e-3 },
};

const INIT_SEED = 3;

function job(analysis: AnalysisSpec | null, seed = 17): AnalysisJob & { fitConfig: FitConfig } {
  return { seed, train: all(140), evals: { train: all(140), val: all(180, 140) }, fitConfig: config, analysis };
}

function run(j: AnalysisJob & { fitConfig: FitConfig }) {
  const r = fit({ data, train: j.train, evals: j.evals, config: j.fitConfig, seed: j.seed, initSeed: INIT_SEED });
  return { r, out: analyze(j, data, r) };
}

test('keys follow the spec: two per ε, the Hessian group only when asked for, the gradient norm always', () => {
  const both = run(job({ sharpness: { epsilons: [1e-3, 5e-4] }, hessian: { iterations: 5 } })).out;
  const hessianKeys = [
    HESSIAN_CONVERGED_KEY,
    HESSIAN_ITERATIONS_KEY,
    HESSIAN_KEY,
    HESSIAN_RESIDUAL_KEY,
    HESSIAN_SMALLEST_KEY,
  ];
  assert.deepEqual(
    Object.keys(both).sort(),
    [
      GRADIENT_NORM_KEY,
      ...hessianKeys,
      'sharpness_eps_0.0005',
      'sharpness_eps_0.001',
      'sharpness_linear_eps_0.0005',
      'sharpness_linear_eps_0.001',
    ].sort(),
  );
  assert.ok(both[HESSIAN_ITERATIONS_KEY] >= 1 && both[HESSIAN_ITERATIONS_KEY] <= 5);
  assert.ok(both[HESSIAN_CONVERGED_KEY] === 0 || both[HESSIAN_CONVERGED_KEY] === 1);
  assert.ok(both['sharpness_eps_0.001'] >= both['sharpness_eps_0.0005']);
  assert.ok(both['sharpness_eps_0.0005'] > 0);
  // The first-order term is linear in ε.
  assert.ok(Math.abs(both[sharpnessLinearKey(1e-3)] - 2 * both[sharpnessLinearKey(5e-4)]) < 1e-12);
  assert.ok(Number.isFinite(both[HESSIAN_KEY]));
  assert.deepEqual(Object.keys(run(job({ hessian: {} })).out).sort(), [GRADIENT_NORM_KEY, ...hessianKeys].sort());
  assert.deepEqual(Object.keys(run(job({ sharpness: { epsilons: [0.01] } })).out).sort(), [
    GRADIENT_NORM_KEY,
    'sharpness_eps_0.01',
    'sharpness_linear_eps_0.01',
  ]);
  assert.deepEqual(run(job(null)).out, {});
  assert.deepEqual(run(job({ keepWeights: true })).out, {});
  assert.equal(sharpnessKey(1e-7), 'sharpness_eps_1e-7');
});

test('the training objective adds label smoothing and the penalty; the data objective is the reported loss', () => {
  const j = job({ hessian: {}, objective: 'training' });
  const { r, out } = run(j);
  const data0 = run(job({ hessian: {} })).out;
  const { objective, theta } = trainingObjective(j, data, r);
  // Label smoothing 0.1 and l2 = 1e-3 make the objective larger than the plain loss.
  assert.ok(objective.value(theta) > r.final.train.loss + 1e-6);
  assert.ok(out[HESSIAN_KEY] !== data0[HESSIAN_KEY]);
  assert.equal(out[HESSIAN_CONVERGED_KEY], 1);
});

test('determinism: the same job gives the same numbers bit for bit; another job seed other random starts', () => {
  const spec: AnalysisSpec = { sharpness: { epsilons: [5e-3] }, hessian: { iterations: 3 } };
  const a = run(job(spec)).out,
    b = run(job(spec)).out;
  assert.deepEqual(a, b);
  // Same weights (the fit's seed is what changes them), other analysis streams.
  const j = job(spec),
    r = fit({ data, train: j.train, evals: j.evals, config: j.fitConfig, seed: j.seed, initSeed: INIT_SEED });
  const other = analyze({ ...j, seed: 99 }, data, r);
  assert.notDeepEqual(other, a);
});

test('measured on the fit’s training loss, with the streams named in analyze', () => {
  const j = job({ sharpness: { epsilons: [1e-3] }, hessian: { iterations: 4 } });
  const { r, out } = run(j);
  const { objective, theta } = trainingObjective(j, data, r);
  // The objective at the final weights is the fit's reported training loss.
  assert.ok(Math.abs(objective.value(theta) - r.final.train.loss) < 1e-5 * r.final.train.loss);
  assert.equal(objective.rows, j.evals.train);
  const rng = new Rng(j.seed).fork('analysis');
  const [s] = epsilonSharpness(objective, theta, [1e-3], { rng: rng.fork('sharpness') });
  const h = topHessianEigenvalue(objective, theta, { iterations: 4, rng: rng.fork('hessian') });
  assert.equal(out[sharpnessKey(1e-3)], s.sharpness);
  assert.equal(out[HESSIAN_KEY], h.eigenvalue);
});

test('without an evals.train set the job’s training rows are used; a bad ε is refused', () => {
  const j = job({ sharpness: { epsilons: [1e-3] } });
  const { r } = run(j);
  const { objective } = trainingObjective({ ...j, evals: { val: j.evals.val } }, data, r);
  assert.equal(objective.rows, j.train);
  assert.throws(() => analyze(job({ sharpness: { epsilons: [-1] } }), data, r), /ε/);
});
