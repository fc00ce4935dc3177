/**
 * Issue 11's end-to-end tests 4 (a worker killed mid-run), 5 (reload mid-run) and 6 (cancel,
 * then resume), on a fresh served Lab with two real local worker processes. The run is a
 * small digits spec handed to the Builder in its address (as the Playground hands one over).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, OPTLAB, ROOT, type ServedLab } from './lab.ts';
import { jobsDone, watchErrors } from './helpers.ts';

/** 2 configurations × 4 folds = 8 jobs of a second or two each. */
const SPEC = {
  name: 'Digits, two rates',
  seed: 3,
  dataset: { name: 'digits' },
  model: { kind: 'mlp', hidden: [32] },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.01 },
  training: { epochs: 40, batchSize: 32 },
  evaluation: { kind: 'kfold', k: 4 },
  sweep: { 'optimizer.lr': [0.01, 0.001] },
};

/** Opens the Builder with SPEC handed over, saves and runs it; resolves on the monitor. */
async function saveAndRun(page: Page, lab: ServedLab): Promise<void> {
  await page.goto(`${lab.url.replace('#/library?', '#/builder?')}&spec=${encodeURIComponent(JSON.stringify(SPEC))}`);
  await expect(page.getByTestId('plan')).toContainText('2 configurations × 4 splits');
  await page.getByRole('button', { name: 'Save & run' }).click();
  await expect(page).toHaveURL(/#\/monitor\?id=1/);
  await expect.poll(async () => (await jobsDone(page)).total, { timeout: 60_000 }).toBe(8);
}

/** Waits until a job is in a worker's hands and none is done yet, or a few are: mid-run. */
async function midRun(page: Page): Promise<void> {
  await expect(page.getByTestId('job-grid').locator('[data-state="leased"]').first()).toBeAttached({ timeout: 60_000 });
}

/** Runs `steps`; a failure carries what the served Lab printed (its workers' exits among it). */
async function withServerOutput(lab: ServedLab, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    if (e instanceof Error) e.message += `\n\nthe served Lab printed:\n${lab.output.join('\n')}`;
    throw e;
  }
}

test('a worker killed by its PID mid-run: the monitor shows the requeue, and the run ends with the same numbers as optlab run', async ({
  page,
  lab,
}) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await saveAndRun(page, lab);
  // The first worker seen taking a job is killed at once: it holds a job then, whatever the
  // machine's speed (waiting for both workers instead let a fast machine finish the run first,
  // and a slow one start the second worker late).
  const lease = page
    .getByTestId('event-log')
    .getByText(/leased to local-\d/)
    .first();
  await lease.waitFor({ timeout: 60_000 });
  const name = /leased to (local-\d)/.exec((await lease.textContent()) ?? '')![1];
  const pid = lab.workerPid(name);
  expect(pid, `${name} among the served Lab's workers:\n${lab.output.join('\n')}`).toBeGreaterThan(0);
  process.kill(pid!, 'SIGKILL');

  const log = page.getByTestId('event-log');
  await withServerOutput(lab, async () => {
    await expect(log).toContainText(new RegExp(`${name} \\(w\\d+\\) left`), { timeout: 60_000 });
    await expect(log).toContainText('requeued', { timeout: 60_000 });
    await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 180_000 });
  });
  expect(await jobsDone(page)).toEqual({ done: 8, total: 8 });
  expect(lab.output.join('\n')).toContain(`local worker ${name} exited unexpectedly (SIGKILL)`);

  // The same spec through the command line, on its own library.
  const specFile = join(lab.dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(SPEC));
  const cli = spawnSync(
    process.execPath,
    [OPTLAB, 'run', specFile, '--workers', '2', '--db', join(lab.dir, 'cli.db'), '--json', '--quiet'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  expect(cli.status, cli.stderr).toBe(0);
  const expected = JSON.parse(cli.stdout) as { configurations: unknown[]; comparisons: unknown[] };

  await page.getByRole('link', { name: 'Library' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page
      .getByTestId('experiment-row')
      .getByRole('button', { name: /^Export/ })
      .click(),
  ]);
  const got = JSON.parse(readFileSync(await download.path(), 'utf8')) as { report: typeof expected };
  expect(got.report.configurations).toEqual(expected.configurations);
  expect(got.report.comparisons).toEqual(expected.comparisons);
  errors.check();
});

test('reloading the window mid-run resyncs the monitor, which follows the run to its end', async ({ page, lab }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await saveAndRun(page, lab);
  await midRun(page);
  const before = (await jobsDone(page)).done;
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Digits, two rates' })).toBeVisible();
  await expect.poll(async () => (await jobsDone(page)).total, { timeout: 30_000 }).toBe(8);
  expect((await jobsDone(page)).done).toBeGreaterThanOrEqual(before);
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 120_000 });
  expect(await jobsDone(page)).toEqual({ done: 8, total: 8 });
  await expect(page.getByTestId('job-grid').locator('[data-state="done"]')).toHaveCount(8);
  await expect(page.getByTestId('run-status')).toHaveText('done');
  errors.check();
});

test('cancel, then resume: what finished is kept and the run completes', async ({ page, lab }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await saveAndRun(page, lab);
  await midRun(page);
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('cancelled', { timeout: 60_000 });
  const kept = (await jobsDone(page)).done;
  expect(kept).toBeLessThan(8);
  await expect(page.getByTestId('job-grid').locator('[data-state="leased"]')).toHaveCount(0);

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/running|done/);
  await expect(page.getByRole('button', { name: 'Open report' })).toBeVisible({ timeout: 120_000 });
  expect(await jobsDone(page)).toEqual({ done: 8, total: 8 });
  await expect(page.getByTestId('run-status')).toHaveText('done');
  errors.check();
});
