/**
 * What the Lab's internals look like through the API: plain JSON, numbers that are finite
 * or null, no typed arrays, no weights.
 */
import type {
  JobDetail,
  JobOutcome,
  JobProgressView,
  JobRow,
  Measured,
  SetScores,
  WorkerView,
} from '../../shared/lab-api.ts';
import type { JobProgress, JobResult } from '../../shared/experiment/types.ts';
import type { WorkerInfo } from '../coordinator/index.ts';

/** A number as it crosses: null unless finite. */
export function measured(v: number): Measured {
  return Number.isFinite(v) ? v : null;
}

/** A record of numbers with each one finite or null. */
export function measuredRecord(r: Readonly<Record<string, number>>): Record<string, Measured> {
  const out: Record<string, Measured> = {};
  for (const [k, v] of Object.entries(r)) out[k] = measured(v);
  return out;
}

function finalScores(r: JobResult): Record<string, SetScores> {
  const out: Record<string, SetScores> = {};
  for (const [set, m] of Object.entries(r.final)) out[set] = measuredRecord(m as unknown as Record<string, number>);
  return out;
}

/** The light summary a `job` event carries when a job is done. */
export function jobOutcome(r: JobResult): JobOutcome {
  return { epochs: r.history.at(-1)?.epoch ?? 0, diverged: r.diverged, final: finalScores(r) };
}

export function jobDetail(job: JobRow, r: JobResult | undefined): JobDetail {
  if (!r)
    return {
      job,
      history: null,
      final: null,
      bestEpoch: null,
      stoppedEarly: null,
      diverged: null,
      parameters: null,
    };
  return {
    job,
    history: r.history.map(measuredRecord),
    final: finalScores(r),
    bestEpoch: r.bestEpoch,
    stoppedEarly: r.stoppedEarly,
    diverged: r.diverged,
    parameters: r.paramCount,
  };
}

export function progressView(p: JobProgress): JobProgressView {
  return { key: p.key, epoch: p.epoch, epochs: p.epochs, metrics: p.record ? measuredRecord(p.record) : {} };
}

export function workerView(w: WorkerInfo): WorkerView {
  return {
    id: w.id,
    name: w.name,
    host: w.address,
    slots: w.slots,
    jobs: w.running,
    heartbeatAgeMs: w.heartbeatAgeMs,
    done: w.done,
    failed: w.failed,
    draining: w.draining,
    joinedAt: w.joinedAt,
    backend: w.backend,
  };
}

/** A deep copy in which every number that is not finite is null (what JSON.stringify writes). */
export function jsonified<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
