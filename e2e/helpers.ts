/** What the end-to-end tests share: watching a page for errors, and reading what it shows. */
import { expect, type Page } from '@playwright/test';

/** Collects console errors, uncaught exceptions and CSP violations; `check()` fails on any. */
export function watchErrors(page: Page): { check: () => void } {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && errors.push(`worker: ${m.text()}`)));
  return { check: () => expect(errors, errors.join('\n')).toEqual([]) };
}

/**
 * A digest of the pixels of the canvas inside `[data-testid=testid]` (the plotting area and
 * its axes): equal digests mean the picture did not change.
 */
export async function canvasDigest(page: Page, testid: string): Promise<string> {
  return page
    .locator(`[data-testid="${testid}"] canvas`)
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      // FNV-1a over every byte: cheap, and any changed pixel changes it.
      let h = 0x811c9dc5;
      for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
      return `${c.width}x${c.height}:${(h >>> 0).toString(16)}`;
    });
}

/** The epoch counter of the Playground's run bar. */
export async function epochShown(page: Page): Promise<number> {
  const text = (await page.getByTestId('epoch').textContent()) ?? '';
  const m = text.match(/epoch\s+(\d+)/);
  if (!m) throw new Error(`no epoch counter in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** Waits until the Playground's worker has its data and waits before epoch 1. */
export async function playgroundReady(page: Page): Promise<void> {
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 60_000 });
}

/** Pixels of the canvas inside `[data-testid=testid]` that differ from its corner: 0 for a blank chart. */
export async function inkedPixels(page: Page, testid: string): Promise<number> {
  return page
    .locator(`[data-testid="${testid}"] canvas`)
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] !== 0) n++;
      return n;
    });
}

/** The Run monitor's count of jobs done, and the total. */
export async function jobsDone(page: Page): Promise<{ done: number; total: number }> {
  const bar = page.getByTestId('progress');
  return {
    done: Number(await bar.getAttribute('aria-valuenow')),
    total: Number(await bar.getAttribute('aria-valuemax')),
  };
}
