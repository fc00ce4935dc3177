/**
 * The Lab's coordinator: a WebSocket server that leases jobs to worker processes (local or on
 * the LAN) and collects their results, seen by the rest of the Lab as an `Executor`.
 *
 * Trust: a connection is nobody until it proves the token (HMAC of a fresh nonce); every
 * frame is size-capped, decoded and schema-checked before it is looked at, and a message
 * that is malformed or not allowed in the connection's state closes that connection only.
 * The Lab goes on serving everyone else.
 *
 * Jobs: see queue.ts; connection.ts and dispatch.ts hold the per-connection rules this class wires.
 */
import { useFastKernels } from '../kernels.ts';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ErrorCode,
  type BackendSpec,
  type HelloMsg,
  type KernelsSpec,
} from '../../shared/protocol.ts';
import type { Executor, ExecutorHooks } from '../../shared/experiment/executor.ts';
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import { hmacMatches } from '../../worker/auth.ts';
import {
  closeWith,
  isLoopback,
  openConn,
  peer,
  plainAddress,
  PRE_AUTH_MAX_BYTES,
  raiseMaxPayload,
  readFrame,
  sendTo,
  workerInfo,
  type Conn,
} from './connection.ts';
import { LimitedLog } from './log-limit.ts';
import { dispatch, type DispatchContext } from './dispatch.ts';
import { CoordinatorError } from './errors.ts';
import { JobQueue } from './queue.ts';
import type { CoordinatorEvents, CoordinatorLogger, CoordinatorOptions, WorkerInfo } from './types.ts';

export { RunCancelled, JobFailedError, CoordinatorError } from './errors.ts';
export type { CoordinatorOptions, CoordinatorLogger, CoordinatorEvents, WorkerInfo } from './types.ts';

/** Log lines on stderr, so that stdout stays clean for `--json` output. */
export const stderrLogger: CoordinatorLogger = { info: (l) => console.error(l), warn: (l) => console.error(l) };

export class Coordinator extends EventEmitter<CoordinatorEvents> {
  /** What every worker is told to train with. */
  readonly #kernels: KernelsSpec;
  readonly token: string;
  #host: string;
  #port: number;
  readonly #heartbeatMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #helloTimeoutMs: number;
  readonly #maxFrame: number;
  readonly #log: CoordinatorLogger;
  readonly #jobs: JobQueue;
  readonly #dispatch: DispatchContext;
  readonly #maxPending: number;
  readonly #maxPendingPerAddress: number;
  /** TCP connections not yet authenticated (from accept to welcome), with the WebSocket once upgraded. */
  readonly #pending = new Map<Socket, { address: string; openedAt: number; conn?: Conn }>();
  readonly #pendingByAddress = new Map<string, number>();
  /** Warnings about connections that never authenticated, rate-limited. */
  readonly #strangers: LimitedLog;
  #server?: Server;
  #wss?: WebSocketServer;
  #boundPort = 0;
  #watch?: NodeJS.Timeout;
  #lastWatch = 0;
  readonly #conns = new Set<Conn>();
  #seq = 0;
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
    const maxAttempts = opts.maxAttempts ?? 3;
    this.#maxFrame = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#log = opts.logger ?? stderrLogger;
    this.#maxPending = opts.maxPending ?? 256;
    this.#maxPendingPerAddress = opts.maxPendingPerAddress ?? 16;
    this.#strangers = new LimitedLog(this.#log);
    if (!(maxAttempts >= 1)) throw new CoordinatorError(`maxAttempts must be at least 1, got ${maxAttempts}`);
    this.#jobs = new JobQueue({
      workers: this.#conns,
      nextId: () => ++this.#seq,
      leaseTimeoutMs: opts.leaseTimeoutMs ?? 0,
      maxAttempts,
      maxFrame: this.#maxFrame,
      log: this.#log,
    });
    this.#dispatch = {
      jobs: this.#jobs,
      log: this.#log,
      maxFrame: this.#maxFrame,
      refuse: (conn, code, message) => this.#refuse(conn, code, message),
      hello: (conn, msg) => this.#hello(conn, msg),
    };
  }

  /**
   * Starts listening; resolves with the URL local workers connect to.
   *
   * The HTTP server is ours rather than ws's, so that every TCP connection is counted from
   * accept until it authenticates (limits per address and in total), and frames before hello
   * are capped by ws itself at PRE_AUTH_MAX_BYTES when their header arrives, before their
   * payload is read: a stranger never makes the Lab hold more than that. Each connection's
   * cap is raised to the frame limit once it has proved the token.
   */
  async listen(): Promise<string> {
    if (this.#wss) throw new CoordinatorError('already listening');
    await this.#open();
    this.#lastWatch = performance.now();
    this.#watch = setInterval(() => this.#watchdog(), Math.min(this.#heartbeatMs, 500));
    return this.url;
  }

  /**
   * Moves to another address (LAN mode on or off) or port. Connected workers stay connected
   * and keep their jobs; new ones connect at the new address.
   */
  async relisten(to: { host: string; port?: number }): Promise<string> {
    if (!this.#wss || this.#closed) throw new CoordinatorError('not listening');
    const old = this.#wss;
    const oldServer = this.#server;
    this.#wss = undefined;
    // The old server stops accepting at once; its connections (workers) live on, so its
    // 'close', which waits for them, is not awaited.
    old.close();
    oldServer?.close();
    await new Promise((r) => setImmediate(r));
    this.#host = to.host;
    this.#port = to.port ?? this.#boundPort;
    await this.#open();
    return this.url;
  }

  #open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((_req, res) => {
        const body = STATUS_CODES[426]!;
        res.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': body.length, Connection: 'close' });
        res.end(body);
      });
      server.on('connection', (socket: Socket) => this.#tcp(socket));
      // Compression is off: a small compressed frame could inflate past the size cap.
      const wss = new WebSocketServer({
        server,
        maxPayload: PRE_AUTH_MAX_BYTES + 1,
        perMessageDeflate: false,
        clientTracking: false,
      });
      this.#server = server;
      this.#wss = wss;
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        server.on('error', (e) => this.#log.warn(`coordinator: ${e.message}`));
        wss.on('error', (e) => this.#log.warn(`coordinator: ${e.message}`));
        this.#boundPort = (server.address() as AddressInfo).port;
        this.#log.info(`coordinator listening on ${this.#host}:${this.#boundPort}`);
        resolve();
      });
      wss.on('connection', (ws, req) => this.#accept(ws, req.socket, plainAddress(req.socket.remoteAddress)));
      server.listen(this.#port, this.#host);
    });
  }

  /** Connections that have not proved the token yet (for tests and diagnostics). */
  get pendingConnections(): number {
    return this.#pending.size;
  }

  /** A new TCP connection: counted as pending, or refused at once past the limits. */
  #tcp(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress);
    const here = this.#pendingByAddress.get(address) ?? 0;
    const total = this.#pending.size >= this.#maxPending;
    // Local workers all start at once from this machine: its address has only the total limit.
    const perAddress = !isLoopback(address) && here >= this.#maxPendingPerAddress;
    if (this.#closed || total || perAddress) {
      if (!this.#closed)
        this.#strangers.warn(
          `refused a connection from ${address}: ${total ? `${this.#pending.size} connections` : `${here} connections from that address`} are waiting to authenticate (at most ${total ? this.#maxPending : this.#maxPendingPerAddress})`,
          'over the limit of waiting connections',
        );
      socket.destroy();
      return;
    }
    this.#pending.set(socket, { address, openedAt: performance.now() });
    this.#pendingByAddress.set(address, here + 1);
    socket.once('close', () => this.#settled(socket));
  }

  /** A connection authenticated or closed: it no longer counts as pending. */
  #settled(socket: Socket | undefined): void {
    const p = socket && this.#pending.get(socket);
    if (!p) return;
    this.#pending.delete(socket);
    const n = (this.#pendingByAddress.get(p.address) ?? 1) - 1;
    if (n > 0) this.#pendingByAddress.set(p.address, n);
    else this.#pendingByAddress.delete(p.address);
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
      for (const a of list ?? [])
        if (a.family === 'IPv4' && !a.internal) out.push(`ws://${a.address}:${this.#boundPort}`);
    }
    return out;
  }

  workers(): WorkerInfo[] {
    return [...this.#conns].filter((c) => c.state === 'ready').map(workerInfo);
  }

  /**
   * An Executor whose runs go to this coordinator's workers; its cancel() touches only its own
   * runs. With `backend`, its jobs go only to workers on that back end; without, a run takes the
   * back end of the first worker that leases one of its jobs, and keeps it.
   */
  executor(backend?: BackendSpec['name']): DistributedExecutor {
    return new DistributedExecutor(this, backend);
  }

  /**
   * Queues the jobs of one run. `done` resolves with every result (in arrival order) or
   * rejects with the first unrecoverable failure; `cancel` stops it (workers are told).
   */
  submit(
    jobs: Job[],
    data: ReadonlyMap<string, Dataset>,
    hooks: ExecutorHooks = {},
    owner?: DistributedExecutor,
    backend?: BackendSpec['name'],
  ): { done: Promise<JobResult[]>; cancel(): void } {
    return this.#jobs.submit(jobs, data, hooks, owner, backend);
  }

  /** Cancels the pending runs of one executor (all runs when none is named). */
  cancelRuns(owner?: DistributedExecutor): void {
    this.#jobs.cancelRuns(owner);
  }

  /** Stops serving: pending runs reject, workers are disconnected (local ones then exit), the port is freed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    this.#jobs.close();
    for (const c of [...this.#conns]) {
      c.ws.close(1001, 'lab closing');
      this.#drop(c, 'the Lab is closing');
      // A worker that does not complete the closing handshake must not hold the server open.
      setTimeout(() => c.ws.terminate(), 1000).unref();
    }
    for (const socket of this.#pending.keys()) socket.destroy();
    const wss = this.#wss;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    const server = this.#server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(ws: WebSocket, socket: Socket, address: string): void {
    if (this.#closed) return void ws.terminate();
    const conn = openConn(`w${++this.#seq}`, ws, address, socket);
    const pending = this.#pending.get(socket);
    if (pending) pending.conn = conn;
    this.#conns.add(conn);
    ws.on('message', (data, isBinary) => this.#onFrame(conn, data, isBinary));
    ws.on('error', (e) => {
      if (conn.state === 'closed') return;
      const line = `connection from ${peer(conn)}: ${e.message}`;
      if (conn.state === 'ready') return this.#log.warn(line);
      this.#strangers.warn(line, e.message);
      // ws would read and discard the rest of a stranger's oversized frame while it waits for a
      // closing handshake; there is nothing to wait for.
      ws.terminate();
    });
    ws.on('close', (code, reason) =>
      this.#drop(
        conn,
        reason.length ? `closed the connection (${reason.toString().slice(0, 100)})` : `disconnected (${code})`,
      ),
    );
    sendTo(
      conn,
      { type: 'challenge', version: PROTOCOL_VERSION, nonce: conn.nonce, kernels: this.#kernels },
      this.#maxFrame,
    );
  }

  #hello(conn: Conn, msg: HelloMsg): void {
    const who = `worker "${msg.name}" from ${conn.address}`;
    if (msg.version !== PROTOCOL_VERSION) {
      return this.#refuse(
        conn,
        'E_VERSION',
        `protocol version ${msg.version}; this Lab speaks version ${PROTOCOL_VERSION}`,
        `refused ${who}: protocol version ${msg.version}, expected ${PROTOCOL_VERSION}`,
      );
    }
    if (!hmacMatches(this.token, conn.nonce, msg.hmac)) {
      return this.#refuse(conn, 'E_AUTH', 'wrong token', `refused ${who}: wrong token`);
    }
    // Proved: this connection may now send frames up to the frame limit, and no longer counts as waiting.
    raiseMaxPayload(conn.ws, this.#maxFrame + 1);
    this.#settled(conn.socket);
    conn.state = 'ready';
    conn.name = msg.name;
    conn.slots = msg.slots;
    conn.joinedAt = Date.now();
    conn.backend = msg.backend ?? { name: 'cpu' };
    sendTo(conn, { type: 'welcome', workerId: conn.id, heartbeatMs: this.#heartbeatMs }, this.#maxFrame);
    this.#log.info(
      `worker "${conn.name}" (${conn.id}) joined from ${conn.address} with ${conn.slots} slot${conn.slots === 1 ? '' : 's'}${conn.backend.name === 'webgpu' ? ` on WebGPU (${conn.backend.adapter}, ${conn.backend.tolerance})` : ''}`,
    );
    this.emit('worker-joined', workerInfo(conn));
    this.#jobs.pump();
  }

  #onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn.state === 'closed') return;
    conn.lastSeen = performance.now();
    const frame = readFrame(conn, data, isBinary, this.#maxFrame);
    if (!('msg' in frame)) return this.#refuse(conn, frame.code, frame.message);
    const { msg } = frame;
    try {
      dispatch(this.#dispatch, conn, msg);
    } catch (e) {
      // A bug here must cost one connection, not the Lab.
      this.#log.warn(
        `coordinator: internal error on "${msg.type}" from worker "${conn.name}": ${e instanceof Error ? e.stack : String(e)}`,
      );
      this.#refuse(conn, 'E_BAD_FRAME', 'the Lab could not process this message');
    }
  }

  /** Answers a violation with an error and closes that connection (its jobs are requeued). */
  #refuse(conn: Conn, code: ErrorCode, message: string, logLine?: string): void {
    if (conn.state === 'closed') return;
    const line = logLine ?? `closed the connection from ${peer(conn)}: ${code}: ${message}`;
    if (conn.state === 'ready') this.#log.warn(line);
    else this.#strangers.warn(line, code === 'E_AUTH' && message.startsWith('no hello') ? 'no hello in time' : code);
    closeWith(conn, code, message, this.#maxFrame);
    this.#drop(conn, `${code}: ${message}`);
  }

  #drop(conn: Conn, reason: string): void {
    if (conn.state === 'closed') return;
    const info = conn.state === 'ready' ? workerInfo(conn) : undefined;
    conn.state = 'closed';
    this.#conns.delete(conn);
    const requeued = this.#jobs.reclaim(conn, reason);
    if (info) {
      this.#log.info(
        `worker "${conn.name}" (${conn.id}) left: ${reason}${requeued ? `; ${requeued} job(s) requeued` : ''}`,
      );
      this.emit('worker-left', info, reason);
    }
    this.#jobs.pump();
  }

  #watchdog(): void {
    const now = performance.now();
    // After a long synchronous stretch in the Lab (its own event loop was stalled), frames
    // that arrived meanwhile have not been read yet: nobody is judged silent on that basis.
    const stalled = now - this.#lastWatch > 3 * Math.min(this.#heartbeatMs, 500) + 1000;
    this.#lastWatch = now;
    this.#strangers.flush();
    // A connection that never even completes the WebSocket handshake is cut off like one that never says hello.
    for (const [socket, p] of this.#pending) {
      if (stalled) p.openedAt = Math.max(p.openedAt, now);
      else if (!p.conn && now - p.openedAt > this.#helloTimeoutMs) {
        this.#strangers.warn(
          `closed a connection from ${p.address}: no WebSocket handshake within ${this.#helloTimeoutMs / 1000} s`,
          'no handshake in time',
        );
        socket.destroy();
        this.#settled(socket);
      }
    }
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
}

/** The Executor face of a coordinator: what runPlan and the Lab use. */
export class DistributedExecutor implements Executor {
  constructor(
    readonly coordinator: Coordinator,
    /** The back end its jobs must train on (any, the same for the whole run, when absent). */
    readonly backend?: BackendSpec['name'],
  ) {}

  run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    return this.coordinator.submit(jobs, data, hooks, this, this.backend).done;
  }

  cancel(): void {
    this.coordinator.cancelRuns(this);
  }
}
