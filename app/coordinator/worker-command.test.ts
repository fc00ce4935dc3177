// The extra-worker command a run prints, and what a worker started by hand does when the Lab
// goes away or was never a Lab: real worker processes against real servers on 127.0.0.1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { WebSocketServer } from 'ws';
import { Coordinator } from './coordinator.ts';
import { exited } from './local.ts';
import { memoryLogger, until, within } from './test-support.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');

/** A worker process started by hand (token in the environment); its output lines, and how it ended. */
function startWorker(url: string, extra: string[] = [], token = 'secret') {
  const out: string[] = [];
  const p = spawn(process.execPath, [bin, 'worker', '--connect', url, '--slots', '1', '--name', 'by-hand', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPTLAB_TOKEN: token },
  });
  for (const s of [p.stdout, p.stderr]) createInterface({ input: s }).on('line', (l) => out.push(l));
  return { p, out, done: exited(p) };
}

const listening = (server: Server | ReturnType<typeof createTcpServer>) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const closing = (server: Server | ReturnType<typeof createTcpServer>) =>
  new Promise<void>((r) => server.close(() => r()));

describe('the printed worker command', { timeout: 180_000 }, () => {
  test('a one-shot run prints this installation under node, the token in the environment, with --retry-for 10m', (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'optlab-cmd-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const spec = join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        seed: 1,
        dataset: { name: 'moons', samples: 60 },
        model: { kind: 'logistic' },
        loss: { kind: 'cross_entropy' },
        optimizer: { name: 'sgd', lr: 0.1 },
        training: { epochs: 2, batchSize: 16 },
        evaluation: { kind: 'kfold', k: 2 },
      }),
    );
    const r = spawnSync(process.execPath, [bin, 'run', spec, '--workers', '1', '--db', join(tmp, 'lib.db')], {
      encoding: 'utf8',
      cwd: tmp,
    });
    assert.equal(r.status, 0, r.stderr);
    const line = r.stderr.split('\n').find((l) => l.includes(' worker --connect '));
    assert.ok(line, r.stderr);
    assert.match(
      line.trim(),
      new RegExp(`^OPTLAB_TOKEN=[0-9a-f]{64} node ${bin} worker --connect ws://127\\.0\\.0\\.1:\\d+ --retry-for 10m$`),
    );
    assert.doesNotMatch(r.stderr, /npx optlab|--token/);
  });
});

describe('a worker started by hand', { timeout: 180_000 }, () => {
  test('--retry-for: after the Lab of a one-shot run is gone, it retries that long, then exits 1 saying so', async () => {
    const coordinator = new Coordinator({ token: 'secret', logger: memoryLogger() });
    const url = await coordinator.listen();
    const w = startWorker(url, ['--retry-for', '3s']);
    try {
      await until(() => coordinator.workers().length === 1, 60_000, 'the worker to join');
      await coordinator.close();
      const t0 = performance.now();
      const { code } = await within(w.done, 60_000, 'the worker to give up');
      assert.equal(code, 1, w.out.join('\n'));
      assert.ok(performance.now() - t0 < 30_000);
      assert.ok(
        w.out.some((l) => /^reconnecting to ws:\/\/127\.0\.0\.1:\d+ in /.test(l)),
        w.out.join('\n'),
      );
      assert.ok(
        w.out.some((l) =>
          /^optlab worker: no Lab at ws:\/\/127\.0\.0\.1:\d+ for \d+ s; giving up \(--retry-for 3 s\)$/.test(l),
        ),
        w.out.join('\n'),
      );
    } finally {
      w.p.kill('SIGKILL');
      await coordinator.close();
    }
  });

  test('--retry-for with no Lab ever: it gives up too; a bad duration is a usage error', async () => {
    const w = startWorker('ws://127.0.0.1:1', ['--retry-for', '2s']);
    const { code } = await within(w.done, 60_000, 'the worker to give up');
    assert.equal(code, 1);
    assert.ok(
      w.out.some((l) => /giving up \(--retry-for 2 s\)/.test(l)),
      w.out.join('\n'),
    );
    const bad = spawnSync(process.execPath, [bin, 'worker', '--connect', 'ws://127.0.0.1:1', '--retry-for', 'soon'], {
      encoding: 'utf8',
      env: { ...process.env, OPTLAB_TOKEN: 'x' },
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--retry-for: not a duration: "soon" \(e\.g\. 90s, 10m, 2h\)/);
  });

  const foreign = async (url: string, why: RegExp) => {
    const w = startWorker(url);
    try {
      const { code } = await within(w.done, 60_000, 'the worker to stop');
      assert.equal(code, 2, w.out.join('\n'));
      const said = w.out.filter((l) => l.startsWith('optlab worker: not an OptLab Lab at '));
      assert.equal(said.length, 1, w.out.join('\n'));
      assert.ok(said[0].startsWith(`optlab worker: not an OptLab Lab at ${url}: `), said[0]);
      assert.match(said[0], why);
      assert.ok(!w.out.some((l) => l.startsWith('reconnecting')), 'it did not retry');
    } finally {
      w.p.kill('SIGKILL');
    }
  };

  test('an HTTP server: "not an OptLab Lab at …", exit 2, no retry', async () => {
    const http = createHttpServer((_req, res) => res.end('<h1>hello</h1>'));
    const port = await listening(http);
    try {
      await foreign(`ws://127.0.0.1:${port}`, /it answered HTTP 200 OK instead of a WebSocket/);
    } finally {
      http.closeAllConnections();
      await closing(http);
    }
  });

  test('another WebSocket server (text, then binary junk first): "not an OptLab Lab at …", exit 2', async () => {
    for (const first of ['{"type":"hello","from":"someone else"}', Buffer.from('not our wire format')]) {
      const http = createHttpServer();
      const wss = new WebSocketServer({ server: http });
      wss.on('connection', (ws) => ws.send(first));
      const port = await listening(http);
      try {
        await foreign(`ws://127.0.0.1:${port}`, /its first message is not an OptLab challenge/);
      } finally {
        for (const c of wss.clients) c.terminate();
        wss.close();
        await closing(http);
      }
    }
  });

  test('a server that does not speak HTTP at all: "not an OptLab Lab at …", exit 2', async () => {
    const tcp = createTcpServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
    const port = await listening(tcp);
    try {
      await foreign(`ws://127.0.0.1:${port}`, /it does not speak HTTP/);
    } finally {
      tcp.close();
    }
  });
});
