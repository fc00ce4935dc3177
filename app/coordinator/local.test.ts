// Local worker processes: a worker that exits on its own (killed, or refused at start) is
// reported with how it ended and its last error line; one stopped by the Lab is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from './coordinator.ts';
import { exited, spawnLocalWorkers } from './local.ts';
import { memoryLogger, until } from './test-support.ts';

test('onExit reports a killed worker and a refused start, and stays quiet for the ones stop() ends', async (t) => {
  const coordinator = new Coordinator({ logger: memoryLogger() });
  t.after(() => coordinator.close());
  const url = await coordinator.listen();
  const exits: { name: string; code: number | null; signal: string | null; lastLine: string }[] = [];
  const workers = spawnLocalWorkers(2, url, coordinator.token, { onExit: (name, how) => exits.push({ name, ...how }) });
  t.after(() => workers.stop(5_000));
  await until(() => coordinator.workers().length === 2, 60_000, 'two workers to join');

  workers.processes[1].kill('SIGKILL');
  await exited(workers.processes[1]);
  await until(() => exits.length === 1, 10_000, 'the killed worker to be reported');
  assert.equal(exits.length, 1);
  assert.deepEqual(exits[0], { name: 'local-1', code: null, signal: 'SIGKILL', lastLine: '' });

  await workers.stop(10_000);
  assert.equal(exits.length, 1, 'a worker stopped by stop() is not reported');

  // A start the worker refuses (a bad --grace): reported with its own error line.
  const bad = spawnLocalWorkers(1, url, coordinator.token, {
    args: ['--grace', 'soon'],
    onExit: (name, how) => exits.push({ name, ...how }),
  });
  t.after(() => bad.stop(5_000));
  await exited(bad.processes[0]);
  await until(() => exits.length === 2, 10_000, 'the refused worker to be reported');
  assert.equal(exits[1].name, 'local-0');
  assert.equal(exits[1].code, 2);
  assert.match(exits[1].lastLine, /^optlab worker: --grace/);
});
