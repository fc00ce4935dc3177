// The layer rules (.dependency-cruiser.cjs) catch what they are there to catch: `npm test`
// runs them over the real tree, where they pass; here they run over a small tree built to
// break each rule once, and each break must be reported under its rule's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files of the small tree: each import below breaks exactly one rule (or none: the controls). */
const TREE: Record<string, string> = {
  // A cycle inside one folder.
  'shared/data/a.ts': "import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n",
  'shared/data/b.ts': "import { a } from './a.ts';\nexport const b = (): number => a() - 1;\n",
  // Upward inside shared/: pure math must not know the experiment engine (the old analysis → experiment slip).
  'shared/linalg/up.ts': "import type { X } from '../experiment/x.ts';\nexport type L = X;\n",
  'shared/analysis/up.ts': "import type { X } from '../experiment/x.ts';\nexport type A = X;\n",
  'shared/experiment/x.ts': 'export type X = number;\n',
  // Downward inside shared/: allowed.
  'shared/experiment/down.ts': "import type { L } from '../linalg/up.ts';\nexport type D = L;\n",
  // shared/ with a Node built-in.
  'shared/data/fs.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  // A front end reaching past the Lab's contract into the library or the Lab's parts.
  'app/cli/reach.ts': "import { lib } from '../library/lib.ts';\nexport const c = lib;\n",
  'app/api/reach.ts': "import { part } from '../lab/part.ts';\nexport const s = part;\n",
  'app/web/reach.ts': "import { lib } from '../library/lib.ts';\nexport const w = lib;\n",
  'app/library/lib.ts': 'export const lib = 1;\n',
  'app/lab/part.ts': 'export const part = 2;\n',
  // The Lab itself may use its library and its parts.
  'app/lab.ts':
    "import { lib } from './library/lib.ts';\nimport { part } from './lab/part.ts';\nexport const lab = lib + part;\n",
  // The renderer and the workers upward.
  'renderer/r.ts': "import { lab } from '../app/lab.ts';\nexport const r = lab;\n",
  'worker/w.ts': "import { lab } from '../app/lab.ts';\nexport const w = lab;\n",
};

test('the layer rules report a cycle, an upward import in shared/, a front end past the contract, and the runtime folders', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'optlab-layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      '--config',
      join(root, '.dependency-cruiser.cjs'),
      '--output-type',
      'json',
      'shared',
      'app',
      'renderer',
      'worker',
    ],
    { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  assert.ok(r.stdout.trim().startsWith('{'), `dependency-cruiser did not answer:\n${r.stdout}${r.stderr}`);
  const found = (
    JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } }
  ).summary.violations.map((v) => `${v.rule.name.replace(/^shared-layer-.*/, 'shared-layer')}: ${v.from} -> ${v.to}`);
  const expected = [
    'no-circular: shared/data/a.ts -> shared/data/b.ts',
    'shared-layer: shared/linalg/up.ts -> shared/experiment/x.ts',
    'shared-layer: shared/analysis/up.ts -> shared/experiment/x.ts',
    'shared-no-node-builtins: shared/data/fs.ts -> fs',
    'front-ends-through-lab-api: app/cli/reach.ts -> app/library/lib.ts',
    'front-ends-through-lab-api: app/api/reach.ts -> app/lab/part.ts',
    'front-ends-through-lab-api: app/web/reach.ts -> app/library/lib.ts',
    'renderer-imports-shared-only: renderer/r.ts -> app/lab.ts',
    'worker-imports-shared-only: worker/w.ts -> app/lab.ts',
  ];
  for (const e of expected) assert.ok(found.includes(e), `not reported: ${e}\nreported:\n${found.join('\n')}`);
  // Nothing else: the allowed imports (down the layers, the Lab into its own parts) pass.
  const extra = found.filter((f) => !expected.includes(f) && !f.startsWith('no-circular: shared/data/b.ts'));
  assert.deepEqual(extra, [], 'reported though allowed');
});
