import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { rendererBuilt, serveRenderer } from './static.ts';
import { CONTENT_SECURITY_POLICY } from './headers.ts';

/** A tiny build: index.html, a hashed asset, and a secret next to the root that must stay out of reach. */
function fixture(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>OptLab</title>');
  writeFileSync(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  return root;
}

/** A raw request (fetch would normalize `..` away before sending it). */
function get(
  url: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves index.html and assets with the CSP, cross-origin isolation and caching that fit each', async (t) => {
  const root = fixture(t);
  const s = await serveRenderer({ root, port: 0 });
  t.after(() => s.close());
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const index = await get(s.url, '/');
  assert.equal(index.status, 200);
  assert.equal(index.body, '<!doctype html><title>OptLab</title>');
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(index.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(index.headers['cache-control'], 'no-cache');
  const asset = await get(s.url, '/assets/app-1234.js');
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.match(asset.headers['cache-control'], /immutable/);
  const head = await get(s.url, '/', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(await rendererBuilt(root), true);
  assert.equal(await rendererBuilt(join(root, 'assets')), false);
});

test('nothing outside the root, no directory listings, no other methods', async (t) => {
  const root = fixture(t);
  const s = await serveRenderer({ root, port: 0 });
  t.after(() => s.close());
  for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00']) {
    const r = await get(s.url, path);
    assert.equal(r.status, 404, path);
    assert.doesNotMatch(r.body, /do not serve/, path);
  }
  assert.equal((await get(s.url, '/assets')).status, 404);
  assert.equal((await get(s.url, '/missing.js')).status, 404);
  const post = await get(s.url, '/', 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('a taken port: an error, or a free port when a fallback is allowed', async (t) => {
  const root = fixture(t);
  const blocker = createServer();
  await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(serveRenderer({ root, port }), /EADDRINUSE/);
  const s = await serveRenderer({ root, port, fallback: true });
  t.after(() => s.close());
  assert.notEqual(s.port, port);
  assert.equal((await get(s.url, '/')).status, 200);
});
