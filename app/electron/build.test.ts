import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { LAB_METHODS } from '../../shared/lab-rpc.ts';
import { buildElectron } from '../web/build.ts';

test('the bundled preload is CommonJS that requires electron alone and exposes one function per Lab call; main is ESM', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'optlab-electron-build-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  await buildElectron(out);

  // Run the preload as a sandboxed renderer would: `require` gives electron and nothing else.
  const required: string[] = [];
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: { invoke: (...a: unknown[]) => (invoked.push(a), Promise.resolve({ result: 1 })), on() {}, off() {} },
  };
  const code = readFileSync(join(out, 'preload.cjs'), 'utf8');
  const module = { exports: {} };
  runInNewContext(code, {
    TextEncoder,
    TextDecoder,
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });
  assert.deepEqual([...new Set(required)], ['electron']);
  const bridge = exposed.optlabBridge as { calls: Record<string, (...a: unknown[]) => Promise<unknown>> };
  assert.deepEqual(Object.keys(bridge.calls).sort(), Object.keys(LAB_METHODS).sort());
  assert.deepEqual(await bridge.calls.getExperiment(3), { result: 1 });
  assert.deepEqual(invoked, [['lab:getExperiment', 3]]);

  const main = readFileSync(join(out, 'main.mjs'), 'utf8');
  assert.match(main, /^import \{[^}]*\bBrowserWindow\b[^}]*\} from "electron";$/m);
  assert.doesNotMatch(main, /\brequire\(/);
});
