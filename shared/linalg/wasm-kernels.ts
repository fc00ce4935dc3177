/**
 * WebAssembly SIMD kernels (compiled from wasm/src/kernels.ts by scripts/build-wasm.mjs) and an
 * allocator that places the training core's buffers inside the module's memory, so that the
 * kernels work on the layers' own arrays without copying. The module itself is in
 * wasm-module.ts, the allocator in wasm-memory.ts, the kernel calls (and what their results
 * are) in wasm-kernel-calls.ts; this is where they are put together and installed.
 *
 * Node and worker threads: `installWasmKernels()` (synchronous). Browser main thread, where
 * engines may refuse synchronous compilation (Chrome long did above 4 KiB) and it would block
 * the page anyway: `await installWasmKernelsAsync()`.
 */
import { setKernels, kernels as activeKernels, type Kernels } from './gemm.ts';
import { setAllocator, type Allocator } from './alloc.ts';
import {
  compiledModule,
  compileWasmKernels,
  instantiate,
  instantiateAsync,
  newMemory,
  type Exports,
  type WasmMemory,
  type WasmModule,
} from './wasm-module.ts';
import { ALIGN, alignUp, WasmHeap, type WasmHeapStats } from './wasm-memory.ts';
import { wasmKernelCalls } from './wasm-kernel-calls.ts';

export { compileWasmKernels, wasmKernelBytes, type WasmModule } from './wasm-module.ts';
export type { WasmHeapStats } from './wasm-memory.ts';

export interface WasmKernelOptions {
  /** Memory reserved up front, in MiB (default 64). `reset()` grows it when a job needed more. */
  memoryMiB?: number;
  /** When the memory is full: hand out plain arrays (default) or throw. */
  onExhausted?: 'fallback' | 'throw';
  /** A module compiled earlier (e.g. received from the main thread), instead of compiling again. */
  module?: WasmModule;
}

/** The kernels, their allocator and the memory behind both. */
export interface WasmKernels {
  readonly kernels: Kernels;
  readonly allocator: Allocator;
  readonly module: WasmModule;
  /** Whether `a` is a view of this memory (then the kernels use it in place). */
  owns(a: Float32Array): boolean;
  stats(): WasmHeapStats;
  /** Declares every buffer handed out so far dead; their views must not be used afterwards. */
  reset(): void;
}

/** Creates kernels and allocator synchronously (Node, workers) without installing them. */
export function createWasmKernels(options: WasmKernelOptions = {}): WasmKernels {
  const module = compiledModule(options.module);
  const memory = newMemory(options.memoryMiB ?? 64);
  return wrap(module, memory, instantiate(module, memory), options);
}

/** Creates kernels and allocator without blocking (browser main thread) without installing them. */
export async function createWasmKernelsAsync(options: WasmKernelOptions = {}): Promise<WasmKernels> {
  const module = options.module ?? (await compileWasmKernels());
  const memory = newMemory(options.memoryMiB ?? 64);
  return wrap(module, memory, await instantiateAsync(module, memory), options);
}

/** A handle whose `uninstall()` puts back the kernels and allocator that were active before. */
export interface InstalledWasmKernels extends WasmKernels {
  uninstall(): void;
}

/**
 * Makes the WebAssembly kernels and allocator the active ones. Call it before any model is
 * built (buffers allocated earlier stay plain arrays and are copied at every kernel call).
 */
export function installWasmKernels(options: WasmKernelOptions = {}): InstalledWasmKernels {
  return install(createWasmKernels(options));
}

/** `installWasmKernels` for the browser main thread. */
export async function installWasmKernelsAsync(options: WasmKernelOptions = {}): Promise<InstalledWasmKernels> {
  return install(await createWasmKernelsAsync(options));
}

function install(w: WasmKernels): InstalledWasmKernels {
  const prevKernels = activeKernels();
  const prevAllocator = setAllocator(w.allocator);
  setKernels(w.kernels);
  return {
    ...w,
    uninstall() {
      setKernels(prevKernels);
      setAllocator(prevAllocator);
    },
  };
}

function wrap(module: WasmModule, memory: WasmMemory, ex: Exports, options: WasmKernelOptions): WasmKernels {
  // The module's own scratch and its packing buffer sit below the buffers handed out.
  const packAt = alignUp(Math.max(ex.LOW_SCRATCH_BYTES.value, 1024), ALIGN);
  const heap = new WasmHeap(memory, alignUp(packAt + ex.PACK_BYTES.value, ALIGN), options.onExhausted === 'throw');
  const calls = wasmKernelCalls(ex, heap, packAt);
  return {
    kernels: calls.kernels,
    allocator: heap.allocator,
    module,
    owns: (a) => heap.owns(a),
    reset: () => heap.reset(),
    stats: () => ({ ...heap.stats(), ...calls.counts() }),
  };
}
