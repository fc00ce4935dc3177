import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerCall, startLabProcess } from './lab-host.ts';

test("the desktop app's Lab: optlab serve in a Node-mode child, reached over its socket; each call checked, errors as data", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-electron-lab-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'library.db');
  const p = await startLabProcess({ db, workers: 0 });
  t.after(() => p.stop());
  assert.match(p.apiUrl, /^ws:\/\/127\.0\.0\.1:\d+\/api\?token=[0-9a-f]{64}$/);
  if (existsSync(`/proc/${p.child.pid}/environ`))
    assert.ok(readFileSync(`/proc/${p.child.pid}/environ`, 'utf8').split('\0').includes('ELECTRON_RUN_AS_NODE=1'));

  const about = await answerCall(p.lab, 'about', []);
  assert.ok('result' in about);
  assert.equal((about.result as { libraryPath: string }).libraryPath, db);

  const bad = await answerCall(p.lab, 'getExperiment', ['seven']);
  assert.ok('error' in bad);
  assert.equal(bad.error.code, 'E_BAD_ARGS');
  assert.match(bad.error.problems?.[0]?.path ?? '', /^id/);

  const unknown = await answerCall(p.lab, 'deleteEverything', []);
  assert.ok('error' in unknown);
  assert.equal(unknown.error.code, 'E_BAD_FRAME');

  const missing = await answerCall(p.lab, 'getExperiment', [999]);
  assert.ok('error' in missing);
  assert.equal(missing.error.code, 'E_NOT_FOUND');

  await p.stop();
  assert.notEqual(p.child.exitCode ?? p.child.signalCode, null);
});
