/**
 * Builds the renderer (renderer/, Svelte 5) to static files in dist/renderer, which the Lab's
 * server (or the small static server of app/web) serves. The training core in shared/ is
 * bundled into the Playground's Web Worker as ES modules (it uses top-level await to load the
 * WebAssembly kernels).
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { ISOLATION_HEADERS, RENDERER_HEADERS } from './app/web/headers.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
    // Rolldown's notes on slow plugins are noise on a shared, slow machine.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: 'es' },
  // The Playground's worker pauses on a SharedArrayBuffer, which needs cross-origin isolation.
  // The dev server injects inline scripts for hot reloading, so it cannot send the CSP;
  // `vite preview` serves the build with the same headers as the Lab's server.
  server: { headers: ISOLATION_HEADERS, fs: { allow: [here('./')] } },
  preview: { headers: RENDERER_HEADERS },
});
