// Every optimizer of the core on the device against shared/optim (torch.optim's rules), with
// the L1/L2 penalty's gradient folded in as shared/train/penalty.ts adds it: three steps on
// tensors of odd sizes, weights and every state tensor within 1e-5 relative.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createOptimizer } from '../shared/optim/index.ts';
import { Rng } from '../shared/rng.ts';
import type { OptimizerSpec } from '../shared/schema/types.ts';
import { addPenaltyGrad } from '../shared/train/penalty.ts';
import { DeviceOptimizer, stepFields } from '../shared/gpu/optimizer.ts';
import { optimizerWgsl } from '../shared/gpu/wgsl/optim.ts';
import { groups1d, packFields } from '../shared/gpu/context.ts';
import { TOLERANCE } from '../shared/gpu/tolerance.ts';
import { randomArray, relError, testDevice } from './webgpu-testing.ts';

const dev = await testDevice();
const skip = typeof dev === 'string' ? dev : false;
const gpu = typeof dev === 'string' ? null! : dev.gpu;
after(() => {
  if (typeof dev !== 'string') dev.device.destroy();
});
const worst = new Map<string, number>();
after(() => {
  for (const [k, e] of worst) console.log(`# max relative error ${k}: ${e.toExponential(2)}`);
});

const SPECS: OptimizerSpec[] = [
  { name: 'sgd', lr: 0.1 },
  { name: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.2, weight_decay: 0.01 },
  { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, maximize: true },
  { name: 'adagrad', lr: 0.05, lr_decay: 0.1, initial_accumulator_value: 0.2, weight_decay: 0.01 },
  { name: 'adadelta', lr: 1, rho: 0.8, weight_decay: 0.01 },
  { name: 'rmsprop', lr: 0.01 },
  { name: 'rmsprop', lr: 0.01, centered: true, momentum: 0.5, weight_decay: 0.01 },
  { name: 'adam', lr: 0.01, weight_decay: 0.01 },
  { name: 'adam', lr: 0.01, amsgrad: true, betas: [0.8, 0.9] },
  { name: 'adamw', lr: 0.01, weight_decay: 0.1 },
  { name: 'nadam', lr: 0.01 },
  { name: 'nadam', lr: 0.01, weight_decay: 0.05, decoupled_weight_decay: true, momentum_decay: 0.01 },
];

for (const spec of SPECS) {
  test(`${JSON.stringify(spec)}: three steps on the device match shared/optim`, { skip }, async () => {
    const rng = new Rng(JSON.stringify(spec));
    for (const [n, penalize] of [
      [1, true],
      [127, false],
      [127 * 63, true],
    ] as [number, boolean][]) {
      const coef = penalize ? { l1: 1e-3, l2: 1e-2 } : { l1: 0, l2: 0 };
      const p = { value: randomArray(n, rng), grad: new Float32Array(n), penalize, name: 'w', shape: [n] };
      const host = createOptimizer(spec, [p]);
      const dopt = new DeviceOptimizer(host);
      const value = gpu.upload(p.value),
        grad = gpu.buffer(n * 4),
        status = gpu.buffer(16);
      const states = dopt.states.used.map((used, k) =>
        used ? gpu.upload(new Float32Array(n).fill(dopt.initialState(k))) : gpu.buffer(16),
      );
      const step = gpu.uniform(stepFields(0, 0, { lr: 0, c: [0, 0, 0, 0], first: false }));
      const update = gpu.dispatch(
        optimizerWgsl(dopt.name, states.length),
        [gpu.uniform(dopt.fields(n, coef.l1, coef.l2)), step, value, grad, status, ...states],
        groups1d(n),
      );
      for (let t = 1; t <= 3; t++) {
        const g = randomArray(n, rng);
        p.grad.set(g);
        gpu.write(grad, g);
        addPenaltyGrad([p], coef);
        host.lr = spec.lr === undefined ? host.lr : spec.lr * (1 - 0.1 * (t - 1));
        host.step();
        gpu.device.queue.writeBuffer(step, 0, packFields(stepFields(t, 0, dopt.step(t, host.lr))));
        gpu.run([update]);
      }
      const key = `${spec.name}`;
      const check = (what: string, got: Float32Array, want: ArrayLike<number>) => {
        const e = relError(got, want);
        worst.set(key, Math.max(worst.get(key) ?? 0, e));
        assert.ok(e <= TOLERANCE.kernel, `${what}, n = ${n}: relative error ${e}`);
      };
      check('θ', await gpu.readF32(value, n), p.value);
      const st = host.stateOf(0);
      for (let k = 0; k < states.length; k++) {
        if (!dopt.states.used[k]) continue;
        const want = st[dopt.states.names[k]];
        assert.ok(want instanceof Float32Array, `state ${dopt.states.names[k]}`);
        check(dopt.states.names[k], await gpu.readF32(states[k], n), want);
      }
    }
  });
}
