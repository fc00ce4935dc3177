/**
 * Which kernels a thread trains with, chosen once per thread (a process's main thread, each
 * worker thread, each remote worker).
 *
 * The choice decides the bits of every result: the WebAssembly kernels add in another order
 * than the plain JS ones, so the same spec gives results that differ in the last bits from
 * one set to the other (and, over many steps, in more than the last bits of a loss). Results
 * are the same whatever the number of workers only if every thread that runs jobs of one
 * experiment uses the same kernels: the Lab picks with `useFastKernels()`, and tells its
 * workers to `useKernels(name, build)` with its own choice, which refuses rather than falls back.
 *
 * The WebAssembly module is loaded with a dynamic import, so that a checkout whose generated
 * module is missing (an install without the build step) still runs, on the JS kernels.
 */
import type * as WasmKernelsModule from './wasm-kernels.ts';
import type { WasmModule } from './wasm-kernels.ts';
import { jsKernels, setKernels } from './gemm.ts';
import { setAllocator } from './alloc.ts';

/** The kernel sets there are; the name is what a thread tells another to use. */
export type KernelName = 'wasm-simd' | 'js';

export interface KernelChoice {
  /** The kernels this thread trains with. */
  name: KernelName;
  /**
   * Build of the WebAssembly module (first 12 hex digits of its SHA-256), so that two
   * machines can check they run the same kernels; absent for `js`.
   */
  build?: string;
  /** Why these are not the WebAssembly kernels (absent when they are). */
  reason?: string;
}

/** Default memory reserved for the WebAssembly kernels; fits grow it when they need more. */
const MEMORY_MIB = 64;

/** What loading the WebAssembly module gave. */
export type LoadedKernels =
  { ok: true; mod: typeof WasmKernelsModule; module: WasmModule; build: string } | { ok: false; reason: string };

async function load(): Promise<LoadedKernels> {
  let mod: typeof WasmKernelsModule;
  let build: string;
  try {
    const [m, gen] = await Promise.all([import('./wasm-kernels.ts'), import('./wasm/kernels.generated.ts')]);
    mod = m;
    build = gen.KERNELS_WASM_SHA256.slice(0, 12);
  } catch (e) {
    return {
      ok: false,
      reason: `the WebAssembly kernel module did not load (${describe(e)}); run npm install to build it`,
    };
  }
  try {
    // Compiled without blocking: a browser main thread refuses to compile this size synchronously.
    return { ok: true, mod, module: await mod.compileWasmKernels(), build };
  } catch (e) {
    return { ok: false, reason: `the WebAssembly kernels did not compile (${describe(e)})` };
  }
}

const loaded: LoadedKernels = await load();
let chosen: KernelChoice | null = null;

/**
 * Installs the WebAssembly SIMD kernels in this thread (once: later calls return the first
 * answer), or leaves the plain JS kernels in place and says why. Call it before any model is
 * built.
 */
export function useFastKernels(): KernelChoice {
  chosen ??= install(loaded);
  return chosen;
}

/**
 * Installs exactly the kernels `name` names (and, given `build`, that build of the WebAssembly
 * module), for a thread that must match another: a worker and its Lab. Throws when they cannot
 * be had, or when this thread already chose others: silently falling back would give results
 * that differ from the other threads'.
 */
export function useKernels(name: KernelName, build?: string): KernelChoice {
  const c = pick(name);
  if (build !== undefined && name === 'wasm-simd' && c.build !== build) {
    throw new Error(
      `kernels: WebAssembly module build ${c.build} here, ${build} asked for (rebuild with npm install from the same sources)`,
    );
  }
  return c;
}

function pick(name: KernelName): KernelChoice {
  if (chosen) {
    if (chosen.name !== name)
      throw new Error(`kernels: this thread already uses "${chosen.name}", cannot switch to "${name}"`);
    return chosen;
  }
  if (name === 'js') {
    chosen = useJs('asked for');
    return chosen;
  }
  if (name !== 'wasm-simd')
    throw new RangeError(`kernels: unknown kernel set "${String(name)}" (known: wasm-simd, js)`);
  const c = install(loaded);
  if (c.name !== 'wasm-simd') throw new Error(`kernels: "wasm-simd" asked for but unavailable: ${c.reason}`);
  chosen = c;
  return chosen;
}

/** What this thread chose so far (null before the first call of either function). */
export function kernelChoice(): KernelChoice | null {
  return chosen;
}

/** The decision itself, on whatever the import gave; exported for the tests. */
export function install(l: LoadedKernels): KernelChoice {
  if (!l.ok) return useJs(l.reason);
  try {
    l.mod.installWasmKernels({ memoryMiB: MEMORY_MIB, module: l.module });
    return { name: 'wasm-simd', build: l.build };
  } catch (e) {
    return useJs(`the WebAssembly kernels failed to start (${describe(e)})`);
  }
}

function useJs(reason: string): KernelChoice {
  setKernels(jsKernels);
  setAllocator(null);
  return { name: 'js', reason };
}

function describe(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown } | null;
  const msg = typeof err?.message === 'string' ? err.message.split('\n')[0] : String(e);
  return typeof err?.code === 'string' ? `${err.code}: ${msg}` : msg;
}
