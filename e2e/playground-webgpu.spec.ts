/**
 * The Playground's WebGPU engine (issue 13, "the window"): with an adapter (Chromium's
 * SwiftShader, given by --enable-unsafe-webgpu, even with --disable-gpu) the run bar says
 * WebGPU, the loss falls, and the learning curve is within the tolerance class of the CPU
 * path's; Auto refuses the software adapter and says so. (Without an adapter, in the other
 * files' Chromium, the Playground says CPU and why: playground.spec.ts.)
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { CHROMIUM_ARGS } from './playwright.config.ts';
import { playgroundReady, watchErrors } from './helpers.ts';

interface RunFile {
  engine: { name: string; adapter?: string; software?: boolean; reason?: string; tolerance?: string };
  history: Record<string, number>[];
}

/** Plays the current run to its end and returns what "Download run" gives. */
async function playToEnd(page: Page, epochs: number): Promise<RunFile> {
  await playgroundReady(page);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('status')).toContainText(`finished ${epochs} epochs`, { timeout: 90_000 });
  const details = page.locator('details.spec');
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await page.getByText('Spec of this run').click();
  const download = page.waitForEvent('download');
  await page.getByTestId('download-run').click();
  return JSON.parse(readFileSync(await (await download).path(), 'utf8')) as RunFile;
}

// A launch option forces a browser of its own: it is this file's, top level.
test.use({
  launchOptions: {
    executablePath: process.env.OPTLAB_CHROMIUM ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
  },
});

test('WebGPU trains, says so, and stays within the tolerance of the CPU path; Auto keeps the CPU for a software adapter', async ({
  page,
}, info) => {
  const errors = watchErrors(page);
  const epochs = 6;
  await page.goto(`#/playground?engine=webgpu&epochs=${epochs}`);
  await playgroundReady(page);
  const shown = (await page.getByTestId('engine').textContent()) ?? '';
  if (!shown.includes('WebGPU')) {
    const why = (await page.getByTestId('engine-reason').textContent()) ?? '';
    console.log(`skipped: Chromium gave no WebGPU adapter with --enable-unsafe-webgpu ${why}`);
    test.skip(true, `Chromium gave no WebGPU adapter with --enable-unsafe-webgpu ${why}`);
  }
  expect(shown).toMatch(/WebGPU \(.*swiftshader.*, software\)/i);
  const gpu = await playToEnd(page, epochs);
  expect(gpu.engine).toMatchObject({ name: 'webgpu', software: true, tolerance: 'webgpu-f32-v1' });
  await expect(page.getByTestId('spec-engine')).toContainText('not the same bits');
  expect(gpu.history).toHaveLength(epochs);
  expect(gpu.history[epochs - 1].train_loss).toBeLessThan(gpu.history[0].train_loss);

  // The same run on the CPU: the same trajectory within the class (no dropout here, so the same steps).
  await page.getByTestId('engine-choice').selectOption('cpu');
  await expect(page.getByTestId('engine')).toHaveText('engine: CPU (WebAssembly)');
  const cpu = await playToEnd(page, epochs);
  expect(cpu.engine).toEqual({ name: 'cpu' });
  let worst = 0;
  for (let e = 0; e < epochs; e++)
    for (const key of ['train_loss', 'test_loss', 'train_accuracy', 'test_accuracy']) {
      const c = cpu.history[e][key],
        g = gpu.history[e][key];
      expect(Number.isFinite(g), `${key} at epoch ${e + 1}`).toBe(true);
      worst = Math.max(worst, Math.abs(g - c) / Math.max(Math.abs(c), 1e-12));
    }
  console.log(`WebGPU (SwiftShader) vs CPU, ${epochs} epochs: worst relative difference ${worst.toExponential(2)}`);
  info.annotations.push({ type: 'gpu vs cpu', description: `worst relative difference ${worst.toExponential(2)}` });
  expect(worst).toBeLessThanOrEqual(TOLERANCE.fit);

  // Auto takes hardware adapters only: a software one is named, and the CPU trains.
  await page.getByTestId('engine-choice').selectOption('auto');
  await playgroundReady(page);
  await expect(page.getByTestId('engine')).toHaveText('engine: CPU (WebAssembly)');
  await expect(page.getByTestId('engine-reason')).toContainText('software one');
  errors.check();
});
