import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { kernelChoice, useFastKernels } from './kernels.ts';
import { jsKernels, kernels } from '../shared/linalg/gemm.ts';

/** What useFastKernels() says in a fresh process with the given OPTLAB_KERNELS. */
function inFreshProcess(env: string | undefined): { choice?: unknown; active?: string; error?: string } {
  const mod = JSON.stringify(new URL('./kernels.ts', import.meta.url).href);
  const gemm = JSON.stringify(new URL('../shared/linalg/gemm.ts', import.meta.url).href);
  const code = `
    const { useFastKernels } = await import(${mod});
    const { kernels } = await import(${gemm});
    try { console.log(JSON.stringify({ choice: useFastKernels(), active: kernels().name })); }
    catch (e) { console.log(JSON.stringify({ error: e.message })); }`;
  const childEnv = { ...process.env };
  if (env === undefined) delete childEnv.OPTLAB_KERNELS;
  else childEnv.OPTLAB_KERNELS = env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: childEnv,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('useFastKernels: the wasm kernels by default, JS when OPTLAB_KERNELS=js, an error for an unknown name', () => {
  const def = inFreshProcess(undefined);
  assert.equal(def.active, 'wasm-simd');
  assert.equal((def.choice as { name: string }).name, 'wasm-simd');
  assert.match((def.choice as { build: string }).build, /^[0-9a-f]{12}$/);
  assert.deepEqual(inFreshProcess('js'), { choice: { name: 'js', reason: 'OPTLAB_KERNELS=js' }, active: 'js' });
  assert.match(inFreshProcess('gpu').error!, /OPTLAB_KERNELS must be one of wasm-simd, js, got "gpu"/);
});

test('useFastKernels in this process: installs once and reports the same choice afterwards', () => {
  const saved = process.env.OPTLAB_KERNELS;
  delete process.env.OPTLAB_KERNELS;
  try {
    const a = useFastKernels();
    assert.equal(useFastKernels(), a);
    assert.equal(kernelChoice(), a);
    assert.equal(kernels().name, a.name);
    if (a.name === 'js') assert.ok(a.reason && kernels() === jsKernels);
  } finally {
    if (saved !== undefined) process.env.OPTLAB_KERNELS = saved;
  }
});
