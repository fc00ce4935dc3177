/**
 * Where the training core gets its float buffers. Every parameter, gradient and activation
 * buffer is allocated through `allocF32`, so that a kernel implementation that works on its
 * own memory (WebAssembly) can hand out views of that memory and avoid copies.
 *
 * Such memory is finite and its buffers are never freed one by one, so work that runs many
 * times in a process (one fit per fold, hundreds per experiment) opens an allocation scope
 * (`allocScope`) and closes it when every buffer it allocated is dead: the memory behind
 * them is then handed out again. Whatever leaves the scope must have been copied into
 * plain arrays first; `fit` does so for its results.
 */
export type Allocator = ((n: number) => Float32Array) & {
  /**
   * Opens a scope: returns a token for `release`. Allocators of plain arrays leave both out
   * (the garbage collector frees their buffers).
   */
  readonly mark?: () => number;
  /**
   * Closes the scope `token` and every scope opened inside it: the buffers allocated since
   * `mark` returned it are dead and their memory is reused. A token already closed is ignored.
   */
  readonly release?: (token: number) => void;
};

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

const noop = (): void => {};

/**
 * Opens an allocation scope on the current allocator and returns the function that closes
 * it. After closing, no buffer allocated inside may be read or written: its memory belongs to
 * whatever is allocated next. Closing twice is harmless; with a plain allocator both are no-ops.
 */
export function allocScope(): () => void {
  const a = current;
  if (!a.mark || !a.release) return noop;
  const token = a.mark();
  const release = a.release;
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    release(token);
  };
}
