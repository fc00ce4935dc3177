/**
 * Reconnection delays: exponential, capped, with jitter so that a room of workers that lost
 * the Lab together does not knock on its door in the same millisecond. The jitter comes from
 * a generator seeded by the worker's name: different workers spread out, and one worker's
 * delays are reproducible (OptLab draws nothing from an unseeded source).
 */
import { Rng } from '../shared/rng.ts';

export interface BackoffOptions {
  /** First delay before jitter (ms). */
  baseMs?: number;
  /** Largest delay before jitter (ms). */
  capMs?: number;
}

export class Backoff {
  readonly #rng: Rng;
  readonly #base: number;
  readonly #cap: number;
  #attempt = 0;

  constructor(seed: string, opts: BackoffOptions = {}) {
    this.#rng = new Rng(`backoff/${seed}`);
    this.#base = opts.baseMs ?? 250;
    this.#cap = opts.capMs ?? 15_000;
  }

  /** The next delay: base·2^attempt up to the cap, scaled by a factor in [0.5, 1). */
  next(): number {
    const raw = Math.min(this.#cap, this.#base * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.round(raw * (0.5 + 0.5 * this.#rng.next()));
  }

  /** After a connection that got as far as `welcome`: the next failure starts over from the base. */
  reset(): void {
    this.#attempt = 0;
  }
}
