// Clients that are not well-behaved workers: each bad frame costs its own connection only,
// while a real worker process goes on and the run completes with the in-process results.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from './coordinator.ts';
import { spawnLocalWorkers, type LocalWorkers } from './local.ts';
import { load, memoryLogger, moonsSpec, RawClient, until, within } from './test-support.ts';
import { plan } from '../../shared/experiment/plan.ts';
import { planData, runPlan } from '../../shared/experiment/run.ts';
import { InProcessExecutor, runJob } from '../../shared/experiment/executor.ts';
import { encodeMessage as encode } from '../../shared/codec.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol.ts';
import { hmacHex } from '../../worker/auth.ts';
import { Rng } from '../../shared/rng.ts';
import type { WorkerMessage } from '../../shared/protocol.ts';

const MAX_FRAME = 256 * 1024;

describe('misbehaving clients beside a real worker', { timeout: 120_000 }, () => {
  const log = memoryLogger();
  const spec = moonsSpec({ training: { epochs: 60, batchSize: 16 } });
  let expected: string;
  let coordinator: Coordinator;
  let workers: LocalWorkers;
  const p = plan(spec, load);
  const sample = runJob(p.jobs[0], p.data[0].data);

  before(async () => {
    expected = JSON.stringify((await runPlan(plan(spec, load), new InProcessExecutor())).report);
    // Raw clients that authenticate are leased a job before they misbehave; each closed one
    // costs that job an attempt, so this coordinator allows more of them.
    coordinator = new Coordinator({
      logger: log,
      maxAttempts: 20,
      maxFrameBytes: MAX_FRAME,
      heartbeatMs: 200,
      heartbeatTimeoutMs: 1500,
    });
    workers = spawnLocalWorkers(1, await coordinator.listen(), coordinator.token);
    await until(() => coordinator.workers().length === 1, 30_000, 'the worker to join');
  });

  after(async () => {
    await workers?.stop(10_000);
    await coordinator?.close();
  });

  const authed = async (name: string) => {
    const c = await RawClient.connect(coordinator.url);
    await c.authenticate(coordinator.token, name);
    return c;
  };

  test('malformed, oversized and out-of-order frames close only that connection, with an error; the run completes', async () => {
    const run = runPlan(plan(spec, load), coordinator.executor());

    const garbage = await authed('garbage');
    garbage.sendBytes(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    assert.match(await garbage.refusedWith('E_BAD_FRAME'), /magic/);

    const text = await authed('text');
    text.sendBytes('{"type":"heartbeat","running":[]}');
    assert.match(await text.refusedWith('E_BAD_FRAME'), /text frames/);

    const schema = await authed('schema');
    schema.send({ type: 'heartbeat', running: 5 });
    assert.match(await schema.refusedWith('E_BAD_FRAME'), /running: must be a list/);

    const big = await authed('big');
    big.sendBytes(new Uint8Array(MAX_FRAME + 1));
    assert.match(await big.refusedWith('E_TOO_BIG'), /over the limit/);

    const huge = await authed('huge');
    huge.sendBytes(new Uint8Array(MAX_FRAME + 100));
    assert.equal(await within(huge.closed, 5000, 'the close of an over-size frame'), 1009);

    const stray = await authed('stray');
    stray.send({ type: 'result', id: '999.999', result: sample, ms: 5 });
    assert.match(await stray.refusedWith('E_OUT_OF_ORDER'), /not leased to this worker/);

    const early = await RawClient.connect(coordinator.url);
    early.send({ type: 'need_data', id: '1.1', hash: p.data[0].hash });
    assert.match(await early.refusedWith('E_OUT_OF_ORDER'), /before hello/);

    const twice = await authed('twice');
    twice.send({ type: 'hello', version: 1, name: 'twice', slots: 1, hmac: '0'.repeat(64) });
    assert.match(await twice.refusedWith('E_OUT_OF_ORDER'), /second hello/);

    const old = await RawClient.connect(coordinator.url);
    const ch = await old.next((m) => m.type === 'challenge');
    old.send({
      type: 'hello',
      version: 99,
      name: 'old',
      slots: 1,
      hmac: hmacHex(coordinator.token, ch.type === 'challenge' ? ch.nonce : ''),
    });
    assert.match(await old.refusedWith('E_VERSION'), /protocol version 99/);

    const { report } = await within(run, 60_000, 'the run');
    assert.equal(JSON.stringify(report), expected);
    assert.deepEqual(
      coordinator.workers().map((w) => w.name),
      ['local-0'],
    );
    for (const name of ['garbage', 'text', 'schema', 'big', 'stray', 'twice']) {
      assert.ok(
        log.lines.some((l) => l.includes(`(worker "${name}")`) && /E_[A-Z_]+/.test(l)),
        `no log line for ${name}:\n${log.lines.join('\n')}`,
      );
    }
    assert.ok(
      log.lines.includes(`refused worker "old" from 127.0.0.1: protocol version 99, expected ${PROTOCOL_VERSION}`),
    );
  });

  test('a bounded fuzz of random frames from raw clients leaves the Lab serving', async () => {
    const rng = new Rng(777);
    const templates: WorkerMessage[] = [
      { type: 'heartbeat', running: ['1.2'] },
      { type: 'need_data', id: '1.2', hash: p.data[0].hash },
      { type: 'progress', id: '1.2', progress: { key: sample.key, epoch: 1, epochs: 2, record: sample.history[0] } },
      { type: 'result', id: '1.2', result: sample, ms: 1 },
      { type: 'failed', id: '1.2', code: 'E_JOB_FAILED', message: 'x' },
      { type: 'released', id: '1.2' },
      { type: 'draining' },
    ];
    const frames = templates.map((m) => encode(m));
    const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
    for (let i = 0; i < 30; i++) {
      const c = i % 2 === 0 ? await RawClient.connect(coordinator.url) : await authed(`fuzz-${i}`);
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const f = frames[rng.int(frames.length)].slice();
        const kind = rng.int(3);
        if (kind === 0) c.sendBytes(randomBytes(rng.int(200)));
        else if (kind === 1) {
          for (let j = 1 + rng.int(4); j > 0; j--) f[rng.int(f.length)] = rng.int(256);
          c.sendBytes(f);
        } else c.sendBytes(f.subarray(0, rng.int(f.length)));
      }
      // Whatever the frames were, the connection ends up closed by the Lab or by us.
      await Promise.race([c.closed, new Promise((r) => setTimeout(r, 300))]);
      c.close();
    }
    await until(() => coordinator.workers().length === 1, 5000, 'the fuzz clients to be gone');
    const { report } = await within(runPlan(plan(spec, load), coordinator.executor()), 60_000, 'a run after the fuzz');
    assert.equal(JSON.stringify(report), expected);
  });

  test('a silent worker is dropped after the heartbeat timeout and its job is requeued', async () => {
    const silent = await authed('silent');
    const run = runPlan(plan(spec, load), coordinator.executor());
    await silent.next((m) => m.type === 'job');
    const { report } = await within(run, 60_000, 'the run');
    assert.equal(JSON.stringify(report), expected);
    assert.ok(
      log.lines.some((l) => /^worker "silent" \(w\d+\) silent for \d+\.\d s: dropped$/.test(l)),
      log.lines.join('\n'),
    );
    await within(silent.closed, 5000, 'the silent client to be disconnected');
  });
});

describe('lease timeout', { timeout: 60_000 }, () => {
  test('an overrun lease is cancelled and requeued; the first result is taken, a late second one ignored', async () => {
    const log = memoryLogger();
    const coordinator = new Coordinator({ logger: log, leaseTimeoutMs: 300 });
    try {
      await coordinator.listen();
      const p = plan(moonsSpec({ training: { epochs: 2, batchSize: 16 } }), load);
      const job = p.jobs[0];
      const result = runJob(job, p.data[0].data);
      let taken = 0;
      const run = coordinator.executor().run([job], planData(p), { onResult: () => taken++ });

      const slow = await RawClient.connect(coordinator.url);
      await slow.authenticate(coordinator.token, 'slow');
      const first = await slow.next((m) => m.type === 'job');
      assert.equal(first.type === 'job' && first.job.key, job.key);
      const cancel = await slow.next((m) => m.type === 'cancel', 5000);
      assert.equal(cancel.type === 'cancel' && cancel.id, first.type === 'job' && first.id);

      const quick = await RawClient.connect(coordinator.url);
      await quick.authenticate(coordinator.token, 'quick');
      const second = await quick.next((m) => m.type === 'job');
      assert.ok(second.type === 'job' && first.type === 'job' && second.id !== first.id);
      quick.send({ type: 'result', id: second.type === 'job' ? second.id : '', result, ms: 1 });
      assert.deepEqual(await within(run, 5000, 'the run'), [result]);

      // The first lease finishes after all: accepted as a message (it was leased), not counted twice.
      slow.send({ type: 'result', id: first.type === 'job' ? first.id : '', result, ms: 1 });
      await until(
        () => log.lines.some((l) => l.includes('a second result arrived and was ignored')),
        5000,
        'the duplicate to be noticed',
      );
      assert.equal(taken, 1);
      assert.ok(slow.isOpen && quick.isOpen);
      assert.ok(log.lines.some((l) => l.startsWith(`job ${job.key} overran its lease of 0.3 s on worker "slow"`)));
      slow.close();
      quick.close();
    } finally {
      await coordinator.close();
    }
  });
});
