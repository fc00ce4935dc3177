import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.ts';
import { buildModel } from './model.ts';
import { torchStateDict } from './torch-layout.ts';

test('torch layout: Linear weights transposed to [out, in], batch norm named as nn.BatchNorm1d, module indices kept', () => {
  const spec = { kind: 'mlp' as const, hidden: [3], activation: 'relu' as const, batchNorm: true, dropout: 0.1 };
  const model = buildModel(spec, 2, 4, new Rng(1));
  const bn = model.layers[1] as unknown as { runningMean: Float32Array; runningVar: Float32Array };
  bn.runningMean.set([0.5, -1, 2]);
  bn.runningVar.set([1.5, 0.25, 3]);
  const sd = torchStateDict(spec, 2, 4, model.getState());
  // dense(2→3), batchnorm(3), relu, dropout, dense(3→4): modules 0, 1, 2, 3, 4.
  assert.deepEqual(
    sd.map((t) => [t.name, t.shape]),
    [
      ['0.weight', [3, 2]],
      ['0.bias', [3]],
      ['1.weight', [3]],
      ['1.bias', [3]],
      ['1.running_mean', [3]],
      ['1.running_var', [3]],
      ['4.weight', [4, 3]],
      ['4.bias', [4]],
    ],
  );
  const W = model.params()[0].value; // [in=2, out=3]: W[k][j] at 3k + j
  const T = sd[0].values; // [out=3, in=2]: T[j][k] at 2j + k
  for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) assert.equal(T[j * 2 + k], W[k * 3 + j]);
  assert.deepEqual([...sd[4].values], [0.5, -1, 2]);
  assert.deepEqual([...sd[5].values], [1.5, 0.25, 3]);
  // y = x·W + b in OptLab equals x·Tᵀ + b, PyTorch's Linear.
  const x = [0.3, -1.2];
  for (let j = 0; j < 3; j++) {
    const ours = x[0] * W[j] + x[1] * W[3 + j];
    const torch = x[0] * T[j * 2] + x[1] * T[j * 2 + 1];
    assert.equal(ours, torch);
  }
  assert.throws(() => torchStateDict(spec, 2, 4, new Float32Array(3)), /state values/);
});
