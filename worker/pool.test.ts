import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPool } from './pool.ts';
import { plan, type LoadData } from '../shared/experiment/plan.ts';
import { runJob } from '../shared/experiment/executor.ts';
import { makeDataset } from '../shared/data/make.ts';
import type { ExperimentSpec, JobProgress } from '../shared/experiment/types.ts';

const load: LoadData = (spec, rng) => makeDataset(spec, rng);

function spec(epochs: number): ExperimentSpec {
  return {
    seed: 5,
    dataset: { name: 'moons', samples: 150, noise: 0.3, testFraction: 0.2 },
    model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs, batchSize: 8 },
    evaluation: { kind: 'kfold', k: 3 },
  };
}

test(
  'a job in a thread gives the same result as in this thread, with every epoch reported before the result',
  { timeout: 30_000 },
  async () => {
    const p = plan(spec(3), load);
    const pool = new ThreadPool(1);
    try {
      for (const job of p.jobs.slice(0, 2)) {
        const seen: JobProgress[] = [];
        const r = await pool.run(job, p.data[0].data, (x) => seen.push(x)).result;
        assert.deepEqual(r, runJob(job, p.data[0].data));
        // Every report is in before the result: none may arrive after the Lab committed the job.
        assert.deepEqual(
          seen.map((s) => [s.key, s.epoch]),
          [1, 2, 3].map((e) => [job.key, e]),
        );
      }
    } finally {
      await pool.close();
    }
  },
);

test('cancel stops a running fit; the thread then takes the next job', { timeout: 30_000 }, async () => {
  const p = plan(spec(100_000), load);
  const pool = new ThreadPool(1);
  try {
    let started!: () => void;
    const first = new Promise<void>((res) => (started = res));
    const task = pool.run(p.jobs[0], p.data[0].data, () => started());
    await first;
    task.cancel();
    await assert.rejects(task.result, /cancelled/);
    const short = plan(spec(1), load);
    const r = await pool.run(short.jobs[0], short.data[0].data, () => {}).result;
    assert.equal(r.history.length, 1);
  } finally {
    await pool.close();
  }
});
