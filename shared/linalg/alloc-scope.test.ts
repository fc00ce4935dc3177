import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocF32, allocScope, setAllocator } from './alloc.ts';
import { createWasmKernels, installWasmKernels } from './wasm-kernels.ts';

test('allocScope on the plain allocator is a no-op', () => {
  const prev = setAllocator(null);
  try {
    const close = allocScope();
    const a = allocF32(4);
    a.fill(2);
    close();
    close();
    assert.deepEqual([...a], [2, 2, 2, 2]);
  } finally {
    setAllocator(prev);
  }
});

test('closing a scope hands its wasm memory out again, zeroed; what was allocated before it stays', () => {
  const h = installWasmKernels({ memoryMiB: 1 });
  try {
    const outer = allocF32(100);
    outer.fill(7);
    const used = h.stats().usedBytes;
    const close = allocScope();
    const inner = allocF32(1000);
    inner.fill(3);
    assert.ok(h.stats().usedBytes > used);
    assert.equal(h.stats().openScopes, 1);
    close();
    assert.equal(h.stats().usedBytes, used);
    assert.equal(h.stats().openScopes, 0);
    // A view kept past its scope reads NaN until the memory is reused, never the old numbers.
    assert.ok(Number.isNaN(inner[0]) && Number.isNaN(inner[999]));
    const again = allocF32(1000);
    assert.equal(again.byteOffset, inner.byteOffset);
    assert.ok(again.every((v) => v === 0));
    assert.ok(outer.every((v) => v === 7));
  } finally {
    h.uninstall();
  }
});

test('scopes nest; closing an outer scope closes the inner ones, and a late inner close is ignored', () => {
  const w = createWasmKernels({ memoryMiB: 1 });
  const prev = setAllocator(w.allocator);
  try {
    const base = w.stats().usedBytes;
    const closeOuter = allocScope();
    allocF32(64);
    const afterOuter = w.stats().usedBytes;
    const closeInner = allocScope();
    allocF32(64);
    closeInner();
    assert.equal(w.stats().usedBytes, afterOuter);
    const closeInner2 = allocScope();
    allocF32(64);
    closeOuter();
    assert.equal(w.stats().usedBytes, base);
    const kept = allocF32(64);
    const closeNewer = allocScope();
    allocF32(64);
    closeInner2();
    assert.equal(w.stats().usedBytes, base + 512, 'the inner scope was already closed with the outer one');
    assert.equal(w.stats().openScopes, 1, 'a stale close does not close a newer scope');
    closeNewer();
    assert.equal(w.stats().usedBytes, base + 256);
    assert.ok(w.owns(kept));
  } finally {
    setAllocator(prev);
  }
});

test('the memory grows when the outermost scope closes with nothing live, to what the busiest scope asked for', () => {
  const w = createWasmKernels({ memoryMiB: 1 });
  const prev = setAllocator(w.allocator);
  try {
    const cap = w.stats().capacityBytes;
    const close = allocScope();
    const big = allocF32(400_000); // 1.6 MB: does not fit
    assert.ok(!w.owns(big));
    assert.equal(w.stats().fallbackAllocations, 1);
    close();
    assert.ok(w.stats().capacityBytes > cap, 'grew');
    const close2 = allocScope();
    assert.ok(w.owns(allocF32(400_000)), 'the same demand now fits');
    close2();
    // With a buffer live below the scope the memory must not grow: that would detach it.
    const live = allocF32(10);
    const cap2 = w.stats().capacityBytes;
    const close3 = allocScope();
    allocF32(2_000_000);
    close3();
    assert.equal(w.stats().capacityBytes, cap2);
    assert.equal(live.length, 10, 'not detached');
  } finally {
    setAllocator(prev);
  }
});
