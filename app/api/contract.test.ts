// One contract suite, run twice: against the Lab in this process, and through the WebSocket
// client against `optlab serve` in a real child process. Whatever the transport, a front end
// sees the same results, the same errors (code and problems) and the same events.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { ExperimentSnapshot, LabConnection, LabEvent } from '../../shared/lab-api.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { labClient, type LabClient } from '../../shared/lab-client.ts';
import { ExperimentMonitor } from '../../shared/lab-monitor.ts';
import { Rng } from '../../shared/rng.ts';
import { Lab } from '../lab.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');

/** Small but not instant: 2 configurations × 3 folds, a few tenths of a second per job. */
const spec = {
  name: 'contract',
  seed: 11,
  dataset: { name: 'moons', samples: 240, noise: 0.3, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [12], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 60, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 3 },
  sweep: {
    optimizer: [
      { name: 'adam', lr: 0.01 },
      { name: 'sgd', lr: 0.05, momentum: 0.9 },
    ],
  },
  study: 'optimizers',
};

/** One job of many epochs, for the progress stream. */
const longSpec = {
  seed: 3,
  dataset: { name: 'circles', samples: 200, noise: 0.1 },
  model: { kind: 'mlp', hidden: [16], activation: 'relu' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 400, batchSize: 8 },
  evaluation: { kind: 'holdout' },
};

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<OptLabError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OptLabError, `not an OptLabError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

interface Target {
  lab: LabConnection;
  close(): Promise<void>;
  /** Served only: the child process, its URLs and the sockets the client opened. */
  served?: { apiUrl: string; origin: string; token: string; sockets: WebSocket[]; client: LabClient };
}

/** The served Lab: `optlab serve` in a child process, and a client connected to it. */
async function servedTarget(db: string): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--db', db, '--workers', '0', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  await until(
    () => lines.some((l) => /ws:\/\/\S+\/api\?token=/.test(l)),
    60_000,
    `optlab serve to print its URL:\n${lines.join('\n')}`,
  );
  const apiUrl = lines.map((l) => l.match(/(ws:\/\/\S+\/api\?token=[0-9a-f]+)/)?.[1]).find(Boolean)!;
  const u = new URL(apiUrl);
  const sockets: WebSocket[] = [];
  const client = labClient({
    url: apiUrl,
    socket: (url) => {
      const ws = new WebSocket(url);
      sockets.push(ws);
      return ws as never;
    },
    minDelayMs: 50,
  });
  await client.ready;
  return {
    lab: client,
    served: { apiUrl, origin: `http://${u.host}`, token: u.searchParams.get('token')!, sockets, client },
    async close() {
      client.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

async function inProcessTarget(db: string): Promise<Target> {
  const lab = Lab.open(db, { logger: { info: () => {}, warn: () => {} } });
  return { lab, close: () => lab.close() };
}

function contract(name: string, open: (db: string) => Promise<Target>) {
  describe(`contract: ${name}`, () => {
    let tmp = '';
    let t: Target;
    before(async () => {
      tmp = mkdtempSync(join(tmpdir(), 'optlab-contract-'));
      t = await open(join(tmp, 'lib.db'));
    });
    after(async () => {
      await t?.close();
      rmSync(tmp, { recursive: true, force: true });
    });

    test('create → plan preview → run on 2 real workers → snapshot → report', async () => {
      const { lab } = t;
      const rec = await lab.createExperiment(spec, { tags: ['contract'] });
      assert.equal(rec.status, 'created');
      assert.deepEqual(rec.tags, ['contract']);
      const preview = await lab.previewPlan({ experimentId: rec.id }, { workers: 2 });
      assert.equal(preview.configurations.length, 2);
      assert.equal(preview.splits, 3);
      assert.equal(preview.jobs, 6);
      assert.equal(preview.estimate.workers, 2);
      assert.ok(preview.estimate.seconds > 0 && preview.estimate.cpuSeconds >= preview.estimate.seconds);
      const events: LabEvent[] = [];
      const off = lab.subscribe((e) => events.push(e));
      const started = await lab.startRun(rec.id, { workers: 2 });
      assert.deepEqual(started, { experimentId: rec.id, total: 6, done: 0 });
      await rejectsWith(lab.startRun(rec.id), 'E_BUSY');
      const during = await lab.snapshot(rec.id);
      assert.equal(during.experiment.status, 'running');
      assert.equal(during.running, true);
      const outcome = await lab.waitForRun(rec.id);
      off();
      assert.deepEqual(outcome, { experimentId: rec.id, status: 'done', error: null, hasReport: true });
      const snap = await lab.snapshot(rec.id);
      assert.equal(snap.running, false);
      assert.equal(snap.experiment.status, 'done');
      assert.deepEqual(snap.jobs.counts, { pending: 0, leased: 0, done: 6, failed: 0 });
      assert.ok(snap.seq >= events.at(-1)!.seq);
      const workers = new Set(snap.jobs.jobs.map((j) => j.worker));
      assert.ok(
        [...workers].every((w) => /^local-[01]$/.test(w ?? '')),
        [...workers].join(', '),
      );
      // Events: numbered in order, light, and the run's story in them.
      events.forEach((e, i) => i && assert.equal(e.seq, events[i - 1].seq + 1));
      assert.ok(events.some((e) => e.type === 'status' && e.status === 'running'));
      assert.equal(events.filter((e) => e.type === 'job' && e.state === 'done').length, 6);
      assert.ok(events.some((e) => e.type === 'report' && e.experimentId === rec.id));
      for (const e of events) assert.ok(JSON.stringify(e).length < 20_000, `a heavy ${e.type} event`);
      const report = await lab.getReport(rec.id);
      assert.ok(report);
      assert.equal(report.configurations.length, 2);
      // The same spec in a Lab in this process (the reference): the transport changes nothing.
      const ref = Lab.open(join(tmp, `reference-${rec.id}.db`), { logger: { info: () => {}, warn: () => {} } });
      try {
        const r = await ref.createExperiment(spec);
        await ref.startRun(r.id, { workers: 0 });
        assert.equal((await ref.waitForRun(r.id)).status, 'done');
        assert.equal(
          JSON.stringify(report),
          JSON.stringify(await ref.getReport(r.id)),
          'the same report, byte for byte',
        );
      } finally {
        await ref.close();
      }
      const job = await lab.getJob(rec.id, snap.jobs.jobs[0].key);
      assert.equal(job.job.state, 'done');
      assert.equal(job.history?.length, 60);
      assert.equal(typeof job.final?.val.accuracy, 'number');
      await rejectsWith(lab.getJob(rec.id, 'config=9/fold=0'), 'E_NOT_FOUND');
      await rejectsWith(lab.getExperiment(999), 'E_NOT_FOUND');
    });

    test('the library through the API: update, duplicate, export, import, delete; the study as typed data; presets', async () => {
      const { lab } = t;
      const events: LabEvent[] = [];
      const off = lab.subscribe((e) => events.push(e));
      const rec = await lab.createExperiment({ ...spec, sweep: undefined, training: { epochs: 5, batchSize: 16 } });
      const updated = await lab.updateExperiment(rec.id, { name: 'renamed', tags: ['a', 'b'], notes: 'n' });
      assert.deepEqual([updated.name, updated.tags, updated.notes], ['renamed', ['a', 'b'], 'n']);
      assert.ok(events.some((e) => e.type === 'experiment-updated' && e.experiment.name === 'renamed'));
      assert.deepEqual(
        (await lab.listExperiments({ tag: 'b' })).map((e) => e.id),
        [rec.id],
      );
      await lab.startRun(rec.id, { workers: 0 });
      assert.equal((await lab.waitForRun(rec.id)).status, 'done');
      const study = await lab.getStudy(rec.id);
      assert.equal(study?.kind, 'optimizers');
      assert.ok(study && !('lines' in study) && !('title' in study), 'typed data, no text lines');
      if (study?.kind === 'optimizers') assert.equal(study.series.curves[0].epoch.length, 5);
      const copy = await lab.duplicateExperiment(rec.id);
      assert.equal(copy.status, 'created');
      assert.equal(copy.jobs.total, 0);
      assert.deepEqual(copy.datasets, (await lab.getExperiment(rec.id)).datasets);
      const file = await lab.exportExperiment(rec.id);
      assert.equal(file.format, 'optlab-experiment');
      assert.equal(file.datasets.length, 1);
      // Into the library it came from: refused unless a copy is asked for.
      await rejectsWith(lab.importExperiment(JSON.parse(JSON.stringify(file))), 'E_EXISTS');
      const imported = await lab.importExperiment(JSON.parse(JSON.stringify(file)), { copy: true });
      assert.equal(JSON.stringify(await lab.getReport(imported.id)), JSON.stringify(await lab.getReport(rec.id)));
      const bad = await rejectsWith(lab.importExperiment({ ...file, jobs: 'none' }), 'E_BAD_IMPORT');
      assert.deepEqual(bad.problems, [{ path: 'jobs', message: 'must be a list, got "none"' }]);
      await rejectsWith(lab.deleteDataset(file.datasets[0].hash), 'E_IN_USE');
      await lab.deleteExperiment(copy.id);
      await rejectsWith(lab.getExperiment(copy.id), 'E_NOT_FOUND');
      assert.ok(events.some((e) => e.type === 'experiment-deleted' && e.experimentId === copy.id));
      off();
      const presets = await lab.listPresets();
      assert.ok(presets.some((p) => p.name === 'optimizers' && p.datasets.includes('wine')));
      assert.equal((await lab.presetSpec('capacity', 'moons')).study, 'capacity');
      await rejectsWith(lab.presetSpec('nope'), 'E_NOT_FOUND');
      const schema = (await lab.specSchema()) as { properties: Record<string, unknown> };
      assert.ok(schema.properties.optimizer && schema.properties.evaluation);
    });

    test('LAN mode on and off: the coordinator moves, keeps its port and says where workers connect', async () => {
      const { lab } = t;
      const lanEvents: LabEvent[] = [];
      const off = lab.subscribe((e) => e.type === 'lan' && lanEvents.push(e));
      const command = await lab.workerCommand();
      assert.match(command.command, /worker --connect ws:\/\/127\.0\.0\.1:\d+/);
      const before = await lab.getLan();
      assert.equal(before.enabled, false);
      assert.ok(before.port > 0);
      const on = await lab.setLan(true);
      assert.equal(on.enabled, true);
      assert.equal(on.port, before.port);
      const off2 = await lab.setLan(false);
      assert.deepEqual(off2, { enabled: false, port: before.port, urls: [`ws://127.0.0.1:${before.port}`] });
      off();
      assert.deepEqual(
        lanEvents.map((e) => e.type === 'lan' && e.lan.enabled),
        [true, false],
      );
      assert.deepEqual(await lab.listWorkers(), []);
    });

    test('a worker started with the worker command joins, is listed, runs the jobs it is given, and leaves', async () => {
      const { lab } = t;
      const seen: LabEvent[] = [];
      const off = lab.subscribe((e) => (e.type === 'worker-joined' || e.type === 'worker-left') && seen.push(e));
      const { command } = await lab.workerCommand();
      const m = command.match(/^OPTLAB_TOKEN=([0-9a-f]+) .* worker --connect (ws:\/\/\S+)$/);
      assert.ok(m, command);
      const worker = spawn(
        process.execPath,
        [bin, 'worker', '--connect', m[2], '--slots', '2', '--name', 'contract-w'],
        {
          env: { ...process.env, OPTLAB_TOKEN: m[1] },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      const said: string[] = [];
      createInterface({ input: worker.stderr }).on('line', (l) => said.push(l));
      const exited = new Promise((r) => worker.once('exit', r));
      try {
        await until(
          () => seen.some((e) => e.type === 'worker-joined'),
          60_000,
          `the worker to join:\n${said.join('\n')}`,
        );
        const [w] = await lab.listWorkers();
        assert.deepEqual(
          [w.name, w.host, w.slots, w.jobs, w.done, w.failed, w.draining],
          ['contract-w', '127.0.0.1', 2, [], 0, 0, false],
        );
        assert.ok(Number.isFinite(w.heartbeatAgeMs) && w.heartbeatAgeMs >= 0);
        const rec = await lab.createExperiment({ ...spec, sweep: undefined, training: { epochs: 5, batchSize: 16 } });
        await lab.startRun(rec.id, { workers: 0, joined: true });
        assert.equal((await lab.waitForRun(rec.id)).status, 'done');
        assert.deepEqual(
          (await lab.getJobs(rec.id)).jobs.map((j) => j.worker),
          ['contract-w', 'contract-w', 'contract-w'],
        );
        assert.equal((await lab.listWorkers())[0].done, 3);
      } finally {
        worker.kill('SIGTERM');
        await exited;
      }
      await until(() => seen.some((e) => e.type === 'worker-left'), 30_000, 'the worker to leave');
      off();
      const left = seen.find((e) => e.type === 'worker-left');
      assert.equal(left?.type === 'worker-left' && left.worker.name, 'contract-w');
      assert.deepEqual(await lab.listWorkers(), []);
    });

    test('a bad CSV is E_BAD_CSV with each problem at its line and column', async () => {
      const source = { fileName: 'bad.csv', content: 'a,b,label\n1,2,x\n3,4,y\n5,oops,x\n6,,y\n' };
      const preview = await t.lab.previewCsv(source);
      assert.equal(preview.rows, 4);
      assert.deepEqual(
        preview.columns.map((c) => [c.name, c.kind, c.target]),
        [
          ['a', 'number', false],
          ['b', 'empty', false],
          ['label', 'text', true],
        ],
      );
      const e = await rejectsWith(t.lab.importCsv(source), 'E_BAD_CSV');
      assert.deepEqual(
        e.problems?.map((p) => [p.line, p.column, p.path, p.message]),
        [
          [4, 2, 'line 4, column 2 ("b")', 'not a number: "oops"'],
          [5, 2, 'line 5, column 2 ("b")', 'empty value'],
        ],
      );
      assert.match(e.message, /^bad\.csv: 2 problems in the CSV:/);
      const good = await t.lab.importCsv({ fileName: 'good.csv', content: 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n' });
      assert.equal(good.name, 'good');
      assert.equal(good.n, 3);
      assert.equal((await t.lab.previewDataset(good.hash)).head[2].y, 'x');
    });

    test('a bad spec is E_BAD_SPEC with every problem and its path; nothing is stored', async () => {
      const before = (await t.lab.listExperiments()).length;
      const e = await rejectsWith(
        t.lab.createExperiment({
          ...spec,
          seed: -1,
          optimizer: { name: 'adam', lr: -1 },
          model: { kind: 'mlp', hidden: [0], activation: 'swish' },
          training: { epochs: 0, batchSize: 8 },
          evaluation: { kind: 'kfold', k: 1 },
          regularizaton: {},
        }),
        'E_BAD_SPEC',
      );
      const paths = e.problems!.map((p) => p.path);
      for (const p of [
        'regularizaton',
        'seed',
        'model.hidden[0]',
        'model.activation',
        'optimizer.lr',
        'training.epochs',
        'evaluation.k',
      ])
        assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
      assert.deepEqual(
        e.problems!.find((p) => p.path === 'optimizer.lr'),
        { path: 'optimizer.lr', message: 'must be > 0, got -1' },
      );
      assert.equal((await t.lab.listExperiments()).length, before);
      const check = await t.lab.validateSpec({ ...spec, loss: { kind: 'mse' } });
      assert.equal(check.ok, false);
      assert.match(check.problems[0].message, /classification set/);
      await rejectsWith(
        t.lab.createExperiment({ ...spec, dataset: { name: 'csv', path: '/etc/passwd' } }),
        'E_BAD_SPEC',
      );
      // Served, the argument schema refuses it; in process, the Lab finds nothing.
      await rejectsWith(t.lab.deleteExperiment(-3), t.served ? 'E_BAD_ARGS' : 'E_NOT_FOUND');
    });

    test('cancel keeps what finished; resume completes it to the same report', async () => {
      const { lab } = t;
      const rec = await lab.createExperiment(spec);
      let done = 0;
      const off = lab.subscribe((e) => {
        if (e.type === 'job' && e.experimentId === rec.id && e.state === 'done' && ++done === 2)
          void lab.cancelRun(rec.id);
      });
      await lab.startRun(rec.id, { workers: 0 });
      const cancelled = await lab.waitForRun(rec.id);
      off();
      assert.equal(cancelled.status, 'cancelled');
      const mid = await lab.getExperiment(rec.id);
      // Served, in-process jobs run in a worker thread: the event loop that answers clients never trains.
      const where = new Set((await lab.getJobs(rec.id)).jobs.filter((j) => j.worker).map((j) => j.worker));
      assert.deepEqual([...where], [t.served ? 'lab-thread' : 'in-process']);
      assert.ok(mid.jobs.done >= 2 && mid.jobs.done < 6, `done ${mid.jobs.done}`);
      const resumed = await lab.resumeRun(rec.id, { workers: 0 });
      assert.equal(resumed.done, mid.jobs.done);
      assert.equal((await lab.waitForRun(rec.id)).status, 'done');
      const fresh = await lab.createExperiment(spec);
      await lab.startRun(fresh.id, { workers: 0 });
      assert.equal((await lab.waitForRun(fresh.id)).status, 'done');
      assert.equal(JSON.stringify(await lab.getReport(rec.id)), JSON.stringify(await lab.getReport(fresh.id)));
      assert.equal(await lab.cancelRun(rec.id), false);
      await rejectsWith(lab.retryFailed(rec.id), 'E_STATE');
    });

    test('progress is throttled per experiment and the last epoch of each job arrives before its end', async () => {
      const { lab } = t;
      const rec = await lab.createExperiment(longSpec);
      const progress: { at: number; epoch: number }[] = [];
      let lastBeforeDone = -1;
      const off = lab.subscribe((e) => {
        if (e.type === 'progress' && e.experimentId === rec.id)
          for (const j of e.jobs) progress.push({ at: e.at, epoch: j.epoch });
        if (e.type === 'job' && e.experimentId === rec.id && e.state === 'done')
          lastBeforeDone = progress.at(-1)?.epoch ?? -1;
      });
      const t0 = Date.now();
      await lab.startRun(rec.id, { workers: 0 });
      await lab.waitForRun(rec.id);
      const seconds = (Date.now() - t0) / 1000;
      off();
      assert.equal(lastBeforeDone, 400, 'the last epoch arrived before the job was done');
      // One job: at most one progress event per 100 ms, plus the one the job's end forces out.
      assert.ok(progress.length <= seconds * 10 + 2, `${progress.length} progress events in ${seconds.toFixed(1)} s`);
      for (let i = 1; i < progress.length - 1; i++)
        assert.ok(progress[i].at - progress[i - 1].at >= 95, 'events less than 100 ms apart');
      assert.ok(progress.length >= 1);
    });

    test('a monitor resyncs by snapshot and sequence number (a reloaded window, a dropped socket)', async () => {
      const { lab } = t;
      const rec = await lab.createExperiment(spec);
      await lab.startRun(rec.id, { workers: 0 });
      const first = new ExperimentMonitor(lab, rec.id);
      await first.start();
      if (t.served) {
        // Drop the socket under the client: calls in flight fail, it reconnects, the monitor resyncs.
        const { client, sockets } = t.served;
        const reopened = new Promise<void>((res) => {
          const off = client.onState((s) => s === 'open' && (off(), res()));
        });
        sockets.at(-1)!.terminate();
        await reopened;
        await first.sync();
      }
      // A window opened mid-run (or reloaded) builds the same view from a snapshot of its own.
      const second = new ExperimentMonitor(lab, rec.id);
      await second.start();
      await lab.waitForRun(rec.id);
      const truth = await lab.snapshot(rec.id);
      const same = (s: ExperimentSnapshot | undefined) => {
        assert.ok(s);
        assert.equal(s.experiment.status, 'done');
        assert.equal(s.running, false);
        assert.deepEqual(s.jobs.counts, truth.jobs.counts);
        assert.deepEqual(
          s.jobs.jobs.map((j) => [j.key, j.state]),
          truth.jobs.jobs.map((j) => [j.key, j.state]),
        );
        assert.ok(s.seq <= truth.seq);
      };
      await until(
        () => first.state?.experiment.status === 'done' && second.state?.experiment.status === 'done',
        30_000,
        'the monitors to see the end',
      );
      same(first.state);
      same(second.state);
      first.stop();
      second.stop();
    });
  });
}

contract('in process', inProcessTarget);
contract('served over a WebSocket', servedTarget);

describe('the served API refuses strangers and survives abuse', () => {
  let tmp = '';
  let t: Target;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-serve-abuse-'));
    t = await servedTarget(join(tmp, 'lib.db'));
  });
  after(async () => {
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const status = (url: string, headers: Record<string, string> = {}) =>
    new Promise<number>((res) => {
      const ws = new WebSocket(url, { headers });
      ws.on('unexpected-response', (_req, r) => {
        res(r.statusCode ?? 0);
        ws.terminate();
      });
      ws.on('open', () => {
        res(101);
        ws.close();
      });
      ws.on('error', () => {});
    });

  test('a wrong or missing token and a foreign Origin are refused; the own Origin is welcome', async () => {
    const s = t.served!;
    assert.equal(await status(s.apiUrl.replace(/token=\w+/, `token=${'0'.repeat(64)}`)), 401);
    assert.equal(await status(s.apiUrl.replace(/\?token=\w+/, '')), 401);
    assert.equal(await status(s.apiUrl, { Origin: 'http://evil.example' }), 403);
    assert.equal(await status(s.apiUrl, { Origin: 'http://localhost:1' }), 403);
    assert.equal(await status(s.apiUrl, { Origin: s.origin }), 101);
    assert.equal(await status(s.apiUrl), 101);
  });

  test('30 fuzzed clients do not stop a run; each bad frame closes only its own connection', async () => {
    const { lab } = t;
    const s = t.served!;
    const rec = await lab.createExperiment({ ...spec, training: { epochs: 200, batchSize: 16 } });
    await lab.startRun(rec.id, { workers: 0 });
    assert.equal((await lab.snapshot(rec.id)).running, true, 'the run is under way while the clients attack');
    const rng = new Rng(2024);
    const garbage = (i: number): string | Buffer => {
      switch (i % 8) {
        case 0:
          return Buffer.from(Array.from({ length: 1 + rng.int(200) }, () => rng.int(256)));
        case 1:
          return '{"id": 1, "method": "getExperiment", "params": [';
        case 2:
          return JSON.stringify({ id: 2, method: 'constructor', params: [] });
        case 3:
          return JSON.stringify({ id: 3, method: '__proto__', params: [] });
        case 4:
          return JSON.stringify({ id: 4, method: 'getExperiment', params: 'x' });
        case 5:
          return JSON.stringify([1, 2, 3]);
        case 6:
          return JSON.stringify({ id: -1, method: 'about' });
        default:
          return 'x'.repeat(rng.int(1000));
      }
    };
    const closes = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) =>
          new Promise<number>((res) => {
            const ws = new WebSocket(s.apiUrl);
            ws.on('error', () => {});
            ws.on('close', (code) => res(code));
            ws.on('open', () => {
              // A well-formed call with bad arguments is answered, not closed…
              ws.send(JSON.stringify({ id: 9, method: 'getExperiment', params: ['nope'] }));
              ws.once('message', (data: Buffer) => {
                const answer = JSON.parse(data.toString('utf8'));
                if (answer.event) return;
                assert.equal(answer.error.code, 'E_BAD_ARGS');
              });
              // …a frame that is not a call closes the connection.
              setTimeout(() => ws.send(garbage(i)), 20);
            });
          }),
      ),
    );
    assert.ok(
      closes.every((c) => c === 4003 || c === 1007 || c === 1009),
      closes.join(', '),
    );
    const outcome = await lab.waitForRun(rec.id);
    assert.equal(outcome.status, 'done');
    assert.equal((await lab.about()).version, '0.1.0');
    assert.equal((await lab.getReport(rec.id))?.configurations.length, 2);
  });
});
