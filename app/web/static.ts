/**
 * Serves the built renderer (dist/renderer) over plain Node http: `npm start` uses it alone
 * today, and a server that also speaks the Lab API calls `rendererHandler` for every request
 * that is not its own. Files only, read-only: GET and HEAD, no directory listings, nothing
 * outside the root, the renderer's security headers on every answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_HEADERS } from './headers.ts';

/** Where `npm run build` puts the renderer. */
export const RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A request handler for the files under `root`. It answers GET and HEAD of paths that exist
 * (`/` is index.html) and returns true; anything else it leaves alone and returns false, so
 * that the caller can answer it (an API route, or a 404).
 */
export function rendererHandler(root: string = RENDERER_DIR) {
  const base = resolve(root);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    if (path.includes('\0')) return false;
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, '.' + normalize(path));
    if (file !== base && !file.startsWith(base + sep)) return false;
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return false;
      body = await readFile(file);
    } catch {
      return false;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // Hashed assets never change; index.html must be fetched again to see a new build.
    const cache = path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, {
      ...RENDERER_HEADERS,
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': cache,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

export interface RendererServer {
  /** The page's address, e.g. http://127.0.0.1:5170/. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves the renderer alone on `host` (127.0.0.1 unless told otherwise) at `port`; when that
 * port is taken and `fallback` is true, on a free one instead.
 */
export async function serveRenderer(
  options: { root?: string; host?: string; port?: number; fallback?: boolean } = {},
): Promise<RendererServer> {
  const root = options.root ?? RENDERER_DIR;
  const host = options.host ?? '127.0.0.1';
  const handle = rendererHandler(root);
  const server = createServer((req, res) => {
    handle(req, res).then(
      (done) => {
        if (done) return;
        const allowed = req.method === 'GET' || req.method === 'HEAD';
        res.writeHead(allowed ? 404 : 405, {
          ...RENDERER_HEADERS,
          'Content-Type': 'text/plain; charset=utf-8',
          ...(allowed ? {} : { Allow: 'GET, HEAD' }),
        });
        res.end(allowed ? 'not found\n' : 'method not allowed\n');
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      },
    );
  });
  const listen = (port: number) =>
    new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, host, () => {
        server.off('error', fail);
        ok();
      });
    });
  try {
    await listen(options.port ?? 0);
  } catch (e) {
    if (!(options.fallback && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')) throw e;
    await listen(0);
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Whether the renderer has been built (its index.html exists under `root`). */
export async function rendererBuilt(root: string = RENDERER_DIR): Promise<boolean> {
  try {
    return (await stat(join(root, 'index.html'))).isFile();
  } catch {
    return false;
  }
}
