/**
 * Running a plan: the independent jobs through an executor, then the boosting chains round by
 * round (each round's sample weights come from the previous rounds' results, replayed in
 * round order, so a resumed run computes the same weights), then the aggregator.
 */
import type { Dataset } from '../data/dataset.ts';
import type { Executor, ExecutorHooks } from './executor.ts';
import { aggregate, type ExperimentReport } from './aggregate.ts';
import { maxRounds, nextRounds } from './boosting.ts';
import type { Plan } from './plan.ts';
import type { Job, JobResult } from './types.ts';

export interface RunOptions extends ExecutorHooks {
  /** Results already committed (a resumed run): their jobs are not run again. */
  done?: ReadonlyMap<string, JobResult>;
  /** Called with every batch of jobs just before it goes to the executor (the Lab records them). */
  onSubmit?: (jobs: Job[]) => void;
  /** Called once the total number of jobs is known, and again when boosting adds rounds. */
  onPlanned?: (total: number, alreadyDone: number) => void;
}

/** Every dataset of the plan by content hash (what executors and workers look data up by). */
export function planData(plan: Plan): Map<string, Dataset> {
  const m = new Map<string, Dataset>();
  for (const dp of plan.data) m.set(dp.hash, dp.data);
  return m;
}

/** Number of jobs the plan will run at most (boosting chains may stop early). */
export function plannedJobs(plan: Plan): number {
  return plan.jobs.length + maxRounds(plan);
}

export async function runPlan(
  plan: Plan,
  executor: Executor,
  opts: RunOptions = {},
): Promise<{ report: ExperimentReport; results: Map<string, JobResult> }> {
  const results = new Map<string, JobResult>(opts.done ?? []);
  const data = planData(plan);
  const hooks: ExecutorHooks = {
    onProgress: opts.onProgress,
    onLeased: opts.onLeased,
    onAttemptFailed: opts.onAttemptFailed,
    onDuplicate: opts.onDuplicate,
    onResult: (r, meta) => {
      results.set(r.key, r);
      opts.onResult?.(r, meta);
    },
  };
  opts.onPlanned?.(plannedJobs(plan), [...results.keys()].length);
  const pending = plan.jobs.filter((j) => !results.has(j.key));
  if (pending.length) {
    opts.onSubmit?.(pending);
    await executor.run(pending, data, hooks);
  }

  // Boosting: all chains advance one round at a time, so their rounds still run in parallel.
  for (;;) {
    const batch = nextRounds(plan, results);
    if (!batch.length) break;
    opts.onSubmit?.(batch);
    await executor.run(batch, data, hooks);
  }
  return { report: aggregate(plan, results), results };
}
