// `optlab schema` and `optlab serve` as a user runs them: the spec's JSON Schema on stdout
// (the document the Lab API's specSchema() answers, titled, described and defaulted for an
// editor), and the served API on the port asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { specJsonSchema } from '../../shared/schema/spec.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('optlab schema prints the spec JSON Schema: every top-level field titled and described, defaults included', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin/optlab.mjs'), 'schema'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as {
    type: string;
    title?: string;
    properties: Record<string, { title?: string; description?: string }>;
  };
  assert.deepEqual(printed, JSON.parse(JSON.stringify(specJsonSchema())));
  assert.equal(printed.type, 'object');
  for (const k of ['dataset', 'model', 'loss', 'optimizer', 'training', 'evaluation', 'seed'])
    assert.ok(printed.properties[k]?.title && printed.properties[k]?.description, `${k} is not titled and described`);
  // Defaults an editor can offer, such as Adam's learning rate (PyTorch's 1e-3).
  assert.match(r.stdout, /"default": 1e-3|"default": 0\.001/);
  const bad = spawnSync(process.execPath, [join(root, 'bin/optlab.mjs'), 'schema', '--nope'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--nope/);
});

test('optlab serve --port P listens on P with a fresh token at each start; a bad port is a usage error', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'optlab-serve-port-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const bad = spawnSync(process.execPath, [join(root, 'bin/optlab.mjs'), 'serve', '--port', '70000'], {
    encoding: 'utf8',
    cwd: root,
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--port: 0\.\.65535, got "70000"/);
  // A port that was free a moment ago.
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  const start = async () => {
    const child = spawn(
      process.execPath,
      [join(root, 'bin/optlab.mjs'), 'serve', '--port', String(port), '--db', join(tmp, 'lib.db'), '--quiet'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // Its last line says Ctrl-C stops: from then on it handles SIGTERM.
    const url = await new Promise<string>((res, rej) => {
      let api = '';
      child.once('exit', (code) => rej(new Error(`optlab serve exited with ${code}`)));
      createInterface({ input: child.stdout }).on('line', (l) => {
        api ||= l.match(/(ws:\/\/\S+\/api\?token=[0-9a-f]+)/)?.[1] ?? '';
        if (/Ctrl-C stops/.test(l)) res(api);
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await exited;
    return new URL(url);
  };
  const first = await start();
  const second = await start();
  assert.equal(first.host, `127.0.0.1:${port}`);
  assert.equal(second.host, `127.0.0.1:${port}`);
  assert.match(first.searchParams.get('token') ?? '', /^[0-9a-f]{64}$/);
  assert.notEqual(first.searchParams.get('token'), second.searchParams.get('token'));
});
