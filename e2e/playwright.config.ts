/**
 * End-to-end tests: Debian's Chromium (never a downloaded browser) driving the built renderer
 * served by `npm start`'s server on 127.0.0.1. `npm test` builds the renderer first and picks
 * the port (OPTLAB_E2E_PORT); run alone, `npx playwright test -c e2e/playwright.config.ts`
 * serves whatever dist/renderer holds (building it when missing).
 */
import { defineConfig } from '@playwright/test';

const port = Number(process.env.OPTLAB_E2E_PORT ?? 5181);

/** Launch flags that keep Chromium quiet on a machine with no network (STACK.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // The machine is shared and slow: one test at a time, generous time limits.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: [['list'], ['./count-reporter.ts']],
  outputDir: '../dist/e2e-results',
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    viewport: { width: 1440, height: 900 },
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    acceptDownloads: true,
    trace: 'off',
  },
  webServer: {
    command: `node scripts/start.mjs --port ${port}`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
