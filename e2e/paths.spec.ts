/**
 * Optimizer Paths (issue 12 §4): clicking the plot moves the start, a slider changes the
 * path, the address restores the same view after a reload; and the momentum map names the
 * regime under the pointer.
 */
import { test, expect, type Page } from '@playwright/test';
import { canvasDigest, watchErrors } from './helpers.ts';

/** Where the plotting area of the main plot is on the page. */
async function plotBox(page: Page) {
  const box = await page.locator('[data-testid="paths-plot"] .u-over').boundingBox();
  if (!box) throw new Error('no plotting area');
  return box;
}

test('clicking the plot moves the start, and every path with it', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/paths');
  await expect(page.getByTestId('start-x')).toHaveValue('-1.5');
  await expect(page.getByTestId('start-y')).toHaveValue('2');
  const pixels = await canvasDigest(page, 'paths-plot');
  const gd = await page.getByTestId('loss-gd').textContent();

  // Rosenbrock's view is x ∈ [−2, 2], y ∈ [−1, 3]: a quarter across and down is about (−1, 2).
  const box = await plotBox(page);
  await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.25);
  const x = Number(await page.getByTestId('start-x').inputValue());
  const y = Number(await page.getByTestId('start-y').inputValue());
  expect(Math.abs(x - -1)).toBeLessThan(0.05);
  expect(Math.abs(y - 2)).toBeLessThan(0.05);
  await expect(page).toHaveURL(/[?&]x=-?[\d.]+&y=[\d.]+/);
  expect(await canvasDigest(page, 'paths-plot')).not.toBe(pixels);
  expect(await page.getByTestId('loss-gd').textContent()).not.toBe(gd);
  errors.check();
});

test('a learning-rate slider and the momentum slider change the paths as they move', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/paths?fn=beale');
  const pixels = await canvasDigest(page, 'paths-plot');
  const adam = await page.getByTestId('loss-adam').textContent();
  const gd = await page.getByTestId('loss-gd').textContent();
  const lr = page.getByTestId('lr-adam');
  await lr.focus();
  for (let i = 0; i < 10; i++) await lr.press('ArrowLeft');
  await expect(page).toHaveURL(/lr\.adam=/);
  await expect(page.getByTestId('loss-adam')).not.toHaveText(adam ?? '');
  expect(await page.getByTestId('loss-gd').textContent()).toBe(gd);
  const afterLr = await canvasDigest(page, 'paths-plot');
  expect(afterLr).not.toBe(pixels);

  const momentum = await page.getByTestId('loss-momentum').textContent();
  const mom = page.getByTestId('momentum');
  await mom.focus();
  for (let i = 0; i < 20; i++) await mom.press('ArrowLeft');
  await expect(page).toHaveURL(/mom=0\.7(&|$)/);
  await expect(page.getByTestId('loss-momentum')).not.toHaveText(momentum ?? '');
  expect(await canvasDigest(page, 'paths-plot')).not.toBe(afterLr);
  errors.check();
});

test('the address restores the same view after a reload: function, start, steps, scrubbed step, optimizers, rates', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('#/paths');
  await page.getByTestId('function').selectOption('himmelblau');
  const box = await plotBox(page);
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await page.getByTestId('show-adadelta').uncheck();
  await page.getByTestId('scrubber').fill('120');
  const beta = page.getByTestId('beta1');
  await beta.focus();
  await beta.press('ArrowLeft');
  await expect(page.getByTestId('step-counter')).toContainText('step 120 / 500');
  // The address follows the view within a quarter of a second: wait for the last change in it.
  await expect(page).toHaveURL(/fn=himmelblau.*t=120.*show=.*b1=0\.89/);
  const url = page.url();
  const view = {
    x: await page.getByTestId('start-x').inputValue(),
    y: await page.getByTestId('start-y').inputValue(),
    adam: await page.getByTestId('loss-adam').textContent(),
    pixels: await canvasDigest(page, 'paths-plot'),
  };

  await page.reload();
  await expect(page.getByTestId('function')).toHaveValue('himmelblau');
  await expect(page.getByTestId('step-counter')).toContainText('step 120 / 500');
  expect(page.url()).toBe(url);
  await expect(page.getByTestId('show-adadelta')).not.toBeChecked();
  expect(await page.getByTestId('start-x').inputValue()).toBe(view.x);
  expect(await page.getByTestId('start-y').inputValue()).toBe(view.y);
  expect(await page.getByTestId('loss-adam').textContent()).toBe(view.adam);
  expect(await canvasDigest(page, 'paths-plot')).toBe(view.pixels);
  errors.check();
});

test('play walks through the steps and step advances one; the momentum map names the regime under the pointer', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('#/paths?fn=quadratic&t=0');
  await expect(page.getByTestId('step-counter')).toContainText('step 0 / 500');
  await page.getByTestId('step').click();
  await expect(page.getByTestId('step-counter')).toContainText('step 1 / 500');
  await page.getByTestId('play').click();
  await expect(page.getByTestId('step-counter')).not.toContainText('step 1 /');
  await page.getByTestId('play').click();

  const map = await page.locator('[data-testid="momentum-map"] .u-over').boundingBox();
  if (!map) throw new Error('no momentum map');
  // Left half, near the top: small steps with β ≈ 0.9 on ½(x² + 50y²) ripple along y.
  await page.mouse.move(map.x + map.width * 0.1, map.y + map.height * 0.1);
  await expect(page.getByText('Under the pointer')).toBeVisible();
  await expect(page.getByText(/y \(curvature 50\): ripples/)).toBeVisible();
  // Right edge, bottom: steps past 2/50 without momentum diverge.
  await page.mouse.move(map.x + map.width * 0.95, map.y + map.height * 0.95);
  await expect(page.getByText(/y \(curvature 50\): divergence/)).toBeVisible();
  // Clicking gives those settings to Momentum.
  await page.mouse.click(map.x + map.width * 0.5, map.y + map.height * 0.5);
  await expect(page).toHaveURL(/lr\.momentum=/);
  errors.check();
});
