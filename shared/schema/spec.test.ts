import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Value } from 'typebox/value';
import { ExperimentSpecSchema, specJsonSchema } from './spec.ts';
import { OPTIMIZER_DEFAULTS } from './optimizers.ts';
import { validateExperimentSpec } from '../experiment/validate.ts';
import { PRESETS, presetSpec } from '../experiment/presets.ts';
import { ADAM_DEFAULTS, SGD_DEFAULTS } from '../optim/index.ts';
import { ExperimentExportSchema } from './export.ts';
import { LAB_MESSAGES, WORKER_MESSAGES } from '../protocol-schema.ts';

/** Every field of a schema (object properties, array items, union members), with its path. */
function fields(node: unknown, path: string, out: { path: string; node: Record<string, unknown> }[] = []) {
  if (typeof node !== 'object' || node === null) return out;
  const n = node as Record<string, unknown>;
  if (n.properties)
    for (const [k, v] of Object.entries(n.properties as Record<string, unknown>)) {
      out.push({ path: `${path}.${k}`, node: v as Record<string, unknown> });
      fields(v, `${path}.${k}`, out);
    }
  if (Array.isArray(n.anyOf)) n.anyOf.forEach((m, i) => fields(m, `${path}|${i}`, out));
  if (n.items) fields(n.items, `${path}[]`, out);
  return out;
}

test('every field of the spec has a title and a description, and a default unless its absence means something', () => {
  // No value stands for these: a CSV's path or hash, and its target column (default: the last).
  const noDefault = /\.dataset\.(path|hash|target)$/;
  const all = fields(specJsonSchema(), '$');
  assert.ok(all.length > 100, `${all.length} fields`);
  for (const { path, node } of all) {
    if (path.includes('|') && path.endsWith('.name') && node.const !== undefined) continue;
    assert.equal(typeof node.title, 'string', `${path} has no title`);
    assert.equal(typeof node.description, 'string', `${path} has no description`);
    if (path.includes('.sweep') || path.endsWith('[]') || noDefault.test(path)) continue;
    assert.ok('default' in node, `${path} has no default`);
  }
  assert.ok(!JSON.stringify(specJsonSchema()).includes('"x-'), 'the printed schema has no walker annotations');
});

test('the JSON Schema and the validator agree: presets and examples pass both, broken specs fail both', () => {
  const specs: [string, unknown][] = Object.keys(PRESETS).map((p) => [`preset ${p}`, presetSpec(p)]);
  const dir = new URL('../../examples/', import.meta.url);
  for (const f of readdirSync(dir))
    if (f.endsWith('.json')) specs.push([f, JSON.parse(readFileSync(new URL(f, dir), 'utf8'))]);
  for (const [name, spec] of specs) {
    assert.deepEqual(validateExperimentSpec(spec), [], name);
    assert.ok(
      Value.Check(ExperimentSpecSchema, spec),
      `${name}: ${[...Value.Errors(ExperimentSpecSchema, spec)].map((e) => `${e.instancePath} ${e.message}`).join('; ')}`,
    );
  }
  const base = presetSpec('optimizers') as unknown as Record<string, unknown>;
  const broken: Record<string, unknown>[] = [
    { ...base, seed: -1 },
    { ...base, extra: 1 },
    { ...base, training: { epochs: 0, batchSize: 8 } },
    { ...base, model: { kind: 'mlp', hidden: [4], activation: 'swish' } },
    { ...base, dataset: { name: 'iris', testFraction: 1.5 } },
    { ...base, evaluation: { kind: 'kfold', k: 1 } },
    { ...base, optimizer: { name: 'adam', lr: -1 } },
    { ...base, optimizer: { name: 'sgd', betas: [0.9, 0.99] } },
  ];
  for (const spec of broken) {
    assert.ok(validateExperimentSpec(spec).length > 0, JSON.stringify(spec).slice(0, 80));
    assert.equal(Value.Check(ExperimentSpecSchema, spec), false, JSON.stringify(spec).slice(0, 80));
  }
});

test("the optimizers take their defaults from the schema: torch's, in one table", () => {
  assert.equal(SGD_DEFAULTS, OPTIMIZER_DEFAULTS.sgd);
  assert.equal(ADAM_DEFAULTS, OPTIMIZER_DEFAULTS.adam);
  assert.equal(OPTIMIZER_DEFAULTS.sgd.lr, 1e-3);
  assert.equal(OPTIMIZER_DEFAULTS.adagrad.lr, 1e-2);
  assert.deepEqual(OPTIMIZER_DEFAULTS.nadam.betas, [0.9, 0.999]);
  const adam = fields(specJsonSchema(), '$').find((f) => f.path.endsWith('.optimizer|4.lr'));
  assert.equal(adam?.node.default, 1e-3, 'the printed schema says each optimizer’s own default');
});

test('the export file and every protocol message are schemas too, each field named and described', () => {
  for (const [name, schema] of [
    ['export', ExperimentExportSchema],
    ...Object.entries({ ...LAB_MESSAGES, ...WORKER_MESSAGES }),
  ] as const) {
    const all = fields(schema, name);
    assert.ok(all.length > 0, name);
    for (const { path, node } of all) {
      if (path.includes('.spec.') || path.includes('|')) continue;
      assert.equal(typeof node.title, 'string', `${path} has no title`);
      assert.equal(typeof node.description, 'string', `${path} has no description`);
    }
  }
});
