// The typed client over a scripted socket: the frames it sends, the answers and errors it
// rebuilds (class, code, problems), its events, and what happens when the connection drops
// (calls in flight fail with E_DISCONNECTED, it reconnects, calls made meanwhile are refused).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labClient, type SocketLike } from './lab-client.ts';
import { OptLabError } from './lab-errors.ts';
import type { LabEvent } from './lab-api.ts';

/** A socket the test drives: it records what the client sends and plays the Lab's side. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.closedWith = code;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  answer(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

function scripted() {
  const sockets: FakeSocket[] = [];
  const client = labClient({
    url: 'ws://127.0.0.1:1/api?token=secret',
    socket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    minDelayMs: 1,
    maxDelayMs: 4,
  });
  return { client, sockets, last: () => sockets[sockets.length - 1] };
}

async function rejected(p: Promise<unknown>): Promise<OptLabError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OptLabError, String(e));
    return e;
  }
  assert.fail('expected a rejection');
}

const tick = () => new Promise((r) => setTimeout(r, 10));

test('calls become frames; answers resolve them; error frames become OptLabErrors with every problem', async () => {
  const { client, last } = scripted();
  last().open();
  await client.ready;
  assert.equal(client.state, 'open');
  const a = client.getExperiment(3);
  const b = client.previewDataset('0123456789abcdef', undefined);
  const c = client.previewPlan({ experimentId: 3 }, undefined);
  const d = client.createExperiment({ seed: -1 });
  // Trailing absent arguments are left out.
  assert.deepEqual(last().sent, [
    { id: 1, method: 'getExperiment', params: [3] },
    { id: 2, method: 'previewDataset', params: ['0123456789abcdef'] },
    { id: 3, method: 'previewPlan', params: [{ experimentId: 3 }] },
    { id: 4, method: 'createExperiment', params: [{ seed: -1 }] },
  ]);
  // Answers in any order; an unknown id and a frame that is not JSON are ignored.
  last().answer({ id: 99, result: 'nobody asked' });
  last().onmessage?.({ data: '{not json' });
  last().answer({ id: 2, result: { info: { hash: '0123456789abcdef' } } });
  last().answer({ id: 1, result: { id: 3 } });
  const problems = [{ path: 'seed', message: 'must be an integer ≥ 0, got -1' }];
  last().answer({ id: 4, error: { code: 'E_BAD_SPEC', message: 'spec: 1 problem', problems } });
  last().answer({ id: 3, error: { code: 'E_SOMETHING_NEW', message: 'from a newer Lab' } });
  assert.deepEqual(await a, { id: 3 });
  assert.deepEqual(await b, { info: { hash: '0123456789abcdef' } });
  const spec = await rejected(d);
  assert.deepEqual(spec.toData(), { code: 'E_BAD_SPEC', message: 'spec: 1 problem', problems });
  // A code this client does not know is E_INTERNAL, with the Lab's message.
  const unknown = await rejected(c);
  assert.deepEqual([unknown.code, unknown.message], ['E_INTERNAL', 'from a newer Lab']);
  client.close();
});

test('events reach subscribers in order and lastSeq follows them', async () => {
  const { client, last } = scripted();
  last().open();
  const got: LabEvent[] = [];
  const off = client.subscribe((e) => got.push(e));
  last().answer({ event: { seq: 7, at: 1, type: 'report', experimentId: 2 } });
  last().answer({ event: { seq: 8, at: 2, type: 'experiment-deleted', experimentId: 2 } });
  off();
  last().answer({ event: { seq: 9, at: 3, type: 'report', experimentId: 4 } });
  assert.deepEqual(
    got.map((e) => e.seq),
    [7, 8],
  );
  assert.equal(client.lastSeq, 9);
  client.close();
});

test('a dropped connection fails the calls in flight, refuses calls until it is back, then reconnects', async () => {
  const { client, sockets, last } = scripted();
  const states: string[] = [];
  client.onState((s) => states.push(s));
  last().open();
  const inFlight = client.getJobs(1);
  last().drop(1006);
  const lost = await rejected(inFlight);
  assert.equal(lost.code, 'E_DISCONNECTED');
  assert.match(lost.message, /lost \(1006\)/);
  const meanwhile = await rejected(client.about());
  assert.equal(meanwhile.code, 'E_DISCONNECTED');
  assert.match(meanwhile.message, /about was not sent/);
  // It tries again after its delay, on a new socket, and is usable once that opens.
  while (sockets.length < 2) await tick();
  last().open();
  assert.deepEqual(states, ['open', 'connecting', 'open']);
  const again = client.about();
  last().answer({ id: (last().sent.at(-1) as { id: number }).id, result: { version: '0.1.0' } });
  assert.deepEqual(await again, { version: '0.1.0' });
  // Closed for good: the socket is closed, calls in flight fail, and it never reconnects.
  const last1 = client.getJobs(1);
  client.close();
  assert.equal((await rejected(last1)).code, 'E_DISCONNECTED');
  assert.equal(sockets[1].closedWith, 1000);
  assert.equal(client.state, 'closed');
  await tick();
  assert.equal(sockets.length, 2);
});

test('a Lab that never answers the first connection: ready rejects, the token is not in the message', async () => {
  const { client, sockets, last } = scripted();
  last().drop(1006);
  const e = await rejected(client.ready);
  assert.equal(e.code, 'E_DISCONNECTED');
  assert.match(e.message, /cannot connect to the Lab at ws:\/\/127\.0\.0\.1:1\/api\?token=… \(1006\)/);
  assert.doesNotMatch(e.message, /secret/);
  assert.equal(client.state, 'closed');
  await tick();
  assert.equal(sockets.length, 1, 'no retry when the Lab was never reached');
});
