// `optlab serve-workers --backend`, as a user runs it: a bad value is refused with the choices;
// webgpu without an adapter (made for real with a Vulkan driver file that does not exist) is
// refused before a Lab opens; with SwiftShader (--software-gpu) the standing local worker trains
// a queued experiment on WebGPU and the report names the adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { SWIFTSHADER_ICD } from '../../worker/webgpu.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
const swiftshader = existsSync(SWIFTSHADER_ICD) ? false : `no SwiftShader driver at ${SWIFTSHADER_ICD}`;

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-serve-backend-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const optlab = (dir: string, env: Record<string, string>, ...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, XDG_RUNTIME_DIR: dir, ...env },
  });

test('serve-workers refuses a bad --backend with the choices, and --backend webgpu without an adapter before a Lab opens', (t) => {
  const dir = folder(t);
  const db = join(dir, 'lib.db');
  const bad = optlab(dir, {}, 'serve-workers', '--backend', 'gpu', '--db', db);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--backend: must be one of auto, cpu, webgpu, got "gpu"/);
  const none = optlab(
    dir,
    { VK_ICD_FILENAMES: '/nonexistent/no_gpu_icd.json' },
    'serve-workers',
    '--workers',
    '1',
    '--backend',
    'webgpu',
    '--db',
    db,
  );
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /optlab serve-workers: --backend webgpu: Dawn found no WebGPU adapter/);
  assert.doesNotMatch(none.stdout, /Lab listening/);
  assert.equal(existsSync(db), false, 'no library was opened');
});

test(
  'serve-workers --workers 1 --backend webgpu --software-gpu: the standing worker trains a queued experiment on WebGPU',
  { skip: swiftshader },
  async (t) => {
    const dir = folder(t);
    const db = join(dir, 'lib.db');
    const server = spawn(
      process.execPath,
      [bin, 'serve-workers', '--workers', '1', '--backend', 'webgpu', '--software-gpu', '--db', db, '--poll-ms', '200'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_RUNTIME_DIR: dir } },
    );
    const lines: string[] = [];
    createInterface({ input: server.stdout }).on('line', (l) => lines.push(l));
    createInterface({ input: server.stderr }).on('line', (l) => lines.push(l));
    const waitFor = async (re: RegExp, ms = 180_000) => {
      const end = Date.now() + ms;
      while (!lines.some((l) => re.test(l))) {
        assert.ok(Date.now() < end, `no line matching ${re} in:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await waitFor(/local workers: training on WebGPU: .*swiftshader/i);
      await waitFor(/^workers: .*\(1 slots\)/);
      const spec = join(dir, 'spec.json');
      writeFileSync(
        spec,
        JSON.stringify({
          seed: 2,
          dataset: { name: 'moons', samples: 90 },
          model: { kind: 'mlp', hidden: [8] },
          loss: { kind: 'cross_entropy' },
          optimizer: { name: 'adam', lr: 0.01 },
          training: { epochs: 2, batchSize: 16 },
          evaluation: { kind: 'kfold', k: 2 },
        }),
      );
      const q = optlab(dir, {}, 'run', spec, '--queue', '--db', db);
      assert.equal(q.status, 0, q.stderr);
      await waitFor(/experiment 1: done/);
      const show = optlab(dir, {}, 'show', '1', '--db', db, '--json');
      assert.equal(show.status, 0, show.stderr);
      const backends = (
        JSON.parse(show.stdout) as { report: { backends?: { name: string; adapter: string; jobs: number }[] } }
      ).report.backends;
      assert.equal(backends?.length, 1, show.stdout);
      assert.equal(backends[0].name, 'webgpu');
      assert.match(backends[0].adapter, /swiftshader/i);
      assert.equal(backends[0].jobs, 2);
    } finally {
      server.kill('SIGINT');
      const code = await new Promise((r) => server.once('exit', r));
      assert.equal(code, 0, lines.join('\n'));
    }
  },
);
