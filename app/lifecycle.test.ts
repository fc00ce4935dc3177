// A run's life as a user meets it, with real processes: Ctrl-C, kill -9, a second Lab on the
// same library, a restarted serve-workers, other kernels, a finished experiment resumed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { WebSocket } from 'ws';
import { Library } from './library/library.ts';
import { Lab } from './lab.ts';
import { OptLabError } from '../shared/lab-errors.ts';
import { labClient } from '../shared/lab-client.ts';
import type { ExperimentStatus } from '../shared/lab-api.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/optlab.mjs');
const optlab = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 1e8,
    env: { ...process.env, ...env },
  });

/** 6 folds of about a second's work each (a busy 2-core machine): long enough to interrupt. */
const spec = {
  name: 'lifecycle',
  seed: 11,
  dataset: { name: 'moons', samples: 1500, noise: 0.3 },
  model: { kind: 'mlp', hidden: [48, 48], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 30, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 6 },
};

/** Fewer, longer jobs: a run still going while other processes look at it and try to resume it. */
const longSpec = {
  ...spec,
  name: 'long',
  training: { epochs: 120, batchSize: 8 },
  evaluation: { kind: 'kfold', k: 4 },
};

let tmp = '';
let specFile = '';
let longFile = '';
/** The report of an uninterrupted run, computed once. */
let reference = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-lifecycle-'));
  specFile = join(tmp, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  longFile = join(tmp, 'long.json');
  writeFileSync(longFile, JSON.stringify(longSpec));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function referenceReport(): string {
  if (!reference) {
    const r = optlab(['run', specFile, '--workers', '0', '--db', join(tmp, 'reference.db'), '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    reference = r.stdout;
  }
  return reference;
}

/** A child process whose output lines are kept. */
function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  return { child, lines };
}

/** Its exit code, once it has exited and its output has been read to the end. */
function exited(child: ChildProcess, ms = 120_000): Promise<number | null> {
  if ((child.exitCode !== null || child.signalCode !== null) && child.stdout?.readableEnded !== false)
    return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`pid ${child.pid} still running after ${ms} ms`)), ms);
    child.once('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

async function until<T>(what: string, fn: () => T | undefined | false, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Status and committed jobs of experiment 1, as another process sees them. */
function look(db: string, id = 1): { status: ExperimentStatus; done: number; pid: number | null } | undefined {
  let lib: Library;
  try {
    lib = Library.open(db, { readonly: true });
  } catch {
    return undefined;
  }
  try {
    const e = lib.getExperiment(id);
    return e && { status: e.status, done: e.jobs.done, pid: e.owner?.pid ?? null };
  } finally {
    lib.close();
  }
}

const doneAtLeast = (db: string, n: number) => () => {
  const l = look(db);
  return l !== undefined && l.done >= n && l.status === 'running' && l;
};

test('Ctrl-C in run cancels the experiment (recorded, resumable) and exits; resume gives the uninterrupted report', async () => {
  const db = join(tmp, 'ctrl-c.db');
  const run = start(['run', specFile, '--workers', '1', '--db', db]);
  await until('2 committed jobs', doneAtLeast(db, 2));
  run.child.kill('SIGINT');
  assert.equal(await exited(run.child, 60_000), 130, run.lines.join('\n'));
  assert.ok(
    run.lines.some((l) => /experiment 1 cancelled; what finished is kept in .*ctrl-c\.db \(optlab resume 1/.test(l)),
    run.lines.join('\n'),
  );
  const after1 = look(db)!;
  assert.equal(after1.status, 'cancelled');
  assert.ok(after1.done >= 2);
  const resumed = optlab(['resume', '1', '--workers', '1', '--db', db, '--json', '--quiet']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(resumed.stdout, referenceReport());
  // A second Ctrl-C (exit at once): app/cli/interrupt.test.ts, where the clean stop never ends.
});

test('serve-workers with no local worker: kill -INT cancels its running experiment (recorded) and exits', async () => {
  const db = join(tmp, 'serve-int.db');
  const q = optlab(['run', specFile, '--queue', '--db', db]);
  assert.equal(q.status, 0, q.stderr);
  const server = start(['serve-workers', '--db', db, '--poll-ms', '200']);
  let worker: ChildProcess | undefined;
  try {
    const cmd = (
      await until('the worker command', () => server.lines.find((l) => /^ {2}OPTLAB_TOKEN=/.test(l)))
    ).trim();
    // As a user pastes it into a shell; in its own process group, so the shell and the worker stop together.
    worker = spawn('sh', ['-c', `${cmd} --slots 1 --name by-hand`], { stdio: 'ignore', cwd: tmp, detached: true });
    await until('a committed job', doneAtLeast(db, 1));
    server.child.kill('SIGINT');
    assert.equal(await exited(server.child, 60_000), 0, server.lines.join('\n'));
    assert.ok(server.lines.some((l) => /cancelling experiment 1/.test(l)));
    const l = look(db)!;
    assert.equal(l.status, 'cancelled');
  } finally {
    if (worker?.pid) process.kill(-worker.pid, 'SIGKILL');
    server.child.kill('SIGKILL');
  }
});

test('a live run is not resumed twice (CLI, Lab API, optlab serve); after kill -9 it reads as interrupted and serve-workers finishes it', async () => {
  const db = join(tmp, 'live.db');
  const run = start(['run', longFile, '--workers', '1', '--db', db, '--quiet']);
  const served = start(['serve', '--db', db, '--workers', '0', '--quiet']);
  try {
    await until('a committed job', doneAtLeast(db, 1));
    const r = optlab(['resume', '1', '--workers', '1', '--db', db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`experiment 1 is running in another process \\(pid ${run.child.pid} on `));
    assert.doesNotMatch(r.stderr, /coordinator listening/, 'a refused resume starts nothing');

    const ls = JSON.parse(optlab(['ls', '--db', db, '--json']).stdout) as { status: string; owner: { pid: number } }[];
    assert.deepEqual([ls[0].status, ls[0].owner.pid], ['running', run.child.pid]);

    const lab = Lab.open(db, { logger: { info: () => {}, warn: () => {} } });
    try {
      await assert.rejects(
        lab.resumeRun(1, { workers: 0 }),
        (e: unknown) => e instanceof OptLabError && e.code === 'E_BUSY' && /another process/.test(e.message),
      );
      await assert.rejects(lab.deleteExperiment(1), (e: unknown) => e instanceof OptLabError && e.code === 'E_IN_USE');
    } finally {
      await lab.close();
    }

    const apiUrl = await until('optlab serve to print its URL', () =>
      served.lines.map((l) => /(ws:\/\/\S+\/api\?token=[0-9a-f]+)/.exec(l)?.[1]).find(Boolean),
    );
    const client = labClient({ url: apiUrl, socket: (u) => new WebSocket(u) as never, minDelayMs: 50 });
    try {
      await client.ready;
      assert.equal((await client.getExperiment(1)).status, 'running');
      await assert.rejects(
        client.resumeRun(1, { workers: 0 }),
        (e: unknown) => e instanceof OptLabError && e.code === 'E_BUSY',
      );
      run.child.kill('SIGKILL');
      await exited(run.child);
      const e = await client.getExperiment(1);
      assert.deepEqual([e.status, e.owner], ['interrupted', null], 'a screen sees the run is interrupted');
      assert.deepEqual(
        (await client.listExperiments({ status: 'interrupted' })).map((x) => x.id),
        [1],
      );
    } finally {
      client.close();
    }
    const text = optlab(['show', '1', '--db', db]);
    assert.match(text.stdout, /\[interrupted\]/);
    assert.match(text.stdout, /optlab resume 1 continues it/);
  } finally {
    run.child.kill('SIGKILL');
    served.child.kill('SIGTERM');
    await exited(served.child, 30_000);
  }

  // A restarted serve-workers picks the interrupted experiment up again and finishes it.
  const server = start(['serve-workers', '--workers', '1', '--db', db, '--poll-ms', '200']);
  try {
    await until('the experiment to finish', () => server.lines.some((l) => /^experiment 1: done/.test(l)), 240_000);
    assert.ok(
      server.lines.some((l) => /resuming interrupted experiment 1/.test(l)),
      server.lines.join('\n'),
    );
  } finally {
    server.child.kill('SIGINT');
    assert.equal(await exited(server.child, 60_000), 0);
  }
  const shown = JSON.parse(optlab(['show', '1', '--db', db, '--json', '--jobs']).stdout) as {
    experiment: { status: string };
    jobs: { state: string; attempts: number }[];
    report: unknown;
  };
  assert.equal(shown.experiment.status, 'done');
  assert.ok(shown.report);
  assert.ok(
    shown.jobs.every((j) => j.state === 'done' && j.attempts <= 2),
    'no job computed more than once after its first try',
  );
});

test('kernels: a resume with other kernels than the results is refused with the way out; with the same ones it finishes', async (t) => {
  const db = join(tmp, 'kernels.db');
  const run = start(['run', specFile, '--workers', '1', '--db', db, '--quiet']);
  await until('a committed job', doneAtLeast(db, 1));
  run.child.kill('SIGKILL');
  await exited(run.child);
  const lib = Library.open(db, { readonly: true });
  const kernels = lib.getExperiment(1)!.kernels;
  const done = lib.jobStates(1).counts.done;
  lib.close();
  if (kernels?.name !== 'wasm-simd') return t.skip(`the run used the ${kernels?.name} kernels: no other set to try`);
  assert.match(kernels.build ?? '', /^[0-9a-f]{12}$/);
  const js = optlab(['resume', '1', '--workers', '1', '--db', db], { OPTLAB_KERNELS: 'js' });
  assert.equal(js.status, 1);
  assert.match(
    js.stderr,
    /its \d+ finished jobs? (was|were) computed with the wasm-simd kernels \(build [0-9a-f]{12}\), and this Lab runs the js kernels; resume it with the same kernels \(OPTLAB_KERNELS=wasm-simd, or without OPTLAB_KERNELS\)/,
  );
  assert.equal(look(db)!.done, done, 'nothing ran');
  const ok = optlab(['resume', '1', '--workers', '1', '--db', db, '--json', '--quiet']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, referenceReport());
});

test('resume of a finished experiment says there is nothing to run and starts no coordinator or worker', () => {
  const db = join(tmp, 'finished.db');
  const r = optlab(['run', specFile, '--workers', '0', '--db', db, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const again = optlab(['resume', '1', '--workers', '2', '--db', db]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /experiment 1 is done: nothing to run/);
  assert.doesNotMatch(again.stderr, /coordinator listening|local worker/);
  assert.match(again.stdout, /▲ base/, 'its stored report is shown');
  const json = optlab(['resume', '1', '--db', db, '--json', '--quiet']);
  assert.equal(json.stdout, referenceReport());
});

/** A tmpfs of `kb` KiB at `dir`, or why not (it needs root). */
function mountTmpfs(dir: string, kb: number): string | undefined {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error) return `cannot run mount: ${r.error.message}`;
  return r.status === 0 ? undefined : `mount -t tmpfs refused: ${r.stderr.trim()} (needs root)`;
}

test('a disk that fills up during a run: the run stops with the reason, the experiment is not left running, and resumes once there is room', async (t) => {
  const disk = join(tmp, 'small-disk');
  mkdirSync(disk);
  const why = mountTmpfs(disk, 400);
  if (why) return t.skip(why);
  t.after(() => spawnSync('umount', ['-l', disk]));
  const small = join(tmp, 'fills.json');
  // 20 folds of small fits whose results (predictions of 150 rows each) outgrow 400 KiB.
  writeFileSync(
    small,
    JSON.stringify({
      seed: 11,
      dataset: { name: 'moons', samples: 3000, noise: 0.3 },
      model: { kind: 'mlp', hidden: [16] },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: 0.01 },
      training: { epochs: 3, batchSize: 32 },
      evaluation: { kind: 'kfold', k: 20 },
    }),
  );
  const db = join(disk, 'library.db');
  const r = optlab(['run', small, '--workers', '0', '--db', db]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /the disk holding the library .*library\.db is full/);
  assert.match(
    r.stderr,
    /what finished is kept: experiment 1 in .*library\.db \(optlab show 1; optlab resume 1 continues it\)/,
  );
  const left = look(db)!;
  assert.notEqual(left.status, 'running', 'not left running');
  assert.ok(left.done > 0 && left.done < 20, `${left.done} jobs committed`);
  const ls = optlab(['ls', '--db', db, '--json']);
  assert.notEqual((JSON.parse(ls.stdout) as { status: string }[])[0].status, 'running');

  assert.equal(spawnSync('mount', ['-o', 'remount,size=16m', disk]).status, 0);
  const resumed = optlab(['resume', '1', '--workers', '0', '--db', db, '--json', '--quiet']);
  assert.equal(resumed.status, 0, resumed.stderr);
  const whole = optlab(['run', small, '--workers', '0', '--db', join(tmp, 'roomy.db'), '--json', '--quiet']);
  assert.equal(resumed.stdout, whole.stdout, 'the same report as a run with room all along');
});
