/**
 * Browser mode (issue 11 §3): `optlab serve` serves the window and the Lab on one port, with a
 * strict CSP, and hands the session token in the address's fragment. A fresh library in a
 * temporary folder, a real `optlab serve` process.
 */
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { watchErrors } from './helpers.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Starts `optlab serve` on a free port with a library in `dir`; resolves with the printed page address. */
async function serve(dir: string): Promise<{ child: ChildProcess; url: string; lines: string[] }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/optlab.mjs'), 'serve', '--port', '0', '--db', join(dir, 'library.db'), '--quiet'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`optlab serve printed no address:\n${lines.join('\n')}`)), 90_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      const m = /^Open (http:\/\/\S+)/.exec(l);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`optlab serve exited (${code}):\n${lines.join('\n')}`)));
  });
  return { child, url, lines };
}

test('optlab serve: the window and the Lab on one port, the token in the fragment, kept across a reload', async ({
  page,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-e2e-serve-'));
  const { child, url } = await serve(dir);
  try {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#\/library\?token=[0-9a-f]{64}$/);
    const errors = watchErrors(page);
    const response = await page.goto(url);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The page talks to this Lab: its library is the temporary one.
    await expect(page.getByTestId('lab-status')).toContainText('Lab connected', { timeout: 60_000 });
    await expect(page.getByTestId('lab-status')).toHaveAttribute('title', new RegExp(`${dir}/library\\.db`));
    // The token left the address at once, and a reload still reaches the Lab.
    expect(page.url()).not.toContain('token');
    await page.reload();
    await expect(page.getByTestId('lab-status')).toContainText('Lab connected', { timeout: 60_000 });
    errors.check();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('optlab serve: a wrong token is refused, and the page says the Lab is not reachable', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-e2e-serve-'));
  const { child, url } = await serve(dir);
  try {
    await page.goto(url.replace(/token=[0-9a-f]+/, 'token=0000'));
    await expect(page.getByTestId('lab-status')).toContainText('Lab not reachable', { timeout: 60_000 });
    // The screens that run in the page still work.
    await page.goto(`${new URL(url).origin}/#/playground`);
    await expect(page.getByTestId('play')).toBeEnabled({ timeout: 60_000 });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    rmSync(dir, { recursive: true, force: true });
  }
});
