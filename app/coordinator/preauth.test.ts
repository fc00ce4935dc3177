// Strangers before authentication: what they may make the Lab hold, how many may wait, and
// how much they may make it print. The attackers are raw TCP clients speaking just enough
// WebSocket to send frame headers and stream payloads, so that the test process itself never
// holds what it sends.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { Coordinator } from './coordinator.ts';
import { memoryLogger, RawClient, until, within } from './test-support.ts';
import { PRE_AUTH_MAX_BYTES } from './connection.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const MiB = 1024 * 1024;

/** A TCP connection upgraded to WebSocket by hand (resolves once the Lab answered 101), or closed before that. */
function rawUpgrade(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.once('close', () => reject(new Error('closed before the upgrade')));
    s.once('connect', () =>
      s.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = '';
    const onData = (b: Buffer) => {
      head += b.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      s.off('data', onData);
      // Whatever the Lab sends next is read and dropped, so that its closing the connection is seen.
      s.resume();
      if (head.startsWith('HTTP/1.1 101')) resolve(s);
      else reject(new Error(head.split('\r\n')[0]));
    };
    s.on('data', onData);
  });
}

/** Header of a masked binary frame declaring `length` bytes of payload (client frames are masked). */
function frameHeader(length: number): Buffer {
  const h = Buffer.alloc(14);
  h[0] = 0x82;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(h, 10);
  return h;
}

/** Sends one frame of `length` bytes in 1 MiB writes (the same buffer each time) until done or cut off; resolves with the bytes written. */
async function streamFrame(s: Socket, length: number): Promise<number> {
  const chunk = Buffer.alloc(MiB, 0x5a);
  let sent = 0;
  if (!s.write(frameHeader(length))) await new Promise((r) => s.once('drain', r));
  while (sent < length && !s.destroyed && s.writable) {
    const n = Math.min(MiB, length - sent);
    const ok = s.write(n === MiB ? chunk : chunk.subarray(0, n));
    sent += n;
    if (!ok)
      await new Promise<void>((r) => {
        const done = () => {
          s.off('drain', done);
          s.off('close', done);
          r();
        };
        s.once('drain', done);
        s.once('close', done);
      });
  }
  return sent;
}

/** Resident memory of a process (Linux), in bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

describe('a Lab under a pre-authentication flood (a real serve-workers process)', { timeout: 300_000 }, () => {
  let tmp = '';
  let lab: ChildProcess;
  let port = 0;
  const lines: string[] = [];
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-preauth-'));
    lab = spawn(process.execPath, [bin, 'serve-workers', '--db', join(tmp, 'lib.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [lab.stdout!, lab.stderr!])
      createInterface({ input: stream }).on('line', (l) => lines.push(l));
    await until(
      () => lines.some((l) => /Lab listening on ws:\/\/127\.0\.0\.1:\d+/.test(l)),
      60_000,
      'the Lab to listen',
    );
    port = Number(
      /Lab listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(lines.find((l) => l.includes('Lab listening'))!)![1],
    );
  });
  after(async () => {
    lab?.kill('SIGINT');
    if (lab && lab.exitCode === null) await new Promise((r) => lab.once('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  });

  test('20 clients each sending a 60 MiB frame before hello: the Lab grows by a few MB at most and keeps serving', async (t: TestContext) => {
    if (!existsSync(`/proc/${lab.pid}/status`)) return t.skip('needs /proc to read the Lab process memory');
    // Let the Lab settle after start-up, then take its resident memory as the baseline.
    await new Promise((r) => setTimeout(r, 1500));
    const baseline = rss(lab.pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(lab.pid!))), 20);
    try {
      const sockets = await Promise.all(Array.from({ length: 20 }, () => rawUpgrade(port)));
      const sent = await within(
        Promise.all(sockets.map((s) => streamFrame(s, 60 * MiB))),
        120_000,
        'the flood to be sent or cut off',
      );
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, 500));
      const grew = peak - baseline;
      console.log(
        `Lab resident memory: ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB during the flood (+${(grew / MiB).toFixed(1)} MiB); ` +
          `each client got ${(Math.max(...sent) / MiB).toFixed(0)} MiB out before it was cut off`,
      );
      assert.ok(grew < 40 * MiB, `the Lab grew by ${(grew / MiB).toFixed(0)} MiB`);
      // Each was cut off early: no client got its whole 60 MiB into the Lab.
      assert.ok(Math.max(...sent) < 60 * MiB, `a client sent ${Math.max(...sent)} bytes`);
    } finally {
      clearInterval(sampler);
    }
    // The Lab still serves: a worker with the token gets in, and then may send frames far larger than before hello.
    const token = readFileSync(join(tmp, 'worker-token'), 'utf8').trim();
    const c = await RawClient.connect(`ws://127.0.0.1:${port}`);
    await c.authenticate(token, 'after-the-flood');
    c.sendBytes(new Uint8Array(MiB).fill(7));
    assert.match(await c.refusedWith('E_BAD_FRAME'), /magic/);
  });
});

describe('waiting connections and their log', { timeout: 120_000 }, () => {
  test('a frame over the pre-hello cap is cut off when its header arrives; a hello-sized one is read', async () => {
    const log = memoryLogger();
    const c = new Coordinator({ logger: log });
    try {
      const port = Number(new URL(await c.listen()).port);
      const s = await rawUpgrade(port);
      const closed = new Promise<void>((r) => s.once('close', () => r()));
      // Header only, declaring 60 MiB: the Lab closes without waiting for a byte of the payload.
      s.write(frameHeader(60 * MiB));
      await within(closed, 10_000, 'the Lab to cut off a frame it only saw the header of');
      assert.ok(
        log.lines.some((l) => /connection from 127\.0\.0\.1: Max payload size exceeded/.test(l)),
        log.lines.join('\n'),
      );
      const ok = await RawClient.connect(c.url);
      ok.sendBytes(new Uint8Array(PRE_AUTH_MAX_BYTES).fill(1));
      // Read, then judged as a message: not a wire frame.
      assert.match(await ok.refusedWith('E_BAD_FRAME'), /magic/);
    } finally {
      await c.close();
    }
  });

  test('300 idle connections: at most maxPending wait at once, the rest are refused, and the log stays short', async () => {
    const log = memoryLogger();
    const c = new Coordinator({ logger: log, helloTimeoutMs: 1000, maxPending: 50 });
    try {
      const port = Number(new URL(await c.listen()).port);
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, c.pendingConnections)), 5);
      const sockets: Socket[] = [];
      const closed: Promise<void>[] = [];
      for (let i = 0; i < 300; i++) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        s.resume();
        closed.push(new Promise((r) => s.once('close', () => r())));
        sockets.push(s);
        // Half of them complete the WebSocket handshake and then say nothing.
        if (i % 2 === 0)
          s.once('connect', () =>
            s.write(
              `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
            ),
          );
      }
      await within(Promise.all(closed), 60_000, 'the Lab to close every idle connection');
      clearInterval(sampler);
      assert.ok(most <= 50, `${most} connections waited at once`);
      await until(() => c.pendingConnections === 0, 10_000, 'the Lab to count every closed connection out');
      // Let the window end so that the summary is written.
      await until(() => log.lines.some((l) => l.startsWith('… and ')), 15_000, 'the summary line');
      const about = log.lines.filter((l) => !l.startsWith('coordinator listening'));
      assert.ok(about.length <= 12, `${about.length} lines:\n${about.join('\n')}`);
      const summed = about
        .filter((l) => l.startsWith('… and '))
        .reduce((n, l) => n + Number(/… and (\d+) more/.exec(l)![1]), 0);
      assert.equal(summed + about.filter((l) => !l.startsWith('… and ')).length, 300, about.join('\n'));
      assert.ok(
        about.some((l) => /over the limit of waiting connections: \d+/.test(l)),
        about.join('\n'),
      );
      // And a real worker still gets in afterwards.
      const w = await RawClient.connect(c.url);
      await w.authenticate(c.token, 'late');
      assert.equal(c.workers().length, 1);
      w.close();
      for (const s of sockets) s.destroy();
    } finally {
      await c.close();
    }
  });
});
