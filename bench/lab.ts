/**
 * Benchmarks of the distributed lab (issue 5), all on this machine over loopback:
 *   - jobs per second through the full path (plan → coordinator → worker process → thread →
 *     result → aggregator) with minimal jobs (a linear model, one epoch on 16 rows), against
 *     the same jobs in-process;
 *   - the wall time of a 10-fold cross-validation (digits, MLP 256-256, 30 epochs) in-process and
 *     on 1 and 2 local worker processes (target: 2 workers ≥ 1.8× faster than 1; 1 worker
 *     within 10% of in-process).
 * Workers are started and connected before the clock starts: their start-up (a Node process
 * and its kernels) is reported apart.
 */
import { Coordinator, spawnLocalWorkers, type LocalWorkers } from '../app/coordinator/index.ts';
import { loadDataset } from '../app/datasets.ts';
import { useFastKernels } from '../app/kernels.ts';
import { plan as makePlan } from '../shared/experiment/plan.ts';
import { runPlan } from '../shared/experiment/run.ts';
import { InProcessExecutor, type Executor } from '../shared/experiment/executor.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';

export interface LabBench {
  kernels: string;
  minimal_jobs: number;
  jobs_per_s_in_process: number;
  jobs_per_s_2_workers: number;
  worker_startup_s: number;
  cv10_in_process_s: number;
  cv10_1_worker_s: number;
  cv10_2_workers_s: number;
  speedup_2_vs_1: number;
  overhead_1_worker_vs_in_process: number;
}

/** Jobs with next to nothing to train: what the machinery costs per job. */
export const minimal: ExperimentSpec = {
  seed: 1,
  dataset: { name: 'blobs', samples: 20, classes: 2, noise: 1 },
  model: { kind: 'linear' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 1, batchSize: 'full' },
  evaluation: { kind: 'bootstrap', replicates: 300 },
};

/** 10-fold cross-validation of a 256-256 MLP on digits: jobs worth spreading over workers. */
export const cv10: ExperimentSpec = {
  seed: 1,
  dataset: { name: 'digits' },
  model: { kind: 'mlp', hidden: [256, 256], activation: 'relu' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.001 },
  training: { epochs: 30, batchSize: 32 },
  evaluation: { kind: 'kfold', k: 10, stratified: true },
};

async function timed(spec: ExperimentSpec, executor: Executor): Promise<{ s: number; json: string; jobs: number }> {
  const p = makePlan(spec, (ds, rng) => loadDataset(ds, rng));
  const t0 = performance.now();
  const { report, results } = await runPlan(p, executor);
  return { s: (performance.now() - t0) / 1000, json: JSON.stringify(report), jobs: results.size };
}

async function withWorkers<T>(n: number, fn: (c: Coordinator) => Promise<T>): Promise<{ value: T; startup: number }> {
  const c = new Coordinator({ logger: { info: () => {}, warn: () => {} } });
  await c.listen();
  const t0 = performance.now();
  let local: LocalWorkers | undefined;
  try {
    local = spawnLocalWorkers(n, c.url, c.token);
    while (c.workers().length < n) await new Promise((r) => setTimeout(r, 20));
    const startup = (performance.now() - t0) / 1000;
    return { value: await fn(c), startup };
  } finally {
    await local?.stop();
    await c.close();
  }
}

export async function labBench(log: (s: string) => void): Promise<LabBench> {
  const k = useFastKernels();
  log(`lab bench (kernels: ${k.name}${k.reason ? `, ${k.reason}` : ''})`);
  const inProc = await timed(minimal, new InProcessExecutor());
  const two = await withWorkers(2, (c) => timed(minimal, c.executor()));
  if (two.value.json !== inProc.json)
    throw new Error('lab bench: the distributed report differs from the in-process one');
  log(
    `  minimal jobs: ${inProc.jobs} jobs, ${(inProc.jobs / inProc.s).toFixed(0)}/s in-process, ${(two.value.jobs / two.value.s).toFixed(0)}/s on 2 workers (start-up ${two.startup.toFixed(2)} s)`,
  );
  const cvIn = await timed(cv10, new InProcessExecutor());
  const cv1 = await withWorkers(1, (c) => timed(cv10, c.executor()));
  const cv2 = await withWorkers(2, (c) => timed(cv10, c.executor()));
  for (const r of [cv1.value, cv2.value])
    if (r.json !== cvIn.json)
      throw new Error('lab bench: a distributed 10-fold report differs from the in-process one');
  const out: LabBench = {
    kernels: k.name,
    minimal_jobs: inProc.jobs,
    jobs_per_s_in_process: inProc.jobs / inProc.s,
    jobs_per_s_2_workers: two.value.jobs / two.value.s,
    worker_startup_s: Math.max(cv1.startup, cv2.startup, two.startup),
    cv10_in_process_s: cvIn.s,
    cv10_1_worker_s: cv1.value.s,
    cv10_2_workers_s: cv2.value.s,
    speedup_2_vs_1: cv1.value.s / cv2.value.s,
    overhead_1_worker_vs_in_process: cv1.value.s / cvIn.s - 1,
  };
  log(
    `  10-fold CV (digits, MLP 256-256, 30 epochs): in-process ${out.cv10_in_process_s.toFixed(2)} s, 1 worker ${out.cv10_1_worker_s.toFixed(2)} s, 2 workers ${out.cv10_2_workers_s.toFixed(2)} s`,
  );
  log(
    `  speed-up 2 vs 1 worker: ${out.speedup_2_vs_1.toFixed(2)}× (target ≥ 1.8×); 1 worker vs in-process: ${(out.overhead_1_worker_vs_in_process * 100).toFixed(1)}% (target within 10%)`,
  );
  return out;
}
