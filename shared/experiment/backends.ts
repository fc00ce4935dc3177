/**
 * Which engines trained an experiment's models, for its report. Results of the plain CPU `fit`
 * carry no engine; a WebGPU result names its adapter, and a fit the GPU engine declined says
 * why it ran on the CPU instead. The Lab never spreads one run over workers with different
 * back ends, so a report lists one back end unless a device declined some fits.
 */
import type { JobResult } from './types.ts';

/** One engine and how many of the experiment's jobs it trained. */
export interface BackendUse {
  /** `cpu` or `webgpu`. */
  name: 'cpu' | 'webgpu';
  /** The GPU adapter (`vendor architecture: description`). */
  adapter?: string;
  /** Why a device handed these jobs to the CPU. */
  declined?: string;
  /** Jobs trained this way. */
  jobs: number;
}

/** The engines of `results`, most used first; undefined when every job ran on the plain CPU path. */
export function backendsOf(results: Iterable<JobResult>): BackendUse[] | undefined {
  const uses = new Map<string, BackendUse>();
  let any = false;
  for (const r of results) {
    const e = r.engine ?? { name: 'cpu' as const };
    any ||= r.engine !== undefined;
    const key = JSON.stringify([e.name, e.adapter, e.declined]);
    const u = uses.get(key);
    if (u) u.jobs++;
    else uses.set(key, { ...e, jobs: 1 });
  }
  if (!any) return undefined;
  return [...uses.values()].sort((a, b) => b.jobs - a.jobs);
}
