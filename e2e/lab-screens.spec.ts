/**
 * Issue 11's end-to-end tests 7 (Compare) and 9 (accessibility of the Lab's screens, and a
 * study run by keyboard alone), on a fresh served Lab.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, type ServedLab } from './lab.ts';
import { inkedPixels, watchErrors } from './helpers.ts';

/** 2 configurations × 3 folds of a small network on iris: a few seconds. */
const SPEC = {
  name: 'Iris, two rates',
  seed: 5,
  dataset: { name: 'iris' },
  model: { kind: 'mlp', hidden: [8] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 15, batchSize: 16 },
  evaluation: { kind: 'kfold', k: 3 },
  sweep: { 'optimizer.lr': [0.01, 0.001] },
};

async function runSpec(page: Page, lab: ServedLab, spec: object, id: number): Promise<void> {
  await page.goto(`${lab.url.replace('#/library?', '#/builder?')}&spec=${encodeURIComponent(JSON.stringify(spec))}`);
  await expect(page.getByRole('button', { name: 'Save & run' })).toBeEnabled();
  await page.getByRole('button', { name: 'Save & run' }).click();
  await expect(page).toHaveURL(new RegExp(`#/monitor\\?id=${id}`));
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 120_000 });
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('compare: two configurations overlay with their spec differences and a paired test; across seeds it says why there is none', async ({
  page,
  lab,
}) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await runSpec(page, lab, SPEC, 1);
  await runSpec(page, lab, { ...SPEC, name: 'Iris, other seed', seed: 6, sweep: undefined }, 2);

  await page.goto(`${lab.origin}/#/report?id=1`);
  await page.getByRole('button', { name: 'Compare…' }).click();
  await expect(page).toHaveURL(/#\/compare\?ids=1/);
  await page.getByRole('checkbox', { name: /lr=0\.01/ }).check();
  await page.getByRole('checkbox', { name: /lr=0\.001/ }).check();
  await expect.poll(() => inkedPixels(page, 'compare-curves')).toBeGreaterThan(1000);
  const diff = page.getByTestId('spec-diff');
  await expect(diff.locator('tbody tr')).toHaveCount(1);
  await expect(diff).toContainText('optimizer.lr');
  await expect(diff).toContainText('0.001');
  await expect(page.getByTestId('paired-test')).toContainText('corrected resampled t-test on the shared splits');

  // A configuration of another experiment, with another seed: no paired test, and why.
  await page.getByRole('checkbox', { name: /lr=0\.001/ }).uncheck();
  await page.getByLabel('Add an experiment').selectOption({ label: 'Iris, other seed (#2)' });
  await page
    .getByRole('group', { name: /Iris, other seed/ })
    .getByRole('checkbox')
    .check();
  await expect(diff).toContainText('seed');
  await expect(page.getByTestId('paired-test')).toContainText('No paired test: different seeds (5, 6)');
  // The picks are in the address: a reload restores them.
  await page.reload();
  await expect(page.getByTestId('paired-test')).toContainText('No paired test');
  errors.check();
});

test('accessibility: axe finds no serious or critical violation on the Library, Builder, Monitor, Report and Compare; a study runs by keyboard alone', async ({
  page,
  lab,
}) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await page.goto(lab.url);
  await expect(page.getByTestId('study-ensembles')).toBeVisible();
  expect(await seriousViolations(page), 'library').toEqual([]);

  // Keyboard only: Tab to the ensembles study's Run, Enter; then to the report the same way.
  async function tabTo(name: RegExp): Promise<void> {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el ? `${el.getAttribute('aria-label') ?? ''} ${el.textContent ?? ''}`.replace(/\s+/g, ' ').trim() : '';
      });
      if (name.test(focused)) return;
    }
    throw new Error(`${name} is not reachable with Tab`);
  }
  await tabTo(/Run the ensembles study/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/monitor\?id=1/);
  await expect(page.getByTestId('job-grid')).toBeVisible();
  expect(await seriousViolations(page), 'monitor, running').toEqual([]);
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 150_000 });
  await page.locator('body').focus();
  await tabTo(/Open report/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/report\?id=1/);
  await expect(page.getByTestId('report-table')).toBeVisible();
  expect(await seriousViolations(page), 'report').toEqual([]);

  await page.goto(`${lab.origin}/#/compare?ids=1&pick=1:0,1:1`);
  await expect(page.getByTestId('spec-diff')).toBeVisible();
  expect(await seriousViolations(page), 'compare').toEqual([]);

  await page.goto(`${lab.origin}/#/builder`);
  await expect(page.getByTestId('spec-form')).toBeVisible();
  await page.getByLabel('lr', { exact: true }).fill('-1');
  await expect(page.locator('[data-path="optimizer.lr"]').getByRole('alert')).toBeVisible();
  expect(await seriousViolations(page), 'builder with a problem').toEqual([]);
  errors.check();
});
