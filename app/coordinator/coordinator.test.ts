// The coordinator with real worker processes on 127.0.0.1: results byte-identical to the
// in-process executor's, whatever the number of workers and whatever happens to them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Coordinator, JobFailedError, RunCancelled } from './coordinator.ts';
import { exited, spawnLocalWorkers, type LocalWorkers } from './local.ts';
import { load, memoryLogger, moonsSpec, until, within } from './test-support.ts';
import { plan } from '../../shared/experiment/plan.ts';
import { planData, runPlan } from '../../shared/experiment/run.ts';
import { InProcessExecutor, JobCancelled } from '../../shared/experiment/executor.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

const BIN = fileURLToPath(new URL('../../bin/optlab.mjs', import.meta.url));

async function reference(spec: ExperimentSpec): Promise<string> {
  return JSON.stringify((await runPlan(plan(spec, load), new InProcessExecutor())).report);
}

/** Output lines of local workers, by name. */
function outputs() {
  const lines = new Map<string, string[]>();
  return {
    lines,
    onLine: (name: string, line: string) => void (lines.get(name) ?? lines.set(name, []).get(name)!).push(line),
    of: (name: string) => lines.get(name) ?? [],
  };
}

describe('three local worker processes', { timeout: 120_000 }, () => {
  const log = memoryLogger();
  const out = outputs();
  const spec = moonsSpec();
  let expected: string;
  let coordinator: Coordinator;
  let workers: LocalWorkers;
  const proc = (name: string): ChildProcess => workers.processes[workers.names.indexOf(name)];
  /** An onResult hook that signals the first worker it sees holding a job, once; `hit` says which and what it held. */
  const signalFirstBusy = (signal: NodeJS.Signals) => {
    const hit: { name?: string; running: string[] } = { running: [] };
    const onResult = () => {
      if (hit.name) return;
      const busy = coordinator.workers().find((w) => w.running.length > 0);
      if (!busy) return;
      hit.name = busy.name;
      hit.running = busy.running;
      proc(busy.name).kill(signal);
    };
    return { hit, onResult };
  };

  before(async () => {
    expected = await reference(spec);
    coordinator = new Coordinator({ logger: log });
    const url = await coordinator.listen();
    assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/);
    workers = spawnLocalWorkers(3, url, coordinator.token, { onLine: out.onLine });
    await until(() => coordinator.workers().length === 3, 30_000, 'three workers to join');
  });

  after(async () => {
    await workers?.stop(10_000);
    await coordinator?.close();
  });

  test('the aggregate JSON is byte-identical to the in-process executor; one line per job on the workers', async () => {
    let progress = 0;
    const ranOn = new Map<string, string>();
    const { report, results } = await within(
      runPlan(plan(spec, load), coordinator.executor(), {
        onProgress: () => progress++,
        onResult: (r, meta) => {
          assert.ok(meta && meta.ms >= 0);
          ranOn.set(r.key, meta.worker);
        },
      }),
      60_000,
      'the run',
    );
    assert.equal(JSON.stringify(report), expected);
    assert.equal(results.size, 8);
    assert.ok(
      [...ranOn.values()].every((w) => /^local-[012]$/.test(w)),
      [...ranOn.values()].join(),
    );
    assert.ok(progress >= 8 * 120, `progress reports: ${progress}`);
    const listed = coordinator.workers();
    assert.deepEqual(listed.map((w) => w.name).sort(), ['local-0', 'local-1', 'local-2']);
    assert.equal(
      listed.reduce((s, w) => s + w.done, 0),
      8,
    );
    for (const w of listed) {
      assert.equal(w.address, '127.0.0.1');
      assert.equal(w.slots, 1);
      assert.deepEqual(w.running, []);
    }
    // The workers print after sending; their lines may trail the results.
    const done = () => [...out.lines.values()].flat().filter((l) => l.startsWith('done '));
    await until(() => done().length >= 8, 10_000, 'a line per job');
    assert.equal(done().length, 8);
    for (const l of done()) assert.match(l, /^done config=[01]\/repeat=0\/fold=[0-3] in \d+\.\d\d s$/);
  });

  test('cancel stops the jobs on the workers and rejects the run with a cancellation error', async () => {
    const long = moonsSpec({ training: { epochs: 100_000, batchSize: 16 } });
    const executor = coordinator.executor();
    const seen = new Set<string>();
    let cancelled = false;
    const run = runPlan(plan(long, load), executor, {
      onProgress: (p) => {
        seen.add(p.key);
        if (seen.size === 3 && !cancelled) {
          cancelled = true;
          executor.cancel();
        }
      },
    });
    await within(
      assert.rejects(
        run,
        (e: unknown) => e instanceof RunCancelled && e instanceof JobCancelled && e.code === 'E_CANCELLED',
      ),
      30_000,
      'the run to reject',
    );
    assert.ok(cancelled);
    // The slots free up only when the workers report the jobs stopped.
    await until(
      () => coordinator.workers().every((w) => w.running.length === 0),
      15_000,
      'the workers to stop their jobs',
    );
    const stopped = () => [...out.lines.values()].flat().filter((l) => /^cancelled config=/.test(l));
    await until(() => stopped().length >= 3, 10_000, 'a line per cancelled job');
    assert.equal(stopped().length, 3, stopped().join('\n'));
    assert.equal(coordinator.workers().length, 3, 'the workers stay connected');
  });

  test('kill -9 of a worker holding a job in the middle of a run: the run completes with identical results', async () => {
    const kill = signalFirstBusy('SIGKILL');
    const { report } = await within(
      runPlan(plan(spec, load), coordinator.executor(), { onResult: kill.onResult }),
      60_000,
      'the run',
    );
    const { name: victim, running: heldByVictim } = kill.hit;
    assert.ok(victim, 'a worker held a job after the first result');
    assert.equal(JSON.stringify(report), expected);
    assert.deepEqual(await within(exited(proc(victim)), 10_000, 'the killed worker'), {
      code: null,
      signal: 'SIGKILL',
    });
    assert.ok(heldByVictim.length > 0);
    assert.ok(
      log.lines.some((l) => l.startsWith(`worker "${victim}"`) && / left: .*requeued/.test(l)),
      log.lines.join('\n'),
    );
    await until(() => coordinator.workers().length === 2, 10_000, 'the killed worker to leave the list');
  });

  test('SIGTERM of a worker in the middle of a run: it finishes its job, exits 0, and the run completes', async () => {
    const stop = signalFirstBusy('SIGTERM');
    const { report } = await within(
      runPlan(plan(spec, load), coordinator.executor(), { onResult: stop.onResult }),
      60_000,
      'the run',
    );
    const victim = stop.hit.name;
    assert.ok(victim, 'a worker held a job after the first result');
    assert.equal(JSON.stringify(report), expected);
    assert.deepEqual(await within(exited(proc(victim)), 20_000, 'the stopped worker'), { code: 0, signal: null });
    assert.ok(
      out.of(victim).some((l) => l.startsWith('draining:')),
      out.of(victim).join('\n'),
    );
    assert.ok(
      log.lines.some((l) => l.startsWith(`worker "${victim}" (`) && l.endsWith(' is draining')),
      log.lines.join('\n'),
    );
  });
});

describe('one local worker', { timeout: 120_000 }, () => {
  const log = memoryLogger();
  const out = outputs();
  let coordinator: Coordinator;
  let workers: LocalWorkers;

  before(async () => {
    coordinator = new Coordinator({ logger: log, heartbeatMs: 250 });
    workers = spawnLocalWorkers(1, await coordinator.listen(), coordinator.token, { onLine: out.onLine });
    await until(() => coordinator.workers().length === 1, 30_000, 'the worker to join');
  });

  after(async () => {
    await workers?.stop(10_000);
    await coordinator?.close();
  });

  test('identical results on one worker, for a sweep and for boosting rounds (sample weights, sequential runs)', async () => {
    const small = moonsSpec({ training: { epochs: 20, batchSize: 16 } });
    const boosting = moonsSpec({
      sweep: null,
      analysis: null,
      model: { kind: 'logistic' },
      ensemble: { kind: 'boosting', rounds: 3, learning_rate: 0.5 },
      evaluation: { kind: 'kfold', k: 2 },
      training: { epochs: 10, batchSize: 16 },
    });
    for (const s of [small, boosting]) {
      const want = await reference(s);
      const { report } = await within(runPlan(plan(s, load), coordinator.executor()), 60_000, 'the run');
      assert.equal(JSON.stringify(report), want);
    }
  });

  test('a worker with a wrong token is refused with E_AUTH, logged, and exits 2 without retrying', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'worker', '--connect', coordinator.url, '--token', 'not-the-token', '--name', 'intruder', '--slots', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const { code } = await within(exited(child), 20_000, 'the refused worker to exit');
    assert.equal(code, 2);
    assert.match(stderr, /refused this worker: E_AUTH: wrong token/);
    assert.ok(log.lines.includes('refused worker "intruder" from 127.0.0.1: wrong token'), log.lines.join('\n'));
    assert.equal(log.lines.filter((l) => l.includes('"intruder"')).length, 1, 'one attempt, no retry loop');
    assert.deepEqual(
      coordinator.workers().map((w) => w.name),
      ['local-0'],
    );
  });

  test('a job that fails on every try rejects the run with E_JOB_FAILED, naming the job, its attempts and the last error', async () => {
    const p = plan(moonsSpec({ training: { epochs: 5, batchSize: 16 } }), load);
    const bad = p.jobs[1];
    const jobs = [p.jobs[0], { ...bad, train: Uint32Array.from([...bad.train, 1_000_000]) }];
    const err = await within(
      coordinator
        .executor()
        .run(jobs, planData(p))
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
      30_000,
      'the run',
    );
    assert.ok(err instanceof JobFailedError, String(err));
    assert.equal(err.code, 'E_JOB_FAILED');
    assert.equal(err.key, bad.key);
    assert.equal(err.attempts, 3);
    assert.match(
      err.message,
      new RegExp(
        `^job ${bad.key} failed 3 times; last error: E_JOB_FAILED: the job does not fit its data set: job\\.train\\[\\d+\\]: row 1000000 is outside`,
      ),
    );
    await until(
      () => out.of('local-0').filter((l) => l.startsWith(`failed ${bad.key} after `)).length === 3,
      10_000,
      'a line per failure',
    );
  });

  test('SIGTERM with no grace left: the worker hands its job back (released), exits 0, and the run completes elsewhere', async () => {
    const quitter = spawnLocalWorkers(1, coordinator.url, coordinator.token, {
      prefix: 'quitter',
      graceSeconds: 0,
      onLine: out.onLine,
    });
    try {
      await until(() => coordinator.workers().length === 2, 30_000, 'the second worker to join');
      const s = moonsSpec({ sweep: null, training: { epochs: 600, batchSize: 16 } });
      const p = plan(s, load);
      let results = 0;
      const run = runPlan(p, coordinator.executor(), { onResult: () => results++ });
      await until(
        () => coordinator.workers().some((w) => w.name === 'quitter-0' && w.running.length > 0),
        30_000,
        'the quitter to hold a job',
      );
      quitter.processes[0].kill('SIGTERM');
      assert.deepEqual(await within(exited(quitter.processes[0]), 20_000, 'the quitter to exit'), {
        code: 0,
        signal: null,
      });
      await within(run, 60_000, 'the run');
      assert.equal(results, 4);
      assert.ok(
        out.of('quitter-0').some((l) => /^released config=0\/repeat=0\/fold=\d \(grace period over\)$/.test(l)),
        out.of('quitter-0').join('\n'),
      );
    } finally {
      await quitter.stop(5000);
    }
  });
});

describe('reconnection', { timeout: 60_000 }, () => {
  test('a worker started by hand reconnects with backoff when the Lab goes away and comes back on its port', async () => {
    const token = 'feed'.repeat(16);
    const first = new Coordinator({ token, logger: memoryLogger() });
    const url = await first.listen();
    const child = spawn(
      process.execPath,
      [BIN, 'worker', '--connect', url, '--token', token, '--name', 'roamer', '--slots', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    child.stderr.resume();
    let second: Coordinator | undefined;
    try {
      await until(() => first.workers().length === 1, 30_000, 'the worker to join');
      await first.close();
      await until(
        () => lines.some((l) => /^reconnecting to ws:\/\/127\.0\.0\.1:\d+ in \d+\.\d\d s$/.test(l)),
        10_000,
        'a reconnection line',
      );
      assert.ok(
        lines.some((l) => l.startsWith('lost the Lab')),
        lines.join('\n'),
      );
      second = new Coordinator({ token, port: first.port, logger: memoryLogger() });
      await second.listen();
      await until(() => second!.workers().length === 1, 20_000, 'the worker to come back');
      const small = moonsSpec({ sweep: null, training: { epochs: 5, batchSize: 16 } });
      const { report } = await within(runPlan(plan(small, load), second.executor()), 30_000, 'a run on the new Lab');
      assert.equal(JSON.stringify(report), await reference(small));
      child.kill('SIGTERM');
      assert.deepEqual(await within(exited(child), 20_000, 'the worker to exit'), { code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await second?.close();
      await first.close();
    }
  });
});
