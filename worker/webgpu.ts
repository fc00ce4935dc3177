/**
 * A WebGPU device in Node, through the `webgpu` package (Dawn). Real GPUs are taken as Dawn
 * finds them; a software adapter (SwiftShader, or Dawn's fallback adapter) only when asked
 * for with `software`, since it is there to test the kernels, not to train faster.
 *
 * With `software` and no VK_ICD_FILENAMES set, the SwiftShader Vulkan driver that Debian's
 * chromium package ships is used. Dawn needs a writable XDG_RUNTIME_DIR; the temporary folder
 * stands in when none is set. The object Dawn's `create()` returns is kept for the life of the
 * process: if it is collected, Dawn aborts the process.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { adapterName } from '../shared/gpu/engine.ts';

/** Debian's chromium package ships this SwiftShader Vulkan driver. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Dawn instances made by this process, never released (see above). */
const instances: GPU[] = [];

export interface AcquiredDevice {
  device: GPUDevice;
  /** `vendor architecture: description` of the adapter. */
  adapter: string;
  /** A software adapter (SwiftShader): correct, not fast. */
  software: boolean;
}

export interface AcquireOptions {
  /** Accept a software adapter (SwiftShader), for tests. */
  software?: boolean;
  /** The environment to read and fill in (default process.env, which Dawn reads). */
  env?: NodeJS.ProcessEnv;
}

/** Why no device could be had. */
export class NoAdapterError extends Error {}

/** A device on the best adapter Dawn finds, or NoAdapterError saying why there is none. */
export async function acquireDevice(o: AcquireOptions = {}): Promise<AcquiredDevice> {
  const env = o.env ?? process.env;
  if (o.software && !env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  env.XDG_RUNTIME_DIR ??= tmpdir();
  let create: (options: string[]) => GPU;
  try {
    ({ create } = await import('webgpu'));
  } catch (e) {
    throw new NoAdapterError(`the webgpu package (Dawn) did not load: ${e instanceof Error ? e.message : String(e)}`);
  }
  const gpu = create([]);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const icd = env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES})` : '';
    throw new NoAdapterError(
      `Dawn found no WebGPU adapter${icd}: no GPU driver it can use (Vulkan on Linux, Metal on macOS, D3D12 on Windows)`,
    );
  }
  const info = adapter.info;
  const name = adapterName(info);
  const software = info.isFallbackAdapter || /swiftshader/i.test(`${info.architecture} ${info.description}`);
  if (software && !o.software)
    throw new NoAdapterError(
      `the only adapter is a software one (${name}); it is used for tests only (--software-gpu)`,
    );
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
    },
  });
  return { device, adapter: name, software };
}
