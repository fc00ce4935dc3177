/**
 * The desktop app's main process. It
 * - serves the built renderer from `app://optlab/` with the renderer's headers (the same CSP
 *   and cross-origin isolation as browser mode), and nothing from anywhere else;
 * - starts the Lab in a Node child process (lab-host.ts) and forwards the window's calls to
 *   it, one IPC channel per LabApi method, each call's arguments checked by the schema;
 * - forwards the Lab's events to the window;
 * - denies navigation away from the app, new windows, permission requests and webviews.
 *
 * Bundled by scripts/build-electron.mjs to dist/electron/main.mjs (package.json "main"); the
 * paths it resolves from import.meta.url are the same from app/electron/ and dist/electron/.
 */
import { app, BrowserWindow, ipcMain, protocol, session, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LabEvent } from '../../shared/lab-api.ts';
import { LAB_METHODS } from '../../shared/lab-rpc.ts';
import { RENDERER_HEADERS } from '../web/headers.ts';
import { contentType, RENDERER_DIR, rendererFile } from '../web/static.ts';
import { answerCall, startLabProcess, type LabProcess } from './lab-host.ts';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, isAppUrl, openWindow } from './window.ts';

/** The preload, next to this file once bundled (dist/electron/). */
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

// Before `ready`: the app's scheme behaves like https (secure context, fetch, workers).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

let labProcess: LabProcess | undefined;

/** Answers `app://optlab/…` with the renderer's files and headers; anything else is 404. */
async function serveApp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const file = url.host === APP_HOST ? rendererFile(RENDERER_DIR, url.pathname) : null;
  if (!file) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, { headers: { ...RENDERER_HEADERS, 'Content-Type': contentType(file) } });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

/** Every way a page could leave the app or gain a power is refused here. */
function harden(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAppUrl(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

function fromApp(frameUrl: string | undefined): boolean {
  return frameUrl !== undefined && isAppUrl(frameUrl);
}

async function createWindow(lab: LabProcess): Promise<void> {
  const win = openWindow(BrowserWindow, PRELOAD);
  harden(win.webContents);
  const off = lab.lab.subscribe((event: LabEvent) => {
    if (!win.isDestroyed()) win.webContents.send('lab:event', event);
  });
  win.on('closed', off);
  win.once('ready-to-show', () => win.show());
  await win.loadURL(`${APP_ORIGIN}/index.html`);
}

async function main(): Promise<void> {
  await app.whenReady();
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, serveApp);
  app.on('web-contents-created', (_e, contents) => harden(contents));

  labProcess = await startLabProcess({ log: (l) => console.error(`lab: ${l}`) });
  const lab = labProcess.lab;
  // One channel per call, so that the preload exposes named functions and nothing generic.
  for (const method of Object.keys(LAB_METHODS)) {
    ipcMain.handle(`lab:${method}`, (e, ...args: unknown[]) => {
      if (!fromApp(e.senderFrame?.url)) return { error: { code: 'E_BAD_FRAME', message: 'not from the app' } };
      return answerCall(lab, method, args);
    });
  }
  await createWindow(labProcess);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0 && labProcess) void createWindow(labProcess);
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', (e) => {
  const p = labProcess;
  if (!p) return;
  labProcess = undefined;
  e.preventDefault();
  void p.stop().finally(() => app.quit());
});

main().catch((e: unknown) => {
  console.error(`OptLab could not start: ${e instanceof Error ? e.message : String(e)}`);
  app.exit(1);
});
