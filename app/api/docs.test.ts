// docs/api.md is the note a front end's author reads: it names every method of the Lab API,
// every event kind and every error code, and stays so when the contract grows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_METHODS } from '../../shared/lab-rpc.ts';
import { LAB_ERROR_CODES } from '../../shared/lab-errors.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('docs/api.md names every method, event kind and error code of shared/lab-api.ts', () => {
  const doc = readFileSync(join(root, 'docs/api.md'), 'utf8');
  const contract = readFileSync(join(root, 'shared/lab-api.ts'), 'utf8');
  // The event kinds as the LabEvent union spells them.
  const union = contract.slice(
    contract.indexOf('export type LabEvent ='),
    contract.indexOf('export type LabEventType'),
  );
  const events = [...union.matchAll(/type: '([a-z-]+)'/g)].map((m) => m[1]);
  assert.ok(events.length >= 10, `only ${events.length} event kinds found in lab-api.ts`);
  const missing = [
    ...Object.keys(LAB_METHODS)
      .filter((m) => !new RegExp(`\\b${m}\\b`).test(doc))
      .map((m) => `method ${m}`),
    ...events.filter((e) => !doc.includes(`\`${e}\``)).map((e) => `event ${e}`),
    ...LAB_ERROR_CODES.filter((c) => !doc.includes(c)).map((c) => `code ${c}`),
  ];
  assert.deepEqual(missing, [], 'not in docs/api.md');
});
