/**
 * The Node side of the feasibility checks (shared/experiment/feasibility.ts): loads each
 * configuration's data exactly as the planner will (same seeds, same test cut), takes the
 * memory limit from the user or from this machine's memory, and gives the preview of an
 * experiment: its problems, job count, memory and estimated time.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Dataset } from '../shared/data/dataset.ts';
import { splitIndices } from '../shared/data/split.ts';
import { CsvError } from '../shared/data/csv.ts';
import { Rng } from '../shared/rng.ts';
import { expandSweep } from '../shared/experiment/sweep.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';
import type { TrainSpec } from '../shared/schema/types.ts';
import type { Problems } from '../shared/schema/check.ts';
import {
  estimatePlan,
  estimateSeconds,
  feasibilityProblems,
  fitMemory,
  fitMemoryProblem,
  LONG_SECONDS,
  formatBytes,
  formatDuration,
  type DataShape,
  type Limits,
} from '../shared/experiment/feasibility.ts';
import { loadDataset } from './datasets.ts';

/** Share of this machine's memory one fit, or the plan, may use unless the user says otherwise. */
export const DEFAULT_MEMORY_SHARE = 0.5;
export const MEMORY_LIMIT_HELP = '--memory-limit SIZE (or OPTLAB_MEMORY_LIMIT=SIZE)';

/** `24G`, `512MB`, `1.5GiB`, `3000000000`: bytes (k/M/G/T are powers of 1000, Ki/Mi/Gi/Ti of 1024). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kKmMgGtT])(i)?)?[bB]?\s*$/.exec(text);
  if (!m) throw new Error(`not a size: ${JSON.stringify(text)} (e.g. 8G, 512M, 1.5GiB)`);
  const power = m[2] ? 'kmgt'.indexOf(m[2].toLowerCase()) + 1 : 0;
  const bytes = Number(m[1]) * (m[3] ? 1024 : 1000) ** power;
  if (!(bytes > 0)) throw new Error(`a memory limit must be more than 0, got ${JSON.stringify(text)}`);
  return Math.round(bytes);
}

/** The limit: the option, else OPTLAB_MEMORY_LIMIT, else half of this machine's memory. */
export function memoryLimits(option?: string | number, env: NodeJS.ProcessEnv = process.env): Limits {
  const fromEnv = option === undefined && !!env.OPTLAB_MEMORY_LIMIT;
  const given = option ?? (env.OPTLAB_MEMORY_LIMIT || undefined);
  let memoryBytes: number;
  try {
    memoryBytes =
      given === undefined
        ? Math.floor(totalmem() * DEFAULT_MEMORY_SHARE)
        : typeof given === 'number'
          ? given
          : parseSize(given);
  } catch (e) {
    throw new Error(`${fromEnv ? 'OPTLAB_MEMORY_LIMIT' : 'memory limit'}: ${(e as Error).message}`, { cause: e });
  }
  return { memoryBytes, raiseWith: MEMORY_LIMIT_HELP };
}

/** What the checks need of a loaded data set, with the planner's test cut. */
export function dataShape(spec: TrainSpec['dataset'], data: Dataset, seed: number, outDim: number): DataShape {
  const classification = data.task === 'classification';
  const cut = splitIndices(
    data.y,
    data.n,
    { testFraction: spec.testFraction ?? 0, valFraction: 0, stratify: classification && (spec.stratify ?? true) },
    new Rng(seed).fork('split'),
  );
  const counts: number[] = classification ? new Array<number>(data.classes).fill(0) : [];
  if (classification) for (const r of cut.train) counts[data.y[r]]++;
  return {
    rows: data.n,
    features: data.d,
    outDim,
    devRows: cut.train.length,
    testRows: cut.test.length,
    devClassCounts: counts,
  };
}

function outDim(spec: TrainSpec, data: Dataset): number {
  return data.task === 'regression' || spec.loss.kind === 'bce' ? 1 : Math.max(1, data.classes);
}

export interface Preview {
  /** Every reason it cannot run here, each with its path; empty when it can. */
  problems: Problems;
  /** Jobs of the plan (0 when the data could not be loaded). */
  jobs: number;
  /** What the Lab holds for the plan and its results, in bytes. */
  planBytes: number;
  /** The largest fit's memory, in bytes, and its parameter count. */
  fitBytes: number;
  params: number;
  /** The limit both are held to. */
  memoryLimitBytes: number;
  /** Rough seconds on `slots` worker slots. */
  seconds: number;
  slots: number;
  /** Worth telling before it starts (more than LONG_SECONDS). */
  long: boolean;
}

/**
 * The preview of a valid spec (validateExperimentSpec found nothing): its data loaded as the
 * planner loads it, the folds checked, the memory estimated against the limit. A CSV path
 * must already be absolute, or relative to the working directory.
 */
export function previewExperiment(
  spec: ExperimentSpec,
  options: { memoryLimit?: string | number; slots?: number } = {},
): Preview {
  const limits = memoryLimits(options.memoryLimit);
  const slots = options.slots ?? availableParallelism();
  const configs = expandSweep(spec);
  const base = new Rng(spec.seed);
  const byDataSpec = new Map<string, DataShape>();
  const shapes: DataShape[] = [];
  const empty: Preview = {
    problems: [],
    jobs: 0,
    planBytes: 0,
    fitBytes: 0,
    params: 0,
    memoryLimitBytes: limits.memoryBytes,
    seconds: 0,
    slots,
    long: false,
  };
  for (const c of configs) {
    const key = JSON.stringify(c.spec.dataset);
    let shape = byDataSpec.get(key);
    if (!shape) {
      let data: Dataset;
      try {
        data = loadDataset(c.spec.dataset, base.fork('data'));
      } catch (e) {
        if (e instanceof CsvError) throw e;
        return { ...empty, problems: [`dataset: ${e instanceof Error ? e.message : String(e)}`] };
      }
      shape = dataShape(c.spec.dataset, data, spec.seed, outDim(c.spec, data));
      byDataSpec.set(key, shape);
    }
    shapes.push(shape);
  }
  const problems = feasibilityProblems(spec, configs, shapes, limits);
  const plan = estimatePlan(spec, configs, shapes);
  const seconds = estimateSeconds(plan, slots);
  return {
    problems,
    jobs: plan.jobs,
    planBytes: plan.bytes,
    fitBytes: plan.largestFit.total,
    params: plan.largestFit.params,
    memoryLimitBytes: limits.memoryBytes,
    seconds,
    slots,
    long: seconds > LONG_SECONDS,
  };
}

/** The same preview for another number of worker slots. */
export function previewOn(p: Preview, slots: number): Preview {
  const n = Math.max(1, slots);
  const seconds = (p.seconds * p.slots) / n;
  return { ...p, seconds, slots: n, long: seconds > LONG_SECONDS };
}

/** `1,250 jobs, about 2.5 h on 2 worker slots (largest fit 12 MB, plan 310 MB)`. */
export function formatPreview(p: Preview): string {
  return (
    `${p.jobs.toLocaleString('en-US')} job${p.jobs === 1 ? '' : 's'}, about ${formatDuration(p.seconds)} on ${p.slots} worker slot${p.slots === 1 ? '' : 's'} ` +
    `(largest fit ${formatBytes(p.fitBytes)}, plan ${formatBytes(p.planBytes)})`
  );
}

/** `optlab train`: the one fit's memory against the limit. */
export function trainProblems(
  spec: TrainSpec,
  data: Dataset,
  trainRows: number,
  evalRows: number,
  memoryLimit?: string | number,
): Problems {
  const limits = memoryLimits(memoryLimit);
  const shape = dataShape(spec.dataset, data, spec.seed, outDim(spec, data));
  const fm = fitMemory(spec, shape, trainRows, evalRows);
  return fm.total > limits.memoryBytes ? [fitMemoryProblem(fm, limits)] : [];
}
