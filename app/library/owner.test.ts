// Who runs an experiment: a real process holds it, is killed without warning, and the library
// then tells an interrupted run from a live one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { Library } from './library.ts';
import { markAlive, ownMark, processStart, STALE_MS } from './owner.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';

const spec: ExperimentSpec = {
  seed: 3,
  dataset: { name: 'moons', samples: 60, noise: 0.3 },
  model: { kind: 'mlp', hidden: [4] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.05 },
  training: { epochs: 2, batchSize: 16 },
};

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-owner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a mark names this process while it lives: its pid and start time; another start time is another process', () => {
  const me = ownMark('lab-a');
  assert.equal(me.pid, process.pid);
  assert.equal(me.host, hostname());
  if (process.platform === 'linux') assert.match(me.start ?? '', /^\d+$/);
  assert.equal(markAlive(me, null, Date.now()), true);
  if (me.start !== null)
    assert.equal(markAlive({ ...me, start: String(Number(me.start) + 1) }, null, Date.now()), false, 'a reused pid');
  assert.equal(processStart(2 ** 22 + 12345), null, 'no such process');
  const other = { host: `not-${hostname()}`, pid: 1, start: null, lab: 'x' };
  const now = Date.now();
  assert.equal(markAlive(other, now - 1000, now), true, 'another host: a fresh heartbeat');
  assert.equal(markAlive(other, now - STALE_MS - 1, now), false, 'another host: a stale heartbeat');
  assert.equal(markAlive(other, null, now), false);
});

test('kill -9 of the process that runs an experiment: it reads as interrupted, another process can take it; a live holder is named and kept', async (t) => {
  const file = join(tempDir(t), 'library.db');
  const lib = Library.open(file);
  t.after(() => lib.close());
  const id = lib.createExperiment(spec);

  // A real process takes the experiment as a Lab does, marks it running, and stays up.
  const code = `
    const { Library } = await import(${JSON.stringify(new URL('./library.ts', import.meta.url).href)});
    const { ownMark } = await import(${JSON.stringify(new URL('./owner.ts', import.meta.url).href)});
    const lib = Library.open(${JSON.stringify(file)});
    const held = lib.claimRun(${id}, ownMark('child-lab'));
    lib.setStatus(${id}, 'running');
    console.log(held ? 'refused' : 'claimed');
    setInterval(() => lib.heartbeat('child-lab'), 200);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`the child exited (${c}) before it claimed`)));
  });
  assert.equal(first, 'claimed');

  let e = lib.getExperiment(id)!;
  assert.equal(e.status, 'running');
  assert.deepEqual([e.owner?.pid, e.owner?.host], [child.pid, hostname()]);
  const refused = lib.claimRun(id, ownMark('parent-lab'));
  assert.equal(refused?.pid, child.pid, 'a live holder is named, and keeps the experiment');
  assert.deepEqual(lib.recordInterrupted(), [], 'a live run is not interrupted');
  assert.deepEqual(
    lib.listExperiments({ status: 'running' }).map((x) => x.id),
    [id],
  );

  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  e = lib.getExperiment(id)!;
  assert.deepEqual([e.status, e.owner], ['interrupted', null], 'its process is gone: interrupted, at once');
  assert.deepEqual(
    lib.listExperiments({ status: 'interrupted' }).map((x) => x.id),
    [id],
  );
  assert.deepEqual(lib.listExperiments({ status: 'running' }), []);
  assert.deepEqual(lib.recordInterrupted(), [id]);
  const raw = new Database(file, { readonly: true });
  assert.deepEqual(raw.prepare('SELECT status, owner FROM experiments WHERE id = ?').get(id), {
    status: 'interrupted',
    owner: null,
  });
  raw.close();
  assert.equal(lib.claimRun(id, ownMark('parent-lab')), undefined, 'taken over');
  lib.setStatus(id, 'running');
  assert.equal(lib.getExperiment(id)!.owner?.pid, process.pid);
  lib.setStatus(id, 'cancelled', 'stopped');
  assert.equal(lib.getExperiment(id)!.owner, null);
});

test('a mark from another host lives by its heartbeat', (t) => {
  const file = join(tempDir(t), 'library.db');
  let now = 1_800_000_000_000;
  const lib = Library.open(file, { now: () => now });
  t.after(() => lib.close());
  const id = lib.createExperiment(spec);
  const raw = new Database(file);
  raw
    .prepare(`UPDATE experiments SET status = 'running', owner = ?, heartbeat_at = ? WHERE id = ?`)
    .run(JSON.stringify({ host: `container-of-${hostname()}`, pid: 7, start: null, lab: 'far' }), now, id);
  raw.close();
  now += STALE_MS / 2;
  assert.equal(lib.getExperiment(id)!.status, 'running');
  assert.equal(lib.claimRun(id, ownMark('near'))?.pid, 7);
  now += STALE_MS;
  assert.equal(lib.getExperiment(id)!.status, 'interrupted', 'no heartbeat for a minute');
  assert.equal(lib.claimRun(id, ownMark('near')), undefined);
});
