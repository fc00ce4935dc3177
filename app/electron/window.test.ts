import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_ORIGIN, isAppUrl, openWindow } from './window.ts';

/** Records what openWindow hands Electron's BrowserWindow (there is no Electron binary in the tests). */
class Recorder {
  constructor(readonly options: BrowserWindowConstructorOptions) {}
}

test("the window's webPreferences: isolated, sandboxed, no Node anywhere, no webviews, the CommonJS preload", () => {
  const win = openWindow(Recorder, '/app/dist/electron/preload.cjs');
  const w = win.options.webPreferences ?? {};
  assert.equal(w.preload, '/app/dist/electron/preload.cjs');
  assert.equal(w.contextIsolation, true);
  assert.equal(w.sandbox, true);
  assert.equal(w.nodeIntegration, false);
  assert.equal(w.nodeIntegrationInWorker, false);
  assert.equal(w.nodeIntegrationInSubFrames, false);
  assert.equal(w.webSecurity, true);
  assert.equal(w.allowRunningInsecureContent, false);
  assert.equal(w.experimentalFeatures, false);
  assert.equal(w.webviewTag, false);
  assert.equal(w.navigateOnDragDrop, false);
  assert.equal(w.disableBlinkFeatures, 'Auxclick');
  assert.equal(w.enableBlinkFeatures, undefined);
  assert.equal(w.additionalArguments, undefined);
  assert.deepEqual([win.options.width, win.options.height, win.options.show], [1440, 900, false]);
});

test("the window stays on the app's own pages", () => {
  assert.equal(isAppUrl(`${APP_ORIGIN}/index.html`), true);
  assert.equal(isAppUrl(`${APP_ORIGIN}/index.html#/paths?fn=beale`), true);
  for (const url of [
    'https://example.com/',
    'http://127.0.0.1:5170/',
    'file:///etc/passwd',
    'app://other/index.html',
    'javascript:alert(1)',
    'not a url',
  ])
    assert.equal(isAppUrl(url), false, url);
});
