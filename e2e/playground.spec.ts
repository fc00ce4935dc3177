/**
 * The Playground (issue 12 §4): Play trains (the loss falls, the heatmap changes), Pause stops
 * the counter, Step trains exactly one epoch, the run bar works from the keyboard, and the
 * spec it shows gives the same numbers in `optlab train`, to the bit.
 */
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canvasDigest, epochShown, playgroundReady, watchErrors } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('play: the loss falls and the heatmap changes; pause stops the epoch counter', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/playground?epochs=2000');
  await playgroundReady(page);
  expect(await epochShown(page)).toBe(0);
  const before = await canvasDigest(page, 'decision-map');

  await page.getByTestId('step').click();
  await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
  const first = Number(await page.getByTestId('train-loss').textContent());
  expect(first).toBeGreaterThan(0);

  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await expect.poll(() => epochShown(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(60);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText('Play');
  // An epoch already let through may still arrive; after that the counter must stand still.
  await page.waitForTimeout(500);
  const paused = await epochShown(page);
  await page.waitForTimeout(2000);
  expect(await epochShown(page)).toBe(paused);

  const later = Number(await page.getByTestId('train-loss').textContent());
  expect(later).toBeLessThan(first);
  expect(await canvasDigest(page, 'decision-map')).not.toBe(before);
  // The curves were drawn: the loss chart's canvas is not blank.
  expect(await canvasDigest(page, 'loss-chart')).not.toBe(await blankDigest(page, 'loss-chart'));
  errors.check();
});

/** The digest of a blank canvas of the same size as the one in `testid`. */
async function blankDigest(page: import('@playwright/test').Page, testid: string): Promise<string> {
  return page
    .locator(`[data-testid="${testid}"] canvas`)
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = new Uint8ClampedArray(c.width * c.height * 4);
      let h = 0x811c9dc5;
      for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
      return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
    });
}

test('step advances exactly one epoch', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/playground');
  await playgroundReady(page);
  for (const n of [1, 2, 3]) {
    await page.getByTestId('step').click();
    await expect(page.getByTestId('epoch')).toContainText(`epoch ${n} /`);
  }
  await page.waitForTimeout(1500);
  expect(await epochShown(page)).toBe(3);
  errors.check();
});

test('keyboard: Reset, Play and Step are reached with Tab and work with Space and Enter; Space and → work on the page', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('#/playground');
  await playgroundReady(page);
  const focusedTestId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
  /** Presses Tab until the element with `testid` has the focus (within 40 presses). */
  async function tabTo(testid: string) {
    for (let i = 0; i < 40; i++) {
      if ((await focusedTestId()) === testid) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${testid}`);
  }
  await tabTo('step');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
  await page.keyboard.press('Shift+Tab');
  expect(await focusedTestId()).toBe('play');
  await page.keyboard.press('Space');
  await expect.poll(() => epochShown(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play')).toHaveText('Play');
  await page.keyboard.press('Shift+Tab');
  expect(await focusedTestId()).toBe('reset');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('epoch')).toContainText('epoch 0 /');

  // With the focus on the page itself: Space plays and pauses, → steps.
  await playgroundReady(page);
  await page.locator('h2', { hasText: 'Output' }).click();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play')).toHaveText('Pause');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play')).toHaveText('Play');
  errors.check();
});

test('the spec the Playground shows gives the same numbers in optlab train, to the bit', async ({ page }, info) => {
  const errors = watchErrors(page);
  // A network with every part that draws random numbers or behaves differently in training:
  // dropout, batch norm, input noise, mixup, label smoothing, L2 and AdamW.
  const q =
    'data=spirals&n=240&noise=0.15&test=0.25&seed=11&hidden=12,8&act=relu&dropout=0.1&bn=1' +
    '&l2=0.0005&inoise=0.05&ls=0.1&mixup=0.3&opt=adamw&lr=0.02&bs=16&epochs=25';
  await page.goto(`#/playground?${q}`);
  await playgroundReady(page);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toContainText('finished 25 epochs', { timeout: 90_000 });

  await page.getByText('Spec of this run').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('download-run').click();
  const file = await (await download).path();
  const run = JSON.parse(readFileSync(file, 'utf8')) as {
    spec: Record<string, unknown>;
    kernels: { name: string };
    history: Record<string, number>[];
  };
  expect(run.kernels.name).toBe('wasm-simd');
  expect(run.history).toHaveLength(25);
  // The spec shown on the page is the spec of the run.
  expect(JSON.parse((await page.getByTestId('spec-json').textContent()) ?? '')).toEqual(run.spec);

  const dir = mkdtempSync(join(tmpdir(), 'optlab-e2e-'));
  try {
    const specFile = join(dir, 'playground-spec.json');
    writeFileSync(specFile, JSON.stringify(run.spec));
    const cli = spawnSync(process.execPath, [join(ROOT, 'bin/optlab.mjs'), 'train', specFile, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, OPTLAB_KERNELS: 'wasm-simd' },
    });
    expect(cli.status, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { history: Record<string, number>[] };
    info.annotations.push({
      type: 'compared',
      description: `${out.history.length} epochs × ${Object.keys(out.history[0]).length} numbers`,
    });
    // Every number of every epoch, as JSON writes doubles: equal text means equal bits.
    expect(JSON.stringify(run.history)).toBe(JSON.stringify(out.history));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  errors.check();
});

test('a deep link restores the Playground: data, model, optimizer keywords and stop rule', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/playground');
  await playgroundReady(page);
  await page.getByTestId('data-xor').click();
  await page.getByTestId('optimizer').selectOption('sgd');
  await page.getByTestId('kw-momentum').fill('0.9');
  await page.getByTestId('kw-momentum').press('Enter');
  await page.getByTestId('reg-l2').check();
  await page.locator('#stop-rule').selectOption('early');
  await playgroundReady(page);
  await expect(page).toHaveURL(/data=xor.*o\.momentum=0\.9/);
  const url = page.url();
  const spec = await page.getByTestId('spec-json').textContent();

  await page.reload();
  await playgroundReady(page);
  expect(page.url()).toBe(url);
  expect(await page.getByTestId('spec-json').textContent()).toBe(spec);
  expect(JSON.parse(spec ?? '')).toMatchObject({
    dataset: { name: 'xor', valFraction: 0.2 },
    optimizer: { name: 'sgd', momentum: 0.9 },
    regularization: { l2: 0.001 },
    training: { earlyStopping: { monitor: 'val_loss' } },
  });
  await expect(page.getByTestId('data-xor')).toHaveAttribute('aria-pressed', 'true');
  errors.check();
});
