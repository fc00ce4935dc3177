// The plan estimate's throughput: the built-in figure, or what this library's finished runs
// measured (their plans' cost units over their jobs' time). The logic, not the timing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Library } from '../library/library.ts';
import { Lab } from '../lab.ts';
import type { ExperimentSpec, JobResult } from '../../shared/experiment/types.ts';
import { BENCHMARK_UNITS_PER_MS, MIN_CALIBRATION_MS, throughput } from './preview.ts';

function temp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-preview-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const spec: ExperimentSpec = {
  seed: 5,
  dataset: { name: 'moons', samples: 100, noise: 0.2 },
  model: { kind: 'logistic' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 2, batchSize: 16 },
};

const result = (key: string): JobResult => ({
  key,
  history: [{ epoch: 1, lr: 0.1, penalty: 0, train_loss: 0.5 }],
  final: { val: { loss: 0.5, accuracy: 0.5 } },
  bestEpoch: 1,
  stoppedEarly: false,
  diverged: false,
  paramCount: 3,
  outDim: 1,
  outputs: {},
});

/** A finished (or not) experiment whose plan cost `units` and whose two jobs took `ms` in all. */
function past(lib: Library, units: number, ms: number, status: 'done' | 'cancelled' = 'done'): void {
  const id = lib.createExperiment(spec);
  lib.planJobs(id, ['a', 'b']);
  for (const key of ['a', 'b']) {
    lib.leaseJob(id, key, 'w');
    lib.commitResult(id, key, result(key), ms / 2, 'w');
  }
  lib.setCostUnits(id, units);
  lib.setStatus(id, status);
}

test('no finished run: the built-in figure', (t) => {
  const lib = Library.open(join(temp(t), 'lib.db'));
  t.after(() => lib.close());
  assert.deepEqual(throughput(lib), { msPerUnit: 1 / BENCHMARK_UNITS_PER_MS, basis: 'benchmark' });
  // Too short to tell (fixed costs), or not finished: still the figure.
  past(lib, 1e9, MIN_CALIBRATION_MS - 2);
  past(lib, 1e9, 50_000, 'cancelled');
  assert.deepEqual(throughput(lib), { msPerUnit: 1 / BENCHMARK_UNITS_PER_MS, basis: 'benchmark' });
});

test("finished runs: the median of their rates (ms per unit), the last ten's", (t) => {
  const lib = Library.open(join(temp(t), 'lib.db'));
  t.after(() => lib.close());
  past(lib, 1e9, 4000); // 4e-6 ms per unit
  assert.deepEqual(throughput(lib), { msPerUnit: 4e-6, basis: 'past-runs' });
  past(lib, 2e9, 2000); // 1e-6
  assert.deepEqual(
    throughput(lib),
    { msPerUnit: (2000 / 2e9 + 4000 / 1e9) / 2, basis: 'past-runs' },
    'two: their mean',
  );
  past(lib, 1e9, 3000); // 3e-6
  past(lib, 1e9, 1000); // too short: left out
  assert.deepEqual(throughput(lib), { msPerUnit: 3e-6, basis: 'past-runs' });
  // Ten newer runs at 1e-5 push the old ones out of the window.
  for (let i = 0; i < 10; i++) past(lib, 1e9, 10_000);
  assert.equal(throughput(lib).msPerUnit, 1e-5);
});

test('a run records its plan cost in units (hand-derived), and the estimate then counts it once it is long enough', async (t) => {
  const db = join(temp(t), 'lib.db');
  const lab = Lab.open(db, { logger: { info: () => {}, warn: () => {} } });
  try {
    const { id } = await lab.createExperiment(spec);
    await lab.startRun(id, { workers: 0 });
    assert.equal((await lab.waitForRun(id)).status, 'done');
    // Holdout: 80 training rows of 100 (val 0.2); logistic on 2 features and 2 classes has one
    // output, so 3 parameters; 2 epochs of 80 rows at 6·3 + 100, and 2 curve points scoring
    // the 100 rows at 2·3 + 100: 80·2·118 + 2·100·106 = 18,880 + 21,200.
    const lib = Library.open(db, { readonly: true });
    const [c] = lib.costs(1);
    lib.close();
    assert.equal(c.units, 40_080);
    assert.ok(c.ms > 0);
    // A few milliseconds of jobs: too short to calibrate on.
    const p = await lab.previewPlan({ experimentId: id });
    assert.equal(p.estimate.basis, c.ms >= MIN_CALIBRATION_MS ? 'past-runs' : 'benchmark');
    assert.equal(
      p.estimate.cpuSeconds,
      c.ms >= MIN_CALIBRATION_MS ? c.ms / 1000 : 40_080 / BENCHMARK_UNITS_PER_MS / 1000,
    );
  } finally {
    await lab.close();
  }
});
