/**
 * HTTP headers for the renderer's pages, shared by every server that serves them (the static
 * server here, `optlab serve`, the Vite dev server).
 *
 * Cross-origin isolation (COOP + COEP) is not optional: the Playground's Web Worker pauses
 * between epochs on a SharedArrayBuffer, which browsers only allow in an isolated page.
 */

/** Makes the page cross-origin isolated (SharedArrayBuffer, Atomics.wait in workers). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/**
 * Everything comes from this origin: scripts (plus compiling the WebAssembly kernels), the
 * worker, styles (inline style attributes are how Svelte and uPlot size elements), images
 * drawn in the page, and the Lab's WebSocket on the same host and port. No plugins, no
 * framing, no forms posting elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every response that serves the built renderer. */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...ISOLATION_HEADERS,
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
});
