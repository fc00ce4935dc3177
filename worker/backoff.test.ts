import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';

test('backoff doubles up to the cap, jitters within [½, 1) of it, repeats per name, and starts over after reset', () => {
  const a = new Backoff('box-1', { baseMs: 100, capMs: 1000 });
  const delays = Array.from({ length: 8 }, () => a.next());
  const raw = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
  delays.forEach((d, i) => assert.ok(d >= raw[i] / 2 && d <= raw[i], `delay ${i}: ${d} for ${raw[i]}`));
  const again = new Backoff('box-1', { baseMs: 100, capMs: 1000 });
  assert.deepEqual(
    Array.from({ length: 8 }, () => again.next()),
    delays,
    'deterministic for a name',
  );
  const other = new Backoff('box-2', { baseMs: 100, capMs: 1000 });
  assert.notDeepEqual(
    Array.from({ length: 8 }, () => other.next()),
    delays,
    'another name spreads out',
  );
  a.reset();
  assert.ok(a.next() <= 100);
});
