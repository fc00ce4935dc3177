/**
 * For the WebGPU tests: a device on SwiftShader (or whatever adapter Dawn finds), or the reason
 * there is none, in which case the tests skip and say why. CI sets OPTLAB_WEBGPU_TESTS=required
 * (.ci/run installs SwiftShader's driver): there a missing adapter fails the tests instead.
 */
import { GpuContext } from '../shared/gpu/context.ts';
import { acquireDevice, type AcquiredDevice } from './webgpu.ts';

export interface TestDevice extends AcquiredDevice {
  gpu: GpuContext;
}

/** The device, or a string saying why the WebGPU tests skip. */
export async function testDevice(): Promise<TestDevice | string> {
  try {
    const d = await acquireDevice({ software: true });
    return { ...d, gpu: new GpuContext(d.device) };
  } catch (e) {
    const why = `no WebGPU adapter: ${e instanceof Error ? e.message : String(e)}`;
    if (process.env.OPTLAB_WEBGPU_TESTS === 'required')
      throw new Error(`${why} (OPTLAB_WEBGPU_TESTS=required)`, { cause: e });
    console.log(`# skipping the WebGPU tests: ${why}`);
    return why;
  }
}

/** max |a − b| / max |b|: the error relative to the reference's scale (exact zeros compare absolutely). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`relError: ${a.length} values against ${b.length}`);
  let err = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= err)) err = d;
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}

/** Uniform values in [−1, 1) from a seeded generator, for kernel inputs. */
export function randomArray(n: number, rng: { uniform(lo: number, hi: number): number }): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}
