// `optlab serve`'s WebSocket server before a client has proven the session token: what a
// stranger may make it hold, how many strangers may wait, and how much they may make it print.
// The coordinator's own rules, tested the same way (app/coordinator/preauth.test.ts): raw TCP
// clients that stream what they send, so that the test process never holds it.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { labClient } from '../../shared/lab-client.ts';
import { Lab } from '../lab.ts';
import { serveLab } from './server.ts';
import { until, within } from '../coordinator/test-support.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const MiB = 1024 * 1024;

/** Resident memory of a process (Linux), in bytes. */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Writes `head`, then `length` bytes of `fill` in 1 MiB writes until done or cut off; resolves with the bytes of the tail written. */
function stream(port: number, head: string, length: number, fill: number): Promise<number> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(MiB, fill);
    let sent = 0;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      s.destroy();
      resolve(sent);
    };
    s.on('error', end);
    s.on('close', end);
    s.resume();
    const pump = () => {
      while (!ended && sent < length && s.writable) {
        sent += MiB;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      if (sent >= length) end();
    };
    s.once('connect', () => {
      s.write(head);
      pump();
    });
  });
}

describe('optlab serve under a flood of strangers (a real process)', { timeout: 300_000 }, () => {
  let tmp = '';
  let server: ChildProcess;
  let apiUrl = '';
  let port = 0;
  const lines: string[] = [];
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'optlab-serve-preauth-'));
    server = spawn(process.execPath, [bin, 'serve', '--db', join(tmp, 'lib.db')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [server.stdout!, server.stderr!]) createInterface({ input: s }).on('line', (l) => lines.push(l));
    await until(() => lines.some((l) => /ws:\/\/\S+\/api\?token=/.test(l)), 60_000, 'optlab serve to listen');
    apiUrl = /(ws:\/\/\S+\/api\?token=[0-9a-f]+)/.exec(lines.find((l) => l.includes('/api?token='))!)![1];
    port = Number(new URL(apiUrl).port);
  });
  after(async () => {
    server?.kill('SIGINT');
    if (server && server.exitCode === null) await new Promise((r) => server.once('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  });

  test('60 strangers each sending 60 MiB (a body, after a refused upgrade, in a header): a few MB at most, then it serves', async (t: TestContext) => {
    if (!existsSync(`/proc/${server.pid}/status`)) return t.skip('needs /proc to read the server process memory');
    await new Promise((r) => setTimeout(r, 1500));
    const baseline = rss(server.pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid!))), 20);
    let sent: number[];
    try {
      const size = 60 * MiB;
      const key = () => randomBytes(16).toString('base64');
      sent = await within(
        Promise.all([
          ...Array.from({ length: 20 }, () =>
            stream(port, `POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`, size, 0x5a),
          ),
          ...Array.from({ length: 20 }, () =>
            stream(
              port,
              `GET /api?token=${'0'.repeat(64)} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key()}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
              size,
              0x82,
            ),
          ),
          ...Array.from({ length: 20 }, () => stream(port, `GET / HTTP/1.1\r\nX-Endless: `, size, 0x61)),
        ]),
        120_000,
        'the flood to be sent or cut off',
      );
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      clearInterval(sampler);
    }
    const grew = peak - baseline;
    console.log(
      `serve resident memory: ${(baseline / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB during the flood (+${(grew / MiB).toFixed(1)} MiB); ` +
        `the most a stranger got out before it was cut off: ${(Math.max(...sent) / MiB).toFixed(0)} MiB`,
    );
    assert.ok(grew < 40 * MiB, `the server grew by ${(grew / MiB).toFixed(0)} MiB`);
    assert.ok(Math.max(...sent) < 60 * MiB, `a stranger sent ${Math.max(...sent)} bytes`);
    // Still serving: a client with the token gets its answers.
    const client = labClient({ url: apiUrl, socket: (u) => new WebSocket(u) as never, minDelayMs: 50 });
    try {
      await client.ready;
      assert.deepEqual(await client.listExperiments({}), []);
    } finally {
      client.close();
    }
  });
});

describe('optlab serve: waiting connections and their log', { timeout: 120_000 }, () => {
  test('300 connections that prove nothing: at most maxPending wait at once, the rest are refused, and the log stays short', async (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'optlab-serve-pending-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const lab = Lab.open(join(tmp, 'lib.db'), { logger: { info: () => {}, warn: () => {} } });
    const log: string[] = [];
    const served = await serveLab(lab, { log: (l) => log.push(l), maxPending: 50, authTimeoutMs: 1000 });
    try {
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, served.pendingConnections())), 5);
      const closed: Promise<void>[] = [];
      const sockets: Socket[] = [];
      for (let i = 0; i < 300; i++) {
        const s = connect(served.port, '127.0.0.1');
        s.on('error', () => {});
        s.resume();
        closed.push(new Promise((r) => s.once('close', () => r())));
        sockets.push(s);
        // A third ask to upgrade with a wrong token; the others say nothing at all.
        if (i % 3 === 0)
          s.once('connect', () =>
            s.write(
              `GET /api?token=nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
            ),
          );
      }
      await within(Promise.all(closed), 60_000, 'the server to close every connection');
      clearInterval(sampler);
      assert.ok(most <= 50, `${most} connections waited at once`);
      assert.equal(served.pendingConnections(), 0);
      await until(() => log.some((l) => l.startsWith('… and ')), 15_000, 'the summary line');
      assert.ok(log.length <= 12, `${log.length} lines:\n${log.join('\n')}`);
      const summed = log
        .filter((l) => l.startsWith('… and '))
        .reduce((n, l) => n + Number(/… and (\d+) more/.exec(l)![1]), 0);
      assert.equal(summed + log.filter((l) => !l.startsWith('… and ')).length, 300, log.join('\n'));
      assert.ok(
        log.some((l) => /wrong or missing token: \d+/.test(l)),
        log.join('\n'),
      );
      assert.ok(
        log.some((l) => /(over the limit of waiting connections|no request in time): \d+/.test(l)),
        log.join('\n'),
      );
      // A client with the token still gets in.
      const client = labClient({ url: served.apiUrl, socket: (u) => new WebSocket(u) as never, minDelayMs: 50 });
      await client.ready;
      assert.equal((await client.about()).libraryPath, join(tmp, 'lib.db'));
      client.close();
      for (const s of sockets) s.destroy();
    } finally {
      await served.close();
      await lab.close();
    }
  });
});
