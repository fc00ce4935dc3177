// What the in-process Lab answers is plain JSON too, even for a run that diverged: a number
// that is not finite is null, there is no typed array, and nothing changes through
// JSON.stringify (the served API sends exactly what the command line holds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabEvent } from '../../shared/lab-api.ts';
import { Lab } from '../lab.ts';

/** SGD at a learning rate no model survives: the losses overflow within a few epochs. */
const diverging = {
  seed: 1,
  dataset: { name: 'moons', samples: 120, noise: 0.2 },
  model: { kind: 'mlp', hidden: [8], activation: 'relu' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 1e6 },
  training: { epochs: 8, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 2 },
};

const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

test('a diverged run through the in-process Lab: every answer and event is plain JSON, non-finite numbers null', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'optlab-views-'));
  const lab = Lab.open(join(tmp, 'lib.db'), { logger: { info: () => {}, warn: () => {} } });
  t.after(async () => {
    await lab.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const events: LabEvent[] = [];
  const off = lab.subscribe((e) => events.push(e));
  const rec = await lab.createExperiment(diverging);
  await lab.startRun(rec.id, { workers: 0 });
  assert.equal((await lab.waitForRun(rec.id)).status, 'done');
  off();
  const jobs = await lab.getJobs(rec.id);
  const detail = await lab.getJob(rec.id, jobs.jobs[0].key);
  assert.equal(detail.diverged, true, 'the fixture must diverge');
  assert.ok(
    detail.history?.some((h) => Object.values(h).includes(null)),
    'a diverged history has values that are not numbers, shown as null',
  );
  const answers = { detail, jobs, report: await lab.getReport(rec.id), snapshot: await lab.snapshot(rec.id), events };
  for (const [name, v] of Object.entries(answers)) assert.deepStrictEqual(asJson(v), v, `${name} is not plain JSON`);
});
