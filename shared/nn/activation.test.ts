import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat } from '../linalg/mat.ts';
import { ACTIVATIONS, ActivationLayer, sigmoid } from './activation.ts';
import { checkLayer, randomMat, withFloat64 } from './gradcheck.ts';
import type { ForwardContext } from './layer.ts';

const ctx: ForwardContext = { training: true, rng: new Rng(0) };
const XS = [-6, -3, -1, -0.5, 0, 0.5, 1, 2, 3, 6];

function apply(fn: (typeof ACTIVATIONS)[number], xs: number[], slope?: number): number[] {
  const layer = new ActivationLayer(fn, slope);
  const y = layer.forward(mat(1, xs.length, Float32Array.from(xs)), ctx);
  return Array.from(y.data.subarray(0, xs.length));
}

function close(actual: number[], expected: number[], tol: number): void {
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `[${i}] ${a} vs ${expected[i]}`),
  );
}

test('activation values follow the PyTorch definitions', () => {
  close(apply('identity', XS), XS, 0);
  close(
    apply('relu', XS),
    XS.map((x) => Math.max(0, x)),
    0,
  );
  close(
    apply('leaky_relu', XS),
    XS.map((x) => (x > 0 ? x : 0.01 * x)),
    1e-7,
  );
  close(
    apply('leaky_relu', XS, 0.2),
    XS.map((x) => (x > 0 ? x : 0.2 * x)),
    1e-7,
  );
  close(apply('tanh', XS), XS.map(Math.tanh), 1e-7);
  close(
    apply('sigmoid', XS),
    XS.map((x) => 1 / (1 + Math.exp(-x))),
    1e-7,
  );
  // 0.5·x·(1 + erf(x/√2)) from libm.
  const gelu = [
    -5.919525869479969e-9, -0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0, 0.34573123063700656,
    0.8413447460685429, 1.9544997361036416, 2.99595030590511, 5.999999994080474,
  ];
  close(apply('gelu', XS), gelu, 1e-7);
});

test('sigmoid does not overflow for large |x|', () => {
  assert.equal(sigmoid(1000), 1);
  assert.equal(sigmoid(-1000), 0);
  assert.deepEqual(apply('sigmoid', [-1000, 1000]), [0, 1]);
});

for (const fn of ACTIVATIONS) {
  test(`${fn} gradient matches central differences in float64`, () => {
    const r = withFloat64(() => {
      const rng = new Rng(21);
      const x = randomMat(5, 4, rng, 2);
      // Keep inputs off the relu/leaky_relu kink, where the derivative is one-sided.
      for (let i = 0; i < 20; i++) if (Math.abs(x.data[i]) < 1e-3) x.data[i] = 0.5;
      return checkLayer(new ActivationLayer(fn, 0.1), x, ctx, rng);
    });
    console.log(`${fn} FD max rel error ${r.input.maxRelError.toExponential(2)}`);
    assert.ok(r.input.maxRelError < 1e-6, `max rel error ${r.input.maxRelError}`);
  });
}

test('relu and leaky_relu derivatives at 0 are 0 and the slope, as in PyTorch', () => {
  for (const [fn, expected] of [
    ['relu', 0],
    ['leaky_relu', 0.01],
  ] as const) {
    const layer = new ActivationLayer(fn);
    layer.forward(mat(1, 1, Float32Array.from([0])), ctx);
    assert.ok(Math.abs(layer.backward(mat(1, 1, Float32Array.from([1]))).data[0] - expected) < 1e-9);
  }
});

test('activations reuse their buffers; identity passes its input through', () => {
  const rng = new Rng(2);
  const x = randomMat(3, 4, rng);
  const layer = new ActivationLayer('gelu');
  const y1 = layer.forward(x, ctx);
  const d1 = layer.backward(y1);
  assert.equal(layer.forward(x, ctx), y1);
  assert.equal(layer.backward(y1), d1);
  const id = new ActivationLayer('identity');
  assert.equal(id.forward(x, ctx), x);
  assert.equal(id.backward(x), x);
  assert.deepEqual(layer.params(), []);
});

test('NaN propagates through every activation, as in PyTorch', () => {
  for (const fn of ACTIVATIONS) assert.ok(Number.isNaN(apply(fn, [Number.NaN])[0]), fn);
  assert.ok(Object.is(apply('relu', [-0])[0], 0));
});

test('unknown activation names are rejected', () => {
  assert.throws(() => new ActivationLayer('swish' as never), /unknown activation "swish"/);
});
