import { test } from 'node:test';
import assert from 'node:assert/strict';
import { specJsonSchema } from '../../../../shared/schema/spec.ts';
import {
  controlOf,
  enabledDefault,
  getAt,
  parseList,
  parseSweepValues,
  pathText,
  setAt,
  variantDefaults,
  type SchemaNode,
} from './schema.ts';
import { planLine } from './plan.ts';
import type { PlanPreview } from '../../../../shared/lab-api.ts';

const schema = specJsonSchema() as unknown as SchemaNode;
const prop = (...keys: string[]) => keys.reduce<SchemaNode>((n, k) => n.properties![k], schema);

test("the spec's schema gives each field its control: variants, switches, lists, choices, numbers", () => {
  const opt = controlOf(prop('optimizer'));
  assert.equal(opt.kind, 'variants');
  if (opt.kind !== 'variants') return;
  assert.equal(opt.key, 'name');
  assert.deepEqual(
    opt.options.map((o) => o.value),
    ['sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'nadam'],
  );
  // PyTorch's defaults: choosing AdamW starts from lr 0.001 and weight_decay 0.01 (its required fields only).
  assert.deepEqual(variantDefaults(opt.options[5].node), { name: 'adamw' });
  assert.equal(opt.options[5].node.properties!.weight_decay.default, 0.01);
  assert.equal(controlOf(prop('training')).kind, 'object');
  assert.equal(controlOf(prop('training', 'earlyStopping')).kind, 'nullable');
  assert.equal(controlOf(prop('training', 'batchSize')).kind, 'number-or-string');
  assert.deepEqual(controlOf(prop('model', 'hidden')), { kind: 'list', numbers: true });
  assert.deepEqual(controlOf(prop('tags')), { kind: 'list', numbers: false });
  assert.equal(controlOf(prop('dataset', 'name')).kind, 'enum');
  assert.deepEqual(controlOf(prop('seed')), { kind: 'number', integer: true });
  assert.equal(controlOf(prop('sweep')).kind, 'nullable');
  const ev = controlOf(prop('evaluation'));
  assert.equal(ev.kind === 'variants' && ev.key, 'kind');
  const es = controlOf(prop('training', 'earlyStopping'));
  assert.ok(es.kind === 'nullable' && typeof enabledDefault(es.inner) === 'object');
});

test('paths as the Lab names them; values set and removed in place; typed lists and sweep values', () => {
  assert.equal(pathText(['sweep', 2, 'model', 'hidden', 0]), 'sweep[2].model.hidden[0]');
  const spec: Record<string, unknown> = { optimizer: { name: 'adam' } };
  setAt(spec, ['optimizer', 'lr'], 0.1);
  setAt(spec, ['training', 'epochs'], 5);
  assert.deepEqual(spec, { optimizer: { name: 'adam', lr: 0.1 }, training: { epochs: 5 } });
  setAt(spec, ['optimizer', 'lr'], undefined);
  assert.deepEqual(getAt(spec, ['optimizer']), { name: 'adam' });
  assert.deepEqual(parseList('16, 8,x', true), [16, 8, 'x']);
  assert.deepEqual(parseSweepValues('0.1, [8, 8], full, {"a": 1}, true'), [0.1, [8, 8], 'full', { a: 1 }, true]);
});

test('the plan line: configurations × splits = jobs, about the estimated time on the workers', () => {
  const p = {
    configurations: Array.from({ length: 10 }, (_, i) => ({ key: `config=${i}`, label: '' })),
    evaluation: '5-fold stratified',
    splits: 5,
    jobs: 50,
    modelsPerSplit: Array(10).fill(1),
    estimate: { cpuSeconds: 80, seconds: 40.4, workers: 2, basis: 'benchmark' },
  } as unknown as PlanPreview;
  assert.equal(planLine(p), '10 configurations × 5 splits (5-fold stratified) = 50 jobs, about 40 s on 2 workers');
  assert.equal(
    planLine({
      ...p,
      configurations: p.configurations.slice(0, 1),
      jobs: 5,
      estimate: { ...p.estimate, seconds: 600, workers: 1 },
    }),
    '1 configuration × 5 splits (5-fold stratified) = 5 jobs, about 10 min on 1 worker',
  );
});
