/**
 * The Playground (issue 12 §4): Play trains (the loss falls, the heatmap changes), Pause stops
 * the counter, Step trains exactly one epoch, the run bar works from the keyboard, and the
 * spec it shows gives the same numbers in `optlab train`, to the bit; "Save as experiment" and
 * "Sweep this…" give experiments that `optlab run` runs; a CSV imported into the Lab trains
 * in the Playground when it has 2 features and a class label, and is refused, with the
 * reason, when it has more.
 */
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canvasDigest, epochShown, playgroundReady, watchErrors } from './helpers.ts';
import { serveLab, stopLab } from './lab.ts';

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

test('Save as experiment gives a spec optlab run accepts, with every number of the Playground spec; Sweep this… sweeps the chosen field', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('#/playground?data=moons&n=120&hidden=4&epochs=3&bs=16&opt=sgd&lr=0.05&o.momentum=0.9&l2=0.001');
  await playgroundReady(page);
  const shown = JSON.parse((await page.getByTestId('spec-json').textContent()) ?? '') as Record<string, unknown>;

  // The page is served alone (no Lab, so no Builder): the experiment comes as a file.
  let download = page.waitForEvent('download');
  await page.getByTestId('save-experiment').click();
  const saved = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as Record<string, unknown>;
  await expect(page.getByTestId('experiment-note')).toContainText('optlab run playground-experiment.json');
  // Every field of the run's spec, with the same numbers; cross-validated on 5 stratified folds.
  const { evaluation, ...rest } = saved;
  expect(rest).toEqual(shown);
  expect(evaluation).toEqual({ kind: 'kfold', k: 5, stratified: true });

  await page.getByTestId('sweep-this').click();
  await page.getByTestId('sweep-field').selectOption('model.dropout');
  await expect(page.getByTestId('sweep-values')).toHaveText('over 0, 0.1, 0.2, 0.3, 0.5');
  download = page.waitForEvent('download');
  await page.getByTestId('sweep-go').click();
  const swept = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as Record<string, unknown>;
  expect(swept.sweep).toEqual({ 'model.dropout': [0, 0.1, 0.2, 0.3, 0.5] });

  const dir = mkdtempSync(join(tmpdir(), 'optlab-e2e-'));
  try {
    for (const [name, spec, configurations] of [
      ['saved', saved, 1],
      ['swept', swept, 5],
    ] as const) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(spec));
      const cli = spawnSync(
        process.execPath,
        [join(ROOT, 'bin/optlab.mjs'), 'run', file, '--workers', '0', '--db', join(dir, 'lab.db'), '--json', '--quiet'],
        { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const out = JSON.parse(cli.stdout) as { evaluation: string; configurations: { splits: string[] }[] };
      expect(out.evaluation).toBe('5-fold stratified');
      expect(out.configurations.map((c) => c.splits.length)).toEqual(Array<number>(configurations).fill(5));
    }
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

/** 40 points on either side of the line x₂ = x₁ (the classes "above" and "below"; none on it), and a 3-feature file. */
const TWO_FEATURES = [
  'x1,x2,side',
  ...Array.from({ length: 40 }, (_, i) => {
    const x1 = ((i * 7) % 20) / 4 - 2.5;
    const x2 = ((i * 13) % 20) / 4 - 2.4;
    return `${x1},${x2},${x2 > x1 ? 'above' : 'below'}`;
  }),
].join('\n');
const THREE_FEATURES = ['a,b,c,label', ...Array.from({ length: 12 }, (_, i) => `${i},${i % 3},${i % 5},${i % 2}`)].join(
  '\n',
);

test('an imported 2-column CSV is a Playground data set and trains; a 3-feature one is refused with its reason', async ({
  page,
}) => {
  const lab = await serveLab(0);
  try {
    const errors = watchErrors(page);
    // Imported through the Lab (the Library's CSV import calls importCsv).
    await page.goto(lab.url);
    for (const [name, text] of [
      ['plane.csv', TWO_FEATURES],
      ['wide.csv', THREE_FEATURES],
    ]) {
      await page.getByTestId('csv-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.getByRole('button', { name: `Import ${name}` }).click();
      await expect(page.getByText(`Imported ${name.replace('.csv', '')}:`)).toBeVisible();
    }

    await page.goto(`${lab.origin}/#/playground?epochs=25`);
    const thumb = page.getByTestId('data-csv-plane');
    await expect(thumb).toBeVisible();
    await expect(page.getByTestId('refused-sets')).toContainText(
      'wide: 3 feature columns: the Playground draws 2-D data (2 numeric columns and a class label)',
    );
    await expect(page.getByTestId('data-csv-wide')).toHaveCount(0);

    await thumb.click();
    await expect(thumb).toHaveAttribute('aria-pressed', 'true');
    await playgroundReady(page);
    await expect(page.getByTestId('imported-about')).toContainText('plane: 40 points, 2 classes (above, below)');
    const spec = JSON.parse((await page.getByTestId('spec-json').textContent()) ?? '') as {
      dataset: Record<string, unknown>;
    };
    expect(spec.dataset).toMatchObject({ name: 'csv', testFraction: 0.5, standardize: true });
    expect(spec.dataset.hash).toMatch(/^[0-9a-f]{16}$/);
    await expect(page).toHaveURL(new RegExp(`data=csv&csv=${String(spec.dataset.hash)}`));

    const before = await canvasDigest(page, 'decision-map');
    await page.getByTestId('step').click();
    await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
    const first = Number(await page.getByTestId('train-loss').textContent());
    await page.getByTestId('play').click();
    await expect(page.getByText('Run over: finished 25 epochs.')).toBeVisible({ timeout: 60_000 });
    expect(Number(await page.getByTestId('train-loss').textContent())).toBeLessThan(first);
    expect(await canvasDigest(page, 'decision-map')).not.toBe(before);
    errors.check();
  } finally {
    await stopLab(lab);
  }
});

// This file's Chromium has no WebGPU adapter (no --enable-unsafe-webgpu): see playground-webgpu.spec.ts for one.
test('without a WebGPU adapter the Playground says CPU and why, and trains', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/playground?engine=webgpu');
  await playgroundReady(page);
  await expect(page.getByTestId('engine')).toHaveText('engine: CPU (WebAssembly)');
  await expect(page.getByTestId('engine-reason')).toContainText('no WebGPU adapter');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
  errors.check();
});
