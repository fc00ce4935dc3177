import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installWasmKernels } from '../linalg/wasm-kernels.ts';
import { allocF32 } from '../linalg/alloc.ts';
import { Rng } from '../rng.ts';
import { Adam } from './adam.ts';
import { AdamW } from './adamw.ts';
import type { OptParam } from './optimizer.ts';

/** Three float32 tensors of odd sizes (SIMD pairs and a tail), from one seed. */
function tensors(seed: string, alloc: (n: number) => Float32Array): OptParam[] {
  const rng = new Rng(seed);
  return [37, 1, 128].map((n) => {
    const value = alloc(n);
    for (let i = 0; i < n; i++) value[i] = rng.uniform(-1, 1);
    return { value, grad: alloc(n) };
  });
}

/** 25 steps with gradients from a fixed stream; returns the final values. */
function run(
  make: (ps: OptParam[]) => Adam,
  alloc: (n: number) => Float32Array,
): { values: Float32Array[]; opt: Adam } {
  const ps = tensors('params', alloc);
  const opt = make(ps);
  const rng = new Rng('grads');
  for (let s = 0; s < 25; s++) {
    for (const p of ps) for (let i = 0; i < p.grad.length; i++) p.grad[i] = rng.normal() * (s % 5 === 4 ? 0.01 : 1);
    if (s === 10) opt.lr *= 0.5; // a schedule changing γ between steps
    opt.step();
  }
  return { values: ps.map((p) => Float32Array.from(p.value)), opt };
}

const CASES: [string, (ps: OptParam[]) => Adam][] = [
  ['adam', (ps) => new Adam(ps, { lr: 0.01 })],
  ['adam weight_decay', (ps) => new Adam(ps, { lr: 0.01, weight_decay: 0.1 })],
  ['adam amsgrad maximize', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, maximize: true })],
  ['adamw', (ps) => new AdamW(ps, { lr: 0.01, weight_decay: 0.05 })],
  ['adamw amsgrad betas', (ps) => new AdamW(ps, { lr: 0.003, amsgrad: true, betas: [0.5, 0.9] })],
];

test("Adam and AdamW on float32 tensors: the adamF32 kernel gives adamUpdate's bits, with its state in the wasm memory", () => {
  const plain = (n: number) => new Float32Array(n);
  const want = CASES.map(([, make]) => run(make, plain).values);
  const h = installWasmKernels({ memoryMiB: 4 });
  try {
    CASES.forEach(([name, make], c) => {
      const { values, opt } = run(make, allocF32);
      values.forEach((v, i) => assert.deepEqual(v, want[c][i], `${name}, tensor ${i}`));
      const st = opt.stateOf(2);
      for (const k of ['exp_avg', 'exp_avg_sq', ...(opt.defaults.amsgrad ? ['max_exp_avg_sq'] : [])]) {
        assert.ok(st[k] instanceof Float32Array && h.owns(st[k]), `${name}: ${k} lives in the wasm memory`);
      }
    });
    assert.equal(h.stats().copyingCalls, 0, 'no argument had to be copied');
    // Params outside the wasm memory still step correctly (the kernel stages them).
    const { values } = run(CASES[0][1], plain);
    values.forEach((v, i) => assert.deepEqual(v, want[0][i]));
  } finally {
    h.uninstall();
  }
});

test('float64 params keep the float64 adamUpdate path and state with the wasm kernels installed', () => {
  const h = installWasmKernels({ memoryMiB: 4 });
  try {
    const p: OptParam = { value: Float64Array.from([1, -2]), grad: Float64Array.from([0.5, 0.25]) };
    const opt = new Adam([p], { lr: 0.1 });
    opt.step();
    assert.ok(opt.stateOf(0).exp_avg instanceof Float64Array);
    // First Adam step moves each value by lr·sign(g) (up to ε).
    assert.ok(Math.abs(p.value[0] - 0.9) < 1e-7 && Math.abs(p.value[1] + 2.1) < 1e-7);
  } finally {
    h.uninstall();
  }
});
