/** Issue 11's end-to-end tests 1 (first start) and 8 (export and import), on a fresh served Lab. */
import { readFileSync } from 'node:fs';
import { test, expect } from './lab.ts';
import { inkedPixels, jobsDone, watchErrors } from './helpers.ts';

test('first start: the empty library shows the studies; the optimizers study runs on wine from its card, progress advances live, the report has its table and charts, and the experiment is listed', async ({
  page,
  lab,
}) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.goto(lab.url);
  await expect(page.getByTestId('study-optimizers')).toBeVisible();
  await expect(page.locator('[data-testid^="study-"]')).toHaveCount(6);
  await expect(page.getByText('No experiments yet')).toBeVisible();

  const card = page.getByTestId('study-optimizers');
  await card.getByLabel('Data set for the optimizers study').selectOption('wine');
  await card.getByRole('button', { name: 'Run the optimizers study' }).click();
  await expect(page).toHaveURL(/#\/monitor\?id=1/);
  await expect(page.getByRole('heading', { name: 'Optimizers on wine' })).toBeVisible();

  // Live: the count of jobs done is seen strictly between 0 and the total before the end.
  // 10 optimizers × 5 learning rates (tuned per split) × 10 folds.
  await expect.poll(async () => (await jobsDone(page)).total, { timeout: 60_000 }).toBe(500);
  await expect
    .poll(
      async () => {
        const { done, total } = await jobsDone(page);
        return done > 0 && done < total;
      },
      { timeout: 120_000, intervals: [100] },
    )
    .toBe(true);
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 180_000 });
  expect(await jobsDone(page)).toEqual({ done: 500, total: 500 });
  await expect(page.getByTestId('job-grid').locator('[data-state="done"]')).toHaveCount(500);

  await page.getByRole('button', { name: 'Open report' }).click();
  await expect(page).toHaveURL(/#\/report\?id=1/);
  const table = page.getByTestId('report-table');
  await expect(table.locator('tbody tr')).toHaveCount(10);
  await expect(table).toContainText('▲');
  for (const id of ['curves', 'strip', 'study-optimizers'])
    expect(await inkedPixels(page, id), id).toBeGreaterThan(1000);

  await page.getByRole('link', { name: 'Library' }).click();
  const row = page.getByTestId('experiment-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Optimizers on wine');
  await expect(row).toContainText('done');
  await expect(row).toContainText('500/500');
  errors.check();
});

/** 2 configurations × 3 folds of moons: six jobs of a few hundredths of a second. */
const TINY = {
  name: 'Moons, two rates',
  seed: 4,
  dataset: { name: 'moons', samples: 120, noise: 0.2 },
  model: { kind: 'mlp', hidden: [8] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 10, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 3 },
  sweep: { 'optimizer.lr': [0.01, 0.1] },
};

test('export and import: an experiment exported to a file comes back as a new experiment with its report', async ({
  page,
  lab,
}) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  // A small finished experiment (a preset would make this test as slow as that study).
  await page.goto(`${lab.url.replace('#/library?', '#/builder?')}&spec=${encodeURIComponent(JSON.stringify(TINY))}`);
  await expect(page.getByTestId('plan')).toContainText('2 configurations × 3 splits');
  await page.getByRole('button', { name: 'Save & run' }).click();
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 150_000 });
  await page.getByRole('link', { name: 'Library' }).click();

  const row = page.getByTestId('experiment-row');
  await expect(row).toHaveCount(1);
  const name = (await row.getByRole('button').first().textContent())!.trim();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: /^Export/ }).click(),
  ]);
  const file = await download.path();
  const exported = JSON.parse(readFileSync(file, 'utf8')) as { format: string; jobs: unknown[]; report: unknown };
  expect(exported.format).toBe('optlab-experiment');
  expect(exported.report).not.toBeNull();

  // This library has it already (it was exported from here): the screen says so and offers a copy.
  await page.getByTestId('import-experiment').setInputFiles(file);
  await expect(page.getByTestId('import-exists')).toContainText('already');
  await expect(row).toHaveCount(1);
  await page.getByRole('button', { name: 'Import a copy' }).click();
  await expect(page.getByText(/Imported ".*" as experiment 2/)).toBeVisible();
  await expect(row).toHaveCount(2);
  // The imported one opens on its report, with the same table.
  const original = await (async () => {
    await page.goto(lab.origin + '/#/report?id=1');
    return page.getByTestId('report-table').innerText();
  })();
  await page.goto(lab.origin + '/#/report?id=2');
  await expect(page.getByRole('heading', { name })).toBeVisible();
  expect(await page.getByTestId('report-table').innerText()).toBe(original);

  // A broken file is refused with its problems.
  await page.goto(lab.origin + '/#/library');
  await page.getByTestId('import-experiment').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ format: 'optlab-experiment', version: 1 })),
  });
  await expect(page.getByRole('alert')).toContainText('experiment');
  await expect(row).toHaveCount(2);
  errors.check();
});
