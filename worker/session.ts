/**
 * One connection to the Lab: the handshake (the Lab's kernels, then the token proved by HMAC),
 * the heartbeat, and the Lab's messages, each decoded and validated before it is acted on.
 * A bad frame closes this connection only; the worker decides whether to open another.
 */
import WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import { useKernels } from '../shared/linalg/use-kernels.ts';
import { PROTOCOL_VERSION, type BackendSpec, type LabMessage, type WelcomeMsg } from '../shared/protocol.ts';
import { CodecError, decodeMessage, encodeMessage } from '../shared/codec.ts';
import { validateLabMessage } from '../shared/protocol-validate.ts';
import { hmacHex } from './auth.ts';
import { seconds, type JobLink, type JobRunner } from './jobs.ts';

/** A server that upgrades but never sends a challenge is given up on after this long (and retried: a Lab may be busy). */
const CHALLENGE_TIMEOUT_MS = 15_000;

/** How a connection ended: the Lab went away, refused this worker, or the worker drained. */
export type Outcome = 'lost' | 'refused' | 'drained';

export interface Connection extends JobLink {
  ws: WebSocket;
  ready: boolean;
  closed: boolean;
  outcome?: Outcome;
  heartbeat?: NodeJS.Timeout;
  lastPong: number;
}

export interface SessionOptions {
  /** Told to the Lab in hello (absent: the CPU). */
  backend?: { spec: BackendSpec };
  url: string;
  token: string;
  name: string;
  slots: number;
  maxFrameBytes: number;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What a session needs of the worker that opened it. */
export interface SessionHooks {
  draining(): boolean;
  /** The Lab accepted this worker. */
  welcomed(): void;
}

export class Session {
  readonly conn: Connection;
  /** Settles when the connection has closed. */
  readonly outcome: Promise<Outcome>;
  readonly #o: SessionOptions;
  readonly #jobs: JobRunner;
  readonly #hooks: SessionHooks;
  /** The Lab's challenge arrived: this is an OptLab Lab. Until then, anything else means it is not. */
  #challenged = false;

  constructor(o: SessionOptions, jobs: JobRunner, hooks: SessionHooks) {
    this.#o = o;
    this.#jobs = jobs;
    this.#hooks = hooks;
    const ws = new WebSocket(o.url, {
      maxPayload: o.maxFrameBytes + 1,
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    const conn: Connection = {
      ws,
      ready: false,
      closed: false,
      pending: new Map(),
      lastPong: performance.now(),
      send: (msg) => {
        if (conn.closed || ws.readyState !== WebSocket.OPEN) return false;
        ws.send(encodeMessage(msg, o.maxFrameBytes));
        return true;
      },
      close: (code, reason) => ws.close(code, reason),
    };
    this.conn = conn;
    this.outcome = new Promise((resolve) => {
      let why = '';
      ws.on('message', (data, isBinary) => {
        try {
          this.#onFrame(data, isBinary);
        } catch (e) {
          o.out(`internal error on a message from the Lab: ${e instanceof Error ? e.stack : String(e)}`);
        }
      });
      ws.on('pong', () => (conn.lastPong = performance.now()));
      // Answers that no OptLab Lab gives: retrying cannot help, and a worker must not keep
      // knocking at someone else's server.
      ws.on('unexpected-response', (req, res) => {
        this.#foreign(
          `it answered HTTP ${res.statusCode}${res.statusMessage ? ` ${res.statusMessage}` : ''} instead of a WebSocket`,
        );
        req.destroy(new Error(`HTTP ${res.statusCode}`));
      });
      let upgraded = false;
      ws.on('upgrade', () => (upgraded = true));
      const silent = setTimeout(() => {
        if (this.#challenged || conn.closed) return;
        why = `no challenge within ${CHALLENGE_TIMEOUT_MS / 1000} s`;
        ws.terminate();
      }, CHALLENGE_TIMEOUT_MS);
      ws.on('error', (e) => {
        why = e.message;
        const code = (e as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('HPE_')) this.#foreign(`it does not speak HTTP (${e.message})`);
        // A handshake the server got wrong (no code: not a network error), after it agreed to upgrade.
        else if (upgraded && !this.#challenged && code === undefined) this.#foreign(e.message);
      });
      ws.on('close', (code, reason) => {
        clearTimeout(silent);
        conn.closed = true;
        clearInterval(conn.heartbeat);
        jobs.linkLost(conn);
        if (conn.outcome === undefined) {
          if (hooks.draining()) conn.outcome = 'drained';
          else {
            conn.outcome = 'lost';
            const detail = why || `${code}${reason.length ? ` ${reason.toString()}` : ''}`;
            o.out(conn.ready ? `lost the Lab (${detail})` : `cannot reach the Lab at ${o.url}: ${detail}`);
          }
        }
        resolve(conn.outcome);
      });
    });
  }

  #protocolError(why: string): void {
    if (!this.#challenged) return this.#foreign(`its first message is not an OptLab challenge (${why})`);
    this.#o.out(`the Lab sent a bad message (${why}); reconnecting`);
    this.conn.ws.close(1002, 'protocol error');
  }

  /** The server at the URL is not an OptLab Lab: say so once and stop (exit code 2). */
  #foreign(detail: string): void {
    const conn = this.conn;
    if (conn.outcome !== undefined) return;
    conn.outcome = 'refused';
    this.#o.err(`optlab worker: not an OptLab Lab at ${this.#o.url}: ${detail}`);
    conn.ws.terminate();
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const conn = this.conn;
    if (conn.closed) return;
    if (!isBinary) return this.#protocolError('a text frame');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    let msg: LabMessage;
    try {
      msg = decodeMessage(bytes, this.#o.maxFrameBytes) as LabMessage;
    } catch (e) {
      return this.#protocolError(e instanceof CodecError ? `${e.code}: ${e.message}` : String(e));
    }
    const problems = validateLabMessage(msg);
    if (problems.length) return this.#protocolError(`${String(msg.type)}: ${problems.slice(0, 3).join('; ')}`);
    if (!this.#challenged && msg.type !== 'challenge') return this.#protocolError(`"${msg.type}" before the challenge`);
    if (!conn.ready && msg.type !== 'challenge' && msg.type !== 'welcome' && msg.type !== 'error') {
      return this.#protocolError(`"${msg.type}" before welcome`);
    }
    switch (msg.type) {
      case 'challenge': {
        this.#challenged = true;
        // Every thread of an experiment must train with the Lab's kernels, or results would differ in their last bits.
        try {
          const k = useKernels(msg.kernels.name, msg.kernels.build);
          this.#jobs.startThreads({ name: k.name, build: k.build });
        } catch (e) {
          conn.outcome = 'refused';
          this.#o.err(
            `optlab worker: cannot train with the Lab's kernels (${msg.kernels.name}${msg.kernels.build ? ` build ${msg.kernels.build}` : ''}): ${e instanceof Error ? e.message : String(e)}`,
          );
          conn.ws.close();
          break;
        }
        conn.send({
          type: 'hello',
          version: PROTOCOL_VERSION,
          name: this.#o.name,
          slots: this.#o.slots,
          hmac: hmacHex(this.#o.token, msg.nonce),
          ...(this.#o.backend && this.#o.backend.spec.name !== 'cpu' ? { backend: this.#o.backend.spec } : {}),
        });
        break;
      }
      case 'welcome':
        this.#welcome(msg);
        break;
      case 'job':
        this.#jobs.take(conn, msg);
        break;
      case 'data':
        this.#jobs.dataArrived(conn, msg.hash, msg.dataset);
        break;
      case 'cancel':
        this.#jobs.cancel(conn, msg.id);
        break;
      case 'error':
        if (msg.code === 'E_AUTH' || msg.code === 'E_VERSION') {
          conn.outcome = 'refused';
          this.#o.err(`optlab worker: the Lab at ${this.#o.url} refused this worker: ${msg.code}: ${msg.message}`);
        } else if (msg.id !== undefined && msg.code === 'E_NO_DATA') {
          this.#jobs.dataRefused(conn, msg.id, msg.message);
        } else this.#o.out(`the Lab reports ${msg.code}: ${msg.message}`);
        break;
    }
  }

  #welcome(msg: WelcomeMsg): void {
    const conn = this.conn;
    conn.ready = true;
    this.#o.out(
      `connected to ${this.#o.url} as "${this.#o.name}" (${msg.workerId}, ${this.#o.slots} slot${this.#o.slots === 1 ? '' : 's'})`,
    );
    // The Lab goes silent without closing when its machine vanishes; pings notice that.
    const silentMs = Math.max(10 * msg.heartbeatMs, 15_000);
    conn.heartbeat = setInterval(() => {
      conn.send({ type: 'heartbeat', running: this.#jobs.heldIds(conn) });
      if (performance.now() - conn.lastPong > silentMs) {
        this.#o.out(`the Lab has not answered for ${seconds(silentMs)} s`);
        conn.ws.terminate();
      } else conn.ws.ping();
    }, msg.heartbeatMs);
    this.#hooks.welcomed();
  }
}
