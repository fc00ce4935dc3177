// The layering rule of DESIGN.md: imports point one way (shared ← worker ← app), and shared/
// uses no Node, DOM or Electron API, so the same core runs in workers, the Lab and the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|svelte)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm,
  ))
    specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

/** Folders each runtime may import from (besides itself). */
const allowed: Record<string, string[]> = {
  shared: [],
  worker: ['shared'],
  app: ['shared', 'worker'],
  renderer: ['shared'],
};

/** Browser and Node globals that must not appear in shared/ (pure TypeScript only). */
const forbiddenInShared =
  /\b(process\.|require\(|__dirname|window\.|document\.|localStorage|navigator\.|Buffer\.|Math\.random)/;

test('shared/ imports nothing outside itself and uses no node:, DOM or Electron API', () => {
  const bad: string[] = [];
  for (const f of sources(join(root, 'shared'))) {
    const isTest = f.endsWith('.test.ts');
    for (const s of imports(f)) {
      if (isTest && s.startsWith('node:')) continue; // tests run under node:test
      if (!s.startsWith('.')) {
        bad.push(`${relative(root, f)} imports "${s}"`);
        continue;
      }
      const target = relative(root, resolve(dirname(f), s));
      if (!target.startsWith('shared/')) bad.push(`${relative(root, f)} imports ${target}`);
    }
    if (!isTest) {
      const text = readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      const m = text.match(forbiddenInShared);
      if (m) bad.push(`${relative(root, f)} uses ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('imports point one way: worker → shared, app → worker/shared, renderer → shared', () => {
  const bad: string[] = [];
  for (const [layer, ok] of Object.entries(allowed)) {
    for (const f of sources(join(root, layer))) {
      for (const s of imports(f)) {
        if (!s.startsWith('.')) continue;
        const top = relative(root, resolve(dirname(f), s)).split('/')[0];
        if (top !== layer && !ok.includes(top)) bad.push(`${relative(root, f)} (${layer}) imports from ${top}/`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('the layering check itself catches a bad import (guards against a check that cannot fail)', () => {
  const specs = imports(join(root, 'scripts', 'layering.test.ts'));
  assert.ok(specs.includes('node:fs'));
  assert.ok(forbiddenInShared.test('const r = Math.random();'));
});
