/**
 * The Lab's events: numbered in the order they happen, handed to every subscriber, with
 * per-job progress throttled to about 10 events a second per experiment. The latest epoch
 * of each job in flight is kept for snapshots, and is always delivered before that job's
 * next `job` event, so a screen never misses the last value.
 */
import type { JobProgressView, LabEvent } from '../../shared/lab-api.ts';

/** An event before the hub numbers and stamps it. */
export type LabEventBody = LabEvent extends infer E ? (E extends LabEvent ? Omit<E, 'seq' | 'at'> : never) : never;

/** Shortest time between two progress events of one experiment (ms). */
export const PROGRESS_INTERVAL_MS = 100;

interface Pending {
  /** Progress not yet sent, by job key (the latest epoch of each). */
  waiting: Map<string, JobProgressView>;
  lastSent: number;
  timer?: NodeJS.Timeout;
}

export class EventHub {
  #seq = 0;
  readonly #listeners = new Set<(e: LabEvent) => void>();
  readonly #pending = new Map<number, Pending>();
  /** The latest epoch of every job in flight, by experiment, for snapshots. */
  readonly #latest = new Map<number, Map<string, JobProgressView>>();
  readonly #now: () => number;
  readonly #warn: (line: string) => void;
  #closed = false;

  constructor(warn: (line: string) => void, now: () => number = Date.now) {
    this.#warn = warn;
    this.#now = now;
  }

  /** The seq of the last event sent (0 before the first). */
  get seq(): number {
    return this.#seq;
  }

  subscribe(listener: (e: LabEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Sends an event; the progress of its experiment that is still waiting goes first. */
  emit(body: LabEventBody): void {
    if ('experimentId' in body && body.type !== 'progress') this.flush(body.experimentId);
    if (body.type === 'job' && body.state !== 'leased') this.#latest.get(body.experimentId)?.delete(body.key);
    this.#send(body);
  }

  /** Records a job's latest epoch; sends it at once or within PROGRESS_INTERVAL_MS. */
  progress(experimentId: number, view: JobProgressView): void {
    if (this.#closed) return;
    let latest = this.#latest.get(experimentId);
    if (!latest) this.#latest.set(experimentId, (latest = new Map<string, JobProgressView>()));
    latest.set(view.key, view);
    let p = this.#pending.get(experimentId);
    if (!p) this.#pending.set(experimentId, (p = { waiting: new Map(), lastSent: -Infinity }));
    p.waiting.set(view.key, view);
    if (p.timer) return;
    const wait = p.lastSent + PROGRESS_INTERVAL_MS - this.#now();
    if (wait <= 0) this.flush(experimentId);
    else p.timer = setTimeout(() => this.flush(experimentId), wait);
  }

  /** Sends the waiting progress of one experiment now. */
  flush(experimentId: number): void {
    const p = this.#pending.get(experimentId);
    if (!p) return;
    clearTimeout(p.timer);
    p.timer = undefined;
    if (!p.waiting.size) return;
    const jobs = [...p.waiting.values()];
    p.waiting.clear();
    p.lastSent = this.#now();
    this.#send({ type: 'progress', experimentId, jobs });
  }

  /** The latest epoch of each job of the experiment still in flight. */
  inFlight(experimentId: number): JobProgressView[] {
    return [...(this.#latest.get(experimentId)?.values() ?? [])];
  }

  /** A run ended: its jobs are no longer in flight. */
  runEnded(experimentId: number): void {
    this.flush(experimentId);
    this.#latest.delete(experimentId);
    this.#pending.delete(experimentId);
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#listeners.clear();
  }

  #send(body: LabEventBody): void {
    const e = { ...body, seq: ++this.#seq, at: this.#now() };
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err) {
        // A subscriber's bug must not stop the others from hearing the event, nor the run.
        this.#warn(
          `a subscriber to Lab events threw on "${e.type}": ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
}
