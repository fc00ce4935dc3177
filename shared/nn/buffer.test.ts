import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setAllocator } from '../linalg/alloc.ts';
import { MatBuffer } from './buffer.ts';

test('MatBuffer hands out one Mat object and grows its storage only for larger shapes', () => {
  let allocations = 0;
  const prev = setAllocator((n) => {
    allocations++;
    return new Float32Array(n);
  });
  try {
    const b = new MatBuffer();
    const m1 = b.get(4, 3);
    const data = m1.data;
    const after = allocations;
    const m2 = b.get(2, 6);
    const m3 = b.get(1, 5);
    assert.equal(m2, m1);
    assert.equal(m3, m1);
    assert.equal(m3.data, data);
    assert.equal(allocations, after);
    assert.deepEqual([m3.rows, m3.cols], [1, 5]);
    const m4 = b.get(5, 3);
    assert.equal(m4, m1);
    assert.equal(m4.data.length, 15);
    assert.equal(allocations, after + 1);
  } finally {
    setAllocator(prev);
  }
});
