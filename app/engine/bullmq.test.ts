// The BullMQ engine against a real redis-server (started here on 127.0.0.1 with a password, an
// append-only file and a temporary folder; stopped by its PID), with real `optlab` processes:
// reports byte-identical to the LAN engine and to in-process on 1 and 4 queue workers, and
// whatever happens to a worker, to the Lab or to Redis itself, the same numbers and nothing
// run twice or lost.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Queue, Worker } from 'bullmq';
import { parse as parseYaml } from 'yaml';
import { Lab } from '../lab.ts';
import { Library } from '../library/library.ts';
import { useFastKernels } from '../kernels.ts';
import { exited, type LocalWorkers } from '../coordinator/index.ts';
import { memoryLogger, until } from '../coordinator/test-support.ts';
import { redisMissing, TestRedis } from './redis-server.ts';
import { spawnQueueWorkers } from './bullmq/local.ts';
import { BullMqEngine } from './bullmq/engine.ts';
import type { QueueRun } from './bullmq/run.ts';
import { parseEngineUrl, queueName } from '../../worker/queue/layout.ts';
import { redisOptions } from '../../worker/queue/connect.ts';
import { jobReturn } from '../../worker/queue/payload.ts';
import { queueJobId } from '../../shared/experiment/keys.ts';
import { plan as makePlan } from '../../shared/experiment/plan.ts';
import { planData } from '../../shared/experiment/run.ts';
import { makeDataset } from '../../shared/data/make.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 1e8,
    env: { ...process.env, ...env },
  });

/** 2 configurations × 5 folds of moons, 40 epochs: ten jobs of a fraction of a second. */
const spec: ExperimentSpec = {
  name: 'queue test',
  seed: 5,
  dataset: { name: 'moons', samples: 400, noise: 0.3, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [32], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 40, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 5 },
  sweep: {
    optimizer: [
      { name: 'adam', lr: 0.01 },
      { name: 'sgd', lr: 0.05, momentum: 0.9 },
    ],
  },
};
const KEYS = 10;

/** The `optlab` ACL user of deploy/k8s/redis, with a password of the test's. */
function aclRules(password: string): string[] {
  const secret = parseYaml(readFileSync(join(root, 'deploy/k8s/redis/redis-acl-secret.yaml'), 'utf8')) as {
    stringData: { 'users.acl': string };
  };
  const line = secret.stringData['users.acl'].split('\n').find((l) => l.startsWith('user optlab '));
  assert.ok(line, 'the manifest defines the optlab user');
  return line
    .split(/\s+/)
    .slice(2)
    .map((r) => (r.startsWith('>') ? `>${password}` : r));
}

const missing = redisMissing();

/** Waits (bounded) for an asynchronous condition. */
async function eventually(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('BullMQ engine on a real redis-server', { timeout: 300_000, skip: missing }, () => {
  let tmp = '';
  let specFile = '';
  let redis: TestRedis;
  let reference = '';
  let workers: LocalWorkers | undefined;
  /** Every line of the standing workers, in the order they came. */
  const log: { name: string; line: string }[] = [];
  const linesOf = (name: string) => log.filter((l) => l.name === name).map((l) => l.line);
  const allLines = () => log.map((l) => l.line);
  const onLine = (name: string, line: string) => void log.push({ name, line });
  const k = useFastKernels();
  const cpuQueue = queueName('cpu', k.build === undefined ? { name: k.name } : { name: k.name, build: k.build });
  const labOptions = () => ({ engine: redis.url(), engineTuning: { sweepMs: 1000 }, logger: memoryLogger() });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-bullmq-'));
    specFile = join(tmp, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    redis = await TestRedis.start({ aof: true });
    const r = optlab(['run', specFile, '--workers', '0', '--db', join(tmp, 'ref.db'), '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    reference = r.stdout;
  });

  after(async () => {
    await workers?.stop(15_000);
    await redis?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('1 queue worker (logged in as the ACL user of deploy/k8s/redis) gives the report of the LAN engine and of in-process, byte for byte', () => {
    const lanRun = optlab(['run', specFile, '--workers', '1', '--db', join(tmp, 'lan.db'), '--json', '--quiet']);
    assert.equal(lanRun.status, 0, lanRun.stderr);
    assert.equal(lanRun.stdout, reference, 'LAN = in-process');
    const password = 'acl-user-secret';
    redis.cli('ACL', 'SETUSER', 'optlab', 'reset', ...aclRules(password));
    const url = redis.url({ name: 'optlab', password });
    const r = optlab([
      'run',
      specFile,
      '--engine',
      url,
      '--workers',
      '1',
      '--db',
      join(tmp, 'one.db'),
      '--json',
      '--quiet',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, reference, 'Redis, 1 worker = in-process');
    assert.equal(redis.cli('ACL', 'LOG', '1'), '', 'nothing the ACL user did was refused');
    const lib = Library.open(join(tmp, 'one.db'));
    try {
      assert.deepEqual(lib.getExperiment(1)!.engine, {
        kind: 'redis',
        where: `redis://127.0.0.1:${redis.port}`,
        backend: 'cpu',
        queue: cpuQueue,
      });
      assert.ok(lib.jobStates(1).jobs.every((j) => j.worker === 'local-0' && j.attempts === 1));
    } finally {
      lib.close();
    }
  });

  test('4 queue workers (listed by optlab workers) give the same report; a malformed payload put on the queue by hand is refused at once and the run goes on', async () => {
    workers = spawnQueueWorkers(4, redis.url(), { prefix: 'standing', lockSeconds: 5, onLine });
    const queue = new Queue(cpuQueue, {
      connection: redisOptions(parseEngineUrl(redis.url()), 'test'),
      prefix: 'optlab',
    });
    try {
      await queue.add(
        'fit',
        { v: 1, lab: 'not-hex', experiment: 1, key: 'x', frame: 'AAAA' },
        { jobId: 'by-hand.bad' },
      );
      await until(
        () => workers!.names.every((n) => linesOf(n).some((l) => l.startsWith('serving '))),
        60_000,
        'four workers',
      );
      // `optlab workers` lists them (from OPTLAB_ENGINE: the password stays out of argv), each on the CPU queue.
      await eventually(
        async () => {
          const w = optlab(['workers', '--json'], { OPTLAB_ENGINE: redis.url() });
          assert.equal(w.status, 0, w.stderr);
          const seen = JSON.parse(w.stdout) as { name: string; slots: number; queue?: string }[];
          return (
            seen.length === 4 &&
            seen.every((x) => /^standing-[0-3]$/.test(x.name) && x.slots === 1 && x.queue === cpuQueue)
          );
        },
        60_000,
        'optlab workers to list the four',
      );
      const r = optlab(['run', specFile, '--engine', redis.url(), '--db', join(tmp, 'four.db'), '--json', '--quiet']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, reference, 'Redis, 4 workers = in-process');
      const bad = await queue.getJob('by-hand.bad');
      assert.equal(await bad!.getState(), 'failed');
      assert.match(bad!.failedReason, /^malformed job payload: lab: must be the library id/);
      assert.equal(bad!.attemptsMade, 1, 'not retried: retrying cannot mend it');
      assert.equal(allLines().filter((l) => l.startsWith('refused job by-hand.bad: malformed payload')).length, 1);
      const ran = new Set(
        allLines()
          .filter((l) => l.startsWith('done '))
          .map((l) => l.split(' ')[1]),
      );
      assert.equal(ran.size, KEYS);
      const used = Library.open(join(tmp, 'four.db'));
      try {
        assert.ok(used.jobStates(1).jobs.every((j) => /^standing-[0-3]$/.test(j.worker ?? '')));
      } finally {
        used.close();
      }
    } finally {
      await queue.close();
    }
  });

  test('a Lab that reads its events late (its event loop blocked while the jobs run) still counts every lease before the result: each job done, on its worker, at attempt 1', async () => {
    const lab = Lab.open(join(tmp, 'late.db'), labOptions());
    try {
      const { id } = await lab.createExperiment(spec);
      const leased = new Set<string>();
      let first = () => {};
      const leasedOnce = new Promise<void>((r) => (first = r));
      lab.subscribe((e) => {
        if (e.type !== 'job' || e.state !== 'leased') return;
        leased.add(e.key);
        first();
      });
      await lab.startRun(id, { workers: 0 });
      await leasedOnce;
      // Blocked (no timers, no socket reads) while the other jobs run: their 'active' and
      // 'completed' then come in one read of the event stream, the case a loaded Lab meets.
      const t = Date.now() + 4000;
      while (Date.now() < t);
      const outcome = await lab.waitForRun(id);
      assert.equal(outcome.status, 'done', outcome.error ?? '');
      assert.equal(JSON.stringify(await lab.getReport(id)) + '\n', reference);
      const rows = (await lab.getJobs(id)).jobs;
      assert.deepEqual(
        rows
          .filter((j) => j.attempts !== 1 || !/^standing-[0-3]$/.test(j.worker ?? ''))
          .map((j) => [j.key, j.attempts, j.worker]),
        [],
        'every job: one lease counted, with the worker that ran it',
      );
      assert.equal(leased.size, KEYS, 'a leased event for every job');
    } finally {
      await lab.close();
    }
  });

  test('kill -9 of a worker holding a job: its job goes back to the queue when the lock expires, and the run completes identically', async () => {
    const lab = Lab.open(join(tmp, 'kill-worker.db'), labOptions());
    try {
      const { id } = await lab.createExperiment(spec);
      let victim: string | undefined;
      const failures: { key: string; error: string; final: boolean }[] = [];
      lab.subscribe((e) => {
        if (e.type === 'job' && e.failure) failures.push({ key: e.key, ...e.failure });
        if (e.type !== 'job' || e.state !== 'leased' || victim || !e.worker) return;
        const i = workers!.names.indexOf(e.worker);
        if (i < 0 || workers!.processes[i].exitCode !== null) return;
        victim = e.worker;
        workers!.processes[i].kill('SIGKILL');
      });
      await lab.startRun(id, { workers: 0 });
      const outcome = await lab.waitForRun(id);
      assert.equal(outcome.status, 'done', outcome.error ?? '');
      assert.equal(JSON.stringify(await lab.getReport(id)) + '\n', reference);
      assert.ok(victim);
      const rows = (await lab.getJobs(id)).jobs;
      assert.deepEqual(
        failures.map((f) => [f.error, f.final]),
        [[`worker "${victim}" went silent (lock expired)`, false]],
      );
      const retried = rows.find((j) => j.key === failures[0].key)!;
      assert.equal(retried.attempts, 2);
      assert.notEqual(retried.worker, victim, 'another worker ran it');
    } finally {
      await lab.close();
    }
  });

  test('Redis restarted mid-run (append-only file on): the workers and the Lab reconnect, nothing is lost, the report is the same', async () => {
    const lab = Lab.open(join(tmp, 'restart.db'), labOptions());
    try {
      const { id } = await lab.createExperiment(spec);
      // Down at the first lease, for 1.5 s: the jobs in flight end while Redis is away, the rest wait.
      let restarted: Promise<void> | undefined;
      let back = false;
      let afterBack = 0;
      lab.subscribe((e) => {
        if (e.type === 'job' && e.state === 'leased' && !restarted)
          restarted = redis.restart(1500).then(() => void (back = true));
        if (e.type === 'job' && e.state === 'done' && back) afterBack++;
      });
      const before = allLines().length;
      await lab.startRun(id, { workers: 0 });
      const outcome = await lab.waitForRun(id);
      assert.ok(restarted, 'Redis was restarted during the run');
      await restarted;
      assert.ok(afterBack > 0, 'jobs were done after Redis came back');
      assert.equal(outcome.status, 'done', outcome.error ?? '');
      assert.equal(JSON.stringify(await lab.getReport(id)) + '\n', reference);
      assert.equal((await lab.getJobs(id)).counts.done, KEYS);
      const alive = workers!.processes.filter((p) => p.exitCode === null && p.signalCode === null);
      assert.equal(alive.length, 3, 'the three workers left outlived the restart');
      assert.ok(
        allLines()
          .slice(before)
          .some((l) => /^done /.test(l)),
      );
    } finally {
      await lab.close();
    }
  });

  test('kill -9 of the Lab mid-run: the workers go on; optlab resume commits what finished meanwhile, runs nothing again, and records a second delivery with other bytes as a determinism fault', async () => {
    const db = join(tmp, 'crash.db');
    const before = allLines().length;
    const child = spawn(process.execPath, [bin, 'run', specFile, '--engine', redis.url(), '--db', db, '--quiet'], {
      stdio: 'ignore',
    });
    const committed = () => {
      let lib: Library | undefined;
      try {
        lib = Library.open(db);
        return lib.getExperiment(1) ? lib.jobStates(1).counts.done : 0;
      } catch {
        return 0;
      } finally {
        lib?.close();
      }
    };
    // Killed at the first committed job: nine of ten still to run, so the kill lands mid-run
    // even when the four workers are quick (at three, a fast run was sometimes over first).
    await until(() => committed() >= 1, 60_000, 'a committed job');
    child.kill('SIGKILL');
    await exited(child);
    const doneLines = () =>
      allLines()
        .slice(before)
        .filter((l) => l.startsWith('done '));
    // The workers finish the run with no Lab listening: the results wait in the queue.
    await until(() => new Set(doneLines().map((l) => l.split(' ')[1])).size === KEYS, 60_000, 'every job run');
    const lib = Library.open(db);
    const atKill = new Map(
      lib
        .jobStates(1)
        .jobs.filter((j) => j.state === 'done')
        .map((j) => [j.key, j.finishedAt]),
    );
    assert.ok(atKill.size >= 1 && atKill.size < KEYS, `committed ${atKill.size}`);
    assert.equal(lib.getExperiment(1)!.status, 'interrupted', 'its Lab is gone');
    // A rogue copy of a committed job's result, with one number changed, delivered through the queue.
    const [faultKey] = atKill.keys();
    const good = lib.jobResult(1, faultKey)!;
    const libraryId = lib.libraryId();
    lib.close();
    await workers!.stop(15_000);
    workers = undefined;
    const bad = structuredClone(good);
    bad.final.val.loss += 1e-3;
    const jobId = queueJobId(libraryId, 1, faultKey);
    const connection = redisOptions(parseEngineUrl(redis.url()), 'test');
    const queue = new Queue(cpuQueue, { connection, prefix: 'optlab' });
    const rogue = new Worker(cpuQueue, async (j) => jobReturn(j.id!, bad, 1, 'rogue'), {
      connection,
      prefix: 'optlab',
    });
    try {
      await queue.add('fit', { rogue: true }, { jobId });
      await eventually(async () => (await queue.getJobState(jobId)) === 'completed', 30_000, 'the rogue delivery');
    } finally {
      await rogue.close();
      await queue.close();
    }
    const r = optlab(['resume', '1', '--engine', redis.url(), '--workers', '1', '--db', db, '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, reference, 'the resumed report equals an uninterrupted run');
    const after = Library.open(db);
    try {
      const rows = after.jobStates(1);
      for (const [key, at] of atKill) assert.equal(rows.jobs.find((j) => j.key === key)!.finishedAt, at, key);
      assert.ok(
        rows.jobs.every((j) => j.state === 'done' && j.worker !== 'local-0'),
        'every job ran on the standing workers, none again after the resume',
      );
      assert.equal(doneLines().length, KEYS, 'each job ran once');
      assert.equal(rows.faults.length, 1);
      assert.equal(rows.faults[0].key, faultKey);
      assert.equal(rows.faults[0].worker, 'rogue');
      assert.match(rows.faults[0].detail, /^result\.final\.val\.loss: \S+ committed, \S+ delivered$/);
      assert.deepEqual(after.jobResult(1, faultKey), good, 'the committed result stays');
    } finally {
      after.close();
    }
    const show = optlab(['show', '1', '--db', db]);
    assert.match(show.stdout, new RegExp(`DETERMINISM FAULT: ${faultKey.replace(/[/=]/g, '.')}: worker "rogue"`));
    assert.match(show.stdout, /ran on: the queue at redis:\/\/127\.0\.0\.1:\d+ \(jobs\.cpu\./);
  });

  test('a duplicate submission is a no-op: the same jobs added again leave the queue as it was; a second Lab cannot drive the same run', async () => {
    const dupUrl = `${redis.url()}?prefix=dup`;
    const lib = Library.open(join(tmp, 'dup.db'));
    const engine = new BullMqEngine({
      target: parseEngineUrl(dupUrl),
      libraryId: lib.libraryId(),
      kernels: { name: 'js' },
      logger: memoryLogger(),
    });
    const other = new BullMqEngine({
      target: parseEngineUrl(dupUrl),
      libraryId: lib.libraryId(),
      kernels: { name: 'js' },
      logger: memoryLogger(),
      ownerTtlS: 30,
    });
    const queue = new Queue(queueName('cpu', { name: 'js' }), {
      connection: redisOptions(parseEngineUrl(dupUrl), 'test'),
      prefix: 'dup',
    });
    try {
      const id = lib.createExperiment(spec);
      const p = makePlan(spec, (d, rng) => makeDataset(d, rng));
      const session = await engine.open({ experimentId: id, workers: 0, joined: false, backend: {} });
      const running = session.executor.run(p.jobs, planData(p));
      running.catch(() => {});
      await eventually(
        async () => (await queue.getJobCountByTypes('prioritized', 'waiting')) === KEYS,
        30_000,
        'the jobs in the queue',
      );
      const first = await queue.getJobs(['prioritized', 'waiting']);
      assert.equal(first.length, KEYS);
      await (session.executor as QueueRun).enqueue(p.jobs, planData(p));
      const again = await queue.getJobs(['prioritized', 'waiting']);
      assert.equal(again.length, KEYS, 'no job added twice');
      assert.deepEqual(
        again.map((j) => [j.id, j.timestamp]).sort(),
        first.map((j) => [j.id, j.timestamp]).sort(),
        'the same entries, untouched',
      );
      await assert.rejects(
        other.open({ experimentId: id, workers: 0, joined: false, backend: {} }),
        /experiment \d+ is being run by another Lab/,
      );
      session.executor.cancel();
      await assert.rejects(running, /run cancelled with 10 jobs unfinished/);
      await session.stop();
      assert.equal(await queue.getJobCountByTypes('prioritized', 'waiting'), 0, 'cancel empties the queue of the run');
    } finally {
      await queue.close();
      await other.close();
      await engine.close();
      lib.close();
    }
  });

  test('serve-workers --engine prints the worker command of this installation, without the password, and runs an experiment queued with optlab run --queue on the queue workers (one of its own), to the same report', async () => {
    const db = join(tmp, 'served.db');
    // The URL from the environment, as the README says (a password on the command line shows in `ps`).
    // With a queue worker of its own (--workers 1), besides those the earlier tests left standing.
    const server = spawn(process.execPath, [bin, 'serve-workers', '--workers', '1', '--db', db, '--poll-ms', '200'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OPTLAB_ENGINE: redis.url() },
    });
    const lines: string[] = [];
    createInterface({ input: server.stdout }).on('line', (l) => lines.push(l));
    createInterface({ input: server.stderr }).on('line', (l) => lines.push(l));
    const waitFor = async (re: RegExp): Promise<number> => {
      const end = performance.now() + 90_000;
      while (!lines.some((l) => re.test(l))) {
        assert.ok(performance.now() < end, `no line matching ${re} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return lines.findIndex((l) => re.test(l));
    };
    try {
      const at = await waitFor(/^Start a worker on any machine that reaches it with:$/);
      assert.equal(lines[at + 1], `  OPTLAB_ENGINE=redis://:PASSWORD@127.0.0.1:${redis.port} node ${bin} worker`);
      assert.ok(!lines.some((l) => l.includes(redis.password)), 'the password is never printed');
      const q = optlab(['run', specFile, '--queue', '--db', db]);
      assert.equal(q.status, 0, q.stderr);
      await waitFor(/^experiment 1: done$/);
      server.kill('SIGINT');
      await exited(server);
      assert.equal(server.exitCode, 0, lines.join('\n'));
    } finally {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    const lab = Lab.open(db, { logger: memoryLogger() });
    try {
      assert.equal(JSON.stringify(await lab.getReport(1)) + '\n', reference);
      assert.equal((await lab.getExperiment(1)).engine?.kind, 'redis');
    } finally {
      await lab.close();
    }
  });

  test('a wrong password: the worker says the server refused it and exits 2 without retrying; a run is refused with exit 2', () => {
    const wrong = `redis://:not-the-password@127.0.0.1:${redis.port}`;
    const w = optlab(['worker', '--engine', wrong, '--slots', '1']);
    assert.equal(w.status, 2, w.stderr);
    assert.match(
      w.stderr,
      new RegExp(
        `^optlab worker: the Redis server at redis://127\\.0\\.0\\.1:${redis.port} refused the password: WRONGPASS`,
      ),
    );
    const env = optlab(['worker'], { OPTLAB_ENGINE: wrong });
    assert.equal(env.status, 2, 'from the environment too');
    const r = optlab(['run', specFile, '--engine', wrong, '--db', join(tmp, 'wrong.db'), '--quiet']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /optlab run: --engine: the Redis server at .* refused the password: WRONGPASS/);
    assert.ok(!r.stderr.includes('not-the-password'), 'the password is never printed');
  });
});
