/**
 * The Lab API served over a WebSocket (browser mode's transport): one HTTP server on
 * 127.0.0.1 whose `/api` path upgrades to a WebSocket carrying shared/lab-rpc.ts frames.
 *
 * Trust: a random session token per start (in the URL the user is shown) is required to
 * upgrade, compared in constant time; the `Origin` must be the server's own page (or absent,
 * as from a program rather than a browser); every frame is size-capped; every call's
 * arguments are checked against their schema before the Lab sees them. A frame that is not
 * a call closes its own connection, never another's, and never stops a run. A client that
 * reads too slowly is dropped rather than allowed to fill the Lab's memory.
 *
 * Before the token is proven (the coordinator's rules, app/coordinator/coordinator.ts): a
 * connection holds at most its request's headers (Node's 16 KiB cap) and never a body (a
 * request with one is answered 413 and closed, unread); a connection that has not sent a whole
 * request within `authTimeoutMs` is closed; at most `maxPending` such connections wait at once
 * (`maxPendingPerAddress` from one address off this machine), the rest are refused as they
 * come; and the lines about strangers are rate-limited (a few per window, then one summary).
 *
 * HTTP requests other than the upgrade go to `http` (the seam where the renderer's static
 * files plug in, with their CSP); without one they get 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { LabApi, LabEvent, LabEventSource } from '../../shared/lab-api.ts';
import { errorData, OptLabError } from '../../shared/lab-errors.ts';
import { isLoopback, plainAddress } from '../coordinator/connection.ts';
import { LimitedLog } from '../coordinator/log-limit.ts';
import {
  API_PATH,
  MAX_API_FRAME_BYTES,
  argumentProblems,
  parseCall,
  type AnswerFrame,
  type EventFrame,
} from '../../shared/lab-rpc.ts';

/** Answers an HTTP request that is not the API's upgrade; returns false to leave it to the 404. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface ServeOptions {
  /** Port (default 0: any free one). */
  port?: number;
  /** Interface (default 127.0.0.1: this machine only). */
  host?: string;
  /** The session token (default: 32 random bytes, hex, new at every start). */
  token?: string;
  /** Largest frame accepted (default MAX_API_FRAME_BYTES). */
  maxFrameBytes?: number;
  /** Calls one connection may have in flight before it is closed as abusive. */
  maxInFlight?: number;
  /** Bytes queued to one slow client before it is dropped. */
  maxBufferedBytes?: number;
  /** Other HTTP requests: the renderer's static files (issue 11) plug in here. */
  http?: HttpHandler;
  /** Lines about refused connections and dropped clients (default: stderr). */
  log?: (line: string) => void;
  /** Connections that have not proven the token (nor sent a whole request) waiting at once (default 64). */
  maxPending?: number;
  /** Of those, from one address that is not this machine's (default 8). */
  maxPendingPerAddress?: number;
  /** Time a connection has to send a whole request (the upgrade with the token, or a page's GET), in ms (default 10 s). */
  authTimeoutMs?: number;
}

export interface ServedLab {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  token: string;
  /** The page a user opens: `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  /** Where the API's WebSocket is: `ws://127.0.0.1:PORT/api?token=…`. */
  apiUrl: string;
  /** Connections open now. */
  connections(): number;
  /** Connections that have sent no whole request yet (for tests and diagnostics). */
  pendingConnections(): number;
  /** Closes every connection and the port (the Lab stays open: its owner closes it). */
  close(): Promise<void>;
}

/** WebSocket close codes this server uses besides the standard ones. */
export const CLOSE = { badFrame: 4003, tooManyCalls: 4008, slowClient: 4009 } as const;

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(socket: Duplex, status: number, why: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`,
  );
  socket.destroy();
}

/** Serves `lab` until close(); resolves once it listens. */
export async function serveLab(lab: LabApi & LabEventSource, o: ServeOptions = {}): Promise<ServedLab> {
  const token = o.token ?? randomBytes(32).toString('hex');
  const host = o.host ?? '127.0.0.1';
  const maxFrame = o.maxFrameBytes ?? MAX_API_FRAME_BYTES;
  const maxInFlight = o.maxInFlight ?? 256;
  const maxBuffered = o.maxBufferedBytes ?? 64 * 1024 * 1024;
  const log = o.log ?? ((l: string) => console.error(l));
  const maxPending = o.maxPending ?? 64;
  const maxPendingPerAddress = o.maxPendingPerAddress ?? 8;
  const authTimeoutMs = o.authTimeoutMs ?? 10_000;
  const strangers = new LimitedLog({ info: log, warn: log });
  const sockets = new Set<WebSocket>();
  let origins: string[] = [];
  let closing = false;

  /** Connections that have sent no whole request yet: when they came, and from where. */
  const pending = new Map<Socket, { address: string; openedAt: number }>();
  const pendingByAddress = new Map<string, number>();
  const settled = (socket: Socket) => {
    const p = pending.get(socket);
    if (!p) return;
    pending.delete(socket);
    const n = (pendingByAddress.get(p.address) ?? 1) - 1;
    if (n > 0) pendingByAddress.set(p.address, n);
    else pendingByAddress.delete(p.address);
  };

  const server: Server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    settled(req.socket);
    // Nothing here takes a body (pages are GETs, calls go over the WebSocket): one is never read.
    const length = Number(req.headers['content-length'] ?? 0);
    if (req.headers['transfer-encoding'] !== undefined || length !== 0) {
      res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end('no request bodies here\n', () => req.socket.destroy());
      return;
    }
    void (async () => {
      try {
        if (o.http && (await o.http(req, res))) return;
      } catch (e) {
        log(`serve: ${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!res.headersSent) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`not found; the Lab API is a WebSocket at ${API_PATH}\n`);
      }
    })();
  });
  // Compression off: a small compressed frame could inflate past the cap.
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrame, perMessageDeflate: false });

  // Node's own clocks for what follows a first request (keep-alive): headers in time, or closed.
  server.headersTimeout = authTimeoutMs;
  server.requestTimeout = Math.max(authTimeoutMs, 30_000);

  server.on('connection', (socket: Socket) => {
    const address = plainAddress(socket.remoteAddress);
    const here = pendingByAddress.get(address) ?? 0;
    const total = pending.size >= maxPending;
    const perAddress = !isLoopback(address) && here >= maxPendingPerAddress;
    if (closing || total || perAddress) {
      if (!closing)
        strangers.warn(
          `serve: refused a connection from ${address}: ${total ? `${pending.size} connections` : `${here} connections from that address`} have sent no request yet (at most ${total ? maxPending : maxPendingPerAddress})`,
          'over the limit of waiting connections',
        );
      socket.destroy();
      return;
    }
    pending.set(socket, { address, openedAt: performance.now() });
    pendingByAddress.set(address, here + 1);
    socket.once('close', () => settled(socket));
  });

  // Connections that say nothing in time are closed; the summary of held-back lines is written.
  const watchdog = setInterval(
    () => {
      strangers.flush();
      const now = performance.now();
      for (const [socket, p] of pending)
        if (now - p.openedAt > authTimeoutMs) {
          strangers.warn(
            `serve: closed a connection from ${p.address}: no request within ${authTimeoutMs / 1000} s`,
            'no request in time',
          );
          socket.destroy();
          settled(socket);
        }
    },
    Math.min(1000, Math.max(50, authTimeoutMs / 4)),
  );
  watchdog.unref();

  server.on('upgrade', (req, socket, head) => {
    settled(req.socket);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const from = plainAddress(req.socket.remoteAddress);
    if (url.pathname !== API_PATH) return refuse(socket, 404, `no WebSocket at ${url.pathname}`);
    if (!sameToken(url.searchParams.get('token') ?? '', token)) {
      strangers.warn(`serve: refused a connection from ${from}: wrong or missing token`, 'wrong or missing token');
      return refuse(socket, 401, 'wrong or missing session token');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.includes(origin)) {
      strangers.warn(`serve: refused a connection from ${from}: foreign origin ${origin}`, 'foreign origin');
      return refuse(socket, 403, `origin ${origin} is not allowed`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    sockets.add(ws);
    let inFlight = 0;
    const send = (frame: AnswerFrame | EventFrame) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        log('serve: dropped a client that does not read its messages');
        ws.close(CLOSE.slowClient, 'too slow');
        setTimeout(() => ws.terminate(), 2000).unref();
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    const off = lab.subscribe((event: LabEvent) => send({ event }));
    ws.on('close', () => {
      off();
      sockets.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return void ws.close(CLOSE.badFrame, 'frames are JSON text');
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      const call = parseCall(text);
      if ('problem' in call) return void ws.close(CLOSE.badFrame, call.problem.slice(0, 120));
      if (++inFlight > maxInFlight)
        return void ws.close(CLOSE.tooManyCalls, `more than ${maxInFlight} calls in flight`);
      void (async () => {
        try {
          const problems = argumentProblems(call.method, call.params);
          if (problems.length) throw OptLabError.withProblems('E_BAD_ARGS', `${call.method}: bad arguments`, problems);
          const methods = lab as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
          // An absent optional argument in the middle crosses as null; the Lab takes it as absent.
          const result = await methods[call.method](...call.params.map((p) => (p === null ? undefined : p)));
          send({ id: call.id, result: result ?? null });
        } catch (e) {
          send({ id: call.id, error: errorData(e) });
        } finally {
          inFlight--;
        }
      })();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const origin = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  origins = [origin, `http://localhost:${port}`, `http://127.0.0.1:${port}`];
  return {
    origin,
    port,
    token,
    url: `${origin}/?token=${token}`,
    apiUrl: `${origin.replace(/^http/, 'ws')}${API_PATH}?token=${token}`,
    connections: () => sockets.size,
    pendingConnections: () => pending.size,
    async close() {
      closing = true;
      clearInterval(watchdog);
      strangers.flush(true);
      for (const socket of pending.keys()) socket.destroy();
      for (const ws of sockets) {
        ws.close(1001, 'the Lab is closing');
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
