/**
 * The allocator that places the training core's buffers inside the kernel module's memory, so
 * that the kernels work on the layers' own arrays without copying.
 *
 * A WebAssembly memory that grows detaches every Float32Array view of it, and the layers hold
 * such views for their whole life; so the memory never grows while views handed out may be in
 * use. It is reserved up front (untouched pages cost no physical memory) and handed out by a
 * bump allocator. When it is full, further buffers are plain Float32Arrays (the kernels copy
 * those in and out: correct, slower) unless `onExhausted: 'throw'`.
 * The allocator supports scopes (`allocScope` in alloc.ts, which `fit` opens around each
 * fit): closing one hands the memory of the buffers allocated inside it out again. `reset()`
 * declares every buffer handed out so far dead (for callers that manage memory by hand).
 * Those two moments, a reset and the close of a scope that leaves nothing live, are the only
 * ones the memory grows, to fit what the busiest job so far asked for.
 */
import type { Allocator } from './alloc.ts';
import { PAGE, type WasmMemory } from './wasm-module.ts';

export const ALIGN = 64; // cache line: rows of a fresh buffer start on one
const GUARD = 64; // never handed out, so that no vector access near the end can trap

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export interface WasmHeapStats {
  /** Bytes available to buffers. */
  capacityBytes: number;
  /** Bytes handed out since the last reset. */
  usedBytes: number;
  /** Bytes that the live buffers (since the last reset, less closed scopes) asked for, including those that did not fit. */
  demandBytes: number;
  /** Largest demandBytes since the memory last could grow (at a reset, or when the outermost scope closed). */
  peakDemandBytes: number;
  /** Allocation scopes open now (see allocScope in alloc.ts). */
  openScopes: number;
  /** Buffers handed out as plain arrays because the memory was full (since the last reset). */
  fallbackAllocations: number;
  /** Kernel calls that had to copy an argument that lives outside the memory. */
  copyingCalls: number;
  /** Kernel calls that ran the plain JS kernels because even a copy did not fit. */
  jsCalls: number;
}

/** The part of the stats that the heap itself keeps (the kernels count the calls). */
export type HeapStats = Omit<WasmHeapStats, 'copyingCalls' | 'jsCalls'>;

/**
 * The memory above `heapStart` as a bump allocator with scopes. The kernels read `buffer`,
 * `view`, `top` and `limit` at every call, since a growth replaces the first two and moves
 * the last; only the heap changes them.
 */
export class WasmHeap {
  readonly #memory: WasmMemory;
  readonly #heapStart: number;
  readonly #strict: boolean;
  #buffer: ArrayBuffer;
  #view: Float32Array;
  #limit: number;
  #top: number;
  /** Bytes the live buffers asked for, including those that did not fit. */
  #demand = 0;
  /** Largest `demand` since the memory last had a chance to grow. */
  #peak = 0;
  #fallbacks = 0;
  /** Open allocation scopes, outermost first: where each one started. */
  readonly #scopes: { token: number; top: number; demand: number }[] = [];
  /** Tokens are never reused, so that closing a scope twice cannot close a newer one. */
  #nextToken = 1;

  readonly allocator: Allocator;

  constructor(memory: WasmMemory, heapStart: number, strict: boolean) {
    this.#memory = memory;
    this.#heapStart = heapStart;
    this.#strict = strict;
    this.#buffer = memory.buffer;
    this.#view = new Float32Array(this.#buffer);
    this.#limit = this.#buffer.byteLength - GUARD;
    this.#top = heapStart;
    if (heapStart + GUARD > this.#buffer.byteLength)
      throw new RangeError('wasm kernels: memoryMiB too small for the packing buffer');
    this.allocator = Object.assign((n: number) => this.#take(n), {
      mark: () => this.#mark(),
      release: (token: number) => this.#release(token),
    });
  }

  get buffer(): ArrayBuffer {
    return this.#buffer;
  }
  get view(): Float32Array {
    return this.#view;
  }
  /** First byte not handed out; the space from here to `limit` is free. */
  get top(): number {
    return this.#top;
  }
  get limit(): number {
    return this.#limit;
  }

  /** Whether `a` is a view of this memory (then the kernels use it in place). */
  owns(a: Float32Array): boolean {
    return a.buffer === this.#buffer;
  }

  #take(n: number): Float32Array {
    const bytes = alignUp(n * 4, ALIGN);
    this.#demand += bytes;
    if (this.#demand > this.#peak) this.#peak = this.#demand;
    if (n === 0) return new Float32Array(0);
    if (this.#top + bytes <= this.#limit) {
      const view = new Float32Array(this.#buffer, this.#top, n);
      // Memory reused after a reset holds old values; allocF32 promises zeros.
      view.fill(0);
      this.#top += bytes;
      return view;
    }
    if (this.#strict) {
      throw new RangeError(
        `wasm kernels: memory full (${(this.#limit - this.#heapStart) >> 20} MiB in use, ${n * 4} more bytes asked); ` +
          'pass a larger memoryMiB to installWasmKernels, or call reset() between jobs',
      );
    }
    this.#fallbacks++;
    return new Float32Array(n);
  }

  /** Grows the memory to what the busiest job so far asked for; only while no view is live. */
  #growToPeak(): void {
    const need = this.#heapStart + this.#peak + GUARD;
    if (need > this.#buffer.byteLength) {
      try {
        this.#memory.grow(Math.ceil((need - this.#buffer.byteLength) / PAGE));
      } catch {
        // The engine refused more memory: keep the current size, later buffers fall back.
      }
      this.#buffer = this.#memory.buffer;
      this.#view = new Float32Array(this.#buffer);
      this.#limit = this.#buffer.byteLength - GUARD;
    }
    this.#peak = this.#demand;
  }

  #mark(): number {
    const token = this.#nextToken++;
    this.#scopes.push({ token, top: this.#top, demand: this.#demand });
    return token;
  }

  #release(token: number): void {
    const scopes = this.#scopes;
    let i = scopes.length - 1;
    while (i >= 0 && scopes[i].token !== token) i--;
    if (i < 0) return;
    const s = scopes[i];
    scopes.length = i;
    // A view kept past its scope by mistake then reads NaN until the memory is reused,
    // rather than numbers that look plausible.
    if (this.#top > s.top) this.#view.fill(Number.NaN, s.top >> 2, this.#top >> 2);
    this.#top = s.top;
    this.#demand = s.demand;
    if (this.#top === this.#heapStart) this.#growToPeak();
  }

  /** Declares every buffer handed out so far dead; their views must not be used afterwards. */
  reset(): void {
    this.#scopes.length = 0;
    this.#demand = 0;
    this.#top = this.#heapStart;
    this.#growToPeak();
    this.#peak = 0;
    this.#fallbacks = 0;
  }

  stats(): HeapStats {
    return {
      capacityBytes: this.#limit - this.#heapStart,
      usedBytes: this.#top - this.#heapStart,
      demandBytes: this.#demand,
      peakDemandBytes: this.#peak,
      openScopes: this.#scopes.length,
      fallbackAllocations: this.#fallbacks,
    };
  }
}
