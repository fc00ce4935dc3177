/** The Run monitor's reading of the Lab's events and job keys. Pure. */
import type { LabEvent } from '../../../../shared/lab-api.ts';

export interface LogLine {
  seq: number;
  at: number;
  kind: 'lease' | 'requeue' | 'failure' | 'done' | 'worker' | 'status';
  text: string;
}

/** `config=2/repeat=0/fold=7` → configuration 2, split `repeat=0/fold=7`. */
export function splitKey(key: string): { config: number; split: string } {
  const m = /^config=(\d+)\/?(.*)$/.exec(key);
  return m ? { config: Number(m[1]), split: m[2] || 'all' } : { config: 0, split: key };
}

/** The event as one line of the log, or null for events the log leaves out. */
export function logLine(e: LabEvent, id: number): LogLine | null {
  const base = { seq: e.seq, at: e.at };
  switch (e.type) {
    case 'job':
      if (e.experimentId !== id) return null;
      if (e.failure)
        return {
          ...base,
          kind: e.failure.final ? 'failure' : 'requeue',
          text: e.failure.final
            ? `${e.key} failed for good after ${e.attempts} tries: ${e.failure.error}`
            : `${e.key} requeued (try ${e.attempts} failed: ${e.failure.error})`,
        };
      // A lease after the first try is a requeued job running again (its worker failed or left).
      if (e.state === 'leased')
        return e.attempts > 1
          ? { ...base, kind: 'requeue', text: `${e.key} requeued: try ${e.attempts}, leased to ${e.worker ?? '?'}` }
          : { ...base, kind: 'lease', text: `${e.key} leased to ${e.worker ?? '?'}` };
      if (e.state === 'done') return { ...base, kind: 'done', text: `${e.key} done by ${e.worker ?? '?'}` };
      return null;
    case 'worker-joined':
      return { ...base, kind: 'worker', text: `worker ${e.worker.name} (${e.worker.id}) joined from ${e.worker.host}` };
    case 'worker-left':
      return { ...base, kind: 'worker', text: `worker ${e.worker.name} (${e.worker.id}) left: ${e.reason}` };
    case 'status':
      if (e.experimentId !== id) return null;
      return { ...base, kind: 'status', text: `run ${e.status}${e.error ? `: ${e.error}` : ''}` };
    default:
      return null;
  }
}
