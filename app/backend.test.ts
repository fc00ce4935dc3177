// `optlab run --backend`, end to end: a real Lab, a real local worker process whose job thread
// trains on WebGPU (SwiftShader here, asked for with --software-gpu), the report naming the
// adapter; and what happens without an adapter (made for real with a Vulkan driver file that
// does not exist).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD } from '../worker/webgpu.ts';
import { Library } from './library/library.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin/optlab.mjs');

const spec = {
  name: 'backend test',
  seed: 3,
  dataset: { name: 'moons', samples: 200, noise: 0.25, testFraction: 0.2 },
  model: { kind: 'mlp', hidden: [16], activation: 'relu' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 5, batchSize: 32 },
  evaluation: { kind: 'kfold', k: 3 },
};

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-backend-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  const optlab = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      cwd: root,
      timeout: 240_000,
      maxBuffer: 1e8,
      env: { ...process.env, XDG_RUNTIME_DIR: dir, ...env },
    });
  return { dir, file, optlab };
}

const NOTHING = { VK_ICD_FILENAMES: '/nonexistent/no_gpu_icd.json' };
const swiftshader = existsSync(SWIFTSHADER_ICD) ? false : `no SwiftShader driver at ${SWIFTSHADER_ICD}`;
const val = (report: { configurations: { metrics: Record<string, { mean: number }> }[] }) =>
  report.configurations[0].metrics.val_accuracy.mean;

test(
  'optlab run --backend webgpu: a local worker trains on the GPU, the report names it, accuracy matches the CPU',
  { skip: swiftshader },
  (t) => {
    const { dir, file, optlab } = setup(t);
    const db = join(dir, 'gpu.db');
    const gpu = optlab(
      {},
      'run',
      file,
      '--backend',
      'webgpu',
      '--software-gpu',
      '--workers',
      '1',
      '--json',
      '--quiet',
      '--db',
      db,
    );
    assert.equal(gpu.status, 0, gpu.stderr);
    const g = JSON.parse(gpu.stdout);
    assert.equal(g.backends.length, 1);
    assert.equal(g.backends[0].name, 'webgpu');
    assert.match(g.backends[0].adapter, /swiftshader/i);
    assert.equal(g.backends[0].jobs, 3);
    const cpu = optlab({}, 'run', file, '--workers', '0', '--json', '--quiet', '--db', join(dir, 'cpu.db'));
    assert.equal(cpu.status, 0, cpu.stderr);
    const c = JSON.parse(cpu.stdout);
    assert.equal(c.backends, undefined);
    assert.ok(Math.abs(100 * (val(g) - val(c))) <= TOLERANCE.accuracyPoints, `${val(g)} against ${val(c)}`);
    // Finished: nothing to run, whatever the back end asked for.
    const finished = optlab({}, 'resume', '1', '--backend', 'cpu', '--db', db, '--quiet');
    assert.equal(finished.status, 0, finished.stderr);
    assert.match(finished.stderr, /experiment 1 is done: nothing to run/);
    // Unfinished (cancelled), resuming on another back end would mix them in one experiment: refused, nothing run.
    const lib = Library.open(db);
    lib.setStatus(1, 'cancelled');
    lib.close();
    const resume = optlab({}, 'resume', '1', '--backend', 'cpu', '--db', db, '--quiet');
    assert.equal(resume.status, 2, resume.stderr);
    assert.match(resume.stderr, /experiment 1 has jobs trained on webgpu; resume it with --backend webgpu/);
  },
);

test(
  'optlab run --backend webgpu --workers 0 trains in the Lab process on the GPU and says so',
  { skip: swiftshader },
  (t) => {
    const { dir, file, optlab } = setup(t);
    const r = optlab(
      {},
      'run',
      file,
      '--backend',
      'webgpu',
      '--software-gpu',
      '--workers',
      '0',
      '--db',
      join(dir, 'a.db'),
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /training on WebGPU: .*swiftshader/i);
    assert.match(r.stdout, /trained on WebGPU \(.*swiftshader.*\): 3 jobs, within the tolerance of the CPU's numbers/i);
  },
);

test('without an adapter: webgpu fails with the reason (in process or in the local workers); auto runs on the CPU', (t) => {
  const { dir, file, optlab } = setup(t);
  const here = optlab(
    NOTHING,
    'run',
    file,
    '--backend',
    'webgpu',
    '--workers',
    '0',
    '--quiet',
    '--db',
    join(dir, 'b.db'),
  );
  assert.equal(here.status, 2, here.stderr);
  assert.match(here.stderr, /optlab run: --backend webgpu: Dawn found no WebGPU adapter/);
  const local = optlab(
    NOTHING,
    'run',
    file,
    '--backend',
    'webgpu',
    '--workers',
    '1',
    '--quiet',
    '--db',
    join(dir, 'c.db'),
  );
  assert.equal(local.status, 1, local.stderr);
  assert.match(
    local.stderr,
    /no local worker could start: optlab worker: --backend webgpu: Dawn found no WebGPU adapter/,
  );
  const auto = optlab(NOTHING, 'run', file, '--backend', 'auto', '--workers', '0', '--json', '--db', join(dir, 'd.db'));
  assert.equal(auto.status, 0, auto.stderr);
  assert.match(auto.stderr, /no usable GPU \(Dawn found no WebGPU adapter.*\); training on the CPU/);
  assert.equal(JSON.parse(auto.stdout.trim().split('\n').pop()!).backends, undefined);
});
