// Runs every *.test.ts under shared/, worker/ and app/ with node's test runner (through tsx).
// node:test on Node 20 does not expand globs itself, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
const only = process.argv.slice(2);
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
files.sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...chosen.sort()], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const out = r.stdout.toString();
process.stdout.write(out);
// The spec reporter's summary uses "ℹ pass N"; print the plain closing line CI reads.
const num = (label) => Number((out.match(new RegExp(`^ℹ ${label} (\\d+)`, 'm')) || [])[1] ?? NaN);
const pass = num('pass'),
  fail = num('fail'),
  skipped = num('skipped');
if (Number.isNaN(pass)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`# pass ${pass}\n# fail ${fail}`);
console.log(`tests: ${pass} passed, ${fail} failed, ${skipped} skipped`);
process.exit(r.status ?? 1);
