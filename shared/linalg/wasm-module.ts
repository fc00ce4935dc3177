/**
 * The WebAssembly kernel module (compiled from wasm/src/kernels.ts by scripts/build-wasm.mjs
 * and embedded as base64): its bytes, compiling it, and instantiating it over a memory of
 * ours. Everything here that touches the WebAssembly API does so through the local typing
 * below, so that the rest of shared/linalg needs neither DOM types nor the global.
 */
import { KERNELS_WASM_BASE64 } from './wasm/kernels.generated.ts';

// The project's TypeScript libraries (ES2022 + Node types) do not describe WebAssembly; this
// is the part of it used here, typed locally so that shared/ stays free of DOM types.
export interface WasmMemory {
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

/** The module's exports; every pointer is a byte address in the imported memory. */
export interface Exports {
  gemm(
    M: number,
    N: number,
    K: number,
    a: number,
    rsA: number,
    csA: number,
    b: number,
    rsB: number,
    csB: number,
    c: number,
    bias: number,
    flags: number,
    pack: number,
  ): void;
  biasAct(M: number, N: number, y: number, bias: number, act: number): void;
  reluBackward(n: number, y: number, dy: number, dx: number): void;
  colSum(M: number, N: number, a: number, out: number, accumulate: number): void;
  adamF32(
    n: number,
    value: number,
    grad: number,
    m: number,
    v: number,
    vmax: number,
    w1: number,
    beta2: number,
    c2: number,
    stepSize: number,
    bc2Sqrt: number,
    eps: number,
    shrink: number,
    l2: number,
    sign: number,
  ): void;
  PACK_BYTES: { value: number };
  LOW_SCRATCH_BYTES: { value: number };
}

export const PAGE = 65536;

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

/**
 * `given`, or the module compiled synchronously once per thread. The first module this thread
 * sees, given or compiled, is the one later calls without `given` reuse.
 */
export function compiledModule(given: WasmModule | undefined): WasmModule {
  cachedModule ??= given ?? new WebAssembly.Module(wasmKernelBytes());
  return given ?? cachedModule;
}

/** A memory of `mib` MiB, reserved up front (untouched pages cost no physical memory). */
export function newMemory(mib: number): WasmMemory {
  if (!(mib > 0 && mib <= 4095)) throw new RangeError(`wasm kernels: memoryMiB must be in (0, 4095], got ${mib}`);
  return new WebAssembly.Memory({ initial: Math.ceil((mib * 1048576) / PAGE) });
}

/** Instantiates the module over `memory` synchronously (Node, workers). */
export function instantiate(module: WasmModule, memory: WasmMemory): Exports {
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
}

/** Instantiates the module over `memory` without blocking (browser main thread). */
export async function instantiateAsync(module: WasmModule, memory: WasmMemory): Promise<Exports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as Exports;
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
