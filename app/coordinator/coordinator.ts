/**
 * The Lab's coordinator: a WebSocket server that leases jobs to worker processes (local or on
 * the LAN) and collects their results, seen by the rest of the Lab as an `Executor`.
 *
 * Trust: a connection is nobody until it proves the token (HMAC of a fresh nonce); every
 * frame is size-capped, decoded and schema-checked before it is looked at, and a message
 * that is malformed or not allowed in the connection's state closes that connection only.
 * The Lab goes on serving everyone else.
 *
 * Jobs: queued per run, leased to the worker with the most free slots (never more than its
 * slots), requeued when the worker fails the job, disconnects, goes silent or overruns the
 * lease timeout, up to `maxAttempts` tries. A result is taken once per key, whichever copy
 * of a requeued job finishes first; the aggregator sorts by key, so which worker ran what
 * never shows in the numbers.
 */
import { useFastKernels } from '../kernels.ts';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, type ErrorCode, type HelloMsg, type KernelsSpec, type LabMessage, type WorkerMessage } from '../../shared/protocol.ts';
import { decode, encode, WireError } from '../../shared/wire.ts';
import { LIMITS, resultProblems, validateWorkerMessage } from '../../shared/protocol-validate.ts';
import { JobCancelled, type Executor, type ExecutorHooks, type ResultMeta } from '../../shared/experiment/executor.ts';
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import { hmacMatches } from '../../worker/auth.ts';

export interface CoordinatorLogger {
  info(line: string): void;
  warn(line: string): void;
}

/** Log lines on stderr, so that stdout stays clean for `--json` output. */
export const stderrLogger: CoordinatorLogger = { info: (l) => console.error(l), warn: (l) => console.error(l) };

export interface CoordinatorOptions {
  /** Interface to listen on (default 127.0.0.1; `lan` makes it 0.0.0.0). */
  host?: string;
  /** Port (default 0: any free port; read it from `port` or `url` after `listen`). */
  port?: number;
  /** Accept workers from other machines: listen on 0.0.0.0 unless `host` says otherwise. */
  lan?: boolean;
  /** Shared secret workers prove they know (default: 32 random bytes, hex). */
  token?: string;
  /** How often workers send heartbeats (ms, default 1000; told to them in `welcome`). */
  heartbeatMs?: number;
  /** Silence after which a worker is dropped and its jobs requeued (ms, default 15000). */
  heartbeatTimeoutMs?: number;
  /** Time a new connection has to answer the challenge (ms, default 10000). */
  helloTimeoutMs?: number;
  /** Longest a single lease may run before the job is requeued (ms; 0, the default, means no limit). */
  leaseTimeoutMs?: number;
  /** Tries of a job before its run fails with E_JOB_FAILED (default 3). */
  maxAttempts?: number;
  /** Largest frame accepted or sent (bytes, default MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  logger?: CoordinatorLogger;
  /** Kernels workers must train with (default: this process's choice, see app/kernels.ts). */
  kernels?: KernelsSpec;
}

/** A connected, authenticated worker as the CLI and UI list it. */
export interface WorkerInfo {
  /** Unique for the coordinator's lifetime (`w3`); names need not be unique. */
  id: string;
  name: string;
  /** Remote IP address. */
  address: string;
  slots: number;
  /** Keys of the jobs leased to it (including cancelled ones it has not yet stopped). */
  running: string[];
  /** Results it delivered. */
  done: number;
  /** Jobs it reported as failed. */
  failed: number;
  /** It announced it is shutting down and takes no new jobs. */
  draining: boolean;
  /** When it authenticated (ms since the epoch). */
  joinedAt: number;
}

export type CoordinatorEvents = {
  'worker-joined': [info: WorkerInfo];
  'worker-left': [info: WorkerInfo, reason: string];
};

/** A run cancelled by `cancel()`: a JobCancelled, so the Lab treats it like the in-process executor's. */
export class RunCancelled extends JobCancelled {
  readonly code = 'E_CANCELLED' as const;
  constructor(unfinished: number, firstKey: string) {
    super(firstKey);
    this.message = `run cancelled with ${unfinished} job${unfinished === 1 ? '' : 's'} unfinished (first: ${firstKey})`;
  }
}

/** A job that failed on every try. */
export class JobFailedError extends Error {
  readonly code = 'E_JOB_FAILED' as const;
  constructor(readonly key: string, readonly attempts: number, readonly lastError: string) {
    super(`job ${key} failed ${attempts} time${attempts === 1 ? '' : 's'}; last error: ${lastError}`);
  }
}

/** The coordinator stopped while a run was pending, or a run could not be started. */
export class CoordinatorError extends Error {}

interface Run {
  id: number;
  owner: DistributedExecutor | undefined;
  items: Map<string, Item>;
  data: ReadonlyMap<string, Dataset>;
  hooks: ExecutorHooks;
  results: JobResult[];
  done: Set<string>;
  settled: boolean;
  resolve(r: JobResult[]): void;
  reject(e: Error): void;
}

interface Item {
  run: Run;
  job: Job;
  attempts: number;
  lastError?: string;
  /** Worker of the latest lease (a retry prefers another one). */
  lastWorker?: string;
  /** The live lease, if any. */
  lease?: Lease;
  queued: boolean;
}

interface Lease {
  id: string;
  item: Item;
  conn: Conn;
  /** Cancelled or timed out: the worker was told to stop; the slot is busy until it answers. */
  revoked: boolean;
  timer?: NodeJS.Timeout;
}

interface Conn {
  id: string;
  ws: WebSocket;
  address: string;
  state: 'challenged' | 'ready' | 'closed';
  nonce: string;
  openedAt: number;
  lastSeen: number;
  name: string;
  slots: number;
  leases: Map<string, Lease>;
  done: number;
  failed: number;
  draining: boolean;
  joinedAt: number;
  dataSent: Set<string>;
}

/** Frames before `hello` are tiny; a stranger does not get to make the Lab hold 64 MiB. */
const PRE_AUTH_MAX_BYTES = 64 * 1024;

const CLOSE_CODES: Partial<Record<ErrorCode, number>> = {
  E_AUTH: 4001, E_VERSION: 4002, E_BAD_FRAME: 4003, E_TOO_BIG: 4004, E_OUT_OF_ORDER: 4005,
};

function plainAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class Coordinator extends EventEmitter<CoordinatorEvents> {
  /** What every worker is told to train with. */
  readonly #kernels: KernelsSpec;
  readonly token: string;
  readonly #host: string;
  readonly #port: number;
  readonly #heartbeatMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #helloTimeoutMs: number;
  readonly #leaseTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #maxFrame: number;
  readonly #log: CoordinatorLogger;
  #wss?: WebSocketServer;
  #boundPort = 0;
  #watch?: NodeJS.Timeout;
  #lastWatch = 0;
  readonly #conns = new Set<Conn>();
  readonly #runs = new Set<Run>();
  #queue: Item[] = [];
  #seq = 0;
  #pumping = false;
  #pumpAgain = false;
  #closed = false;

  constructor(opts: CoordinatorOptions = {}) {
    super();
    this.token = opts.token ?? randomBytes(32).toString('hex');
    const k = opts.kernels ?? useFastKernels();
    this.#kernels = k.build === undefined ? { name: k.name } : { name: k.name, build: k.build };
    if (!this.token) throw new CoordinatorError('the token must not be empty');
    this.#host = opts.host ?? (opts.lan ? '0.0.0.0' : '127.0.0.1');
    this.#port = opts.port ?? 0;
    this.#heartbeatMs = opts.heartbeatMs ?? 1000;
    this.#heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 15_000;
    this.#helloTimeoutMs = opts.helloTimeoutMs ?? 10_000;
    this.#leaseTimeoutMs = opts.leaseTimeoutMs ?? 0;
    this.#maxAttempts = opts.maxAttempts ?? 3;
    this.#maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#log = opts.logger ?? stderrLogger;
    if (!(this.#maxAttempts >= 1)) throw new CoordinatorError(`maxAttempts must be at least 1, got ${this.#maxAttempts}`);
  }

  /** Starts listening; resolves with the URL local workers connect to. */
  listen(): Promise<string> {
    if (this.#wss) return Promise.reject(new CoordinatorError('already listening'));
    return new Promise((resolve, reject) => {
      // Compression is off: a small compressed frame could inflate past the size cap.
      const wss = new WebSocketServer({ host: this.#host, port: this.#port, maxPayload: this.#maxFrame + 1, perMessageDeflate: false, clientTracking: false });
      this.#wss = wss;
      wss.once('error', reject);
      wss.once('listening', () => {
        wss.off('error', reject);
        wss.on('error', (e) => this.#log.warn(`coordinator: ${e.message}`));
        this.#boundPort = (wss.address() as AddressInfo).port;
        this.#lastWatch = performance.now();
        this.#watch = setInterval(() => this.#watchdog(), Math.min(this.#heartbeatMs, 500));
        this.#log.info(`coordinator listening on ${this.#host}:${this.#boundPort}`);
        resolve(this.url);
      });
      wss.on('connection', (ws, req) => this.#accept(ws, plainAddress(req.socket.remoteAddress)));
    });
  }

  get port(): number {
    return this.#boundPort;
  }

  /** The URL for workers on this machine. */
  get url(): string {
    const h = this.#host === '0.0.0.0' || this.#host === '::' ? '127.0.0.1' : this.#host;
    return `ws://${h.includes(':') ? `[${h}]` : h}:${this.#boundPort}`;
  }

  /** URLs workers on other machines can use (this machine's non-loopback IPv4 addresses when listening on all of them). */
  lanUrls(): string[] {
    if (this.#host !== '0.0.0.0') return [this.url];
    const out: string[] = [];
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(`ws://${a.address}:${this.#boundPort}`);
    }
    return out;
  }

  workers(): WorkerInfo[] {
    return [...this.#conns].filter((c) => c.state === 'ready').map((c) => this.#info(c));
  }

  /** An Executor whose runs go to this coordinator's workers; its cancel() touches only its own runs. */
  executor(): DistributedExecutor {
    return new DistributedExecutor(this);
  }

  /**
   * Queues the jobs of one run. `done` resolves with every result (in arrival order) or
   * rejects with the first unrecoverable failure; `cancel` stops it (workers are told).
   */
  submit(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}, owner?: DistributedExecutor): { done: Promise<JobResult[]>; cancel(): void } {
    let resolve!: (r: JobResult[]) => void, reject!: (e: Error) => void;
    const done = new Promise<JobResult[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const run: Run = { id: ++this.#seq, owner, items: new Map(), data, hooks, results: [], done: new Set(), settled: false, resolve, reject };
    const refuse = (why: string) => {
      run.settled = true;
      reject(new CoordinatorError(why));
      return { done, cancel() {} };
    };
    if (this.#closed) return refuse('the coordinator is closed');
    for (const job of jobs) {
      if (run.items.has(job.key)) return refuse(`two jobs have the key ${job.key}`);
      if (!data.has(job.dataHash)) return refuse(`job ${job.key}: no data set with hash ${job.dataHash}`);
      run.items.set(job.key, { run, job, attempts: 0, queued: true });
    }
    if (run.items.size === 0) {
      run.settled = true;
      resolve([]);
      return { done, cancel() {} };
    }
    this.#runs.add(run);
    this.#queue.push(...run.items.values());
    this.#pump();
    return { done, cancel: () => this.#cancelRun(run) };
  }

  /** Cancels the pending runs of one executor (all runs when none is named). */
  cancelRuns(owner?: DistributedExecutor): void {
    for (const run of [...this.#runs]) if (!owner || run.owner === owner) this.#cancelRun(run);
  }

  /** Stops serving: pending runs reject, workers are disconnected (local ones then exit), the port is freed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    for (const run of [...this.#runs]) this.#failRun(run, new CoordinatorError('the coordinator was closed'));
    for (const c of [...this.#conns]) {
      c.ws.close(1001, 'lab closing');
      this.#drop(c, 'the Lab is closing');
      // A worker that does not complete the closing handshake must not hold the server open.
      setTimeout(() => c.ws.terminate(), 1000).unref();
    }
    const wss = this.#wss;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  // ---- connections ----

  #accept(ws: WebSocket, address: string): void {
    if (this.#closed) return void ws.terminate();
    const now = performance.now();
    const conn: Conn = {
      id: `w${++this.#seq}`, ws, address, state: 'challenged', nonce: randomBytes(32).toString('hex'), openedAt: now, lastSeen: now,
      name: '', slots: 0, leases: new Map(), done: 0, failed: 0, draining: false, joinedAt: 0, dataSent: new Set(),
    };
    this.#conns.add(conn);
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('error', (e) => {
      if (conn.state !== 'closed') this.#log.warn(`connection from ${address}${conn.name ? ` (worker "${conn.name}")` : ''}: ${e.message}`);
    });
    ws.on('close', (code, reason) => this.#drop(conn, reason.length ? `closed the connection (${reason.toString().slice(0, 100)})` : `disconnected (${code})`));
    this.#send(conn, { type: 'challenge', version: PROTOCOL_VERSION, nonce: conn.nonce, kernels: this.#kernels });
  }

  #info(c: Conn): WorkerInfo {
    return {
      id: c.id, name: c.name, address: c.address, slots: c.slots, running: [...c.leases.values()].map((l) => l.item.job.key),
      done: c.done, failed: c.failed, draining: c.draining, joinedAt: c.joinedAt,
    };
  }

  #send(conn: Conn, msg: LabMessage): void {
    if (conn.state === 'closed') return;
    conn.ws.send(encode(msg, this.#maxFrame));
  }

  /** Answers a violation with an error and closes that connection (its jobs are requeued). */
  #refuse(conn: Conn, code: ErrorCode, message: string, logLine?: string): void {
    if (conn.state === 'closed') return;
    this.#log.warn(logLine ?? `closed the connection from ${conn.address}${conn.name ? ` (worker "${conn.name}")` : ''}: ${code}: ${message}`);
    this.#send(conn, { type: 'error', code, message: message.slice(0, LIMITS.message) });
    conn.ws.close(CLOSE_CODES[code] ?? 1008, code);
    setTimeout(() => conn.ws.terminate(), 2000).unref();
    this.#drop(conn, `${code}: ${message}`);
  }

  #drop(conn: Conn, reason: string): void {
    if (conn.state === 'closed') return;
    const wasReady = conn.state === 'ready';
    const info = wasReady ? this.#info(conn) : undefined;
    conn.state = 'closed';
    this.#conns.delete(conn);
    const leases = [...conn.leases.values()];
    conn.leases.clear();
    for (const lease of leases) {
      clearTimeout(lease.timer);
      if (lease.revoked) continue;
      if (lease.item.lease === lease) lease.item.lease = undefined;
      this.#attemptFailed(lease.item, `worker "${conn.name}" ${reason}`);
    }
    if (info) {
      this.#log.info(`worker "${conn.name}" (${conn.id}) left: ${reason}${leases.length ? `; ${leases.length} job(s) requeued` : ''}`);
      this.emit('worker-left', info, reason);
    }
    this.#pump();
  }

  #watchdog(): void {
    const now = performance.now();
    // After a long synchronous stretch in the Lab (its own event loop was stalled), frames
    // that arrived meanwhile have not been read yet: nobody is judged silent on that basis.
    const stalled = now - this.#lastWatch > 3 * Math.min(this.#heartbeatMs, 500) + 1000;
    this.#lastWatch = now;
    for (const c of [...this.#conns]) {
      if (stalled) {
        c.lastSeen = Math.max(c.lastSeen, now);
        continue;
      }
      if (c.state === 'challenged' && now - c.openedAt > this.#helloTimeoutMs) {
        this.#refuse(c, 'E_AUTH', `no hello within ${this.#helloTimeoutMs / 1000} s`);
      } else if (c.state === 'ready' && now - c.lastSeen > this.#heartbeatTimeoutMs) {
        this.#log.warn(`worker "${c.name}" (${c.id}) silent for ${((now - c.lastSeen) / 1000).toFixed(1)} s: dropped`);
        c.ws.terminate();
        this.#drop(c, 'went silent');
      }
    }
  }

  #onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    conn.lastSeen = performance.now();
    if (!isBinary) return this.#refuse(conn, 'E_BAD_FRAME', 'text frames are not part of the protocol');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (conn.state !== 'ready' && bytes.length > PRE_AUTH_MAX_BYTES) {
      return this.#refuse(conn, 'E_TOO_BIG', `a frame of ${bytes.length} bytes before hello (at most ${PRE_AUTH_MAX_BYTES})`);
    }
    let msg: WorkerMessage;
    try {
      msg = decode(bytes, this.#maxFrame) as WorkerMessage;
    } catch (e) {
      if (e instanceof WireError) return this.#refuse(conn, e.code, e.message);
      return this.#refuse(conn, 'E_BAD_FRAME', e instanceof Error ? e.message : String(e));
    }
    const problems = validateWorkerMessage(msg);
    if (problems.length) {
      const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
      return this.#refuse(conn, 'E_BAD_FRAME', `invalid "${String(msg.type).slice(0, 40)}" message: ${problems.slice(0, 5).join('; ')}${more}`);
    }
    try {
      this.#dispatch(conn, msg);
    } catch (e) {
      // A bug here must cost one connection, not the Lab.
      this.#log.warn(`coordinator: internal error on "${msg.type}" from worker "${conn.name}": ${e instanceof Error ? e.stack : String(e)}`);
      this.#refuse(conn, 'E_BAD_FRAME', 'the Lab could not process this message');
    }
  }

  #dispatch(conn: Conn, msg: WorkerMessage): void {
    if (conn.state === 'challenged') {
      if (msg.type !== 'hello') return this.#refuse(conn, 'E_OUT_OF_ORDER', `"${msg.type}" before hello`);
      return this.#hello(conn, msg);
    }
    const leaseOf = (id: string): Lease | undefined => {
      const lease = conn.leases.get(id);
      if (!lease) this.#refuse(conn, 'E_OUT_OF_ORDER', `"${msg.type}" for job id ${JSON.stringify(id)}, which is not leased to this worker`);
      return lease;
    };
    switch (msg.type) {
      case 'hello':
        return this.#refuse(conn, 'E_OUT_OF_ORDER', 'a second hello');
      case 'heartbeat':
        return;
      case 'draining':
        if (!conn.draining) this.#log.info(`worker "${conn.name}" (${conn.id}) is draining`);
        conn.draining = true;
        return;
      case 'need_data': {
        const lease = leaseOf(msg.id);
        if (!lease) return;
        if (lease.item.job.dataHash !== msg.hash) return this.#refuse(conn, 'E_OUT_OF_ORDER', `need_data for ${msg.hash}, but job ${msg.id} uses ${lease.item.job.dataHash}`);
        const ds = lease.item.run.data.get(msg.hash);
        if (!ds) return this.#send(conn, { type: 'error', code: 'E_NO_DATA', id: msg.id, message: `no data set with hash ${msg.hash}` });
        if (conn.dataSent.has(msg.hash)) this.#log.info(`worker "${conn.name}" asked again for data set ${msg.hash}`);
        let frame: Uint8Array;
        try {
          frame = encode({ type: 'data', id: msg.id, hash: msg.hash, dataset: ds }, this.#maxFrame);
        } catch (e) {
          const why = `data set ${ds.name} (${msg.hash}) cannot be sent: ${e instanceof Error ? e.message : String(e)}`;
          this.#send(conn, { type: 'error', code: 'E_NO_DATA', id: msg.id, message: why });
          return this.#failRun(lease.item.run, new CoordinatorError(why));
        }
        conn.dataSent.add(msg.hash);
        conn.ws.send(frame);
        return;
      }
      case 'progress': {
        const lease = leaseOf(msg.id);
        if (!lease || lease.revoked || lease.item.run.settled) return;
        if (msg.progress.key !== lease.item.job.key) return this.#refuse(conn, 'E_OUT_OF_ORDER', `progress of ${msg.progress.key} under the id of job ${lease.item.job.key}`);
        try {
          lease.item.run.hooks.onProgress?.(msg.progress);
        } catch (e) {
          this.#log.warn(`coordinator: onProgress threw: ${e instanceof Error ? e.message : String(e)}`);
        }
        return;
      }
      case 'result': {
        const lease = leaseOf(msg.id);
        if (!lease) return;
        const problems = resultProblems(lease.item.job, msg.result);
        if (problems.length) return this.#refuse(conn, 'E_BAD_FRAME', `result of ${lease.item.job.key} does not match its job: ${problems.slice(0, 5).join('; ')}`);
        this.#endLease(lease);
        conn.done++;
        this.#accepted(lease.item, msg.result, { ms: msg.ms, worker: conn.name });
        return this.#pump();
      }
      case 'failed': {
        const lease = leaseOf(msg.id);
        if (!lease) return;
        this.#endLease(lease);
        const { item } = lease;
        if (!lease.revoked) {
          conn.failed++;
          this.#log.warn(`job ${item.job.key} failed on worker "${conn.name}": ${msg.code}: ${msg.message}`);
          this.#attemptFailed(item, `${msg.code}: ${msg.message} (worker "${conn.name}")`);
        }
        return this.#pump();
      }
      case 'released': {
        const lease = leaseOf(msg.id);
        if (!lease) return;
        this.#endLease(lease);
        // Handed back unfinished by a worker that is stopping: not the job's fault, no attempt counted.
        if (!lease.revoked) this.#requeue(lease.item, true);
        return this.#pump();
      }
    }
  }

  #hello(conn: Conn, msg: HelloMsg): void {
    const who = `worker "${msg.name}" from ${conn.address}`;
    if (msg.version !== PROTOCOL_VERSION) {
      return this.#refuse(conn, 'E_VERSION', `protocol version ${msg.version}; this Lab speaks version ${PROTOCOL_VERSION}`, `refused ${who}: protocol version ${msg.version}, expected ${PROTOCOL_VERSION}`);
    }
    if (!hmacMatches(this.token, conn.nonce, msg.hmac)) {
      return this.#refuse(conn, 'E_AUTH', 'wrong token', `refused ${who}: wrong token`);
    }
    conn.state = 'ready';
    conn.name = msg.name;
    conn.slots = msg.slots;
    conn.joinedAt = Date.now();
    this.#send(conn, { type: 'welcome', workerId: conn.id, heartbeatMs: this.#heartbeatMs });
    this.#log.info(`worker "${conn.name}" (${conn.id}) joined from ${conn.address} with ${conn.slots} slot${conn.slots === 1 ? '' : 's'}`);
    this.emit('worker-joined', this.#info(conn));
    this.#pump();
  }

  // ---- jobs ----

  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (this.#queue.length) {
          let best: Conn | undefined;
          let free = 0;
          for (const c of this.#conns) {
            if (c.state !== 'ready' || c.draining) continue;
            const f = c.slots - c.leases.size;
            if (f > free) {
              free = f;
              best = c;
            }
          }
          if (!best) break;
          // A retry goes to another worker when one is free: the failure may be the worker's.
          let i = this.#queue.slice(0, 64).findIndex((it) => it.lastWorker !== best.id);
          if (i < 0) i = 0;
          const [item] = this.#queue.splice(i, 1);
          item.queued = false;
          this.#lease(best, item);
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #lease(conn: Conn, item: Item): void {
    const lease: Lease = { id: `${item.run.id}.${++this.#seq}`, item, conn, revoked: false };
    let frame: Uint8Array;
    try {
      frame = encode({ type: 'job', id: lease.id, job: item.job }, this.#maxFrame);
    } catch (e) {
      return this.#failRun(item.run, new CoordinatorError(`job ${item.job.key} cannot be sent: ${e instanceof Error ? e.message : String(e)}`));
    }
    conn.leases.set(lease.id, lease);
    item.lease = lease;
    item.lastWorker = conn.id;
    if (this.#leaseTimeoutMs > 0) lease.timer = setTimeout(() => this.#leaseExpired(lease), this.#leaseTimeoutMs);
    conn.ws.send(frame);
  }

  #leaseExpired(lease: Lease): void {
    if (lease.revoked || lease.conn.state === 'closed') return;
    this.#revoke(lease);
    this.#log.warn(`job ${lease.item.job.key} overran its lease of ${this.#leaseTimeoutMs / 1000} s on worker "${lease.conn.name}": requeued`);
    this.#attemptFailed(lease.item, `lease of ${this.#leaseTimeoutMs / 1000} s timed out on worker "${lease.conn.name}"`);
    this.#pump();
  }

  /** Tells the worker to stop the job; its slot stays taken until it answers. */
  #revoke(lease: Lease): void {
    if (lease.revoked) return;
    lease.revoked = true;
    clearTimeout(lease.timer);
    if (lease.item.lease === lease) lease.item.lease = undefined;
    this.#send(lease.conn, { type: 'cancel', id: lease.id });
  }

  #endLease(lease: Lease): void {
    clearTimeout(lease.timer);
    lease.conn.leases.delete(lease.id);
    if (lease.item.lease === lease) lease.item.lease = undefined;
  }

  #accepted(item: Item, result: JobResult, meta: ResultMeta): void {
    const { run } = item;
    if (run.settled || run.done.has(item.job.key)) {
      this.#log.info(`job ${item.job.key}: a second result arrived and was ignored`);
      return;
    }
    // A requeued copy may be waiting or running elsewhere: the first result wins.
    if (item.queued) {
      this.#queue.splice(this.#queue.indexOf(item), 1);
      item.queued = false;
    }
    if (item.lease) this.#revoke(item.lease);
    run.done.add(item.job.key);
    run.results.push(result);
    try {
      run.hooks.onResult?.(result, meta);
    } catch (e) {
      return this.#failRun(run, e instanceof Error ? e : new Error(String(e)));
    }
    // The hook may have cancelled or failed the run.
    if (!run.settled && run.done.size === run.items.size) {
      run.settled = true;
      this.#runs.delete(run);
      run.resolve(run.results);
    }
  }

  #requeue(item: Item, front: boolean): void {
    if (item.run.settled || item.run.done.has(item.job.key) || item.queued || item.lease) return;
    item.queued = true;
    if (front) this.#queue.unshift(item);
    else this.#queue.push(item);
  }

  #attemptFailed(item: Item, why: string): void {
    if (item.run.settled || item.run.done.has(item.job.key)) return;
    item.attempts++;
    item.lastError = why;
    if (item.attempts >= this.#maxAttempts) this.#failRun(item.run, new JobFailedError(item.job.key, item.attempts, why));
    // At the front: the rest of the run is probably waiting on this straggler.
    else this.#requeue(item, true);
  }

  #cancelRun(run: Run): void {
    if (run.settled) return;
    const unfinished = [...run.items.keys()].filter((k) => !run.done.has(k));
    this.#log.info(`run ${run.id} cancelled (${unfinished.length} job(s) unfinished)`);
    this.#failRun(run, new RunCancelled(unfinished.length, unfinished[0]));
  }

  #failRun(run: Run, err: Error): void {
    if (run.settled) return;
    run.settled = true;
    this.#runs.delete(run);
    this.#queue = this.#queue.filter((it) => it.run !== run);
    for (const item of run.items.values()) {
      item.queued = false;
      if (item.lease) this.#revoke(item.lease);
    }
    run.reject(err);
    this.#pump();
  }
}

/** The Executor face of a coordinator: what runPlan and the Lab use. */
export class DistributedExecutor implements Executor {
  constructor(readonly coordinator: Coordinator) {}

  run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    return this.coordinator.submit(jobs, data, hooks, this).done;
  }

  cancel(): void {
    this.coordinator.cancelRuns(this);
  }
}
