/**
 * Which engine a worker trains with, chosen once at start (`optlab worker --backend`):
 *   cpu     the CPU engine (the default: its results are the lab's bit-for-bit reference);
 *   webgpu  a GPU through WebGPU, or exit with the reason when there is none;
 *   auto    a GPU when Dawn finds a real one, else the CPU, saying which either way.
 * A software adapter (SwiftShader) counts only with `software` (--software-gpu), for tests.
 *
 * The main thread probes the adapter here so that a worker fails at start, not at its first
 * job; each job thread then opens its own device on it (thread.ts).
 */
import { GpuEngine } from '../shared/gpu/engine.ts';
import { TOLERANCE_CLASS } from '../shared/gpu/tolerance.ts';
import type { BackendSpec } from '../shared/protocol.ts';
import { acquireDevice, NoAdapterError } from './webgpu.ts';

export const BACKEND_CHOICES = ['auto', 'cpu', 'webgpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** What the job threads need to open the same back end. */
export interface ThreadBackend {
  name: 'cpu' | 'webgpu';
  /** Accept a software adapter. */
  software?: boolean;
}

/** The chosen back end: what hello tells the Lab, and what the threads open. */
export interface WorkerBackend {
  spec: BackendSpec;
  thread: ThreadBackend;
}

export const CPU_BACKEND: WorkerBackend = { spec: { name: 'cpu' }, thread: { name: 'cpu' } };

/** Thrown when `--backend webgpu` cannot be had; the worker exits with its message. */
export class BackendUnavailable extends Error {}

/**
 * Resolves a choice into a back end, probing the adapter for webgpu and auto. `say` gets one
 * line on what was chosen (and, for auto without a GPU, why the CPU).
 */
export async function chooseBackend(
  choice: BackendChoice,
  software: boolean,
  say: (line: string) => void,
): Promise<WorkerBackend> {
  if (choice === 'cpu') return CPU_BACKEND;
  try {
    const d = await acquireDevice({ software });
    d.device.destroy();
    say(`training on WebGPU: ${d.adapter}${d.software ? ' (software adapter: for tests, not speed)' : ''}`);
    return {
      spec: { name: 'webgpu', adapter: d.adapter, tolerance: TOLERANCE_CLASS },
      thread: { name: 'webgpu', software },
    };
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    if (choice === 'webgpu') throw new BackendUnavailable(`--backend webgpu: ${e.message}`);
    say(`no usable GPU (${e.message}); training on the CPU`);
    return CPU_BACKEND;
  }
}

/** A job thread's engine: a GpuEngine on a device of its own, or null for the CPU. */
export async function threadEngine(b: ThreadBackend | undefined): Promise<GpuEngine | null> {
  if (!b || b.name === 'cpu') return null;
  const d = await acquireDevice({ software: b.software });
  return new GpuEngine(d.device, { adapter: d.adapter });
}
