/**
 * The desktop window's preload (sandboxed, so CommonJS: scripts/build-electron.mjs bundles it
 * to dist/electron/preload.cjs). It exposes the Lab and nothing else, as `window.optlabBridge`:
 * one named function per LabApi call, each invoking that call's own IPC channel, and a
 * subscription to the Lab's events. No ipcRenderer, no Node, no generic "send" reaches the
 * page. Answers are `{ result }` or `{ error }` as data; renderer/src/lib/lab.ts rebuilds the
 * error as the OptLabError it was (an Error thrown across the bridge would lose its code).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LabEvent, LabMethod } from '../../shared/lab-api.ts';
import { LAB_METHODS } from '../../shared/lab-rpc.ts';

const calls = {} as Record<LabMethod, (...args: unknown[]) => Promise<unknown>>;
for (const method of Object.keys(LAB_METHODS) as LabMethod[])
  calls[method] = (...args: unknown[]) => ipcRenderer.invoke(`lab:${method}`, ...args);

contextBridge.exposeInMainWorld('optlabBridge', {
  calls,
  subscribe(listener: (event: LabEvent) => void): () => void {
    // The IPC event object (with its sender) stays here; the page gets the Lab event alone.
    const handler = (_e: IpcRendererEvent, event: LabEvent) => listener(event);
    ipcRenderer.on('lab:event', handler);
    return () => void ipcRenderer.off('lab:event', handler);
  },
});
