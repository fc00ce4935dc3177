/**
 * The Node side of the feasibility checks (shared/experiment/feasibility.ts): the shape of
 * each configuration's data exactly as the planner will cut it (same seeds, same test cut),
 * and the memory limit from the user or from this machine's memory.
 */
import { totalmem } from 'node:os';
import type { Dataset } from '../shared/data/dataset.ts';
import { splitIndices } from '../shared/data/split.ts';
import { Rng } from '../shared/rng.ts';
import { expandSweep } from '../shared/experiment/sweep.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';
import type { TrainSpec } from '../shared/schema/types.ts';
import type { Problems } from '../shared/schema/check.ts';
import {
  estimatePlan,
  feasibilityProblems,
  fitMemory,
  fitMemoryProblem,
  type DataShape,
  type Limits,
  type PlanEstimate,
} from '../shared/experiment/feasibility.ts';

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

/** What feasibility found: its problems (empty: the spec can run here) and its estimates. */
export interface Feasibility {
  /** Every reason it cannot run here, each as `path: message`. */
  problems: Problems;
  /** The plan as the Lab will hold it, and its largest fit. */
  plan: PlanEstimate;
  /** The limit both are held to. */
  limits: Limits;
}

/**
 * The checks of a spec that passed validation and data-checks.ts: each configuration's data
 * loaded by `load` exactly as the planner loads it (same streams, same test cut), then the
 * stratified folds and the memory of its fits and of the plan against the limit. Nothing is
 * planned: a plan too big to hold is refused from its size alone.
 */
export function checkFeasible(
  spec: ExperimentSpec,
  load: (dataset: ExperimentSpec['dataset'], rng: Rng) => Dataset,
  options: { memoryLimit?: string | number } = {},
): Feasibility {
  const limits = memoryLimits(options.memoryLimit);
  const configs = expandSweep(spec);
  const base = new Rng(spec.seed);
  const byDataSpec = new Map<string, DataShape>();
  const shapes = configs.map((c) => {
    const key = JSON.stringify(c.spec.dataset);
    let shape = byDataSpec.get(key);
    if (!shape) {
      const data = load(c.spec.dataset, base.fork('data'));
      shape = dataShape(c.spec.dataset, data, spec.seed, outDim(c.spec, data));
      byDataSpec.set(key, shape);
    }
    return shape;
  });
  return {
    problems: feasibilityProblems(spec, configs, shapes, limits),
    plan: estimatePlan(spec, configs, shapes),
    limits,
  };
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
