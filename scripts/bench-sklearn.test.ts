// bench/sklearn/run.mjs as a user runs it: its experiments go to a temporary library, never
// into the user's own (the default one under XDG_DATA_HOME, or $OPTLAB_DB).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

test("the scikit-learn benchmark leaves the user's library alone", { timeout: 180_000 }, (t) => {
  const home = mkdtempSync(join(tmpdir(), 'optlab-bench-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data') };
  const run = (extra: Record<string, string>) =>
    spawnSync(process.execPath, ['bench/sklearn/run.mjs', '--optlab-only', '--only', 'iris-logistic', '--json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, ...extra },
      timeout: 150_000,
    });
  // Once with the default library, once with $OPTLAB_DB naming one.
  const r = run({ OPTLAB_DB: '' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { rows: Array<{ dataset: string; optlab: { mean: number } }> };
  assert.equal(out.rows.length, 1);
  assert.ok(out.rows[0].optlab.mean > 0.9, `iris accuracy ${out.rows[0].optlab.mean}`);
  assert.ok(!existsSync(join(home, 'data', 'optlab')), 'nothing under the default library folder');
  const mine = join(home, 'mine.db');
  const r2 = run({ OPTLAB_DB: mine });
  assert.equal(r2.status, 0, r2.stderr);
  assert.ok(!existsSync(mine), '$OPTLAB_DB untouched');
  assert.deepEqual(
    readdirSync(home).sort(),
    ['data'].filter((d) => existsSync(join(home, d))),
  );
});
