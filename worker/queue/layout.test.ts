import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineUrlError, parseEngineUrl, parseQueueName, queueName, redact, redisKeys } from './layout.ts';

test('engine URLs: redis:// and rediss:// (TLS), user and password decoded, a display without them, the prefix', () => {
  const t = parseEngineUrl('rediss://optlab:p%40ss%3Aword@redis.lab.example:6380/2?prefix=lab_a');
  assert.equal(t.tls, true);
  assert.equal(t.host, 'redis.lab.example');
  assert.equal(t.port, 6380);
  assert.equal(t.db, 2);
  assert.equal(t.username, 'optlab');
  assert.equal(t.password, 'p@ss:word');
  assert.equal(t.prefix, 'lab_a');
  assert.equal(t.display, 'rediss://redis.lab.example:6380/2?prefix=lab_a');
  const d = parseEngineUrl('redis://:secret@127.0.0.1');
  assert.deepEqual(
    [d.port, d.db, d.prefix, d.username, d.password, d.tls],
    [6379, 0, 'optlab', undefined, 'secret', false],
  );
  assert.equal(d.display, 'redis://127.0.0.1');
  assert.equal(parseEngineUrl('redis://[::1]:7000').host, '::1');
  for (const [bad, why] of [
    ['http://h:6379', /must be redis:\/\/ or rediss:\/\//],
    ['redis://:pw@h/16', /database number must be 0\.\.15/],
    ['redis://h?prefix=a:b', /prefix: 1\.\.40 letters/],
    ['redis://h?family=6', /unknown URL parameter "family"/],
    ['not a url :pw@', /not a URL/],
  ] as const)
    assert.throws(
      () => parseEngineUrl(bad),
      (e: unknown) => e instanceof EngineUrlError && why.test(e.message),
      bad,
    );
  assert.equal(redact('redis://user:hunter2@host:1'), 'redis://user:****@host:1');
  assert.throws(
    () => parseEngineUrl('redis//user:hunter2@host'),
    (e: unknown) => e instanceof Error && !e.message.includes('hunter2'),
  );
});

test('queue names: one per back end and kernel build, read back; keys under the prefix', () => {
  const q = queueName('cpu', { name: 'wasm-simd', build: 'd52ccd29b536' });
  assert.equal(q, 'jobs.cpu.wasm-simd.d52ccd29b536');
  assert.ok(!q.includes(':'));
  assert.deepEqual(parseQueueName(q), { backend: 'cpu', kernels: { name: 'wasm-simd', build: 'd52ccd29b536' } });
  assert.deepEqual(parseQueueName(queueName('webgpu', { name: 'js' })), { backend: 'webgpu', kernels: { name: 'js' } });
  assert.notEqual(
    queueName('cpu', { name: 'js' }),
    queueName('webgpu', { name: 'js' }),
    'a CPU run never reaches a GPU worker',
  );
  assert.equal(parseQueueName('jobs.tpu.js'), undefined);
  const k = redisKeys('optlab');
  for (const key of [k.data('00ff'), k.workers, k.worker('w1'), k.cancel('r'), k.owner('r')])
    assert.ok(key.startsWith('optlab:'), key);
  assert.match(k.data('00ff'), /^optlab:data:f\d+:00ff$/);
});
