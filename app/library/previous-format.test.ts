// Libraries and exports written before the codec was merged (OptLab 0.1.0, commit 3f2540b)
// open with today's code: every stored job result and data set decodes, re-encodes to the
// same bytes (the format did not change), and the report comes out byte for byte.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeDataset, decodeJobResult, encodeDataset, encodeJobResult } from '../../shared/codec.ts';
import { Lab } from '../lab.ts';

const fixtures = new URL('../fixtures/previous-format/', import.meta.url);
const fixture = (name: string) => new URL(name, fixtures).pathname;
const quiet = { logger: { info: () => {}, warn: () => {} } };

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-previous-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a library written by the previous format opens; its blobs decode and re-encode to the same bytes', async () => {
  const db = join(tmp, 'library.db');
  copyFileSync(fixture('library.db'), db);
  const raw = new Database(db, { readonly: true });
  const results = raw.prepare('SELECT key, result FROM job_results ORDER BY key').all() as {
    key: string;
    result: Buffer;
  }[];
  const datasets = raw.prepare('SELECT hash FROM datasets').all() as { hash: string }[];
  raw.close();
  assert.equal(results.length, 6, 'two folds of one model and of two bagged members');
  for (const r of results) {
    const bytes = new Uint8Array(r.result);
    const decoded = decodeJobResult(bytes);
    assert.equal(decoded.key, r.key);
    assert.deepEqual(encodeJobResult(decoded), bytes, `${r.key} re-encodes to the same bytes`);
  }
  const lab = Lab.open(db, quiet);
  try {
    const e = await lab.getExperiment(1);
    assert.equal(e.status, 'done');
    const stored = readFileSync(fixture('report.json'), 'utf8').trim();
    assert.equal(JSON.stringify(await lab.getReport(1)), stored);
    // Recomputing the report decodes every stored result and data set again: the same numbers
    // come out, to the bit (the intervals now stay inside their metrics' ranges: app/report-identity.test.ts).
    await lab.resumeRun(1, { workers: 0 });
    assert.equal((await lab.waitForRun(1)).status, 'done');
    const withoutIntervals = (text: string) =>
      JSON.stringify(JSON.parse(text, (k, v: unknown) => (k === 'ci95' || k === 'ci95Clipped' ? undefined : v)));
    assert.equal(withoutIntervals(JSON.stringify(await lab.getReport(1))), withoutIntervals(stored));
    assert.equal(datasets.length, 1);
    const preview = await lab.previewDataset(datasets[0].hash, 2);
    assert.equal(preview.info.name, 'iris');
  } finally {
    await lab.close();
  }
});

test('an export written by the previous format imports, and its blobs are byte-stable', async () => {
  const file = JSON.parse(readFileSync(fixture('export.json'), 'utf8'));
  for (const d of file.datasets) {
    const bytes = new Uint8Array(Buffer.from(d.data, 'base64'));
    assert.deepEqual(encodeDataset(decodeDataset(bytes)), bytes);
  }
  const lab = Lab.open(join(tmp, 'imported.db'), quiet);
  try {
    const rec = await lab.importExperiment(file);
    assert.equal(rec.status, 'done');
    assert.equal(JSON.stringify(await lab.getReport(rec.id)), readFileSync(fixture('report.json'), 'utf8').trim());
    assert.equal((await lab.getJobs(rec.id)).counts.done, 6);
  } finally {
    await lab.close();
  }
});
