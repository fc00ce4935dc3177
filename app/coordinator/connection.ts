/**
 * One worker's connection as the coordinator sees it: its state from challenge to close, how
 * frames go out to it, and the checks every frame from it passes before anything looks at it.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { ErrorCode, LabMessage, WorkerMessage } from '../../shared/protocol.ts';
import { CodecError, decodeMessage, encodeMessage } from '../../shared/codec.ts';
import { LIMITS, validateWorkerMessage } from '../../shared/protocol-validate.ts';
import type { Conn, WorkerInfo } from './types.ts';

export type { Conn };

/** A frame that passed every check, or the error the connection is closed with. */
export type Frame = { msg: WorkerMessage } | { code: ErrorCode; message: string };

/**
 * Frames before `hello` are tiny (a hello is well under 1 KiB); a stranger does not get to
 * make the Lab hold 64 MiB. ws enforces it when a frame's header arrives (the server's
 * maxPayload); raiseMaxPayload lifts it for a connection that has proved the token.
 */
export const PRE_AUTH_MAX_BYTES = 16 * 1024;

/** ws keeps maxPayload per server; an authenticated connection gets the frame limit (ws 8: its receiver's cap, read as each frame's length arrives). */
export function raiseMaxPayload(ws: WebSocket, bytes: number): void {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (typeof receiver?._maxPayload !== 'number')
    throw new Error('cannot raise the frame limit of an authenticated connection (ws internals changed?)');
  receiver._maxPayload = bytes;
}

/** 127.0.0.0/8 and ::1: this machine. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

const CLOSE_CODES: Partial<Record<ErrorCode, number>> = {
  E_AUTH: 4001,
  E_VERSION: 4002,
  E_BAD_FRAME: 4003,
  E_TOO_BIG: 4004,
  E_OUT_OF_ORDER: 4005,
};

export function plainAddress(a: string | undefined): string {
  if (!a) return 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** A new connection, challenged with a fresh nonce and nobody until it answers. */
export function openConn(id: string, ws: WebSocket, address: string, socket?: Socket): Conn {
  const now = performance.now();
  return {
    id,
    ws,
    socket,
    address,
    state: 'challenged',
    nonce: randomBytes(32).toString('hex'),
    openedAt: now,
    lastSeen: now,
    name: '',
    slots: 0,
    leases: new Map(),
    done: 0,
    failed: 0,
    draining: false,
    joinedAt: 0,
    dataSent: new Set(),
    backend: { name: 'cpu' },
  };
}

/** Where a connection comes from, for log lines: its address and, once known, its worker's name. */
export function peer(conn: Conn): string {
  return `${conn.address}${conn.name ? ` (worker "${conn.name}")` : ''}`;
}

export function workerInfo(c: Conn): WorkerInfo {
  return {
    id: c.id,
    name: c.name,
    address: c.address,
    slots: c.slots,
    running: [...c.leases.values()].map((l) => l.item.job.key),
    done: c.done,
    failed: c.failed,
    draining: c.draining,
    joinedAt: c.joinedAt,
    backend: c.backend,
    heartbeatAgeMs: Math.max(0, Math.round(performance.now() - c.lastSeen)),
  };
}

export function sendTo(conn: Conn, msg: LabMessage, maxFrame: number): void {
  if (conn.state === 'closed') return;
  conn.ws.send(encodeMessage(msg, maxFrame));
}

/** Tells the worker why and closes the socket; one that does not complete the close is cut off. */
export function closeWith(conn: Conn, code: ErrorCode, message: string, maxFrame: number): void {
  sendTo(conn, { type: 'error', code, message: message.slice(0, LIMITS.message) }, maxFrame);
  conn.ws.close(CLOSE_CODES[code] ?? 1008, code);
  setTimeout(() => conn.ws.terminate(), 2000).unref();
}

/** Size-caps, decodes and schema-checks one incoming frame. */
export function readFrame(conn: Conn, data: RawData, isBinary: boolean, maxFrame: number): Frame {
  if (!isBinary) return { code: 'E_BAD_FRAME', message: 'text frames are not part of the protocol' };
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (conn.state !== 'ready' && bytes.length > PRE_AUTH_MAX_BYTES) {
    return {
      code: 'E_TOO_BIG',
      message: `a frame of ${bytes.length} bytes before hello (at most ${PRE_AUTH_MAX_BYTES})`,
    };
  }
  let msg: WorkerMessage;
  try {
    msg = decodeMessage(bytes, maxFrame) as WorkerMessage;
  } catch (e) {
    if (e instanceof CodecError) return { code: e.code, message: e.message };
    return { code: 'E_BAD_FRAME', message: e instanceof Error ? e.message : String(e) };
  }
  const problems = validateWorkerMessage(msg);
  if (problems.length) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    return {
      code: 'E_BAD_FRAME',
      message: `invalid "${String(msg.type).slice(0, 40)}" message: ${problems.slice(0, 5).join('; ')}${more}`,
    };
  }
  return { msg };
}
