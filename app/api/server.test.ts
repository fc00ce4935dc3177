// The served API in this process (serveLab over a Lab in a temporary library), for what the
// contract suite cannot see from outside: an over-size frame, errors compared field by field
// with the Lab's own, and fits kept off the event loop that answers the clients.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { LabApi } from '../../shared/lab-api.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { labClient, type LabClient } from '../../shared/lab-client.ts';
import { Lab } from '../lab.ts';
import { serveLab, type ServedLab } from './server.ts';

const quiet = { info: () => {}, warn: () => {} };

/** One job of a few hundred milliseconds: long enough that the event loop turns while it trains. */
const oneJob = {
  seed: 4,
  dataset: { name: 'moons', samples: 200, noise: 0.2 },
  model: { kind: 'mlp', hidden: [16], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 60, batchSize: 8 },
  evaluation: { kind: 'holdout' },
};

const connect = (url: string): LabClient =>
  labClient({ url, socket: (u) => new WebSocket(u) as never, reconnect: false });

async function failure(p: Promise<unknown>): Promise<OptLabError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OptLabError, `not an OptLabError: ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('serveLab in this process', () => {
  let tmp = '';
  let lab: Lab;
  let served: ServedLab;
  let client: LabClient;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-server-'));
    lab = Lab.open(join(tmp, 'lib.db'), { logger: quiet, fitsInThread: true });
    served = await serveLab(lab, { maxFrameBytes: 16 * 1024, log: () => {} });
    client = connect(served.apiUrl);
    await client.ready;
  });
  after(async () => {
    client?.close();
    await served?.close();
    await lab?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('a frame over the cap closes only its own connection (1009); the other clients carry on', async () => {
    const ws = new WebSocket(served.apiUrl);
    await new Promise((res, rej) => {
      ws.once('open', res);
      ws.once('error', rej);
    });
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    ws.on('error', () => {});
    const call = JSON.stringify({ id: 1, method: 'validateSpec', params: [{ notes: 'x'.repeat(20 * 1024) }] });
    ws.send(call);
    assert.equal(await closed, 1009);
    // The same call a little under the cap is answered.
    const small = await client.validateSpec({ notes: 'x'.repeat(12 * 1024) });
    assert.equal(small.ok, false);
    assert.equal((await client.about()).version, (await lab.about()).version);
    assert.equal(served.connections(), 1);
  });

  test('errors cross with their class, code, message and every problem, as the Lab threw them', async () => {
    const calls: ((api: LabApi) => Promise<unknown>)[] = [
      (api) => api.createExperiment({ ...oneJob, seed: -1, optimizer: { name: 'adam', lr: -1 }, extra: 1 }),
      (api) => api.importCsv({ fileName: 'bad.csv', content: 'a,b\n1,x\n2,\n' }),
      (api) => api.importExperiment({ format: 'optlab-experiment', version: 99 }),
      (api) => api.getExperiment(404),
      (api) => api.presetSpec('capacity', 'nope'),
      (api) => api.retryFailed(404),
    ];
    for (const call of calls) {
      const here = await failure(call(lab));
      const there = await failure(call(client));
      assert.equal(there.name, 'OptLabError');
      assert.deepEqual(there.toData(), here.toData());
      assert.equal(there.message, here.message);
    }
    // Arguments are checked against the method's schema before the Lab sees them.
    const bad = await failure(client.getJob(0, ''));
    assert.equal(bad.code, 'E_BAD_ARGS');
    assert.deepEqual(
      bad.problems?.map((p) => p.path),
      ['id', 'key'],
    );
  });

  test('with --workers 0 a served Lab trains in a worker thread: the event loop turns while a job trains', async () => {
    // The reference: a Lab that fits on its own thread cannot turn its loop until the fit ends.
    const inline = Lab.open(join(tmp, 'inline.db'), { logger: quiet });
    const turns = async (api: LabApi & { subscribe: Lab['subscribe'] }) => {
      const rec = await api.createExperiment(oneJob);
      let turned = false;
      let turnedWhileTraining: boolean | undefined;
      const off = api.subscribe((e) => {
        if (e.type !== 'job' || e.experimentId !== rec.id) return;
        if (e.state === 'leased') setImmediate(() => (turned = true));
        if (e.state === 'done') turnedWhileTraining = turned;
      });
      await api.startRun(rec.id, { workers: 0 });
      assert.equal((await api.waitForRun(rec.id)).status, 'done');
      off();
      const jobs = await api.getJobs(rec.id);
      return { turnedWhileTraining, worker: jobs.jobs[0].worker, report: JSON.stringify(await api.getReport(rec.id)) };
    };
    try {
      const a = await turns(inline);
      const b = await turns(lab);
      assert.deepEqual([a.turnedWhileTraining, a.worker], [false, 'in-process']);
      assert.deepEqual([b.turnedWhileTraining, b.worker], [true, 'lab-thread']);
      assert.equal(b.report, a.report, 'the same report, bit for bit, from the thread');
    } finally {
      await inline.close();
    }
  });
});
