#!/usr/bin/env node
// `npm run screenshots`: builds the renderer, serves it on 127.0.0.1 and saves a PNG of every
// screen at 1440×900 into screenshots/ (git-ignored), the Playground and the paths mid-run.
// Debian's Chromium drives it (OPTLAB_CHROMIUM overrides the path); nothing is downloaded.
import { register } from 'tsx/esm/api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

register();
const { buildRenderer } = await import('../app/web/build.ts');
const { serveRenderer } = await import('../app/web/static.ts');

const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url));
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The epoch the Playground shows. */
async function epoch(page) {
  const text = (await page.getByTestId('epoch').textContent()) ?? '';
  return Number((text.match(/epoch\s+(\d+)/) ?? [])[1] ?? NaN);
}

/** Plays the Playground until it has trained `n` epochs, then pauses. */
async function trainTo(page, n) {
  await page.getByTestId('play').waitFor();
  // Polled from outside: the page's CSP forbids the string evaluation waitForFunction uses.
  for (const t0 = Date.now(); await page.getByTestId('play').isDisabled();) {
    if (Date.now() - t0 > 60_000) throw new Error('the Playground did not get ready');
    await page.waitForTimeout(100);
  }
  await page.getByTestId('play').click();
  const t0 = Date.now();
  while ((await epoch(page)) < n) {
    // A stop rule may end the run sooner.
    if ((await page.getByTestId('status').textContent())?.includes('Run over')) return;
    if (Date.now() - t0 > 120_000) throw new Error(`the Playground did not reach epoch ${n}`);
    await page.waitForTimeout(100);
  }
  await page.getByTestId('play').click();
  await page.waitForTimeout(400);
}

const SHOTS = [
  {
    file: 'playground-moons.png',
    hash: '#/playground?hidden=12,12&epochs=400',
    async act(page) {
      await trainTo(page, 160);
    },
  },
  {
    file: 'playground-spirals-regularized.png',
    hash: '#/playground?data=spirals&n=500&noise=0.12&test=0.3&hidden=24,24,12&act=relu&dropout=0.1&l2=0.0005&lr=0.01&bs=16&epochs=400&stop=early&patience=60',
    async act(page) {
      await trainTo(page, 220);
    },
  },
  {
    file: 'paths-rosenbrock.png',
    hash: '#/paths?t=260',
    async act() {},
  },
  {
    file: 'paths-quadratic-momentum-map.png',
    hash: '#/paths?fn=quadratic&t=120&show=gd%2Cmomentum%2Cnag%2Crmsprop%2Cadam',
    async act(page) {
      const box = await page.locator('[data-testid="momentum-map"] .u-over').boundingBox();
      if (box) await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
      await page.waitForTimeout(300);
    },
  },
  {
    file: 'paths-beale.png',
    hash: '#/paths?fn=beale&t=180',
    async act() {},
  },
  {
    file: 'playground-dark.png',
    hash: '#/playground?data=circles&epochs=200',
    scheme: 'dark',
    async act(page) {
      await trainTo(page, 80);
    },
  },
];

console.log('building the renderer…');
await buildRenderer((line) => console.log(line));
mkdirSync(OUT, { recursive: true });
const server = await serveRenderer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ARGS,
});
let failed = 0;
try {
  for (const shot of SHOTS) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: shot.scheme ?? 'light',
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(server.url + shot.hash);
      await page.waitForTimeout(800);
      await shot.act(page);
      const path = join(OUT, shot.file);
      await page.screenshot({ path });
      console.log(`${path}${errors.length ? `  (page errors: ${errors.join('; ')})` : ''}`);
      if (errors.length) failed++;
    } catch (e) {
      failed++;
      console.error(`${shot.file}: ${e instanceof Error ? e.message : e}`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
