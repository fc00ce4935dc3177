/**
 * The built renderer's files (dist/renderer), as `optlab serve` hands them out in browser mode
 * and the desktop app from its `app://` scheme. Files only, read-only: GET and HEAD, no
 * directory listings, nothing outside the root, the renderer's security headers on every answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** The Content-Type of a renderer file, by its extension. */
export function contentType(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` that the URL path `pathname` names (`/` is index.html), or null when
 * it names nothing there: undecodable, a NUL, or outside the root (`..`, encoded or not).
 * Whether the file exists is the caller's business.
 */
export function rendererFile(root: string, pathname: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const base = resolve(root);
  const file = resolve(base, '.' + normalize(path));
  return file !== base && file.startsWith(base + sep) ? file : null;
}

/**
 * A request handler for the files under `root`, for `optlab serve`'s HTTP server (browser
 * mode). It answers GET and HEAD of paths that exist (`/` is index.html) and refuses other
 * methods (405), returning true; a GET of anything else it leaves alone and returns false,
 * so that the server answers it (a 404).
 */
export function rendererHandler(root: string = RENDERER_DIR) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...RENDERER_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' });
      res.end('method not allowed\n');
      return true;
    }
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = rendererFile(root, pathname);
    if (!file) return false;
    let body: Buffer;
    try {
      if (!(await stat(file)).isFile()) return false;
      body = await readFile(file);
    } catch {
      return false;
    }
    // Hashed assets never change; index.html must be fetched again to see a new build.
    const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, {
      ...RENDERER_HEADERS,
      'Content-Type': contentType(file),
      'Content-Length': body.length,
      'Cache-Control': cache,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
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
