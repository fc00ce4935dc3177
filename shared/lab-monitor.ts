/**
 * One experiment as a monitor screen sees it, kept current from a snapshot and the events
 * after it: what a window does when it opens, and again whenever its connection comes back
 * (a reloaded window, a dropped socket). Events are taken first and held while the snapshot
 * is fetched; those with a seq the snapshot already covers are dropped, the rest applied.
 */
import type { ExperimentSnapshot, JobState, LabConnection, LabEvent } from './lab-api.ts';

/** The snapshot with one event applied (a new object; the old one is left as it was). */
export function applyEvent(s: ExperimentSnapshot, e: LabEvent): ExperimentSnapshot {
  if (e.seq <= s.seq) return s;
  const id = s.experiment.id;
  const next: ExperimentSnapshot = { ...s, seq: e.seq };
  switch (e.type) {
    case 'status':
      if (e.experimentId !== id) return next;
      next.experiment = { ...s.experiment, status: e.status, error: e.error };
      next.running = e.status === 'running';
      if (!next.running) {
        next.planned = null;
        next.progress = [];
      }
      return next;
    case 'planned':
      if (e.experimentId !== id) return next;
      next.planned = { total: e.total, done: e.done };
      return next;
    case 'experiment-updated':
      if (e.experiment.id !== id) return next;
      next.experiment = { ...s.experiment, ...e.experiment };
      return next;
    case 'report':
      if (e.experimentId !== id) return next;
      next.experiment = { ...s.experiment, hasReport: true };
      return next;
    case 'progress': {
      if (e.experimentId !== id) return next;
      const byKey = new Map(s.progress.map((p) => [p.key, p]));
      for (const p of e.jobs) byKey.set(p.key, p);
      next.progress = [...byKey.values()];
      return next;
    }
    case 'job': {
      if (e.experimentId !== id) return next;
      const rows = s.jobs.jobs.slice();
      const i = rows.findIndex((r) => r.key === e.key);
      const row = {
        ...(i >= 0
          ? rows[i]
          : { key: e.key, startedAt: null, finishedAt: null, ms: null, error: null, worker: null, attempts: 0 }),
        state: e.state,
        attempts: e.attempts,
        worker: e.worker,
      };
      if (e.failure) row.error = e.failure.error;
      if (i >= 0) rows[i] = row;
      else {
        rows.push(row);
        rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      }
      const counts = { pending: 0, leased: 0, done: 0, failed: 0 } as Record<JobState, number>;
      for (const r of rows) counts[r.state]++;
      next.jobs = { total: rows.length, counts, jobs: rows, faults: s.jobs.faults };
      if (e.state !== 'leased') next.progress = s.progress.filter((p) => p.key !== e.key);
      if (e.state === 'done' && s.planned) next.planned = { ...s.planned, done: s.planned.done + 1 };
      return next;
    }
    case 'job-fault':
      if (e.experimentId !== id) return next;
      next.jobs = { ...s.jobs, faults: [...s.jobs.faults, e.fault] };
      return next;
    case 'worker-joined':
      next.workers = [...s.workers.filter((w) => w.id !== e.worker.id), e.worker];
      return next;
    case 'worker-left':
      next.workers = s.workers.filter((w) => w.id !== e.worker.id);
      return next;
    default:
      return next;
  }
}

export class ExperimentMonitor {
  #state: ExperimentSnapshot | undefined;
  #held: LabEvent[] | undefined;
  #off: (() => void) | undefined;

  constructor(
    readonly lab: LabConnection,
    readonly experimentId: number,
    readonly onChange: (s: ExperimentSnapshot) => void = () => {},
  ) {}

  /** The current view (undefined until the first sync). */
  get state(): ExperimentSnapshot | undefined {
    return this.#state;
  }

  /** Subscribes and syncs; call `sync()` again whenever the connection comes back. */
  async start(): Promise<ExperimentSnapshot> {
    this.#off ??= this.lab.subscribe((e) => {
      if (this.#held) this.#held.push(e);
      else if (this.#state) this.#set(applyEvent(this.#state, e));
    });
    return this.sync();
  }

  /** A fresh snapshot, with the events that arrived while it was fetched applied on top. */
  async sync(): Promise<ExperimentSnapshot> {
    // Each sync holds its own list: two syncs at once (a reconnect while the first is in
    // flight) must not take the other's list away from it.
    const held: LabEvent[] = [];
    this.#held = held;
    try {
      let s = await this.lab.snapshot(this.experimentId);
      for (const e of held) s = applyEvent(s, e);
      this.#set(s);
      return s;
    } finally {
      if (this.#held === held) this.#held = undefined;
    }
  }

  stop(): void {
    this.#off?.();
    this.#off = undefined;
  }

  #set(s: ExperimentSnapshot): void {
    if (s === this.#state) return;
    this.#state = s;
    this.onChange(s);
  }
}
