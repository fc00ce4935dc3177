/**
 * WebAssembly SIMD kernels (compiled from wasm/src/kernels.ts by scripts/build-wasm.mjs) and an
 * allocator that places the training core's buffers inside the module's memory, so that the
 * kernels work on the layers' own arrays without copying.
 *
 * Node and worker threads: `installWasmKernels()` (synchronous). Browser main thread, where
 * engines may refuse synchronous compilation (Chrome long did above 4 KiB) and it would block
 * the page anyway: `await installWasmKernelsAsync()`.
 *
 * Results. Only IEEE float32 operations whose rounding WebAssembly fixes are used, so a call
 * gives the same bits on every machine and engine; they differ from the plain JS kernels in
 * the last bits (another summation order), by at most a few units of float32 rounding of
 * Σ|a·b| (see the tests). Arguments that are not Float32Arrays (the float64 gradient checks
 * and 2-D traces) go to the plain JS kernels and keep double precision.
 *
 * Memory. A WebAssembly memory that grows detaches every Float32Array view of it, and the
 * layers hold such views for their whole life; so the memory never grows while views handed
 * out may be in use. It is reserved up front (untouched pages cost no physical memory) and
 * handed out by a bump allocator. When it is full, further buffers are plain Float32Arrays
 * (the kernels copy those in and out: correct, slower) unless `onExhausted: 'throw'`.
 * The allocator supports scopes (`allocScope` in alloc.ts, which `fit` opens around each
 * fit): closing one hands the memory of the buffers allocated inside it out again. `reset()`
 * declares every buffer handed out so far dead (for callers that manage memory by hand).
 * Those two moments, a reset and the close of a scope that leaves nothing live, are the only
 * ones the memory grows, to fit what the busiest job so far asked for.
 */
import { jsKernels, setKernels, kernels as activeKernels, type F32, type FusedActivation, type Kernels } from './gemm.ts';
import { setAllocator, type Allocator } from './alloc.ts';
import { KERNELS_WASM_BASE64 } from './wasm/kernels.generated.ts';

// The project's TypeScript libraries (ES2022 + Node types) do not describe WebAssembly; this
// is the part of it used here, typed locally so that shared/ stays free of DOM types.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
/** A compiled kernel module (can be sent to workers to skip recompiling). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
type WasmImports = Record<string, Record<string, unknown>>;
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
};

interface Exports {
  gemm(M: number, N: number, K: number, a: number, rsA: number, csA: number, b: number, rsB: number, csB: number, c: number, bias: number, flags: number, pack: number): void;
  biasAct(M: number, N: number, y: number, bias: number, act: number): void;
  reluBackward(n: number, y: number, dy: number, dx: number): void;
  colSum(M: number, N: number, a: number, out: number, accumulate: number): void;
  adamF32(
    n: number, value: number, grad: number, m: number, v: number, vmax: number,
    w1: number, beta2: number, c2: number, stepSize: number, bc2Sqrt: number, eps: number, shrink: number, l2: number, sign: number,
  ): void;
  PACK_BYTES: { value: number };
  LOW_SCRATCH_BYTES: { value: number };
}

const PAGE = 65536;
const ALIGN = 64; // cache line: rows of a fresh buffer start on one
const GUARD = 64; // never handed out, so that no vector access near the end can trap
const F_ACC = 1;
const F_RELU = 4;

export interface WasmKernelOptions {
  /** Memory reserved up front, in MiB (default 64). `reset()` grows it when a job needed more. */
  memoryMiB?: number;
  /** When the memory is full: hand out plain arrays (default) or throw. */
  onExhausted?: 'fallback' | 'throw';
  /** A module compiled earlier (e.g. received from the main thread), instead of compiling again. */
  module?: WasmModule;
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

let cachedBytes: Uint8Array | null = null;

/** The kernel module's bytes. */
export function wasmKernelBytes(): Uint8Array {
  cachedBytes ??= decodeBase64(KERNELS_WASM_BASE64);
  return cachedBytes;
}

/** Compiles the kernel module without blocking (the browser main thread needs this). */
export function compileWasmKernels(): Promise<WasmModule> {
  return WebAssembly.compile(wasmKernelBytes());
}

let cachedModule: WasmModule | null = null;

/** Creates kernels and allocator synchronously (Node, workers) without installing them. */
export function createWasmKernels(options: WasmKernelOptions = {}): WasmKernels {
  cachedModule ??= options.module ?? new WebAssembly.Module(wasmKernelBytes());
  const module = options.module ?? cachedModule;
  const memory = newMemory(options);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return wrap(module, memory, instance.exports as unknown as Exports, options);
}

/** Creates kernels and allocator without blocking (browser main thread) without installing them. */
export async function createWasmKernelsAsync(options: WasmKernelOptions = {}): Promise<WasmKernels> {
  const module = options.module ?? (await compileWasmKernels());
  const memory = newMemory(options);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return wrap(module, memory, instance.exports as unknown as Exports, options);
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

function newMemory(options: WasmKernelOptions): WasmMemory {
  const mib = options.memoryMiB ?? 64;
  if (!(mib > 0 && mib <= 4095)) throw new RangeError(`wasm kernels: memoryMiB must be in (0, 4095], got ${mib}`);
  return new WebAssembly.Memory({ initial: Math.ceil((mib * 1048576) / PAGE) });
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function wrap(module: WasmModule, memory: WasmMemory, ex: Exports, options: WasmKernelOptions): WasmKernels {
  const strict = options.onExhausted === 'throw';
  const packAt = alignUp(Math.max(ex.LOW_SCRATCH_BYTES.value, 1024), ALIGN);
  const heapStart = alignUp(packAt + ex.PACK_BYTES.value, ALIGN);

  let buffer = memory.buffer;
  let heap = new Float32Array(buffer);
  let limit = buffer.byteLength - GUARD;
  let top = heapStart;
  /** Bytes the live buffers asked for, including those that did not fit. */
  let demand = 0;
  /** Largest `demand` since the memory last had a chance to grow. */
  let peak = 0;
  let fallbacks = 0;
  let copying = 0;
  let jsCalls = 0;
  /** Open allocation scopes, outermost first: where each one started. */
  const scopes: { token: number; top: number; demand: number }[] = [];
  /** Tokens are never reused, so that closing a scope twice cannot close a newer one. */
  let nextToken = 1;

  if (heapStart + GUARD > buffer.byteLength) throw new RangeError('wasm kernels: memoryMiB too small for the packing buffer');

  const take = (n: number): Float32Array => {
    const bytes = alignUp(n * 4, ALIGN);
    demand += bytes;
    if (demand > peak) peak = demand;
    if (n === 0) return new Float32Array(0);
    if (top + bytes <= limit) {
      const view = new Float32Array(buffer, top, n);
      // Memory reused after a reset holds old values; allocF32 promises zeros.
      view.fill(0);
      top += bytes;
      return view;
    }
    if (strict) {
      throw new RangeError(
        `wasm kernels: memory full (${(limit - heapStart) >> 20} MiB in use, ${n * 4} more bytes asked); ` +
          'pass a larger memoryMiB to installWasmKernels, or call reset() between jobs',
      );
    }
    fallbacks++;
    return new Float32Array(n);
  };

  /** Grows the memory to what the busiest job so far asked for; only while no view is live. */
  function growToPeak(): void {
    const need = heapStart + peak + GUARD;
    if (need > buffer.byteLength) {
      try {
        memory.grow(Math.ceil((need - buffer.byteLength) / PAGE));
      } catch {
        // The engine refused more memory: keep the current size, later buffers fall back.
      }
      buffer = memory.buffer;
      heap = new Float32Array(buffer);
      limit = buffer.byteLength - GUARD;
    }
    peak = demand;
  }

  const mark = (): number => {
    const token = nextToken++;
    scopes.push({ token, top, demand });
    return token;
  };

  const release = (token: number): void => {
    let i = scopes.length - 1;
    while (i >= 0 && scopes[i].token !== token) i--;
    if (i < 0) return;
    const s = scopes[i];
    scopes.length = i;
    // A view kept past its scope by mistake then reads NaN until the memory is reused,
    // rather than numbers that look plausible.
    if (top > s.top) heap.fill(Number.NaN, s.top >> 2, top >> 2);
    top = s.top;
    demand = s.demand;
    if (top === heapStart) growToPeak();
  };

  const allocator: Allocator = Object.assign(take, { mark, release });

  function reset(): void {
    scopes.length = 0;
    demand = 0;
    top = heapStart;
    growToPeak();
    peak = 0;
    fallbacks = 0;
  }

  const owns = (a: Float32Array): boolean => a.buffer === buffer;

  // Arguments that live outside the memory are copied to the free space above `top` for the
  // duration of one call; nothing is handed out there, so it needs no bookkeeping.
  let scratch = 0;
  let copied = false;
  function place(a: F32, n: number, copyIn: boolean): number {
    if (a.buffer === buffer) return a.byteOffset;
    const at = scratch;
    const end = at + alignUp(n * 4, ALIGN);
    if (end > limit) return -1;
    if (copyIn) heap.set(a.length === n ? a : a.subarray(0, n), at >> 2);
    scratch = end;
    copied = true;
    return at;
  }
  function begin(): void {
    scratch = top;
    copied = false;
  }
  function end(C: F32, pc: number, n: number): void {
    copyOut(C, pc, n);
    if (copied) copying++;
  }
  function copyOut(a: F32, p: number, n: number): void {
    if (a.buffer !== buffer) a.set(heap.subarray(p >> 2, (p >> 2) + n));
  }

  function check(name: string, a: F32, n: number): void {
    // A view too short would let the kernel read or write a neighbouring buffer silently.
    if (a.length < n) throw new RangeError(`wasm kernels: ${name} needs ${n} values, got ${a.length}`);
  }

  function product(
    M: number, N: number, K: number,
    A: F32, rsA: number, csA: number,
    B: F32, rsB: number, csB: number,
    C: F32, bias: F32 | null, flags: number,
  ): boolean {
    if (M <= 0 || N <= 0) return true;
    if (!(f32(A) && f32(B) && f32(C) && (bias === null || f32(bias)))) return false;
    const kk = Math.max(K, 0);
    check('A', A, M * kk);
    check('B', B, kk * N);
    check('C', C, M * N);
    if (bias) check('bias', bias, N);
    begin();
    const pa = place(A, M * kk, true);
    const pb = place(B, kk * N, true);
    const pc = place(C, M * N, (flags & F_ACC) !== 0);
    const pbias = bias ? place(bias, N, true) : 0;
    if (pa < 0 || pb < 0 || pc < 0 || pbias < 0) {
      jsCalls++;
      return false;
    }
    ex.gemm(M, N, K, pa, rsA, csA, pb, rsB, csB, pc, pbias, flags, packAt);
    end(C, pc, M * N);
    return true;
  }

  const kernels: Kernels = {
    name: 'wasm-simd',
    gemm(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, K, 1, B, N, 1, C, null, accumulate ? F_ACC : 0)) jsKernels.gemm(M, N, K, A, B, C, accumulate);
    },
    gemmTN(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, 1, M, B, N, 1, C, null, accumulate ? F_ACC : 0)) jsKernels.gemmTN(M, N, K, A, B, C, accumulate);
    },
    gemmNT(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, K, 1, B, 1, K, C, null, accumulate ? F_ACC : 0)) jsKernels.gemmNT(M, N, K, A, B, C, accumulate);
    },
    gemmBiasAct(M, N, K, A, B, bias, C, act) {
      if (!product(M, N, K, A, K, 1, B, N, 1, C, bias, actFlag(act))) jsKernels.gemmBiasAct!(M, N, K, A, B, bias, C, act);
    },
    biasAct(M, N, Y, bias, act) {
      if (M <= 0 || N <= 0) return;
      if (!(f32(Y) && (bias === null || f32(bias)))) return jsKernels.biasAct!(M, N, Y, bias, act);
      check('Y', Y, M * N);
      if (bias) check('bias', bias, N);
      begin();
      const py = place(Y, M * N, true);
      const pbias = bias ? place(bias, N, true) : 0;
      if (py < 0 || pbias < 0) {
        jsCalls++;
        jsKernels.biasAct!(M, N, Y, bias, act);
        return;
      }
      ex.biasAct(M, N, py, pbias, act === 'relu' ? 1 : 0);
      end(Y, py, M * N);
    },
    reluBackward(n, Y, dY, dX) {
      if (n <= 0) return;
      if (!(f32(Y) && f32(dY) && f32(dX))) return jsKernels.reluBackward!(n, Y, dY, dX);
      check('Y', Y, n);
      check('dY', dY, n);
      check('dX', dX, n);
      begin();
      const py = place(Y, n, true);
      const pdy = place(dY, n, true);
      // dX may be dY itself: then it must not get a second, separate copy.
      const pdx = dX === dY ? pdy : place(dX, n, false);
      if (py < 0 || pdy < 0 || pdx < 0) {
        jsCalls++;
        jsKernels.reluBackward!(n, Y, dY, dX);
        return;
      }
      ex.reluBackward(n, py, pdy, pdx);
      end(dX, pdx, n);
    },
    colSum(M, N, A, out, accumulate) {
      if (N <= 0) return;
      if (!(f32(A) && f32(out))) return jsKernels.colSum!(M, N, A, out, accumulate);
      const m = Math.max(M, 0);
      check('A', A, m * N);
      check('out', out, N);
      begin();
      const pa = place(A, m * N, true);
      const po = place(out, N, accumulate);
      if (pa < 0 || po < 0) {
        jsCalls++;
        jsKernels.colSum!(M, N, A, out, accumulate);
        return;
      }
      ex.colSum(m, N, pa, po, accumulate ? 1 : 0);
      end(out, po, N);
    },
    adamF32(value, grad, expAvg, expAvgSq, maxExpAvgSq, t, lr, beta1, beta2, eps, weightDecay, decoupled, maximize) {
      if (!(f32(value) && f32(grad) && f32(expAvg) && f32(expAvgSq) && (maxExpAvgSq === null || f32(maxExpAvgSq)))) {
        throw new TypeError('wasm kernels: adamF32 takes Float32Arrays; use adamUpdate for float64 state');
      }
      const n = value.length;
      check('grad', grad, n);
      check('expAvg', expAvg, n);
      check('expAvgSq', expAvgSq, n);
      if (maxExpAvgSq) check('maxExpAvgSq', maxExpAvgSq, n);
      // The scalars exactly as adamUpdate derives them, so that every value matches it bit for bit.
      const stepSize = lr / (1 - Math.pow(beta1, t));
      const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
      const shrink = decoupled ? 1 - lr * weightDecay : 1;
      const l2 = decoupled ? 0 : weightDecay;
      const sign = maximize ? -1 : 1;
      const foreign =
        +(value.buffer !== buffer) + +(grad.buffer !== buffer) + +(expAvg.buffer !== buffer) +
        +(expAvgSq.buffer !== buffer) + +(maxExpAvgSq !== null && maxExpAvgSq.buffer !== buffer);
      if (foreign === 0) {
        const px = maxExpAvgSq ? maxExpAvgSq.byteOffset : 0;
        ex.adamF32(n, value.byteOffset, grad.byteOffset, expAvg.byteOffset, expAvgSq.byteOffset, px, 1 - beta1, beta2, 1 - beta2, stepSize, bc2Sqrt, eps, shrink, l2, sign);
        return;
      }
      // Element-wise, so arrays outside the memory can go through it in chunks of whatever fits.
      const chunk = Math.min(n, Math.floor((limit - top - ALIGN * foreign) / (4 * foreign) / 16) * 16);
      if (chunk <= 0 && n > 0) throw new RangeError('wasm kernels: no free memory left to stage adamF32 arguments');
      for (let o = 0; o < n; o += chunk) {
        const e = Math.min(n, o + chunk);
        const len = e - o;
        const v = value.subarray(o, e);
        const m = expAvg.subarray(o, e);
        const s2 = expAvgSq.subarray(o, e);
        const x = maxExpAvgSq ? maxExpAvgSq.subarray(o, e) : null;
        begin();
        const pv = place(v, len, true);
        const pg = place(grad.subarray(o, e), len, true);
        const pm = place(m, len, true);
        const ps = place(s2, len, true);
        const px = x ? place(x, len, true) : 0;
        ex.adamF32(len, pv, pg, pm, ps, px, 1 - beta1, beta2, 1 - beta2, stepSize, bc2Sqrt, eps, shrink, l2, sign);
        copyOut(v, pv, len);
        copyOut(m, pm, len);
        copyOut(s2, ps, len);
        if (x) copyOut(x, px, len);
        copying++;
      }
    },
  };

  return {
    kernels,
    allocator,
    module,
    owns,
    reset,
    stats: () => ({
      capacityBytes: limit - heapStart,
      usedBytes: top - heapStart,
      demandBytes: demand,
      peakDemandBytes: peak,
      openScopes: scopes.length,
      fallbackAllocations: fallbacks,
      copyingCalls: copying,
      jsCalls,
    }),
  };
}

/**
 * Whether `a` really is float32 storage. The float64 paths (gradient checks, 2-D traces) run the
 * same layers on Float64Arrays typed as Float32Array; they go to the JS kernels, which compute
 * in double, instead of being rounded to float32 here.
 */
function f32(a: ArrayLike<number>): boolean {
  return a instanceof Float32Array;
}

function actFlag(act: FusedActivation): number {
  return act === 'relu' ? F_RELU : 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 to bytes (no atob/Buffer: the same code must run in Node and browsers). */
function decodeBase64(text: string): Uint8Array {
  const map = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) map[B64.charCodeAt(i)] = i;
  const s = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = map[s.charCodeAt(i) & 127];
    if (v < 0) throw new Error('wasm kernels: corrupt embedded module');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}
