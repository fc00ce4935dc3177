#!/usr/bin/env node
// `npm run screenshots`: builds the renderer, serves it on 127.0.0.1 and saves a PNG of every
// screen at 1440×900: the Playground and the paths mid-run into screenshots/ (git-ignored);
// the Lab's screens (Library, Builder, Monitor mid-run, Report of a finished batch-size study
// and its signature figure, Compare), on a library in memory with two local workers, into
// docs/images/lab-*.png, which README.md shows. `--lab` takes only the Lab's screens.
// Debian's Chromium drives it (OPTLAB_CHROMIUM overrides the path); nothing is downloaded.
import { register } from 'tsx/esm/api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

register();
const { buildRenderer } = await import('../app/web/build.ts');
const { serveWindow } = await import('../app/web/serve-window.ts');

const OUT = fileURLToPath(new URL('../screenshots/', import.meta.url));
const DOCS = fileURLToPath(new URL('../docs/images/', import.meta.url));
const LAB_ONLY = process.argv.includes('--lab');
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

/**
 * A batch-size study with a small budget: three spirals, batches of 4, 16, 64 and all rows,
 * three folds, each trained to train_loss ≤ 0.15 or 300 epochs: a real run in under a minute.
 */
const BATCH_SPEC = {
  name: 'Batch size and sharpness on spirals (small budget)',
  study: 'batch-size',
  seed: 1,
  dataset: { name: 'spirals', samples: 300, noise: 0.1, testFraction: 0.3 },
  model: { kind: 'mlp', hidden: [32, 32], activation: 'relu' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.005 },
  training: { epochs: 300, batchSize: 8, target: { monitor: 'train_loss', value: 0.15 } },
  evaluation: { kind: 'kfold', k: 3, stratified: true },
  analysis: { sharpness: { epsilons: [0.001] }, hessian: { iterations: 30 }, keepWeights: true },
  sweep: { 'training.batchSize': [4, 16, 64, 'full'] },
};

/** Waits (polling from outside: the CSP forbids waitForFunction's string evaluation). */
async function until(what, test, ms = 180_000) {
  for (const t0 = Date.now(); !(await test());) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The Lab's screens, each showing real runs; returns how many shots failed. */
async function labShots(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const at = (route, query = '') =>
    `${server.served.origin}/#/${route}?token=${server.served.token}${query ? `&${query}` : ''}`;
  const shoot = async (file) => {
    await page.waitForTimeout(700);
    const path = join(DOCS, file);
    await page.screenshot({ path });
    console.log(`${path}${errors.length ? `  (page errors: ${errors.join('; ')})` : ''}`);
  };
  const done = async () => Number(await page.getByTestId('progress').getAttribute('aria-valuenow'));
  mkdirSync(DOCS, { recursive: true });
  try {
    // A finished study: the batch-size one, from the Builder.
    await page.goto(at('builder', `spec=${encodeURIComponent(JSON.stringify(BATCH_SPEC))}`));
    await page.getByRole('button', { name: 'Save & run' }).click();
    await page.getByRole('button', { name: 'Open report' }).waitFor({ timeout: 180_000 });

    // The Monitor mid-run: the optimizers study started from its card, cancelled after the shot.
    await page.goto(at('library'));
    await page.getByRole('button', { name: 'Run the optimizers study' }).click();
    await page.getByTestId('progress').waitFor();
    await until('a tenth of the optimizers study', async () => {
      const total = Number(await page.getByTestId('progress').getAttribute('aria-valuemax'));
      return total > 0 && (await done()) >= total / 10;
    });
    await shoot('lab-monitor.png');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 60_000 });

    await page.goto(at('builder', 'from=1'));
    await page.getByRole('button', { name: 'Save & run' }).waitFor();
    await shoot('lab-builder.png');

    await page.goto(at('report', 'id=1'));
    await page.getByTestId('study-batch-size').locator('canvas').waitFor();
    await shoot('lab-report.png');
    await page.locator('#study-h').evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await shoot('lab-report-study.png');

    await page.goto(at('compare', 'ids=1&pick=1:0,1:3'));
    await page.getByTestId('compare-curves').locator('canvas').waitFor();
    await shoot('lab-compare.png');

    await page.goto(at('library'));
    await until(
      'the batch-size card drawn from the run',
      async () => (await page.getByTestId('thumb-batch-size').getAttribute('data-source')) === 'run',
    );
    await shoot('lab-library.png');
    return errors.length ? 1 : 0;
  } catch (e) {
    console.error(`the Lab's screens: ${e instanceof Error ? e.message : e}`);
    await page.screenshot({ path: join(OUT, 'lab-failed.png') }).catch(() => {});
    return 1;
  } finally {
    await context.close();
  }
}

console.log('building the renderer…');
await buildRenderer((line) => console.log(line));
mkdirSync(OUT, { recursive: true });
const server = await serveWindow({ db: ':memory:', lab: { defaultWorkers: 2 } });
const browser = await chromium.launch({
  executablePath: process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ARGS,
});
let failed = 0;
try {
  for (const shot of LAB_ONLY ? [] : SHOTS) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: shot.scheme ?? 'light',
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    try {
      await page.goto(server.origin + shot.hash);
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
  failed += await labShots(browser, server);
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
