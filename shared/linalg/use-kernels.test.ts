import { test } from 'node:test';
import assert from 'node:assert/strict';
import { install, kernelChoice, useFastKernels, useKernels } from './use-kernels.ts';
import { jsKernels, kernels, setKernels } from './gemm.ts';
import { allocF32, setAllocator } from './alloc.ts';
import * as wasmKernels from './wasm-kernels.ts';
import { KERNELS_WASM_SHA256 } from './wasm/kernels.generated.ts';

test('a module that did not load, or kernels that fail to start, leave the JS kernels with the reason', () => {
  const missing = install({ ok: false, reason: 'the WebAssembly kernel module did not load (ERR_MODULE_NOT_FOUND)' });
  assert.deepEqual(missing, {
    name: 'js',
    reason: 'the WebAssembly kernel module did not load (ERR_MODULE_NOT_FOUND)',
  });
  assert.equal(kernels(), jsKernels);
  const broken = {
    ...wasmKernels,
    installWasmKernels: () => {
      throw new Error('CompileError: no SIMD');
    },
  } as typeof wasmKernels;
  const failed = install({ ok: true, mod: broken, module: {}, build: 'x' });
  assert.equal(failed.name, 'js');
  assert.match(failed.reason!, /failed to start \(CompileError: no SIMD\)/);
  assert.equal(kernels(), jsKernels);
});

test('useFastKernels installs the wasm kernels once per thread; useKernels must then name the same set', () => {
  assert.equal(kernelChoice(), null);
  const a = useFastKernels();
  assert.deepEqual(a, { name: 'wasm-simd', build: KERNELS_WASM_SHA256.slice(0, 12) });
  assert.equal(kernels().name, 'wasm-simd');
  const mem = allocF32(4).buffer;
  assert.equal(useFastKernels(), a, 'the second call changes nothing');
  assert.equal(allocF32(4).buffer, mem, 'same memory: not installed twice');
  assert.equal(useKernels('wasm-simd'), a);
  assert.equal(useKernels('wasm-simd', a.build), a);
  assert.throws(() => useKernels('wasm-simd', '000000000000'), /build .* here, 000000000000 asked for/);
  assert.throws(() => useKernels('js'), /already uses "wasm-simd"/);
  assert.equal(kernelChoice(), a);
  setKernels(jsKernels);
  setAllocator(null);
});
