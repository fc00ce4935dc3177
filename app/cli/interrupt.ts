/**
 * Ctrl-C (SIGINT) and SIGTERM for commands that run experiments: the first one asks the
 * command to stop cleanly (cancel the run: what finished is recorded, and a resume continues
 * it); a second one exits at once. A run left behind by that exit reads as interrupted in the
 * library (its process is gone) and resumes the same way.
 */
export interface Interrupt {
  /** Whether a signal came. */
  readonly interrupted: boolean;
  /** Resolves when the first signal comes. */
  readonly signalled: Promise<void>;
  /** Stops listening (the signals' defaults apply again). */
  off(): void;
}

export function onInterrupt(first: () => void, say: (line: string) => void = (l) => console.error(l)): Interrupt {
  let count = 0;
  let resolve!: () => void;
  const signalled = new Promise<void>((r) => (resolve = r));
  const handler = (signal: NodeJS.Signals) => {
    if (++count > 1) {
      say(`optlab: ${signal} again: stopping now; an unfinished run resumes with optlab resume`);
      process.exit(130);
    }
    resolve();
    first();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get interrupted() {
      return count > 0;
    },
    signalled,
    off() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
