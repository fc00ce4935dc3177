/**
 * The WebGPU training engine. It receives a GPUDevice (from Dawn in a worker, from
 * `navigator.gpu` in a window) and runs each fit's whole training step on it; see session.ts
 * for what stays on the device and what crosses. Every layer, loss, optimizer, penalty and
 * augmentation of the core is covered; a fit is declined (and runs on the CPU, its result
 * saying why) only when the device's limits cannot hold it.
 *
 * Numbers: float32 throughout, sums in a fixed order without atomics, so one device gives the
 * same bits on every run; they are not the CPU's bits (see tolerance.ts for how close they are).
 */
import type { EngineInfo, FitSetup, TrainEngine } from '../train/engine.ts';
import { GpuContext } from './context.ts';
import type { DataCache } from './gather.ts';
import { GpuSession } from './session.ts';
import { TOLERANCE_CLASS } from './tolerance.ts';

export interface GpuEngineOptions {
  /** How the adapter is named in results and reports (`vendor architecture: description`). */
  adapter: string;
  /** Steps between two reads of the loss (default 16): divergence is seen within this many. */
  checkEvery?: number;
}

/** A short name for an adapter: vendor, architecture and description, those that are known. */
export function adapterName(info: { vendor?: string; architecture?: string; description?: string }): string {
  const head = [info.vendor, info.architecture].filter((s) => s).join(' ');
  const desc = info.description ?? '';
  return head && desc ? `${head}: ${desc}` : head || desc || 'unnamed adapter';
}

export class GpuEngine implements TrainEngine {
  readonly name = 'webgpu';
  /** The tolerance class of its results against the CPU engine's (see tolerance.ts). */
  readonly tolerance = TOLERANCE_CLASS;
  readonly gpu: GpuContext;
  readonly #adapter: string;
  readonly #checkEvery: number;
  readonly #cache: DataCache = new WeakMap();

  constructor(device: GPUDevice, options: GpuEngineOptions) {
    this.gpu = new GpuContext(device);
    this.#adapter = options.adapter;
    this.#checkEvery = options.checkEvery ?? 16;
  }

  get info(): EngineInfo {
    return { name: 'webgpu', adapter: this.#adapter };
  }

  /** Why the device cannot hold this fit, or null. */
  decline(s: FitSetup): string | null {
    const limits = this.gpu.device.limits;
    const binding = limits.maxStorageBufferBindingSize;
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    if (s.data.x.byteLength > binding)
      return `the data set's features take ${mib(s.data.x.byteLength)}, more than the ${mib(binding)} this adapter binds at once`;
    const rows = Math.max(s.batch, 1024);
    for (const l of s.model.params())
      if (l.value.byteLength > binding)
        return `${l.name} takes ${mib(l.value.byteLength)}, over the ${mib(binding)} binding limit`;
    const widest = Math.max(s.data.d, ...s.model.params().map((p) => p.shape[p.shape.length - 1]));
    if (rows * widest * 4 > binding)
      return `a batch of ${rows} rows of width ${widest} takes ${mib(rows * widest * 4)}, over the ${mib(binding)} binding limit`;
    return null;
  }

  open(s: FitSetup): GpuSession {
    return new GpuSession(this.gpu, s, this.#cache, { checkEvery: this.#checkEvery, info: this.info });
  }
}
