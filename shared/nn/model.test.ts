import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat, type Mat } from '../linalg/mat.ts';
import { setAllocator } from '../linalg/alloc.ts';
import type { ModelSpec } from '../schema/types.ts';
import { Dropout } from './dropout.ts';
import { CrossEntropyLoss } from './loss.ts';
import { buildModel, Sequential, validateModelSpec } from './model.ts';
import { checkLayer, lossObjective, randomMat, randomOneHot, withFloat64 } from './gradcheck.ts';

const MLP: ModelSpec = { kind: 'mlp', hidden: [8, 6], activation: 'tanh', batchNorm: true, dropout: 0.2 };
const train = (seed = 0) => ({ training: true, rng: new Rng(seed) });

test('buildModel lays out linear, logistic and mlp models', () => {
  const rng = new Rng(1);
  assert.equal(buildModel({ kind: 'linear' }, 5, 1, rng).describe(), 'dense(5→1)');
  assert.equal(buildModel({ kind: 'logistic' }, 5, 3, rng).describe(), 'dense(5→3)');
  assert.equal(
    buildModel(MLP, 4, 3, rng).describe(),
    'dense(4→8) → batchnorm(8) → tanh → dropout(0.2) → dense(8→6) → batchnorm(6) → tanh → dropout(0.2) → dense(6→3)',
  );
  assert.equal(buildModel({ kind: 'mlp', hidden: [7] }, 2, 2, rng).describe(), 'dense(2→7) → relu → dense(7→2)');
  const names = buildModel(MLP, 4, 3, rng)
    .params()
    .map((p) => `${p.name}:${p.penalize}`);
  assert.deepEqual(names, [
    'dense0.weight:true',
    'dense0.bias:false',
    'bn0.weight:false',
    'bn0.bias:false',
    'dense1.weight:true',
    'dense1.bias:false',
    'bn1.weight:false',
    'bn1.bias:false',
    'dense2.weight:true',
    'dense2.bias:false',
  ]);
});

test('paramCount counts trainable scalars; buffers are the batch-norm running stats', () => {
  const model = buildModel(MLP, 4, 3, new Rng(1));
  // (4·8+8) + 2·8 + (8·6+6) + 2·6 + (6·3+3)
  assert.equal(model.paramCount(), 40 + 16 + 54 + 12 + 21);
  assert.equal(model.buffers().length, 4);
  assert.equal(model.stateSize(), 143 + 2 * 8 + 2 * 6);
});

test('the same seed builds identical models; another seed does not', () => {
  const a = buildModel(MLP, 4, 3, new Rng(42)).getState();
  const b = buildModel(MLP, 4, 3, new Rng(42)).getState();
  const c = buildModel(MLP, 4, 3, new Rng(43)).getState();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('getState/setState round trip restores params and running stats exactly', () => {
  const rng = new Rng(3);
  const model = buildModel(MLP, 4, 3, rng);
  const x = randomMat(10, 4, rng);
  const saved = model.getState();
  const before = Float32Array.from(model.forward(x, { training: false, rng }).data.subarray(0, 30));
  // Training forwards move the running stats; perturbing params changes the rest.
  for (let k = 0; k < 3; k++) model.forward(x, train(k));
  for (const p of model.params()) p.value[0] += 0.5;
  assert.notDeepEqual(model.getState(), saved);
  model.setState(saved);
  assert.deepEqual(model.getState(), saved);
  assert.deepEqual(Float32Array.from(model.forward(x, { training: false, rng }).data.subarray(0, 30)), before);
  // A reused output buffer works too; wrong lengths are refused.
  const out = new Float32Array(model.stateSize());
  assert.equal(model.getState(out), out);
  assert.throws(() => model.setState(new Float32Array(5)), /state values/);
});

test('2-hidden-layer MLP with batchnorm and dropout: end-to-end gradients match central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(77);
    const model = buildModel(MLP, 4, 3, rng);
    for (const layer of model.layers) {
      if (layer instanceof Dropout) layer.fixMask(Array.from({ length: 6 * 8 }, () => (rng.next() < 0.8 ? 1 : 0)));
    }
    const x = randomMat(6, 4, rng);
    const t = randomOneHot(6, 3, rng);
    const loss = new CrossEntropyLoss(0.1);
    return checkLayer(model, x, train(), rng, lossObjective(loss, t));
  });
  const parts = [
    `input ${r.input.maxRelError.toExponential(2)}`,
    ...Object.entries(r.params).map(([k, v]) => `${k} ${v.maxRelError.toExponential(2)}`),
  ];
  console.log(`MLP end-to-end FD max rel error ${r.maxRelError.toExponential(2)} (${parts.join(', ')})`);
  assert.ok(r.maxRelError < 1e-6, `max rel error ${r.maxRelError}`);
});

test('backwardParams writes the same param grads as backward', () => {
  const rng = new Rng(5);
  const model = buildModel({ kind: 'mlp', hidden: [5], activation: 'gelu' }, 3, 2, rng);
  const x = randomMat(4, 3, rng);
  const dy = randomMat(4, 2, rng);
  model.forward(x, train());
  model.backward(dy);
  const full = model.params().map((p) => Float32Array.from(p.grad));
  for (const p of model.params()) p.grad.fill(0);
  model.backwardParams(dy);
  model.params().forEach((p, i) => assert.deepEqual(p.grad, full[i]));
});

test('no allocation after the first call: forward and backward return the same objects and storage', () => {
  const rng = new Rng(6);
  const model = buildModel(MLP, 4, 3, rng);
  const x = randomMat(8, 4, rng);
  const ctx = train(1);
  const y1 = model.forward(x, ctx);
  const g1 = model.backward(y1);
  const yData = y1.data,
    gData = g1.data;
  const y2 = model.forward(x, ctx);
  const g2 = model.backward(y2);
  assert.equal(y2, y1);
  assert.equal(y2.data, yData);
  assert.equal(g2, g1);
  assert.equal(g2.data, gData);
  assert.equal(model.params(), model.params());
});

test('a training step allocates no float buffer after the first one (counted through allocF32)', () => {
  let count = 0;
  const prev = setAllocator((n) => {
    count++;
    return new Float32Array(n);
  });
  try {
    const rng = new Rng(7);
    const model = buildModel({ ...MLP, activation: 'gelu' }, 4, 3, rng);
    const x = randomMat(16, 4, rng);
    const small = randomMat(5, 4, rng);
    const t = randomOneHot(16, 3, rng);
    const tSmall = randomOneHot(5, 3, rng);
    const loss = new CrossEntropyLoss(0.1);
    const ctx = train(3);
    const step = (xb: Mat, tb: Mat): void => {
      loss.compute(model.forward(xb, ctx), tb);
      model.backwardParams(loss.grad);
    };
    step(x, t);
    const after = count;
    for (let k = 0; k < 5; k++) step(x, t);
    step(small, tSmall);
    model.forward(x, { training: false, rng });
    loss.evaluate(model.forward(small, { training: false, rng }), tSmall);
    assert.equal(count, after);
  } finally {
    setAllocator(prev);
  }
});

test('a model built from a spec trains: a few full-batch gradient steps lower the loss', () => {
  const rng = new Rng(9);
  const model = buildModel({ kind: 'mlp', hidden: [16], activation: 'relu', batchNorm: true }, 2, 2, rng);
  const x = randomMat(32, 2, rng);
  const t = mat(32, 2);
  for (let i = 0; i < 32; i++) t.data[i * 2 + (x.data[2 * i] * x.data[2 * i + 1] > 0 ? 1 : 0)] = 1;
  const loss = new CrossEntropyLoss();
  const ctx = train(2);
  const first = loss.compute(model.forward(x, ctx), t);
  let last = first;
  for (let step = 0; step < 200; step++) {
    last = loss.compute(model.forward(x, ctx), t);
    model.backwardParams(loss.grad);
    for (const p of model.params()) for (let i = 0; i < p.value.length; i++) p.value[i] -= 0.5 * p.grad[i];
  }
  assert.ok(last < 0.5 * first, `loss ${first} → ${last}`);
});

test('validateModelSpec lists every problem with its JSON path', () => {
  assert.deepEqual(validateModelSpec(MLP), []);
  assert.deepEqual(validateModelSpec({ kind: 'linear' }), []);
  assert.deepEqual(
    validateModelSpec({
      kind: 'mlp',
      hidden: [4, 0, 2.5],
      activation: 'foo',
      dropout: 1,
      batchNorm: 'yes',
      negativeSlope: 'x',
      batchnorm: true,
    }),
    [
      'model.batchnorm: unknown option (known: kind, hidden, activation, negativeSlope, dropout, batchNorm)',
      'model.hidden[1]: must be a positive integer, got 0',
      'model.hidden[2]: must be a positive integer, got 2.5',
      'model.activation: unknown "foo" (known: identity, sigmoid, tanh, relu, leaky_relu, gelu)',
      'model.negativeSlope: must be a number, got "x"',
      'model.dropout: must be in [0, 1), got 1',
      'model.batchNorm: must be true or false, got "yes"',
    ],
  );
  assert.deepEqual(validateModelSpec({ kind: 'mlp' }), [
    'model.hidden: required for kind "mlp" (hidden layer widths, e.g. [64])',
  ]);
  assert.deepEqual(validateModelSpec({ kind: 'mlp', hidden: [] }), [
    'model.hidden: must list at least one width for kind "mlp"',
  ]);
  assert.deepEqual(validateModelSpec({ kind: 'mlp', hidden: [1e6] }), [
    'model.hidden[0]: must be at most 65536, got 1000000',
  ]);
  assert.deepEqual(validateModelSpec({ kind: 'cnn' }, 'sweep.model[2]'), [
    'sweep.model[2].kind: unknown "cnn" (known: linear, logistic, mlp)',
  ]);
  assert.deepEqual(validateModelSpec(null), ['model: must be an object, got null']);
  assert.throws(
    () => buildModel({ kind: 'mlp', hidden: [0] }, 3, 2, new Rng(1)),
    /model.hidden\[0\]: must be a positive integer/,
  );
  assert.throws(() => buildModel({ kind: 'linear' }, 0, 2, new Rng(1)), /inputDim/);
});

test('Sequential rejects an empty layer list', () => {
  assert.throws(() => new Sequential([]), /at least one layer/);
});
