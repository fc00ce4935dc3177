/**
 * The kernels of the `optlab` process. Call `useFastKernels()` once, before the first model is
 * built, and pass `choice.name` and `choice.build` to every worker thread or remote worker,
 * which calls `useKernels(name, build)` from shared/linalg/use-kernels.ts before its first
 * job: results are the same bits whatever the number of workers only if every thread runs
 * the same kernels.
 *
 * OPTLAB_KERNELS=js (or wasm-simd) forces a kernel set, e.g. to compare the two; a forced set
 * that cannot be had is an error, not a fallback.
 */
import {
  kernelChoice,
  useFastKernels as useFastKernelsInThread,
  useKernels,
  type KernelChoice,
  type KernelName,
} from '../shared/linalg/use-kernels.ts';

export { kernelChoice, useKernels, type KernelChoice, type KernelName };

const KNOWN: readonly KernelName[] = ['wasm-simd', 'js'];

/**
 * Installs the WebAssembly SIMD kernels in this process (once; later calls return the same
 * answer), or keeps the plain JS kernels and gives the reason (`reason`) when the generated
 * module is missing or does not compile.
 */
export function useFastKernels(): KernelChoice {
  const forced = process.env.OPTLAB_KERNELS;
  if (forced === undefined || forced === '') return useFastKernelsInThread();
  if (!(KNOWN as readonly string[]).includes(forced)) {
    throw new RangeError(`OPTLAB_KERNELS must be one of ${KNOWN.join(', ')}, got "${forced}"`);
  }
  const c = useKernels(forced as KernelName);
  return c.name === 'js' ? { ...c, reason: 'OPTLAB_KERNELS=js' } : c;
}
