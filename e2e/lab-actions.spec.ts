/**
 * The Lab's smaller actions on one fresh served Lab, with tiny runs (a few epochs on iris, and
 * a spec that fails by design): a figure saved as SVG that parses and has a line per
 * configuration, the study card drawn from the finished run, Duplicate and Edit in the
 * experiments table, Retry failed, and the LAN command's Copy button.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, type ServedLab } from './lab.ts';
import { watchErrors } from './helpers.ts';

/** A capacity study in miniature: widths 2 and 8, 2 folds, 3 epochs (a few seconds). */
const CAPACITY = {
  name: 'Tiny capacity',
  study: 'capacity',
  seed: 3,
  dataset: { name: 'iris' },
  model: { kind: 'mlp', hidden: [2] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 3, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 2 },
  sweep: { 'model.hidden': [[2], [8]] },
};

/** Valid, but every job fails: one training row under batch norm (as app/lab/retry.test.ts). */
const FAILING = {
  name: 'Fails by design',
  seed: 1,
  dataset: { name: 'moons', samples: 2, noise: 0 },
  model: { kind: 'mlp', hidden: [2], batchNorm: true },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'sgd', lr: 0.1 },
  training: { epochs: 1, batchSize: 2 },
  evaluation: { kind: 'loo' },
};

async function saveAndRun(page: Page, lab: ServedLab, spec: object, id: number): Promise<void> {
  await page.goto(`${lab.url.replace('#/library?', '#/builder?')}&spec=${encodeURIComponent(JSON.stringify(spec))}`);
  await expect(page.getByRole('button', { name: 'Save & run' })).toBeEnabled();
  await page.getByRole('button', { name: 'Save & run' }).click();
  await expect(page).toHaveURL(new RegExp(`#/monitor\\?id=${id}`));
}

/** Clicks an export button and returns the saved file's text. */
async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: dl.suggestedFilename(), text: readFileSync(await dl.path(), 'utf8') };
}

/** The SVG parsed by the browser: whether it parsed, its series' labels, its texts. */
function parseSvg(page: Page, text: string) {
  return page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    return {
      ok: !doc.querySelector('parsererror') && doc.documentElement.tagName === 'svg',
      series: [...doc.querySelectorAll('.series')].map((e) => e.getAttribute('data-label')),
      drawn: [...doc.querySelectorAll('path.series')].filter((e) => (e.getAttribute('d') ?? '').length > 10).length,
      text: doc.documentElement.textContent ?? '',
    };
  }, text);
}

test('SVG export, a study card from the run, duplicate and edit, retry failed, and copying the LAN command', async ({
  page,
  context,
  lab,
}) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.origin });

  // A finished capacity study; its figures saved as SVG.
  await saveAndRun(page, lab, CAPACITY, 1);
  await page.getByRole('button', { name: 'Open report' }).click();
  await expect(page.getByTestId('study-capacity').locator('canvas')).toBeVisible();
  const curves = await downloaded(page, 'SVG of the curves chart');
  expect(curves.name).toBe('tiny-capacity-curves.svg');
  const c = await parseSvg(page, curves.text);
  expect(c.ok).toBe(true);
  // One line per configuration and part (the metric picked is accuracy: train and validation).
  expect(c.series).toEqual(['hidden=[2] train', 'hidden=[2] validation', 'hidden=[8] train', 'hidden=[8] validation']);
  expect(c.drawn).toBe(4);
  const study = await parseSvg(page, (await downloaded(page, 'SVG of the study-capacity chart')).text);
  expect(study.ok).toBe(true);
  expect(study.series).toEqual(['train error', 'validation error']);
  expect(study.text).toContain('hidden width');

  // The Library's capacity card is drawn from that run; the others are labelled sketches.
  await page.getByRole('link', { name: 'Library' }).click();
  await expect(page.getByTestId('thumb-capacity')).toHaveAttribute('data-source', 'run');
  await expect(page.getByTestId('thumb-capacity')).toContainText('from “Tiny capacity”');
  await expect(page.getByTestId('thumb-ensembles')).toContainText('sketch');

  // Duplicate, then rename, tag and annotate the copy.
  await page.getByRole('button', { name: 'Duplicate Tiny capacity', exact: true }).click();
  const copy = page.getByTestId('experiment-row').filter({ hasText: 'Tiny capacity (copy)' });
  await expect(copy).toContainText('not run');
  await page.getByRole('button', { name: 'Edit Tiny capacity (copy)', exact: true }).click();
  await page.getByLabel('Name', { exact: true }).fill('Tiny capacity, wider');
  await page.getByLabel('Tags', { exact: true }).fill('e2e, widths');
  await page.getByLabel('Notes', { exact: true }).fill('to run with [4] and [16]');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const edited = page.getByTestId('experiment-row').filter({ hasText: 'Tiny capacity, wider' });
  await expect(edited).toContainText('widths');
  await expect(edited).toContainText('to run with [4] and [16]');
  await page.getByLabel('Search experiments by name, tag or notes').fill('widths');
  await expect(page.getByTestId('experiment-row')).toHaveCount(1);

  // A run whose jobs fail: Retry failed runs them again (a second try, failing again).
  await saveAndRun(page, lab, FAILING, 3);
  await expect(page.getByTestId('run-status')).toHaveText(/failed/i, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Retry failed' }).click();
  await expect(page.getByTestId('job-grid').getByRole('button', { name: /try 2/ }).first()).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByTestId('run-status')).toHaveText(/failed/i, { timeout: 60_000 });

  // The LAN command's Copy button puts exactly the command shown on the clipboard.
  const command = (await page.getByTestId('worker-command').textContent())!.trim();
  expect(command).toContain('worker --connect ws://');
  await page.getByRole('button', { name: 'Copy command' }).click();
  await expect(page.getByText('Copied.')).toBeVisible();
  expect((await page.evaluate(() => navigator.clipboard.readText())).trim()).toBe(command);
  errors.check();
});
