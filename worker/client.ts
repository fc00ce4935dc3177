/**
 * The worker's side of the protocol: connect to the Lab, prove the token, take jobs up to
 * its slots, fetch each data set once by hash, run the jobs in threads and stream progress
 * and results back. When the Lab goes away it reconnects with a capped, jittered backoff;
 * when the Lab refuses it (wrong token, other protocol version) it stops, since retrying
 * cannot help. SIGTERM (see `drain`) lets the jobs it holds finish within a grace period and
 * hands the rest back. One connection's messages are handled in session.ts, the jobs run
 * in jobs.ts; this is the loop over connections and the drain.
 */
import { MAX_FRAME_BYTES } from '../shared/protocol.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { JobRunner, seconds, type JobLink } from './jobs.ts';
import { Session, type Connection, type Outcome } from './session.ts';
import { CPU_BACKEND, type WorkerBackend } from './backend.ts';

export interface LabWorkerOptions {
  /** `ws://HOST:PORT` of the Lab's coordinator. */
  url: string;
  token: string;
  /** Shown in the Lab's worker list and logs. */
  name: string;
  /** Jobs run at once, one thread each. */
  slots: number;
  /** How long a draining worker lets its jobs finish before handing them back (default 30 s). */
  graceMs?: number;
  /** Stop instead of reconnecting when the Lab goes away (local workers: the Lab that spawned them is gone). */
  exitOnDisconnect?: boolean;
  /** Give up after this long without a Lab (ms; 0, the default, retries forever). */
  retryForMs?: number;
  /** The engine jobs train on (default: the CPU). */
  backend?: WorkerBackend;
  backoff?: BackoffOptions;
  /** One line per job and per connection event (stdout in the command). */
  out?: (line: string) => void;
  /** Refusals by the Lab (stderr in the command). */
  err?: (line: string) => void;
  maxFrameBytes?: number;
}

export class LabWorker {
  readonly #o: Required<Omit<LabWorkerOptions, 'backoff'>>;
  readonly #backoff: Backoff;
  readonly #jobs: JobRunner;
  #conn?: Connection;
  #draining = false;
  #grace?: NodeJS.Timeout;
  #wake?: () => void;

  constructor(opts: LabWorkerOptions) {
    this.#o = {
      graceMs: 30_000,
      exitOnDisconnect: false,
      retryForMs: 0,
      backend: CPU_BACKEND,
      maxFrameBytes: MAX_FRAME_BYTES,
      out: (l) => console.log(l),
      err: (l) => console.error(l),
      ...opts,
    };
    this.#backoff = new Backoff(opts.name, opts.backoff);
    this.#jobs = new JobRunner({
      slots: this.#o.slots,
      backend: this.#o.backend.thread,
      out: (l) => this.#o.out(l),
      draining: () => this.#draining,
      settled: (link) => this.#settled(link),
    });
  }

  /**
   * Serves the Lab until drained (0), refused or not a Lab (2), or, with exitOnDisconnect,
   * until the Lab goes away (0; 1 if it was never reached); with retryForMs, gives up (1) after
   * that long without one.
   */
  async run(): Promise<number> {
    let everConnected = false;
    /** Since when this worker has had no Lab (its start, or the loss of the last one). */
    let alone = performance.now();
    try {
      for (;;) {
        if (this.#draining) return 0;
        const outcome = await this.#session();
        const welcomed = this.#conn?.ready ?? false;
        everConnected ||= welcomed;
        if (welcomed) alone = performance.now();
        if (outcome === 'refused') return 2;
        if (outcome === 'drained' || this.#draining) return 0;
        if (this.#o.exitOnDisconnect) return everConnected ? 0 : 1;
        const delay = this.#backoff.next();
        if (this.#o.retryForMs > 0 && performance.now() - alone + delay > this.#o.retryForMs) {
          this.#o.err(
            `optlab worker: no Lab at ${this.#o.url} for ${Math.round((performance.now() - alone) / 1000)} s; giving up (--retry-for ${Math.round(this.#o.retryForMs / 1000)} s)`,
          );
          return 1;
        }
        this.#o.out(`reconnecting to ${this.#o.url} in ${seconds(delay)} s`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    } finally {
      clearTimeout(this.#grace);
      await this.#jobs.close();
    }
  }

  /**
   * SIGTERM: take no new jobs, tell the Lab, finish the jobs held if they end within the
   * grace period, hand the others back, close. A second call hands everything back at once.
   */
  drain(): void {
    if (this.#draining) return this.#releaseAll('asked again to stop');
    this.#draining = true;
    this.#wake?.();
    const conn = this.#conn;
    if (!conn || conn.closed) return;
    if (!conn.ready) return void conn.ws.close(1000, 'worker stopping');
    const held = this.#jobs.heldIds(conn).length;
    this.#o.out(`draining: ${held} job(s) to finish within ${seconds(this.#o.graceMs)} s`);
    conn.send({ type: 'draining' });
    if (held === 0) return void conn.ws.close(1000, 'drained');
    this.#grace = setTimeout(() => this.#releaseAll('grace period over'), this.#o.graceMs);
  }

  #session(): Promise<Outcome> {
    const session = new Session(this.#o, this.#jobs, {
      draining: () => this.#draining,
      welcomed: () => {
        this.#backoff.reset();
        if (this.#draining) this.drain();
      },
    });
    this.#conn = session.conn;
    return session.outcome;
  }

  /** A draining worker closes its connection once the last job it held there has ended. */
  #settled(link: JobLink): void {
    if (this.#draining && this.#jobs.heldIds(link).length === 0 && !link.closed) {
      clearTimeout(this.#grace);
      link.close(1000, 'drained');
    }
  }

  #releaseAll(why: string): void {
    const conn = this.#conn;
    this.#jobs.releaseAll(conn, why);
    if (conn && !conn.closed) conn.ws.close(1000, 'drained');
  }
}
