// One contract, two job engines: the LAN coordinator and BullMQ on a real redis-server. The
// same Lab calls, the same worker processes (two standing ones per engine), the same answers:
// reports byte-identical to the in-process run, a failing job retried then recorded failed
// with its error, cancel keeping what finished, and a Lab closed mid-run that resumes to the
// same report without running committed jobs again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type LabOptions } from '../lab.ts';
import type { LabEvent, RunOptions } from '../../shared/lab-api.ts';
import type { LocalWorkers } from '../coordinator/index.ts';
import { memoryLogger, until } from '../coordinator/test-support.ts';
import { redisMissing, TestRedis } from './redis-server.ts';
import { spawnQueueWorkers } from './bullmq/local.ts';

/** 2 configurations × 4 folds of moons: quick jobs, and a middle to act in. */
const spec = {
  name: 'contract',
  seed: 9,
  dataset: { name: 'moons', samples: 200, noise: 0.3, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [16], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 30, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 4 },
  sweep: {
    optimizer: [
      { name: 'adam', lr: 0.01 },
      { name: 'sgd', lr: 0.05, momentum: 0.9 },
    ],
  },
};

/**
 * The same plan with jobs ten times longer (about half a second each here): long enough that a
 * cancel or a closing Lab lands while most jobs are still to run, even when queue events reach
 * the Lab late on a loaded machine. Its reference is computed in-process once, when first needed.
 */
const slow = { ...spec, name: 'contract-slow', training: { epochs: 300, batchSize: 8 } };

/**
 * Leave-one-out on 2 rows leaves 1 training row: a full batch of one row, which batch norm
 * refuses when it trains (the spec check cannot know the fold sizes): every try fails.
 */
const failing = {
  seed: 1,
  dataset: { name: 'moons', samples: 2, noise: 0 },
  model: { kind: 'mlp', hidden: [2], batchNorm: true },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 1, batchSize: 'full' },
  evaluation: { kind: 'loo' },
};

interface EngineUnderTest {
  name: string;
  /** Why it cannot run here (redis-server missing), or undefined. */
  skip?: string;
  setup(dir: string): Promise<void>;
  /** Lab options for this engine. */
  options(): LabOptions;
  run: RunOptions;
  kind: 'lan' | 'redis';
  teardown(): Promise<void>;
}

const lan: EngineUnderTest = {
  name: 'the LAN coordinator',
  kind: 'lan',
  setup: async () => {},
  options: () => ({ standingWorkers: 2, coordinator: { maxAttempts: 3 } }),
  run: { workers: 0, joined: true },
  teardown: async () => {},
};

let redis: TestRedis | undefined;
let queueWorkers: LocalWorkers | undefined;
const missing = redisMissing();
const bullmq: EngineUnderTest = {
  name: 'BullMQ on Redis',
  kind: 'redis',
  skip: missing,
  setup: async () => {
    redis = await TestRedis.start();
    queueWorkers = spawnQueueWorkers(2, redis.url(), { lockSeconds: 5, prefix: 'contract' });
  },
  options: () => ({ engine: redis!.url(), engineTuning: { backoffMs: 100, sweepMs: 1000, attempts: 3 } }),
  run: { workers: 0 },
  teardown: async () => {
    await queueWorkers?.stop(15_000);
    await redis?.close();
  },
};

let tmp = '';
/** The in-process report of a spec (JSON), computed once. */
const references = new Map<object, Promise<string>>();
function reference(s: object): Promise<string> {
  let r = references.get(s);
  if (!r) {
    r = (async () => {
      const lab = Lab.open(join(tmp, `reference-${references.size}.db`), { logger: memoryLogger() });
      try {
        const { id } = await lab.createExperiment(s);
        await lab.startRun(id, { workers: 0 });
        assert.equal((await lab.waitForRun(id)).status, 'done');
        return JSON.stringify(await lab.getReport(id));
      } finally {
        await lab.close();
      }
    })();
    references.set(s, r);
  }
  return r;
}
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-contract-'));
  await reference(spec);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const engine of [lan, bullmq]) {
  describe(`JobEngine contract: ${engine.name}`, { timeout: 240_000, skip: engine.skip }, () => {
    let n = 0;
    const open = () => {
      const log = memoryLogger();
      const lab = Lab.open(join(tmp, `${engine.kind}-${++n}.db`), { ...engine.options(), logger: log });
      return { lab, log };
    };
    before(() => engine.setup(tmp));
    after(() => engine.teardown());

    test('a run gives the in-process report byte for byte; every job done once; the experiment says which engine ran it', async () => {
      const { lab } = open();
      try {
        const { id } = await lab.createExperiment(spec);
        const done = new Map<string, number>();
        lab.subscribe((e) => {
          if (e.type === 'job' && e.state === 'done') done.set(e.key, (done.get(e.key) ?? 0) + 1);
        });
        await lab.startRun(id, engine.run);
        const outcome = await lab.waitForRun(id);
        assert.equal(outcome.status, 'done', outcome.error ?? '');
        assert.equal(JSON.stringify(await lab.getReport(id)), await reference(spec));
        assert.equal(done.size, 8);
        assert.ok([...done.values()].every((c) => c === 1));
        const e = await lab.getExperiment(id);
        assert.equal(e.engine?.kind, engine.kind);
        assert.equal(e.engine?.backend, engine.kind === 'lan' ? 'cpu' : 'cpu');
        assert.equal((await lab.about()).engine.kind, engine.kind);
        const jobs = await lab.getJobs(id);
        assert.deepEqual(jobs.faults, []);
        for (const j of jobs.jobs) assert.ok(j.worker && !/in-process|lab-thread/.test(j.worker), j.worker ?? '');
      } finally {
        await lab.close();
      }
    });

    test('a job that fails on every try is tried 3 times, then recorded failed with its error; the run fails naming it', async () => {
      const { lab } = open();
      try {
        const { id } = await lab.createExperiment(failing);
        const tries: { key: string; final: boolean }[] = [];
        lab.subscribe((e) => {
          if (e.type === 'job' && e.experimentId === id && e.failure)
            tries.push({ key: e.key, final: e.failure.final });
        });
        await lab.startRun(id, engine.run);
        const outcome = await lab.waitForRun(id);
        assert.equal(outcome.status, 'failed');
        const key = tries.find((t) => t.final)?.key;
        assert.ok(key, JSON.stringify(tries));
        assert.match(
          outcome.error ?? '',
          new RegExp(`job ${key.replace(/[/=]/g, '.')} failed 3 times; last error: .*batch`, 'i'),
        );
        assert.deepEqual(
          tries.filter((t) => t.key === key).map((t) => t.final),
          [false, false, true],
          'two tries that will be retried, then the final one',
        );
        const row = (await lab.getJobs(id)).jobs.find((j) => j.key === key)!;
        assert.equal(row.state, 'failed');
        assert.equal(row.attempts, 3);
        assert.match(row.error ?? '', /^attempt 3: .*batch/i);
      } finally {
        await lab.close();
      }
    });

    test('cancel stops the run and keeps what finished; resume completes it with the same report', async () => {
      const { lab } = open();
      try {
        const { id } = await lab.createExperiment(slow);
        let seen = 0;
        const off = lab.subscribe((e: LabEvent) => {
          if (e.type === 'job' && e.experimentId === id && e.state === 'done' && ++seen === 1) void lab.cancelRun(id);
        });
        await lab.startRun(id, engine.run);
        const outcome = await lab.waitForRun(id);
        off();
        assert.equal(outcome.status, 'cancelled', outcome.error ?? '');
        assert.match(outcome.error ?? '', /cancel/);
        const kept = (await lab.getExperiment(id)).jobs.done;
        assert.ok(kept >= 1 && kept < 8, `kept ${kept}`);
        await lab.resumeRun(id, engine.run);
        assert.equal((await lab.waitForRun(id)).status, 'done');
        assert.equal(JSON.stringify(await lab.getReport(id)), await reference(slow));
      } finally {
        await lab.close();
      }
    });

    test('restart: a Lab closed mid-run reopens, reconciles, and resumes to the same report without rerunning committed jobs', async () => {
      const db = join(tmp, `${engine.kind}-restart.db`);
      const first = Lab.open(db, { ...engine.options(), logger: memoryLogger() });
      const { id } = await first.createExperiment(slow);
      const committed = new Set<string>();
      let closing: Promise<void> | undefined;
      first.subscribe((e) => {
        if (e.type === 'job' && e.experimentId === id && e.state === 'done' && !closing) {
          committed.add(e.key);
          if (committed.size === 2) closing = first.close();
        }
      });
      await first.startRun(id, engine.run);
      await until(() => closing !== undefined, 120_000, 'two committed jobs');
      await closing;
      assert.equal(committed.size, 2, 'the Lab closed mid-run');
      // The queue's workers go on while no Lab listens: the second Lab may import their results as it opens.
      const second = Lab.open(db, { ...engine.options(), logger: memoryLogger() });
      try {
        const rows0 = new Map((await second.getJobs(id)).jobs.map((j) => [j.key, j]));
        const before = new Map([...committed].map((k) => [k, rows0.get(k)?.finishedAt]));
        for (const [key, at] of before) assert.ok(at, `${key} committed by the first Lab`);
        await second.resumeRun(id, engine.run);
        assert.equal((await second.waitForRun(id)).status, 'done');
        assert.equal(JSON.stringify(await second.getReport(id)), await reference(slow));
        const rows = new Map((await second.getJobs(id)).jobs.map((j) => [j.key, j]));
        for (const [key, at] of before) assert.equal(rows.get(key)!.finishedAt, at, `${key} was run again`);
      } finally {
        await second.close();
      }
    });
  });
}
