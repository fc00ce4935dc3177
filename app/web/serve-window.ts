/**
 * Browser mode: the built window and a Lab on one port, one HTTP server (app/api/server.ts)
 * with the renderer's files plugged into its request hook. `optlab serve` runs it, and so do
 * the programs that drive the window (screenshots, the UI benchmark, tests), which pass a
 * library in memory (`:memory:`) or in a temporary folder.
 */
import { openLab, type LabHandle, type LabOptions } from '../lab.ts';
import { serveLab, type ServedLab } from '../api/server.ts';
import { RENDERER_DIR, rendererHandler } from './static.ts';

export interface WindowServerOptions {
  /** The library file (default: the user's library, as `optlab` picks it; `:memory:` for none on disk). */
  db?: string;
  /** The Lab's options (default: fits in a worker thread, no local workers, quiet). */
  lab?: LabOptions;
  /** Port (default 0: any free one); `fallback` takes any free one when this one is taken. */
  port?: number;
  fallback?: boolean;
  /** The built renderer (default dist/renderer); null serves the API alone. */
  root?: string | null;
  /** Lines about refused connections. */
  log?: (line: string) => void;
}

export interface WindowServer {
  lab: LabHandle;
  served: ServedLab;
  /** `http://127.0.0.1:PORT/`: the window without a Lab (its in-page screens only). */
  origin: string;
  /** The window with this start's session token in the fragment: the Lab's screens too. */
  url: string;
  /** Stops serving, then closes the Lab (what runs is cancelled, what finished is kept). */
  close(): Promise<void>;
}

export async function serveWindow(o: WindowServerOptions = {}): Promise<WindowServer> {
  const quiet = { info: () => {}, warn: () => {} };
  const lab = openLab(o.db, { fitsInThread: true, logger: quiet, ...o.lab });
  const root = o.root === undefined ? RENDERER_DIR : o.root;
  const options = { log: o.log, http: root === null ? undefined : rendererHandler(root) };
  let served: ServedLab;
  try {
    try {
      served = await serveLab(lab, { ...options, port: o.port ?? 0 });
    } catch (e) {
      if (!o.fallback || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      served = await serveLab(lab, { ...options, port: 0 });
    }
  } catch (e) {
    await lab.close();
    throw e;
  }
  return {
    lab,
    served,
    origin: `${served.origin}/`,
    url: served.url,
    async close() {
      await served.close();
      await lab.close();
    },
  };
}
