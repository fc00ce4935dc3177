/**
 * The Lab API on the far side of a WebSocket (`optlab serve`): a LabConnection whose every
 * method is a call frame (shared/lab-rpc.ts) and whose errors are OptLabErrors rebuilt from
 * their data. Usable from the browser and from Node: it opens sockets through the factory it
 * is given (`(url) => new WebSocket(url)`, or the `ws` package's in Node 20), and imports no
 * Node or DOM module.
 *
 * When the socket drops, calls in flight fail with E_DISCONNECTED and the client reconnects
 * (waiting 0.2 s, doubling to 5 s); `onState` says when it is open again, which is when a
 * screen resyncs with `snapshot()` (see ExperimentMonitor in shared/lab-monitor.ts).
 */
import type { LabConnection, LabEvent, LabMethod } from './lab-api.ts';
import { fromErrorData, OptLabError } from './lab-errors.ts';
import { LAB_METHODS } from './lab-rpc.ts';

/** The part of the WebSocket interface the client uses (the browser's and `ws`'s both have it). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface LabClientOptions {
  /** `ws://127.0.0.1:PORT/api?token=…` (ServedLab.apiUrl). */
  url: string;
  socket: SocketFactory;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean;
  /** First wait before reconnecting (ms, default 200), doubled each try up to maxDelayMs (default 5000). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface LabClient extends LabConnection {
  /** Resolves once the first connection is open; rejects (E_DISCONNECTED) if it never opens. */
  readonly ready: Promise<void>;
  readonly state: ConnectionState;
  /** The seq of the last event received. */
  readonly lastSeq: number;
  /** Calls `listener` on every change of the connection's state; returns the function that stops it. */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Closes the connection for good. */
  close(): void;
}

const OPEN = 1;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** A client of a served Lab; see LabClientOptions. */
export function labClient(o: LabClientOptions): LabClient {
  const listeners = new Set<(e: LabEvent) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let socket: SocketLike | undefined;
  let state: ConnectionState = 'connecting';
  let lastSeq = 0;
  let nextId = 1;
  let closed = false;
  let everOpen = false;
  let delay = o.minDelayMs ?? 200;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settleReady!: { resolve(): void; reject(e: Error): void };
  const ready = new Promise<void>((resolve, reject) => (settleReady = { resolve, reject }));
  ready.catch(() => {});

  const setState = (s: ConnectionState) => {
    if (s === state) return;
    state = s;
    for (const l of [...stateListeners]) l(s);
  };

  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new OptLabError('E_DISCONNECTED', why));
    pending.clear();
  };

  const onFrame = (data: unknown) => {
    let frame: unknown;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as Record<string, unknown>;
    if (f.event !== undefined) {
      const e = f.event as LabEvent;
      if (typeof e.seq === 'number') lastSeq = Math.max(lastSeq, e.seq);
      for (const l of [...listeners]) l(e);
      return;
    }
    const p = typeof f.id === 'number' ? pending.get(f.id) : undefined;
    if (!p) return;
    pending.delete(f.id as number);
    if (f.error !== undefined) p.reject(fromErrorData(f.error));
    else p.resolve(f.result);
  };

  const open = () => {
    if (closed) return;
    setState('connecting');
    const s = o.socket(o.url);
    socket = s;
    s.onopen = () => {
      everOpen = true;
      delay = o.minDelayMs ?? 200;
      setState('open');
      settleReady.resolve();
    };
    s.onmessage = (ev) => onFrame(ev.data);
    s.onerror = () => {};
    s.onclose = (ev) => {
      if (socket !== s) return;
      socket = undefined;
      failAll(`the connection to the Lab was lost (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`);
      if (!everOpen)
        settleReady.reject(
          new OptLabError(
            'E_DISCONNECTED',
            `cannot connect to the Lab at ${o.url.replace(/token=[^&]*/, 'token=…')} (${ev.code})`,
          ),
        );
      if (closed || o.reconnect === false || !everOpen) {
        closed = true;
        return setState('closed');
      }
      setState('connecting');
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, o.maxDelayMs ?? 5000);
    };
  };

  const call = (method: LabMethod, params: unknown[]): Promise<unknown> => {
    const s = socket;
    if (!s || s.readyState !== OPEN)
      return Promise.reject(
        new OptLabError('E_DISCONNECTED', `not connected to the Lab (${state}); ${method} was not sent`),
      );
    const id = nextId++;
    // Trailing absent arguments are left out; an absent one in between crosses as null.
    let n = params.length;
    while (n > 0 && params[n - 1] === undefined) n--;
    const frame = JSON.stringify({ id, method, params: params.slice(0, n) });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      try {
        s.send(frame);
      } catch (e) {
        pending.delete(id);
        reject(new OptLabError('E_DISCONNECTED', e instanceof Error ? e.message : String(e)));
      }
    });
  };

  const base = {
    ready,
    get state() {
      return state;
    },
    get lastSeq() {
      return lastSeq;
    },
    subscribe(listener: (e: LabEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onState(listener: (s: ConnectionState) => void) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'client closing');
      socket = undefined;
      failAll('the client was closed');
      setState('closed');
    },
  };
  // Every method of the contract, by name: a call frame with its arguments.
  for (const m of Object.keys(LAB_METHODS) as LabMethod[])
    Object.defineProperty(base, m, { value: (...params: unknown[]) => call(m, params), enumerable: true });
  const client = base as unknown as LabClient;
  open();
  return client;
}
