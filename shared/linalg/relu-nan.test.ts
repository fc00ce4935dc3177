import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsKernels } from './gemm.ts';
import { createWasmKernels } from './wasm-kernels.ts';

test('reluBackward passes the gradient of a NaN output on and zeroes it at ≤ 0 (PyTorch threshold_backward), in both kernel sets', () => {
  const w = createWasmKernels({ memoryMiB: 1 });
  // 11 values: two full SIMD vectors and a scalar tail.
  const ys = [Number.NaN, 0, -0, 1, -1, 2, Number.NaN, 0, 3, Number.NaN, 0];
  const want = ys.map((y, i) => (y <= 0 ? 0 : i + 1));
  for (const k of [jsKernels, w.kernels]) {
    const Y = w.allocator(ys.length);
    Y.set(ys);
    const dY = w.allocator(ys.length);
    dY.set(ys.map((_, i) => i + 1));
    const dX = w.allocator(ys.length);
    k.reluBackward!(ys.length, Y, dY, dX);
    assert.deepEqual([...dX], want, k.name);
    assert.ok(
      [...dX].every((v) => !Object.is(v, -0)),
      `${k.name}: zeros are +0`,
    );
  }
});
