/**
 * The desktop window and the rules for where it may go, apart from main.ts so that a test can
 * import them without an Electron binary (Electron's types only, no runtime import).
 *
 * The page is the built renderer served from `app://optlab/` with the renderer's CSP and
 * cross-origin isolation (the Playground pauses its worker on a SharedArrayBuffer). It has no
 * Node: isolated, sandboxed, a CommonJS preload that exposes the Lab's calls and nothing else.
 * The options are written out where the window is made, every hardening stated rather than
 * left to a default, so that electronegativity (which reads the literal) checks them too.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** The scheme and host the renderer is served from inside the app. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'optlab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Electron's BrowserWindow, or anything built the same way (main passes the real one). */
export type WindowConstructor<W> = new (options: BrowserWindowConstructorOptions) => W;

/** The main window at the size the screens are designed for, shown once its first page is drawn. */
export function openWindow<W>(BrowserWindow: WindowConstructor<W>, preload: string): W {
  return new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    title: 'OptLab',
    backgroundColor: '#ffffff',
    webPreferences: {
      // Reviewed: the preload (preload.ts) is CommonJS in the sandbox and exposes the Lab's calls, nothing else.
      preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // A middle click on a link would otherwise open it in a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

/** Whether the window may be at `url`: the app's own pages only. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
