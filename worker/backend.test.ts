// `optlab worker --backend`: without an adapter, webgpu exits with the reason and auto falls
// back to the CPU, saying so; a software adapter counts only when asked for. "No adapter" is
// made for real by pointing Vulkan's loader at a driver file that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD } from './webgpu.ts';

const BIN = fileURLToPath(new URL('../bin/optlab.mjs', import.meta.url));

function worker(t: { after(fn: () => void): void }, args: string[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-backend-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return spawnSync(
    process.execPath,
    [BIN, 'worker', '--connect', 'ws://127.0.0.1:1', '--exit-on-disconnect', ...args],
    {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, OPTLAB_TOKEN: 'secret', XDG_RUNTIME_DIR: dir, ...env },
    },
  );
}

const NOTHING = { VK_ICD_FILENAMES: '/nonexistent/no_gpu_icd.json' };

test('--backend webgpu with no adapter exits 2 with a clear message, before any connection', (t) => {
  for (const extra of [[], ['--software-gpu']]) {
    const r = worker(t, ['--backend', 'webgpu', ...extra], NOTHING);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /optlab worker: --backend webgpu: Dawn found no WebGPU adapter \(VK_ICD_FILENAMES=\/nonexistent\/no_gpu_icd\.json\)/,
    );
    assert.doesNotMatch(r.stdout, /cannot reach the Lab/);
  }
});

test('--backend auto with no adapter says it trains on the CPU, then goes on as a CPU worker', (t) => {
  const r = worker(t, ['--backend', 'auto'], NOTHING);
  assert.match(r.stdout, /no usable GPU \(Dawn found no WebGPU adapter.*\); training on the CPU/);
  // It went on to look for the Lab (none here), as any CPU worker does.
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /cannot reach the Lab/);
});

test('an unknown --backend is a usage error', (t) => {
  const r = worker(t, ['--backend', 'cuda'], {});
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--backend: must be one of auto, cpu, webgpu, got cuda/);
});

const swiftshader = existsSync(SWIFTSHADER_ICD) ? false : `no SwiftShader driver at ${SWIFTSHADER_ICD}`;

test(
  'SwiftShader is a GPU only when asked for: refused by webgpu and auto without --software-gpu',
  { skip: swiftshader },
  (t) => {
    const env = { VK_ICD_FILENAMES: SWIFTSHADER_ICD };
    const refused = worker(t, ['--backend', 'webgpu'], env);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /the only adapter is a software one \(.*SwiftShader.*\); it is used for tests only \(--software-gpu\)/i,
    );
    const auto = worker(t, ['--backend', 'auto'], env);
    assert.match(auto.stdout, /no usable GPU \(the only adapter is a software one/);
    const asked = worker(t, ['--backend', 'webgpu', '--software-gpu'], env);
    assert.match(asked.stdout, /training on WebGPU: .*SwiftShader.* \(software adapter: for tests, not speed\)/i);
    assert.equal(asked.status, 1, asked.stderr);
  },
);
