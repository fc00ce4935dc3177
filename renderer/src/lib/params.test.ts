import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from './params.ts';
import { formatHash, parseHash } from './hash.ts';

const SCHEMA = {
  fn: { kind: 'enum', default: 'rosenbrock', values: ['rosenbrock', 'beale'] },
  lr: { kind: 'number', default: 0.01, gt: 0 },
  steps: { kind: 'number', default: 100, min: 1, max: 1000, integer: true },
  l2: { kind: 'number', default: null, min: 0 },
  play: { kind: 'bool', default: false },
  hidden: { kind: 'numbers', default: [8, 8], min: 1, integer: true, maxLength: 3 },
  opts: { kind: 'subset', default: ['gd', 'adam'], values: ['gd', 'nag', 'adam'] },
} as const;

test('an empty query decodes to the defaults, and the defaults encode to nothing', () => {
  const { values, problems } = decode(SCHEMA, new URLSearchParams());
  assert.deepEqual(values, {
    fn: 'rosenbrock',
    lr: 0.01,
    steps: 100,
    l2: null,
    play: false,
    hidden: [8, 8],
    opts: ['gd', 'adam'],
  });
  assert.deepEqual(problems, []);
  assert.equal(encode(SCHEMA, values).toString(), '');
});

test('values round-trip through the query; only those that differ from the defaults are written', () => {
  const values = {
    fn: 'beale',
    lr: 0.003,
    steps: 100,
    l2: 1e-4,
    play: true,
    hidden: [],
    opts: ['adam', 'nag'],
  };
  const q = encode(SCHEMA, values);
  assert.equal(q.toString(), 'fn=beale&lr=0.003&l2=0.0001&play=1&hidden=&opts=adam%2Cnag');
  // A subset keeps the schema's order whatever order the link lists.
  assert.deepEqual(decode(SCHEMA, q).values, { ...values, opts: ['nag', 'adam'] });
});

test('a bad value falls back to its default and is named with what was expected', () => {
  const q = new URLSearchParams('fn=himmel&lr=-1&steps=2.5&l2=abc&play=yes&hidden=8,0&opts=gd,sgd');
  const { values, problems } = decode(SCHEMA, q);
  assert.deepEqual(values, decode(SCHEMA, new URLSearchParams()).values);
  assert.deepEqual(problems, [
    'fn: expected one of rosenbrock, beale, got "himmel"; using the default',
    'lr: expected a number > 0, got "-1"; using the default',
    'steps: expected an integer in [1, 1000], got "2.5"; using the default',
    'l2: expected a number >= 0, got "abc"; using the default',
    'play: expected 0 or 1, got "yes"; using the default',
    'hidden: expected a comma-separated list of integers >= 1, got "8,0"; using the default',
    'opts: expected a comma-separated list of gd, nag, adam, got "gd,sgd"; using the default',
  ]);
  assert.deepEqual(decode(SCHEMA, new URLSearchParams('hidden=1,2,3,4')).problems.length, 1);
  assert.deepEqual(decode(SCHEMA, new URLSearchParams('lr=')).problems.length, 1);
});

test('a text field takes a whole match of its pattern, else its default (null), and is written only when set', () => {
  const schema = { csv: { kind: 'text', default: null, pattern: /[0-9a-f]{16}/, what: '16 hex digits' } } as const;
  assert.deepEqual(decode(schema, new URLSearchParams()).values, { csv: null });
  assert.equal(encode(schema, { csv: null }).toString(), '');
  const q = encode(schema, { csv: '0123456789abcdef' });
  assert.equal(q.toString(), 'csv=0123456789abcdef');
  assert.deepEqual(decode(schema, q), { values: { csv: '0123456789abcdef' }, problems: [] });
  // The pattern must match the whole value, not a part of it.
  const bad = decode(schema, new URLSearchParams('csv=0123456789abcdef0'));
  assert.deepEqual(bad, {
    values: { csv: null },
    problems: ['csv: expected 16 hex digits, got "0123456789abcdef0"; using the default'],
  });
});

test('hash routes: path and query, the session token taken out of both forms', () => {
  const a = parseHash('#/paths?fn=beale&lr=0.1');
  assert.equal(a.path, '/paths');
  assert.equal(a.query.toString(), 'fn=beale&lr=0.1');
  assert.equal(a.token, null);
  const b = parseHash('#token=s3cret');
  assert.deepEqual([b.path, b.query.toString(), b.token], ['/', '', 's3cret']);
  const c = parseHash('#/playground/?token=abc&seed=2');
  assert.deepEqual([c.path, c.query.toString(), c.token], ['/playground', 'seed=2', 'abc']);
  assert.deepEqual([parseHash('').path, parseHash('#').path, parseHash('#paths').path], ['/', '/', '/paths']);
  assert.equal(formatHash('/paths', new URLSearchParams('fn=beale')), '#/paths?fn=beale');
  assert.equal(formatHash('/paths'), '#/paths');
});
