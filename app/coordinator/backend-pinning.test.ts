// One run never mixes back ends: with CPU and WebGPU workers connected, a run held to a back
// end only goes to workers on it, and a run held to none takes the back end of its first
// lease. Played with raw protocol clients that announce their back end in hello.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from './coordinator.ts';
import { memoryLogger, moonsSpec, load, RawClient, until } from './test-support.ts';
import { plan } from '../../shared/experiment/plan.ts';
import { planData } from '../../shared/experiment/run.ts';
import type { LabMessage } from '../../shared/protocol.ts';

const GPU = { name: 'webgpu' as const, adapter: 'test vendor: test adapter', tolerance: 'webgpu-f32-v1' };

async function lab(t: { after(fn: () => Promise<void> | void): void }) {
  const log = memoryLogger();
  const c = new Coordinator({ logger: log, heartbeatTimeoutMs: 60_000 });
  const url = await c.listen();
  t.after(() => c.close());
  const cpu = await RawClient.connect(url);
  await cpu.authenticate(c.token, 'cpu-worker', 2);
  const gpu = await RawClient.connect(url);
  await gpu.authenticate(c.token, 'gpu-worker', 2, GPU);
  t.after(() => {
    cpu.close();
    gpu.close();
  });
  const p = plan(moonsSpec({ sweep: null }), load);
  return { c, log, cpu, gpu, jobs: p.jobs, data: planData(p) };
}

const jobsOf = (client: RawClient) => client.received.filter((m: LabMessage) => m.type === 'job').length;

test('the coordinator knows each worker back end from hello and lists it', async (t) => {
  const { c, log } = await lab(t);
  const ws = c.workers();
  assert.deepEqual(ws.find((w) => w.name === 'cpu-worker')!.backend, { name: 'cpu' });
  assert.deepEqual(ws.find((w) => w.name === 'gpu-worker')!.backend, GPU);
  assert.ok(
    log.lines.some(
      (l) => l.includes('"gpu-worker"') && l.includes('on WebGPU (test vendor: test adapter, webgpu-f32-v1)'),
    ),
  );
});

test('a run held to webgpu goes only to the WebGPU worker, one held to cpu only to the CPU worker', async (t) => {
  const { c, cpu, gpu, jobs, data } = await lab(t);
  const g = c.submit(jobs, data, {}, undefined, 'webgpu');
  g.done.catch(() => {});
  await until(() => jobsOf(gpu) === 2, 5000, 'the GPU worker to fill its slots');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(jobsOf(cpu), 0, 'the CPU worker got none of the webgpu run');
  const k = c.submit(jobs, data, {}, undefined, 'cpu');
  k.done.catch(() => {});
  await until(() => jobsOf(cpu) === 2, 5000, 'the CPU worker to get the cpu run');
  assert.equal(jobsOf(gpu), 2);
  g.cancel();
  k.cancel();
});

test('a run held to no back end keeps the one of its first lease', async (t) => {
  const { c, cpu, gpu, jobs, data } = await lab(t);
  const r = c.submit(jobs, data);
  r.done.catch(() => {});
  await until(() => jobsOf(cpu) + jobsOf(gpu) >= 2, 5000, 'leases');
  await new Promise((res) => setTimeout(res, 200));
  // Two slots each and four jobs: without the rule both workers would take two.
  assert.ok(jobsOf(cpu) === 0 || jobsOf(gpu) === 0, `cpu ${jobsOf(cpu)}, gpu ${jobsOf(gpu)}`);
  r.cancel();
});

test('a hello with a malformed back end is refused', async (t) => {
  const c = new Coordinator({ logger: memoryLogger() });
  const url = await c.listen();
  t.after(() => c.close());
  const bad = await RawClient.connect(url);
  t.after(() => bad.close());
  await bad.next((m) => m.type === 'challenge');
  bad.send({ type: 'hello', version: 1, name: 'x', slots: 1, hmac: '0'.repeat(64), backend: { name: 'cuda' } });
  assert.match(await bad.refusedWith('E_BAD_FRAME'), /backend: must be/);
});
