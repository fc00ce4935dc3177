// `npm test`: the static checks (types, lint, format, layer rules), then every *.test.ts under
// shared/, worker/, app/ and scripts/ with node's test runner (through tsx), then the
// end-to-end tests when e2e/ exists. It ends with the one closing line CI reads:
//   tests: N passed, N failed, N skipped
// `npm test -- NAME…` runs only the node test files whose path contains a NAME (no checks).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const bin = (pkg, file) => join('node_modules', pkg, file);
/** Static checks: each passes or fails as one test. */
const CHECKS = [
  ['type check (tsc --noEmit, strict)', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ...(existsSync('renderer')
    ? [
        [
          'svelte-check',
          [bin('svelte-check', 'bin/svelte-check'), '--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings'],
        ],
      ]
    : []),
  ['lint (eslint, type-checked rules)', [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings', '0']],
  ['format (prettier --check)', [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.']],
  [
    'layer rules and no cycles (dependency-cruiser)',
    [
      bin('dependency-cruiser', 'bin/dependency-cruise.mjs'),
      '--config',
      '.dependency-cruiser.cjs',
      ...['shared', 'worker', 'app', 'renderer', 'e2e', 'bench', 'scripts', 'bin'].filter((d) => existsSync(d)),
    ],
  ],
];

const roots = ['shared', 'worker', 'app', 'scripts'];
const files = [];
function walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === 'node_modules') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (e.endsWith('.test.ts')) files.push(p);
  }
}
roots.forEach(walk);
files.sort();
const only = process.argv.slice(2);
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;

let pass = 0,
  fail = 0,
  skipped = 0;

if (!only.length) {
  for (const [name, args] of CHECKS) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.status === 0) {
      pass++;
      console.log(`✔ ${name} (${s} s)`);
    } else {
      fail++;
      console.log(`✖ ${name} (${s} s)\n${r.stdout}${r.stderr}`);
    }
  }
}

// TypeBox is imported before tsx registers, so Node loads its modules without tsx's hooks (see bin/optlab.mjs).
const r = spawnSync(
  process.execPath,
  ['--import', 'typebox', '--import', 'tsx', '--test', '--test-reporter=spec', ...chosen],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 << 20,
  },
);
const out = r.stdout.toString();
process.stdout.write(out);
// The spec reporter's summary uses "ℹ pass N".
const num = (label) => Number((out.match(new RegExp(`^ℹ ${label} (\\d+)`, 'm')) || [])[1] ?? NaN);
if (Number.isNaN(num('pass'))) fail++;
else {
  pass += num('pass');
  fail += num('fail');
  skipped += num('skipped');
}
if (r.status !== 0 && num('fail') === 0) fail++;

console.log(`# pass ${pass}\n# fail ${fail}`);
console.log(`tests: ${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail ? 1 : 0);
