/**
 * Accessibility of the window's screens: axe (through @axe-core/playwright) finds no serious
 * or critical violation on the Playground (before and during a run) and on Optimizer Paths.
 */
import { test, expect, type Page } from '@playwright/test';
import { AxeBuilder } from '@axe-core/playwright';
import { playgroundReady, watchErrors } from './helpers.ts';

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('axe finds no serious or critical violations on the Playground, before and during a run', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/playground?l2=0.001&stop=early');
  await playgroundReady(page);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByTestId('step').click();
  await expect(page.getByTestId('epoch')).toContainText('epoch 1 /');
  await page.getByText('Spec of this run').click();
  expect(await seriousViolations(page)).toEqual([]);
  errors.check();
});

test('axe finds no serious or critical violations on Optimizer Paths', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/paths?fn=quadratic&t=40');
  await expect(page.getByTestId('paths-plot')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  errors.check();
});
