/**
 * The Playground worker's WebGPU engine: the same GpuEngine as `optlab worker --backend
 * webgpu`, on a device from `navigator.gpu` (Chromium gives dedicated workers a `gpu` too).
 *
 *   cpu     the CPU path: the same numbers as `optlab train`, to the bit;
 *   auto    a hardware adapter when the browser has one, else the CPU, saying why;
 *   webgpu  any adapter, a software one (SwiftShader) included, else the CPU, saying why.
 *
 * A software adapter is taken only when asked for, as the workers do (--software-gpu): it is
 * correct but slower than the WebAssembly kernels. The device is asked for once per worker and
 * kept (with its compiled pipelines) for every later run; a lost device is asked for again.
 */
import { adapterName, GpuEngine } from '../../../../shared/gpu/engine.ts';
import { TOLERANCE_CLASS } from '../../../../shared/gpu/tolerance.ts';
import type { EngineChoice, EngineShown } from './protocol.ts';

interface Acquired {
  engine: GpuEngine;
  adapter: string;
  software: boolean;
}

/** The device of this worker, or why there is none (null: not asked for yet). */
let acquired: Promise<Acquired | string> | null = null;

async function acquire(): Promise<Acquired | string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'this browser has no WebGPU (navigator.gpu is missing)';
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return `the browser refused a WebGPU adapter: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!adapter) return 'the browser offers no WebGPU adapter (no usable GPU, or WebGPU is turned off)';
  const info = adapter.info;
  const name = adapterName(info);
  const software =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader/i.test(`${info.architecture} ${info.description}`);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch (e) {
    return `the WebGPU adapter ${name} gave no device: ${e instanceof Error ? e.message : String(e)}`;
  }
  void device.lost.then(() => {
    acquired = null;
  });
  return { engine: new GpuEngine(device, { adapter: name }), adapter: name, software };
}

/** The engine a run asks for: a GpuEngine, or null and what the run bar says about the CPU. */
export async function chooseEngine(choice: EngineChoice): Promise<{ gpu: GpuEngine | null; shown: EngineShown }> {
  if (choice === 'cpu') return { gpu: null, shown: { name: 'cpu' } };
  acquired ??= acquire();
  const got = await acquired;
  if (typeof got === 'string') return { gpu: null, shown: { name: 'cpu', reason: got } };
  if (got.software && choice === 'auto')
    return {
      gpu: null,
      shown: {
        name: 'cpu',
        reason: `the only WebGPU adapter is a software one (${got.adapter}), slower than the CPU path; choose WebGPU to use it anyway`,
      },
    };
  return {
    gpu: got.engine,
    shown: { name: 'webgpu', adapter: got.adapter, software: got.software, tolerance: TOLERANCE_CLASS },
  };
}
