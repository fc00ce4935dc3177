// A 5-fold cross-validation on the digits (8×8 images, 10 classes) through the planner and
// the aggregator, once on the CPU engine and once on the WebGPU engine: the validation
// accuracy agrees within 0.5 points, per fold and on average, and the report names the back end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBundled } from '../shared/data/bundled.ts';
import { plan } from '../shared/experiment/plan.ts';
import { runPlan } from '../shared/experiment/run.ts';
import { InProcessExecutor } from '../shared/experiment/executor.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';
import { GpuEngine } from '../shared/gpu/engine.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { testDevice } from './webgpu-testing.ts';

const dev = await testDevice();
const skip = typeof dev === 'string' ? dev : false;
after(() => {
  if (typeof dev !== 'string') dev.device.destroy();
});

const digits = parseBundled(
  'digits',
  readFileSync(fileURLToPath(new URL('../shared/data/bundled/digits.csv', import.meta.url)), 'utf8'),
);

const spec: ExperimentSpec = {
  name: 'digits 5-fold',
  seed: 4,
  dataset: { name: 'digits', testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [32], activation: 'relu' },
  loss: { kind: 'cross_entropy', label_smoothing: 0.05 },
  optimizer: { name: 'adam', lr: 0.005 },
  training: { epochs: 6, batchSize: 64, curveEvery: 3 },
  regularization: { l2: 1e-4 },
  evaluation: { kind: 'kfold', k: 5, stratified: true },
};

test('5-fold CV on digits: the device agrees with the CPU within 0.5 points of val accuracy', { skip }, async () => {
  if (typeof dev === 'string') return;
  const p = plan(spec, () => digits);
  const cpu = await runPlan(p, new InProcessExecutor());
  const engine = new GpuEngine(dev.device, { adapter: dev.adapter });
  const gpu = await runPlan(
    plan(spec, () => digits),
    new InProcessExecutor(engine),
  );
  const c = cpu.report.configurations[0].metrics.val_accuracy;
  const g = gpu.report.configurations[0].metrics.val_accuracy;
  const cm = c.mean!,
    gm = g.mean!;
  console.log(
    `# 5-fold CV on digits: val accuracy CPU ${(100 * cm).toFixed(2)}%, WebGPU ${(100 * gm).toFixed(2)}%; per fold CPU ${c.values.map((v) => (100 * v).toFixed(2)).join(' ')}, WebGPU ${g.values.map((v) => (100 * v).toFixed(2)).join(' ')}`,
  );
  assert.ok(cm > 0.9, `the CPU learned the digits (${cm})`);
  assert.ok(Math.abs(100 * (gm - cm)) <= TOLERANCE.accuracyPoints, `mean ${gm} against ${cm}`);
  c.values.forEach((v, i) =>
    assert.ok(Math.abs(100 * (g.values[i] - v)) <= TOLERANCE.accuracyPoints, `fold ${i}: ${g.values[i]} against ${v}`),
  );
  assert.equal(cpu.report.backends, undefined);
  assert.deepEqual(gpu.report.backends, [{ name: 'webgpu', adapter: dev.adapter, jobs: 5 }]);
});
