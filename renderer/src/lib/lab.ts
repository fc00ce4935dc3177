/**
 * The renderer's one door to the Lab. The transport is chosen once, on first use, and no
 * screen knows which it got (screens call `lab()`):
 * - the desktop app's preload exposes the Lab's calls as named functions
 *   (`window.optlabBridge`, see app/electron/preload.ts); each answers `{ result }` or
 *   `{ error }`, and the error is rebuilt here as the OptLabError it was;
 * - browser mode (`optlab serve`) hands the page a session token in the fragment; it is kept
 *   in sessionStorage (a reloaded tab reconnects without it in the address), and the page
 *   opens the Lab's WebSocket on its own origin (shared/lab-client.ts);
 * - with neither, there is no Lab: the Playground and Optimizer Paths still work, the Lab's
 *   screens are not offered.
 */
import type { LabConnection, LabEvent, LabMethod } from '../../../shared/lab-api.ts';
import { labClient, type ConnectionState, type LabClient, type SocketLike } from '../../../shared/lab-client.ts';
import { fromErrorData } from '../../../shared/lab-errors.ts';
import { API_PATH, LAB_METHODS } from '../../../shared/lab-rpc.ts';

export type { LabConnection };

/** One call's answer as the preload hands it over: a result, or an error as data. */
export type BridgeAnswer = { result: unknown } | { error: unknown };

/** What the desktop app's preload exposes on `window.optlabBridge`. */
export interface LabBridge {
  /** One function per LabApi method, same name, same arguments. */
  calls: Record<LabMethod, (...args: unknown[]) => Promise<BridgeAnswer>>;
  /** Calls `listener` with every Lab event; returns the function that stops it. */
  subscribe(listener: (event: LabEvent) => void): () => void;
}

/** How the page reaches its Lab (for the shell's status line only, never for a screen's logic). */
export type LabTransport = 'desktop' | 'browser' | 'none';

/** The LabApi over the preload's named functions: a rejected call carries the Lab's own error. */
export function bridgeLab(bridge: LabBridge): LabClient {
  let lastSeq = 0;
  const lab: Record<string, unknown> = {
    // The desktop app's Lab is there from the start and for the app's whole life.
    ready: Promise.resolve(),
    state: 'open' satisfies ConnectionState,
    get lastSeq() {
      return lastSeq;
    },
    subscribe: (l: (e: LabEvent) => void) =>
      bridge.subscribe((e) => {
        lastSeq = Math.max(lastSeq, e.seq);
        l(e);
      }),
    onState: () => () => {},
    close: () => {},
  };
  for (const m of Object.keys(LAB_METHODS) as LabMethod[]) {
    lab[m] = async (...args: unknown[]) => {
      const fn = bridge.calls[m];
      if (typeof fn !== 'function') throw fromErrorData({ code: 'E_INTERNAL', message: `the desktop app has no ${m}` });
      const answer = await fn(...args);
      if ('error' in answer) throw fromErrorData(answer.error);
      return answer.result;
    };
  }
  return lab as unknown as LabClient;
}

/** Picks the transport: the preload's bridge, else a session token, else none. */
export function connectLab(token: string | null): { transport: LabTransport; lab: LabClient | null } {
  const bridge = (globalThis as { optlabBridge?: LabBridge }).optlabBridge;
  if (bridge) return { transport: 'desktop', lab: bridgeLab(bridge) };
  if (token) {
    const url = `${location.origin.replace(/^http/, 'ws')}${API_PATH}?token=${encodeURIComponent(token)}`;
    // The DOM's handlers take an Event where SocketLike's take unknown: the same calls.
    return { transport: 'browser', lab: labClient({ url, socket: (u) => new WebSocket(u) as unknown as SocketLike }) };
  }
  return { transport: 'none', lab: null };
}

const TOKEN_KEY = 'optlab.token';
let chosen: { transport: LabTransport; lab: LabClient | null } | null = null;

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Keeps the session token a link handed over (the router takes it out of the address) for this tab. */
export function rememberToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // No storage (a locked-down browser): the Lab is reachable until the next reload only.
    if (token && !chosen) chosen = connectLab(token);
  }
}

/** The transport and the Lab, chosen on first use. */
export function labHandle(): { transport: LabTransport; lab: LabClient | null } {
  chosen ??= connectLab(storedToken());
  return chosen;
}

/** Whether this page has a Lab to talk to. */
export function hasLab(): boolean {
  return labHandle().lab !== null;
}

/** The connection to the Lab. Throws when the page has none. */
export function lab(): LabClient {
  const l = labHandle().lab;
  if (!l) throw new Error('this page was not opened with a Lab (run `optlab serve` and open the address it prints)');
  return l;
}
