/**
 * λmax of the batch-size preset's nine models against an exact reference computed outside
 * OptLab (PyTorch float64 Hessian-vector products and ARPACK; see
 * bench/reference/batch-size-hessian.ts, which made the fixture). The fixture carries the
 * trained states, so this test needs neither training nor Python.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseBundled, BUNDLED } from '../data/bundled.ts';
import { fitStandardizer } from '../data/standardize.ts';
import { plan } from '../experiment/plan.ts';
import { presetSpec } from '../experiment/presets.ts';
import { hash32, Rng } from '../rng.ts';
import { topHessianEigenvalue } from './hessian.ts';
import { NetworkLoss, RowsObjective } from './objective.ts';

interface Fixture {
  specHash: number;
  models: Array<{ key: string; loss: number; lambdaMax: number; lambdaMin: number; state: string }>;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/batch-size-hessian.json', import.meta.url), 'utf8'),
) as Fixture;

test('the batch-size preset’s nine λmax agree with the exact reference to 1e-3, each converged', () => {
  const spec = presetSpec('batch-size');
  assert.equal(
    hash32(JSON.stringify(spec)),
    fixture.specHash,
    'the batch-size preset changed: regenerate the fixture with `node --import tsx bench/reference/batch-size-hessian.ts`',
  );
  const digits = parseBundled(
    'digits',
    readFileSync(new URL(`../data/bundled/${BUNDLED.digits.file}`, import.meta.url), 'utf8'),
  );
  const p = plan(spec, () => digits);
  assert.equal(fixture.models.length, p.jobs.length);
  for (const m of fixture.models) {
    const job = p.jobs.find((j) => j.key === m.key)!;
    const bytes = Buffer.from(m.state, 'base64');
    const state = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const net = new NetworkLoss(
      {
        model: job.fitConfig.model,
        loss: job.fitConfig.loss,
        data: digits,
        standardizer: fitStandardizer(digits.x, digits.d, job.train),
        outDim: digits.classes,
      },
      state,
    );
    const f = new RowsObjective(net, job.evals.train);
    const theta = net.params();
    // The same function as the reference's: the loss agrees to float64 rounding.
    const loss = f.value(theta);
    assert.ok(Math.abs(loss - m.loss) <= 1e-12 * m.loss, `${m.key}: loss ${loss} vs reference ${m.loss}`);
    // The analysis' own settings and random stream (analyze.ts).
    const h = topHessianEigenvalue(f, theta, {
      iterations: spec.analysis?.hessian?.iterations,
      tolerance: spec.analysis?.hessian?.tolerance,
      rng: new Rng(job.seed).fork('analysis').fork('hessian'),
    });
    assert.ok(h.converged, `${m.key}: not converged after ${h.iterations} steps`);
    const rel = Math.abs(h.eigenvalue - m.lambdaMax) / Math.abs(m.lambdaMax);
    assert.ok(rel <= 1e-3, `${m.key}: λmax ${h.eigenvalue}, reference ${m.lambdaMax} (relative ${rel})`);
    assert.ok(h.smallestRitzValue >= m.lambdaMin - 1e-9, `${m.key}: the smallest Ritz value bounds λmin from above`);
  }
});
