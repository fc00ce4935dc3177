/** The shell: navigation between screens, unknown routes, the security headers' effect. */
import { test, expect } from '@playwright/test';
import { watchErrors } from './helpers.ts';

test('the page is cross-origin isolated under a strict CSP; #/ and unknown routes go to the Playground; the navigation works', async ({
  page,
}) => {
  const errors = watchErrors(page);
  const response = await page.goto('#/');
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page).toHaveURL(/#\/playground$/);
  await expect(page.getByRole('link', { name: 'Playground' })).toHaveAttribute('aria-current', 'page');

  await page.getByRole('link', { name: 'Optimizer Paths' }).click();
  await expect(page).toHaveURL(/#\/paths/);
  await expect(page.getByTestId('paths-plot')).toBeVisible();
  await expect(page).toHaveTitle('OptLab: Optimizer Paths');
  await page.goBack();
  await expect(page.getByTestId('decision-map')).toBeVisible();

  await page.goto('#/no-such-screen');
  await expect(page).toHaveURL(/#\/playground$/);
  // A link's token (from optlab serve) is taken out of the address.
  await page.goto('#/paths?token=abc123&fn=beale');
  await expect(page.getByTestId('function')).toHaveValue('beale');
  expect(page.url()).not.toContain('token');
  errors.check();
});

test('a link with a bad value says what it dropped and shows the defaults instead', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('#/paths?fn=banana&steps=20');
  await expect(page.getByText('Link: fn: expected one of')).toBeVisible();
  await expect(page.getByTestId('function')).toHaveValue('rosenbrock');
  await expect(page.getByTestId('step-counter')).toContainText('/ 20');
  errors.check();
});
