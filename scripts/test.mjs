// `npm test`: the static checks (types, lint, format, layer rules), then every *.test.ts under
// shared/, worker/, app/, scripts/ and renderer/ with node's test runner (through tsx), then
// the end-to-end tests in e2e/ (Playwright in Debian's Chromium, on a fresh build of the
// renderer). It ends with the one closing line CI reads, which counts both:
//   tests: N passed, N failed, N skipped
// `npm test -- NAME…` runs only the node test files whose path contains a NAME (no checks);
// `npm test -- e2e[/FILE…]` runs only the end-to-end tests (those files).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const bin = (pkg, file) => join('node_modules', pkg, file);
/** Static checks: each passes or fails as one test. */
const CHECKS = [
  ['type check (tsc --noEmit, strict)', [bin('typescript', 'bin/tsc'), '-p', 'tsconfig.json', '--noEmit']],
  ...(existsSync('e2e')
    ? [
        [
          'type check e2e/ (tsc --noEmit, DOM types)',
          [bin('typescript', 'bin/tsc'), '-p', 'e2e/tsconfig.json', '--noEmit'],
        ],
      ]
    : []),
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

const roots = ['shared', 'worker', 'app', 'scripts', 'renderer'];
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
const argv = process.argv.slice(2);
const e2eArgs = argv.filter((a) => a === 'e2e' || a.startsWith('e2e/'));
const only = argv.filter((a) => !e2eArgs.includes(a));
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : e2eArgs.length ? [] : files;

let pass = 0,
  fail = 0,
  skipped = 0;

if (!argv.length) {
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

if (chosen.length) {
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
}

// End-to-end: a fresh build of the renderer, served on a free port, driven by Playwright.
if (existsSync('e2e') && (!argv.length || e2eArgs.length)) await e2e();

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function e2e() {
  const t0 = performance.now();
  const build = spawnSync(process.execPath, [bin('vite', 'bin/vite.js'), 'build', '--logLevel', 'warn'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (build.status !== 0) {
    fail++;
    console.log(`✖ build the renderer (vite build)\n${build.stdout}${build.stderr}`);
    return;
  }
  console.log(`✔ build the renderer (vite build, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const files = e2eArgs.filter((a) => a !== 'e2e').map((a) => a.slice('e2e/'.length));
  const run = spawnSync(
    process.execPath,
    [bin('@playwright/test', 'cli.js'), 'test', '-c', 'e2e/playwright.config.ts', ...files],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 256 << 20,
      env: { ...process.env, OPTLAB_E2E_PORT: String(await freePort()), FORCE_COLOR: '0' },
    },
  );
  const text = run.stdout.toString();
  process.stdout.write(text);
  // e2e/count-reporter.ts prints "e2e: N passed, N failed, N skipped"; Playwright's own summary is not read.
  const m = text.match(/^e2e: (\d+) passed, (\d+) failed, (\d+) skipped$/m);
  if (!m) {
    fail++;
    console.log('✖ end-to-end tests: no closing line from the reporter');
    return;
  }
  pass += Number(m[1]);
  fail += Number(m[2]);
  skipped += Number(m[3]);
  if (run.status !== 0 && Number(m[2]) === 0) fail++;
}

console.log(`# pass ${pass}\n# fail ${fail}`);
console.log(`tests: ${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(fail ? 1 : 0);
