// The Lab's event hub on a clock the test moves: numbered events, progress throttled per
// experiment, the latest epoch always delivered before its job's next event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobProgressView, LabEvent } from '../../shared/lab-api.ts';
import { EventHub, PROGRESS_INTERVAL_MS } from './events.ts';

const view = (key: string, epoch: number): JobProgressView => ({
  key,
  epoch,
  epochs: 50,
  metrics: { loss: 1 / epoch },
});

function hubAt(start = 1000) {
  const clock = { now: start };
  const warnings: string[] = [];
  const hub = new EventHub(
    (l) => warnings.push(l),
    () => clock.now,
  );
  const events: LabEvent[] = [];
  hub.subscribe((e) => events.push(e));
  return { hub, clock, events, warnings };
}

const progressOf = (events: LabEvent[]) =>
  events.flatMap((e) => (e.type === 'progress' ? [[e.experimentId, ...e.jobs.map((j) => `${j.key}@${j.epoch}`)]] : []));

test('progress: the first goes at once, the rest of the interval waits, and a job event sends the latest first', (t) => {
  const { hub, clock, events } = hubAt();
  t.after(() => hub.close());
  hub.progress(1, view('fold=0', 1));
  clock.now += 10;
  hub.progress(1, view('fold=0', 2));
  hub.progress(1, view('fold=1', 1));
  clock.now += 10;
  hub.progress(1, view('fold=0', 3));
  // Another experiment has its own interval.
  hub.progress(2, view('fold=0', 7));
  assert.deepEqual(progressOf(events), [
    [1, 'fold=0@1'],
    [2, 'fold=0@7'],
  ]);
  assert.deepEqual(
    hub.inFlight(1).map((j) => `${j.key}@${j.epoch}`),
    ['fold=0@3', 'fold=1@1'],
  );
  hub.emit({ type: 'job', experimentId: 1, key: 'fold=0', state: 'done', attempts: 1, worker: 'w1' });
  assert.deepEqual(
    events.slice(-2).map((e) => e.type),
    ['progress', 'job'],
  );
  assert.deepEqual(progressOf(events).at(-1), [1, 'fold=0@3', 'fold=1@1']);
  // Numbered one by one, stamped with the hub's clock.
  assert.deepEqual(
    events.map((e) => e.seq),
    [1, 2, 3, 4],
  );
  assert.equal(hub.seq, 4);
  assert.equal(events.at(-1)!.at, clock.now);
  // A done job is no longer in flight; the other one still is.
  assert.deepEqual(
    hub.inFlight(1).map((j) => j.key),
    ['fold=1'],
  );
  hub.runEnded(1);
  assert.deepEqual(hub.inFlight(1), []);
});

test('progress held back by the interval is sent by the timer, with the latest epoch only', async (t) => {
  const { hub, clock, events } = hubAt();
  t.after(() => hub.close());
  hub.progress(5, view('k', 1));
  clock.now += 1;
  for (let epoch = 2; epoch <= 40; epoch++) hub.progress(5, view('k', epoch));
  assert.equal(progressOf(events).length, 1);
  clock.now += PROGRESS_INTERVAL_MS;
  await new Promise((r) => setTimeout(r, PROGRESS_INTERVAL_MS * 3));
  assert.deepEqual(progressOf(events), [
    [5, 'k@1'],
    [5, 'k@40'],
  ]);
});

test('a subscriber that throws is reported, and the others still hear every event', (t) => {
  const { hub, events, warnings } = hubAt();
  t.after(() => hub.close());
  hub.subscribe(() => {
    throw new Error('a screen bug');
  });
  const late: LabEvent[] = [];
  hub.subscribe((e) => late.push(e));
  hub.emit({ type: 'report', experimentId: 3 });
  hub.emit({ type: 'experiment-deleted', experimentId: 3 });
  assert.equal(events.length, 2);
  assert.equal(late.length, 2);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /"report": a screen bug/);
});
