/**
 * `--backend` of `optlab run`: which engine an experiment's fits train on.
 *   cpu     (default) the CPU engine: the lab's bit-for-bit reference;
 *   webgpu  a GPU through WebGPU (local workers are started with --backend webgpu; a worker
 *           without a GPU exits saying why);
 *   auto    a GPU where a worker finds a real one, else the CPU; the first worker to take a
 *           job fixes the back end of the whole run, which never mixes the two.
 * `--software-gpu` lets SwiftShader count as a GPU, for tests.
 */
import type { BackendSpec } from '../shared/protocol.ts';
import type { JobResult } from '../shared/experiment/types.ts';
import type { TrainEngine } from '../shared/train/engine.ts';
import {
  BACKEND_CHOICES,
  BackendUnavailable,
  chooseBackend,
  threadEngine,
  type BackendChoice,
} from '../worker/backend.ts';

export { BACKEND_CHOICES, BackendUnavailable, type BackendChoice };

export interface BackendOptions {
  /** The engine asked for (default cpu). */
  backend?: BackendChoice;
  /** Accept a software adapter (SwiftShader) as a GPU. */
  softwareGpu?: boolean;
}

/** The arguments that give local worker processes this choice. */
export function workerBackendArgs(o: BackendOptions): string[] {
  const args = ['--backend', o.backend ?? 'cpu'];
  if (o.softwareGpu) args.push('--software-gpu');
  return args;
}

/** The back end the run's jobs are held to on the coordinator (undefined: the first worker's). */
export function runBackend(o: BackendOptions): BackendSpec['name'] | undefined {
  const b = o.backend ?? 'cpu';
  return b === 'auto' ? undefined : b;
}

/**
 * The engine of a run in this process (`--workers 0`): undefined for the CPU's plain `fit`.
 * Throws BackendUnavailable for webgpu without a GPU; auto says why it stays on the CPU.
 */
export async function inProcessEngine(
  o: BackendOptions,
  say: (line: string) => void,
): Promise<TrainEngine | undefined> {
  const b = await chooseBackend(o.backend ?? 'cpu', o.softwareGpu ?? false, say);
  return (await threadEngine(b.thread)) ?? undefined;
}

/**
 * A resumed experiment keeps the back end its committed jobs trained on, so that one
 * experiment never mixes them: `auto` becomes that back end, another one throws
 * BackendUnavailable naming the flag to use.
 */
export function resumeBackend(id: number, done: Iterable<JobResult>, o: BackendOptions): BackendOptions {
  let any = false,
    gpu = false;
  for (const r of done) {
    any = true;
    // A fit the device declined ran on the CPU inside a GPU run: the run's back end is still the GPU.
    gpu ||= r.engine?.name === 'webgpu' || r.engine?.declined !== undefined;
  }
  if (!any) return o;
  const was = gpu ? 'webgpu' : 'cpu';
  const asked = o.backend ?? 'cpu';
  if (asked === 'auto') return { ...o, backend: was };
  if (was !== asked)
    throw new BackendUnavailable(
      `experiment ${id} has jobs trained on ${was}; resume it with --backend ${was} so that it does not mix back ends`,
    );
  return o;
}
