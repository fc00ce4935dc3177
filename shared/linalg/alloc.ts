/**
 * Where the training core gets its float buffers. Every parameter, gradient and activation
 * buffer is allocated through `allocF32`, so that a kernel implementation that works on its
 * own memory (WebAssembly) can hand out views of that memory and avoid copies.
 */
export type Allocator = (n: number) => Float32Array;

const plain: Allocator = (n) => new Float32Array(n);
let current: Allocator = plain;

export function allocF32(n: number): Float32Array {
  return current(n);
}

/** Install another allocator (returns the previous one). */
export function setAllocator(a: Allocator | null): Allocator {
  const prev = current;
  current = a ?? plain;
  return prev;
}
