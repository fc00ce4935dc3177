/**
 * The bias–variance study's readout, checked against a second computation made here from the
 * replicates' raw test outputs (plain float64 sums, Math.sin for the true function): bias²,
 * variance, realized noise, cross term and the measured error; the identity closing to
 * rounding; each quantity's minimum and where it is; the protocol named; the summary's numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDataset } from '../../data/make.ts';
import { InProcessExecutor } from '../executor.ts';
import { plan, type LoadData } from '../plan.ts';
import { runPlan } from '../run.ts';
import { studySeries } from '../studies.ts';
import type { ExperimentSpec } from '../types.ts';
import { sig } from './paired.ts';

const load: LoadData = (spec, rng) => makeDataset(spec, rng);

function spec(trainingSets?: 'fresh'): ExperimentSpec {
  return {
    seed: 11,
    study: 'bias-variance',
    dataset: { name: 'sine', samples: 120, noise: 0.3, testFraction: 0.5 },
    model: { kind: 'mlp', hidden: [1], activation: 'tanh' },
    loss: { kind: 'mse' },
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs: 150, batchSize: 'full' },
    evaluation: { kind: 'bootstrap', replicates: 5, ...(trainingSets ? { trainingSets } : {}) },
    sweep: { 'model.hidden': [[1], [4], [32]] },
  };
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

test('bias–variance readout: every term recomputed from the raw outputs; the identity closes; minima and where; the summary carries them', async () => {
  const p = plan(spec(), load);
  const { report, results } = await runPlan(p, new InProcessExecutor());
  const study = studySeries(p, report, results)!;
  assert.equal(study.kind, 'bias-variance');
  if (study.kind !== 'bias-variance') return;
  const s = study.series;
  assert.equal(s.protocol, 'bootstrap');
  assert.equal(s.loss, 'squared');
  assert.deepEqual(
    s.points.map((q) => q.x),
    ['[1]', '[4]', '[32]'],
  );
  for (const [ci, point] of s.points.entries()) {
    const dp = p.data[ci];
    const truth = dp.data.truth!;
    assert.equal(truth.kind, 'sine');
    if (truth.kind !== 'sine') return;
    const T = dp.test.length;
    const f = Array.from(dp.test, (r) => truth.amplitude * Math.sin(truth.frequency * dp.data.x[r] + truth.phase));
    const y = Array.from(dp.test, (r) => dp.data.y[r]);
    const preds = p.jobs.filter((j) => j.config === ci).map((j) => Array.from(results.get(j.key)!.outputs.test));
    assert.equal(preds.length, 5);
    const main = f.map((_, t) => mean(preds.map((q) => q[t])));
    const bias2 = mean(f.map((ft, t) => (main[t] - ft) ** 2));
    const variance = mean(f.map((_, t) => mean(preds.map((q) => (q[t] - main[t]) ** 2))));
    const realized = mean(f.map((ft, t) => (y[t] - ft) ** 2));
    const cross = mean(preds.flatMap((q) => f.map((ft, t) => 2 * (q[t] - ft) * (ft - y[t]))));
    const perPoint = f.map((_, t) => mean(preds.map((q) => (q[t] - y[t]) ** 2)));
    const measured = mean(perPoint);
    const se = Math.sqrt(perPoint.reduce((a, e) => a + (e - measured) ** 2, 0) / (T - 1) / T);
    const close = (a: number, b: number, what: string) =>
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1e-3, Math.abs(b)), `${point.x} ${what}: ${a} vs ${b}`);
    close(point.bias2, bias2, 'bias²');
    close(point.variance, variance, 'variance');
    close(point.realizedNoise, realized, 'realized noise');
    close(point.crossTerm, cross, 'cross term');
    close(point.measuredError, measured, 'measured error');
    close(point.measuredErrorSE!, se, 'standard error');
    assert.equal(point.noise, 0.09);
    assert.ok(Math.abs(point.closure) <= 1e-12, `closure ${point.closure}`);
  }
  // Where each quantity is smallest, found here by a plain scan.
  for (const name of ['bias2', 'variance', 'expectedError', 'measuredError'] as const) {
    const vals = s.points.map((q) => q[name]);
    const i = vals.indexOf(Math.min(...vals));
    assert.deepEqual(s.minima[name], { value: vals[i], x: s.points[i].x, index: i }, name);
  }
  assert.equal(s.largestClosure, Math.max(...s.points.map((q) => Math.abs(q.closure))));
  const text = study.summary.join(' ');
  assert.match(text, /bootstrap resamples of one training set/);
  assert.ok(text.includes(`bias² is lowest at model.hidden=${s.minima.bias2.x} (${sig(s.minima.bias2.value)})`), text);
  const m = s.minima.measuredError;
  assert.ok(
    text.includes(
      `The measured test error is lowest at model.hidden=${m.x}: ${sig(m.value)} ± ${sig(s.points[m.index].measuredErrorSE)}`,
    ),
    text,
  );
  assert.ok(text.includes(`realized noise is ${sig(s.points[0].realizedNoise)}`), text);
});

test('bias–variance with fresh training sets: the protocol is named in the series and the summary', async () => {
  const s = spec('fresh');
  s.sweep = { 'model.hidden': [[1], [8]] };
  s.training = { epochs: 30, batchSize: 'full' };
  const p = plan(s, load);
  const { report, results } = await runPlan(p, new InProcessExecutor());
  const study = studySeries(p, report, results)!;
  assert.equal(study.kind, 'bias-variance');
  if (study.kind !== 'bias-variance') return;
  assert.equal(study.series.protocol, 'fresh');
  assert.match(study.summary[0], /^Protocol: each of the 5 replicates trained on a fresh training set/);
  for (const q of study.series.points) assert.ok(Math.abs(q.closure) <= 1e-12);
});
