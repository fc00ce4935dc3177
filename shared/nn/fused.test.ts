import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { mat, type Mat } from '../linalg/mat.ts';
import { installWasmKernels } from '../linalg/wasm-kernels.ts';
import type { ModelSpec } from '../schema/types.ts';
import { ActivationLayer } from './activation.ts';
import { Dense } from './dense.ts';
import { CrossEntropyLoss } from './loss.ts';
import { buildModel, Sequential } from './model.ts';
import { checkLayer, lossObjective, randomMat, randomOneHot, withFloat64 } from './gradcheck.ts';

const train = (seed = 0) => ({ training: true, rng: new Rng(seed) });

/** The same network twice from one seed: with the dense+activation pairs fused, and without. */
function pair(spec: ModelSpec, inDim: number, outDim: number, seed: number): [Sequential, Sequential] {
  const a = buildModel(spec, inDim, outDim, new Rng(seed));
  const b = new Sequential(buildModel(spec, inDim, outDim, new Rng(seed)).layers, { fuse: false });
  return [a, b];
}

/** Same bits, NaN included (whatever its payload). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    assert.ok(Object.is(a[i], b[i]), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

/** One forward and backward of both models on the same batch; every output and grad must agree to the bit. */
function compareSteps(spec: ModelSpec, x: Mat, t: Mat, seed: number, what: string): void {
  const [fusedModel, plainModel] = pair(spec, x.cols, t.cols, seed);
  const outs: Float32Array[] = [];
  const grads: Float32Array[][] = [];
  for (const m of [fusedModel, plainModel]) {
    const loss = new CrossEntropyLoss();
    const y = m.forward(x, train(1));
    outs.push(Float32Array.from(y.data.subarray(0, y.rows * y.cols)));
    loss.compute(y, t);
    m.backward(loss.grad);
    grads.push(m.params().map((p) => Float32Array.from(p.grad)));
  }
  sameBits(outs[0], outs[1], `${what} output`);
  grads[0].forEach((g, i) => sameBits(g, grads[1][i], `${what} ${fusedModel.params()[i].name}.grad`));
}

test('Sequential fuses dense → relu and dense → identity pairs and keeps layers, names and state order', () => {
  const rng = new Rng(1);
  const relu = buildModel({ kind: 'mlp', hidden: [7, 5], activation: 'relu' }, 3, 2, rng);
  assert.equal(relu.fusedPairs, 2);
  assert.equal(relu.describe(), 'dense(3→7) → relu → dense(7→5) → relu → dense(5→2)');
  assert.deepEqual(
    relu.params().map((p) => p.name),
    ['dense0.weight', 'dense0.bias', 'dense1.weight', 'dense1.bias', 'dense2.weight', 'dense2.bias'],
  );
  assert.equal(buildModel({ kind: 'mlp', hidden: [4], activation: 'identity' }, 3, 2, rng).fusedPairs, 1);
  // Batch norm or another activation between them: nothing to fuse.
  assert.equal(buildModel({ kind: 'mlp', hidden: [4], activation: 'relu', batchNorm: true }, 3, 2, rng).fusedPairs, 0);
  assert.equal(buildModel({ kind: 'mlp', hidden: [4], activation: 'tanh' }, 3, 2, rng).fusedPairs, 0);
  assert.equal(buildModel({ kind: 'logistic' }, 3, 2, rng).fusedPairs, 0);
  const d = new Dense(3, 4, rng);
  assert.equal(new Sequential([d, new ActivationLayer('relu')], { fuse: false }).fusedPairs, 0);
  // Dropout after the activation does not stop the pair.
  assert.equal(buildModel({ kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0.5 }, 3, 2, rng).fusedPairs, 1);
});

for (const kernelSet of ['js', 'wasm'] as const) {
  test(`${kernelSet} kernels: the fused path gives the unfused path's bits (outputs and every grad)`, () => {
    const h = kernelSet === 'wasm' ? installWasmKernels({ memoryMiB: 8 }) : null;
    try {
      const rng = new Rng(`fused/${kernelSet}`);
      for (const [spec, inDim, outDim, batch] of [
        [{ kind: 'mlp', hidden: [16], activation: 'relu' }, 5, 3, 9],
        [{ kind: 'mlp', hidden: [33, 20], activation: 'relu', dropout: 0.3 }, 17, 4, 32],
        [{ kind: 'mlp', hidden: [8], activation: 'identity' }, 4, 2, 7],
      ] as [ModelSpec, number, number, number][]) {
        const x = randomMat(batch, inDim, rng, 2);
        compareSteps(spec, x, randomOneHot(batch, outDim, rng), 3, `${spec.hidden!.join('-')}/${spec.activation}`);
      }
    } finally {
      h?.uninstall();
    }
  });

  test(`${kernelSet} kernels: NaN goes through a fused ReLU forward and its gradient backward, as through the ReLU layer (PyTorch)`, () => {
    const h = kernelSet === 'wasm' ? installWasmKernels({ memoryMiB: 8 }) : null;
    try {
      const rng = new Rng(`nan/${kernelSet}`);
      const spec: ModelSpec = { kind: 'mlp', hidden: [12], activation: 'relu' };
      const x = randomMat(6, 5, rng, 2);
      x.data[7] = Number.NaN; // row 1
      const [fusedModel, plainModel] = pair(spec, 5, 3, 4);
      const dy = randomMat(6, 3, rng);
      const res = [fusedModel, plainModel].map((m) => {
        const y = m.forward(x, train());
        const out = Float32Array.from(y.data.subarray(0, 18));
        m.backward(dy);
        return { out, grads: m.params().map((p) => Float32Array.from(p.grad)) };
      });
      for (const r of res) {
        assert.ok(Number.isNaN(r.out[3]) && Number.isNaN(r.out[5]), 'the NaN row stays NaN');
        assert.ok(
          r.out.subarray(6).every((v) => !Number.isNaN(v)),
          'other rows are untouched',
        );
      }
      res[0].grads.forEach((g, i) => sameBits(g, res[1].grads[i], `param ${i}`));
      sameBits(res[0].out, res[1].out, 'output');
      // A NaN pre-activation passes its gradient on (threshold_backward), it is not zeroed.
      const nanDense = new Dense(1, 2, rng);
      nanDense.forwardAct(mat(1, 1, Float32Array.from([Number.NaN])), 'relu');
      nanDense.backward(mat(1, 2, Float32Array.from([1, 2])));
      assert.deepEqual([...nanDense.bias.grad], [1, 2]);
      const reluLayer = new ActivationLayer('relu');
      reluLayer.forward(mat(1, 2, Float32Array.from([Number.NaN, Number.NaN])), train());
      assert.deepEqual([...reluLayer.backward(mat(1, 2, Float32Array.from([1, 2]))).data.subarray(0, 2)], [1, 2]);
      // −0 before the ReLU becomes +0, in both paths.
      const d = new Dense(1, 1, rng);
      d.weight.value[0] = 1;
      d.bias.value[0] = 0;
      const y = d.forwardAct(mat(1, 1, Float32Array.from([-0])), 'relu');
      assert.ok(Object.is(y.data[0], 0));
    } finally {
      h?.uninstall();
    }
  });
}

test('fused ReLU MLP: end-to-end gradients match central differences in float64', () => {
  const r = withFloat64(() => {
    const rng = new Rng(78);
    const model = buildModel({ kind: 'mlp', hidden: [9, 7], activation: 'relu' }, 4, 3, rng);
    assert.equal(model.fusedPairs, 2);
    const x = randomMat(6, 4, rng);
    const t = randomOneHot(6, 3, rng);
    const loss = new CrossEntropyLoss(0.1);
    return checkLayer(model, x, train(), rng, lossObjective(loss, t));
  });
  assert.ok(r.maxRelError < 1e-6, `max rel error ${r.maxRelError}`);
});

test('the bias is added to the finished product (as PyTorch addmm), with the JS and the WASM kernels alike', () => {
  // 1 + 2^-24 + 2^-24 in float32 order matters: (x·W) + b keeps both tiny terms, b + x·w1 + x·w2 loses them.
  const make = () => {
    const d = new Dense(2, 1, new Rng(1));
    d.weight.value.set([2 ** -24, 2 ** -24]);
    d.bias.value[0] = 1;
    return d;
  };
  const x = mat(1, 2, Float32Array.from([1, 1]));
  const js = make().forward(x, train()).data[0];
  const h = installWasmKernels({ memoryMiB: 4 });
  let wasm: number;
  try {
    wasm = make().forward(mat(1, 2, Float32Array.from([1, 1])), train()).data[0];
  } finally {
    h.uninstall();
  }
  assert.equal(js, Math.fround(1 + 2 ** -23));
  assert.equal(wasm, js);
});
