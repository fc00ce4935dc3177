/**
 * The worker's side of the protocol: connect to the Lab, prove the token, take jobs up to
 * its slots, fetch each data set once by hash, run the jobs in threads and stream progress
 * and results back. When the Lab goes away it reconnects with a capped, jittered backoff;
 * when the Lab refuses it (wrong token, other protocol version) it stops, since retrying
 * cannot help. SIGTERM (see `drain`) lets the jobs it holds finish within a grace period and
 * hands the rest back.
 */
import { useKernels } from '../shared/linalg/use-kernels.ts';
import WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type ErrorCode, type JobMsg, type LabMessage, type WorkerMessage } from '../shared/protocol.ts';
import { decode, encode, WireError } from '../shared/wire.ts';
import { jobDataProblems, LIMITS, validateLabMessage } from '../shared/protocol-validate.ts';
import { datasetHash, type Dataset } from '../shared/data/dataset.ts';
import type { Job } from '../shared/experiment/types.ts';
import { hmacHex } from './auth.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { ThreadPool, type ThreadTask } from './pool.ts';

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
  backoff?: BackoffOptions;
  /** One line per job and per connection event (stdout in the command). */
  out?: (line: string) => void;
  /** Refusals by the Lab (stderr in the command). */
  err?: (line: string) => void;
  maxFrameBytes?: number;
}

/** Data sets kept by hash; a sweep over one data set needs one, a study a few. */
const KEEP_DATA = 8;

type Outcome = 'lost' | 'refused' | 'drained';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

class JobError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

interface Connection {
  ws: WebSocket;
  ready: boolean;
  closed: boolean;
  outcome?: Outcome;
  /** Data sets asked for with need_data, by hash. */
  pending: Map<string, Deferred<Dataset>>;
  heartbeat?: NodeJS.Timeout;
  lastPong: number;
  send(msg: WorkerMessage): boolean;
}

interface RunningJob {
  id: string;
  job: Job;
  conn: Connection;
  t0: number;
  cancelled: boolean;
  released: boolean;
  task?: ThreadTask;
  /** Rejected when the job is cancelled or handed back, so a wait for data ends too. */
  abort: Deferred<never>;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

export class LabWorker {
  readonly #o: Required<Omit<LabWorkerOptions, 'backoff'>>;
  readonly #backoff: Backoff;
  readonly #data = new Map<string, Dataset>();
  /** Jobs being run, this connection's and stopped ones of a lost connection whose threads have not returned yet. */
  readonly #running = new Set<RunningJob>();
  #pool?: ThreadPool;
  #conn?: Connection;
  #draining = false;
  #grace?: NodeJS.Timeout;
  #wake?: () => void;

  constructor(opts: LabWorkerOptions) {
    this.#o = {
      graceMs: 30_000, exitOnDisconnect: false, maxFrameBytes: MAX_FRAME_BYTES,
      out: (l) => console.log(l), err: (l) => console.error(l), ...opts,
    };
    this.#backoff = new Backoff(opts.name, opts.backoff);
  }

  /** Serves the Lab until drained (0), refused (2), or, with exitOnDisconnect, until the Lab goes away (0; 1 if it was never reached). */
  async run(): Promise<number> {
    let everConnected = false;
    try {
      for (;;) {
        if (this.#draining) return 0;
        const outcome = await this.#session();
        everConnected ||= this.#conn?.ready ?? false;
        if (outcome === 'refused') return 2;
        if (outcome === 'drained' || this.#draining) return 0;
        if (this.#o.exitOnDisconnect) return everConnected ? 0 : 1;
        const delay = this.#backoff.next();
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
      for (const rj of this.#running) this.#stop(rj);
      await this.#pool?.close();
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
    const held = this.#held(conn).length;
    this.#o.out(`draining: ${held} job(s) to finish within ${seconds(this.#o.graceMs)} s`);
    conn.send({ type: 'draining' });
    if (held === 0) return void conn.ws.close(1000, 'drained');
    this.#grace = setTimeout(() => this.#releaseAll('grace period over'), this.#o.graceMs);
  }

  #session(): Promise<Outcome> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.#o.url, { maxPayload: this.#o.maxFrameBytes + 1, perMessageDeflate: false, handshakeTimeout: 10_000 });
      const conn: Connection = {
        ws, ready: false, closed: false, pending: new Map(), lastPong: performance.now(),
        send: (msg) => {
          if (conn.closed || ws.readyState !== WebSocket.OPEN) return false;
          ws.send(encode(msg, this.#o.maxFrameBytes));
          return true;
        },
      };
      this.#conn = conn;
      let why = '';
      ws.on('message', (data, isBinary) => {
        try {
          this.#onFrame(conn, data, isBinary);
        } catch (e) {
          this.#o.out(`internal error on a message from the Lab: ${e instanceof Error ? e.stack : String(e)}`);
        }
      });
      ws.on('pong', () => (conn.lastPong = performance.now()));
      ws.on('error', (e) => (why = e.message));
      ws.on('close', (code, reason) => {
        conn.closed = true;
        clearInterval(conn.heartbeat);
        for (const d of conn.pending.values()) d.reject(new JobError('E_NO_DATA', 'connection to the Lab lost'));
        // The Lab requeues what this connection held; results sent later would go nowhere.
        for (const rj of this.#held(conn)) this.#stop(rj);
        if (conn.outcome === undefined) {
          if (this.#draining) conn.outcome = 'drained';
          else {
            conn.outcome = 'lost';
            const detail = why || `${code}${reason.length ? ` ${reason.toString()}` : ''}`;
            this.#o.out(conn.ready ? `lost the Lab (${detail})` : `cannot reach the Lab at ${this.#o.url}: ${detail}`);
          }
        }
        resolve(conn.outcome);
      });
    });
  }

  #protocolError(conn: Connection, why: string): void {
    this.#o.out(`the Lab sent a bad message (${why}); reconnecting`);
    conn.ws.close(1002, 'protocol error');
  }

  #onFrame(conn: Connection, data: WebSocket.RawData, isBinary: boolean): void {
    if (conn.closed) return;
    if (!isBinary) return this.#protocolError(conn, 'a text frame');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    let msg: LabMessage;
    try {
      msg = decode(bytes, this.#o.maxFrameBytes) as LabMessage;
    } catch (e) {
      return this.#protocolError(conn, e instanceof WireError ? `${e.code}: ${e.message}` : String(e));
    }
    const problems = validateLabMessage(msg);
    if (problems.length) return this.#protocolError(conn, `${String(msg.type)}: ${problems.slice(0, 3).join('; ')}`);
    if (!conn.ready && msg.type !== 'challenge' && msg.type !== 'welcome' && msg.type !== 'error') {
      return this.#protocolError(conn, `"${msg.type}" before welcome`);
    }
    switch (msg.type) {
      case 'challenge': {
        // Every thread of an experiment must train with the Lab's kernels, or results would differ in their last bits.
        try {
          const k = useKernels(msg.kernels.name, msg.kernels.build);
          this.#pool ??= new ThreadPool(this.#o.slots, { name: k.name, build: k.build });
        } catch (e) {
          conn.outcome = 'refused';
          this.#o.err(`optlab worker: cannot train with the Lab's kernels (${msg.kernels.name}${msg.kernels.build ? ` build ${msg.kernels.build}` : ''}): ${e instanceof Error ? e.message : String(e)}`);
          conn.ws.close();
          break;
        }
        conn.send({ type: 'hello', version: PROTOCOL_VERSION, name: this.#o.name, slots: this.#o.slots, hmac: hmacHex(this.#o.token, msg.nonce) });
        break;
      }
      case 'welcome': {
        conn.ready = true;
        this.#backoff.reset();
        this.#o.out(`connected to ${this.#o.url} as "${this.#o.name}" (${msg.workerId}, ${this.#o.slots} slot${this.#o.slots === 1 ? '' : 's'})`);
        // The Lab goes silent without closing when its machine vanishes; pings notice that.
        const silentMs = Math.max(10 * msg.heartbeatMs, 15_000);
        conn.heartbeat = setInterval(() => {
          const running = this.#held(conn).map((r) => r.id);
          conn.send({ type: 'heartbeat', running });
          if (performance.now() - conn.lastPong > silentMs) {
            this.#o.out(`the Lab has not answered for ${seconds(silentMs)} s`);
            conn.ws.terminate();
          } else conn.ws.ping();
        }, msg.heartbeatMs);
        if (this.#draining) this.drain();
        break;
      }
      case 'job':
        this.#take(conn, msg);
        break;
      case 'data': {
        const d = conn.pending.get(msg.hash);
        conn.pending.delete(msg.hash);
        if (datasetHash(msg.dataset) !== msg.hash) {
          d?.reject(new JobError('E_NO_DATA', `the data set sent for ${msg.hash} does not have that hash`));
          break;
        }
        this.#keep(msg.hash, msg.dataset);
        d?.resolve(msg.dataset);
        break;
      }
      case 'cancel': {
        const rj = this.#held(conn).find((r) => r.id === msg.id);
        if (rj && !rj.cancelled) {
          rj.cancelled = true;
          rj.task?.cancel();
          rj.abort.reject(new JobError('E_CANCELLED', 'cancelled by the Lab'));
        }
        break;
      }
      case 'error':
        if (msg.code === 'E_AUTH' || msg.code === 'E_VERSION') {
          conn.outcome = 'refused';
          this.#o.err(`optlab worker: the Lab at ${this.#o.url} refused this worker: ${msg.code}: ${msg.message}`);
        } else if (msg.id !== undefined && msg.code === 'E_NO_DATA') {
          const hash = this.#held(conn).find((r) => r.id === msg.id)?.job.dataHash;
          if (hash) {
            conn.pending.get(hash)?.reject(new JobError('E_NO_DATA', msg.message));
            conn.pending.delete(hash);
          }
        } else this.#o.out(`the Lab reports ${msg.code}: ${msg.message}`);
        break;
    }
  }

  #keep(hash: string, ds: Dataset): void {
    this.#data.delete(hash);
    this.#data.set(hash, ds);
    while (this.#data.size > KEEP_DATA) this.#data.delete(this.#data.keys().next().value!);
  }

  /** Jobs this connection's Lab leased that are still ours to report. */
  #held(conn: Connection | undefined): RunningJob[] {
    return [...this.#running].filter((r) => r.conn === conn && !r.released);
  }

  #take(conn: Connection, msg: JobMsg): void {
    // Stopped jobs of a lost connection do not count: the pool queues the new ones behind them.
    const held = this.#held(conn);
    if (this.#draining || held.length >= this.#o.slots || held.some((r) => r.id === msg.id)) {
      conn.send({ type: 'released', id: msg.id });
      return;
    }
    const rj: RunningJob = { id: msg.id, job: msg.job, conn, t0: performance.now(), cancelled: false, released: false, abort: deferred<never>() };
    this.#running.add(rj);
    void this.#execute(rj);
  }

  #dataFor(rj: RunningJob): Promise<Dataset> {
    const hash = rj.job.dataHash;
    const have = this.#data.get(hash);
    if (have) {
      this.#keep(hash, have);
      return Promise.resolve(have);
    }
    let d = rj.conn.pending.get(hash);
    if (!d) {
      d = deferred<Dataset>();
      rj.conn.pending.set(hash, d);
      rj.conn.send({ type: 'need_data', id: rj.id, hash });
    }
    return Promise.race([d.promise, rj.abort.promise]);
  }

  async #execute(rj: RunningJob): Promise<void> {
    const { job, conn } = rj;
    const live = () => !rj.released && !conn.closed;
    try {
      const data = await this.#dataFor(rj);
      if (rj.cancelled) throw new JobError('E_CANCELLED', 'cancelled by the Lab');
      const problems = jobDataProblems(job, data);
      if (problems.length) throw new JobError('E_JOB_FAILED', `the job does not fit its data set: ${problems.join('; ')}`);
      rj.task = this.#pool!.run(job, data, (progress) => {
        if (live() && !rj.cancelled) conn.send({ type: 'progress', id: rj.id, progress });
      });
      if (rj.cancelled || rj.released) rj.task.cancel();
      const result = await rj.task.result;
      if (!live()) return;
      const ms = performance.now() - rj.t0;
      let sent: boolean;
      try {
        sent = conn.send({ type: 'result', id: rj.id, result, ms });
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        throw new JobError(e.code, `the result cannot be sent: ${e.message}`);
      }
      if (!sent) return;
      this.#o.out(`done ${job.key} in ${seconds(ms)} s`);
    } catch (e) {
      if (!live()) return;
      const after = seconds(performance.now() - rj.t0);
      if (rj.cancelled) {
        conn.send({ type: 'failed', id: rj.id, code: 'E_CANCELLED', message: 'cancelled by the Lab' });
        this.#o.out(`cancelled ${job.key} after ${after} s`);
      } else {
        const code = e instanceof JobError ? e.code : 'E_JOB_FAILED';
        const message = (e instanceof Error ? e.message : String(e)).slice(0, LIMITS.message);
        conn.send({ type: 'failed', id: rj.id, code, message });
        this.#o.out(`failed ${job.key} after ${after} s: ${message}`);
      }
    } finally {
      this.#running.delete(rj);
      if (this.#draining && this.#held(conn).length === 0 && !conn.closed) {
        clearTimeout(this.#grace);
        conn.ws.close(1000, 'drained');
      }
    }
  }

  /** Stops a job whose outcome can no longer be reported. */
  #stop(rj: RunningJob): void {
    rj.released = true;
    rj.task?.cancel();
    rj.abort.reject(new JobError('E_CANCELLED', 'stopped'));
  }

  #releaseAll(why: string): void {
    const conn = this.#conn;
    for (const rj of this.#running) {
      if (rj.released) continue;
      if (rj.conn === conn) conn.send({ type: 'released', id: rj.id });
      this.#stop(rj);
      this.#o.out(`released ${rj.job.key} (${why})`);
    }
    if (conn && !conn.closed) conn.ws.close(1000, 'drained');
  }
}
