import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabEvent } from '../../../../shared/lab-api.ts';
import { logLine, splitKey } from './events.ts';

test('job keys split into configuration and split', () => {
  assert.deepEqual(splitKey('config=2/repeat=0/fold=7'), { config: 2, split: 'repeat=0/fold=7' });
  assert.deepEqual(splitKey('config=0'), { config: 0, split: 'all' });
});

test('the event log: leases, requeues (a failed try, or a lease after the first), failures; other experiments left out', () => {
  const job = (over: object) =>
    ({
      seq: 1,
      at: 0,
      type: 'job',
      experimentId: 3,
      key: 'config=0/fold=1',
      state: 'leased',
      attempts: 1,
      worker: 'w2',
      ...over,
    }) as LabEvent;
  assert.deepEqual(logLine(job({}), 3), { seq: 1, at: 0, kind: 'lease', text: 'config=0/fold=1 leased to w2' });
  assert.equal(logLine(job({ attempts: 2 }), 3)?.kind, 'requeue');
  assert.equal(
    logLine(job({ state: 'pending', failure: { error: 'boom', final: false } }), 3)?.text,
    'config=0/fold=1 requeued (try 1 failed: boom)',
  );
  assert.equal(
    logLine(job({ state: 'failed', attempts: 3, failure: { error: 'boom', final: true } }), 3)?.kind,
    'failure',
  );
  assert.equal(logLine(job({}), 4), null);
});
