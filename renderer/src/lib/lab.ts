/**
 * The page's one way to the Lab: a LabConnection over `optlab serve`'s WebSocket on the
 * page's own origin, with the session token the page was opened with. The token is kept in
 * sessionStorage so that a reloaded window (same tab) reconnects without it in the address.
 * Screens call `lab()` and never know the transport.
 */
import type { LabConnection } from '../../../shared/lab-api.ts';
import { labClient, type LabClient, type SocketLike } from '../../../shared/lab-client.ts';

const KEY = 'optlab.token';
let client: LabClient | null = null;

/** Remembers the token a link handed over (the router takes it out of the address). */
export function rememberToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
}

/** Whether this page was given a Lab to talk to. */
export function hasLab(): boolean {
  return sessionStorage.getItem(KEY) !== null;
}

/** The connection to the Lab (opened on first use). Throws when the page has no token. */
export function lab(): LabClient {
  if (client) return client;
  const token = sessionStorage.getItem(KEY);
  if (!token)
    throw new Error('this page was not opened with a Lab (run `optlab serve` and open the address it prints)');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  client = labClient({
    url: `${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`,
    // The DOM's handlers take an Event where SocketLike's take unknown: the same calls.
    socket: (u) => new WebSocket(u) as unknown as SocketLike,
  });
  return client;
}

export type { LabConnection };
