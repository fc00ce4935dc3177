// retryFailed as a screen's "retry" button uses it: refused when nothing failed, else a new
// run of the failed jobs (and anything missing) that keeps what was done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../lab.ts';

test('retryFailed runs the failed jobs again and keeps the done ones; with nothing failed it is E_STATE', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'optlab-retry-'));
  const lab = Lab.open(join(tmp, 'lib.db'), { logger: { info: () => {}, warn: () => {} } });
  t.after(async () => {
    await lab.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const { id } = await lab.createExperiment({
    seed: 1,
    dataset: { name: 'moons', samples: 2, noise: 0 },
    model: { kind: 'mlp', hidden: [2], batchNorm: true },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'sgd', lr: 0.1 },
    training: { epochs: 1, batchSize: 2 },
    evaluation: { kind: 'loo' },
  });
  await lab.startRun(id, { workers: 0 });
  assert.equal((await lab.waitForRun(id)).status, 'failed');
  const first = (await lab.getJobs(id)).jobs.find((j) => j.state === 'failed')!;
  assert.equal(first.attempts, 1);
  // The failure is in the data (one training row under batch norm): the retry runs it again
  // and it fails again, counted as a second attempt of the same job.
  const again = await lab.retryFailed(id, { workers: 0 });
  assert.deepEqual(again, { experimentId: id, total: 2, done: 0 });
  assert.equal((await lab.waitForRun(id)).status, 'failed');
  const second = (await lab.getJobs(id)).jobs.find((j) => j.key === first.key)!;
  assert.equal(second.state, 'failed');
  assert.equal(second.attempts, 2);
  assert.ok(second.startedAt! >= first.startedAt!);
  assert.match(second.error ?? '', /BatchNorm1d/);
  // The stored error names the same attempt as the row (it said "attempt 1" on every run).
  assert.match(first.error ?? '', /^attempt 1: /);
  assert.match(second.error ?? '', /^attempt 2: /);
  // A done experiment has nothing to retry.
  const ok = await lab.createExperiment({
    seed: 1,
    dataset: { name: 'moons', samples: 40, noise: 0.1 },
    model: { kind: 'logistic' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'sgd', lr: 0.1 },
    training: { epochs: 2, batchSize: 8 },
    evaluation: { kind: 'holdout' },
  });
  await lab.startRun(ok.id, { workers: 0 });
  assert.equal((await lab.waitForRun(ok.id)).status, 'done');
  await assert.rejects(lab.retryFailed(ok.id), (e: Error & { code?: string }) => e.code === 'E_STATE');
});
