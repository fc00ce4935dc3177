/**
 * Warnings about strangers, rate-limited. Each connection that never authenticates (an idle
 * socket, a port scanner, a flood) would otherwise print its own lines: 300 idle connections
 * printed 617. The first few of each window are printed as they come; the rest are counted by
 * reason and summed up in one line when the window ends.
 */
import type { CoordinatorLogger } from './types.ts';

export interface LimitedLogOptions {
  /** Lines printed as they come per window. */
  burst?: number;
  /** Length of a window (ms). */
  windowMs?: number;
  /** Clock (ms); injectable for tests. */
  now?: () => number;
}

export class LimitedLog {
  readonly #log: CoordinatorLogger;
  readonly #burst: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #printed = 0;
  /** Lines held back in this window, by reason. */
  readonly #held = new Map<string, number>();

  constructor(log: CoordinatorLogger, opts: LimitedLogOptions = {}) {
    this.#log = log;
    this.#burst = opts.burst ?? 5;
    this.#windowMs = opts.windowMs ?? 10_000;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** A warning about an unauthenticated connection; `reason` groups it in the summary. */
  warn(line: string, reason: string): void {
    this.flush();
    if (this.#printed < this.#burst) {
      this.#printed++;
      this.#log.warn(line);
    } else this.#held.set(reason, (this.#held.get(reason) ?? 0) + 1);
  }

  /** Ends the window when its time is up: the summary of what was held back, if anything. */
  flush(force = false): void {
    const now = this.#now();
    if (!force && now - this.#windowStart < this.#windowMs) return;
    const total = [...this.#held.values()].reduce((a, b) => a + b, 0);
    if (total > 0) {
      const by = [...this.#held.entries()].map(([r, n]) => `${r}: ${n}`).join(', ');
      const secs = Math.round(Math.min(now - this.#windowStart, this.#windowMs) / 1000);
      this.#log.warn(
        `… and ${total} more unauthenticated connection${total === 1 ? '' : 's'} refused or closed in the last ${secs} s (${by})`,
      );
    }
    this.#held.clear();
    this.#printed = 0;
    this.#windowStart = now;
  }
}
