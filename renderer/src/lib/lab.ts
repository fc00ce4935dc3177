/**
 * The renderer's one door to the Lab. The transport is chosen once, at startup, and no screen
 * knows which it got:
 * - the desktop app's preload exposes the Lab's calls as named functions
 *   (`window.optlabBridge`, see app/electron/preload.ts); each answers `{ result }` or
 *   `{ error }`, and the error is rebuilt here as the OptLabError it was;
 * - browser mode (`optlab serve`) hands the page a session token in the fragment, and the
 *   page opens the Lab's WebSocket on its own origin (shared/lab-client.ts);
 * - with neither (the renderer served alone), there is no Lab: the Playground and Optimizer
 *   Paths still work, the Lab's screens are not offered.
 */
import type { LabConnection, LabEvent, LabMethod } from '../../../shared/lab-api.ts';
import { labClient, type ConnectionState, type SocketLike } from '../../../shared/lab-client.ts';
import { fromErrorData } from '../../../shared/lab-errors.ts';
import { API_PATH, LAB_METHODS } from '../../../shared/lab-rpc.ts';

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

export interface LabHandle {
  transport: LabTransport;
  /** The Lab, or null when the page has none. */
  lab: LabConnection | null;
  /** Resolves once the Lab can be called (at once in the desktop app); rejects when it cannot be reached. */
  ready: Promise<void>;
  /** Calls `listener` when the connection opens, drops or comes back (browser mode); returns the function that stops it. */
  onState(listener: (state: ConnectionState) => void): () => void;
}

/** The LabApi over the preload's named functions: the rejected call carries the Lab's own error. */
export function bridgeLab(bridge: LabBridge): LabConnection {
  const lab: Record<string, unknown> = { subscribe: (l: (e: LabEvent) => void) => bridge.subscribe(l) };
  for (const m of Object.keys(LAB_METHODS) as LabMethod[]) {
    lab[m] = async (...args: unknown[]) => {
      const fn = bridge.calls[m];
      if (typeof fn !== 'function') throw fromErrorData({ code: 'E_INTERNAL', message: `the desktop app has no ${m}` });
      const answer = await fn(...args);
      if ('error' in answer) throw fromErrorData(answer.error);
      return answer.result;
    };
  }
  return lab as unknown as LabConnection;
}

/** Picks the transport: the preload's bridge, else a token handed in the fragment, else none. */
export function connectLab(token: string | null): LabHandle {
  const bridge = (globalThis as { optlabBridge?: LabBridge }).optlabBridge;
  if (bridge)
    return { transport: 'desktop', lab: bridgeLab(bridge), ready: Promise.resolve(), onState: () => () => {} };
  if (token) {
    const url = `${location.origin.replace(/^http/, 'ws')}${API_PATH}?token=${encodeURIComponent(token)}`;
    const client = labClient({ url, socket: (u) => new WebSocket(u) as unknown as SocketLike });
    return { transport: 'browser', lab: client, ready: client.ready, onState: (l) => client.onState(l) };
  }
  return { transport: 'none', lab: null, ready: Promise.resolve(), onState: () => () => {} };
}

const TOKEN_KEY = 'optlab.token';

/**
 * The session token to use: the one just handed in the fragment (kept for this tab, so that a
 * reload still reaches the Lab, never written into the address again), else the tab's last.
 */
export function rememberToken(handed: string | null): string | null {
  try {
    if (handed) sessionStorage.setItem(TOKEN_KEY, handed);
    return handed ?? sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return handed;
  }
}
