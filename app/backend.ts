/**
 * The `backend` of a run (RunOptions, `optlab run --backend`): which engine its fits train on.
 *   cpu     (default) the CPU engine: the lab's bit-for-bit reference;
 *   webgpu  a GPU through WebGPU (local workers are started with --backend webgpu; without a
 *           GPU the run is refused, or its local workers exit, saying why);
 *   auto    a GPU where a worker finds a real one, else the CPU; the first worker to take a
 *           job fixes the back end of the whole run, which never mixes the two.
 * `softwareGpu` lets SwiftShader count as a GPU, for tests.
 */
import type { Dataset } from '../shared/data/dataset.ts';
import type { Executor, ExecutorHooks } from '../shared/experiment/executor.ts';
import type { Job, JobResult } from '../shared/experiment/types.ts';
import type { RunOptions } from '../shared/lab-api.ts';
import { OptLabError } from '../shared/lab-errors.ts';
import type { BackendSpec } from '../shared/protocol.ts';
import {
  BACKEND_CHOICES,
  BackendUnavailable,
  chooseBackend,
  type BackendChoice,
  type WorkerBackend,
} from '../worker/backend.ts';
import type { LocalWorkers } from './coordinator/index.ts';

export { BACKEND_CHOICES, type BackendChoice };

export type BackendOptions = Pick<RunOptions, 'backend' | 'softwareGpu'>;

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
 * The back end of a run in this process, the adapter probed here: E_BAD_ARGS (nothing run)
 * for webgpu without a GPU; auto says why it stays on the CPU.
 */
export async function chosenBackend(o: BackendOptions, say: (line: string) => void): Promise<WorkerBackend> {
  try {
    return await chooseBackend(o.backend ?? 'cpu', o.softwareGpu ?? false, say);
  } catch (e) {
    if (e instanceof BackendUnavailable) throw new OptLabError('E_BAD_ARGS', e.message);
    throw e;
  }
}

/**
 * A resumed experiment keeps the back end its committed jobs trained on, so that one
 * experiment never mixes them: no backend or `auto` becomes that back end, another one is
 * E_BAD_ARGS naming the option to use.
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
  const asked = o.backend;
  if (asked === undefined || asked === 'auto') return { ...o, backend: was };
  if (was !== asked)
    throw new OptLabError(
      'E_BAD_ARGS',
      `experiment ${id} has jobs trained on ${was}; resume it with --backend ${was} so that it does not mix back ends`,
    );
  return o;
}

/**
 * `executor`, except that once every local worker has exited without starting (e.g.
 * --backend webgpu on a machine without a GPU) the run is cancelled and fails with their
 * reason, instead of waiting for workers forever.
 */
export function failFast(executor: Executor, local: LocalWorkers): Executor {
  return {
    async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks?: ExecutorHooks): Promise<JobResult[]> {
      let failure: Error | undefined;
      void local.allFailed.then((why) => {
        failure = new Error(`no local worker could start: ${why}`);
        executor.cancel();
      });
      try {
        return await executor.run(jobs, data, hooks);
      } catch (e) {
        throw failure ?? e;
      }
    },
    cancel: () => executor.cancel(),
  };
}
