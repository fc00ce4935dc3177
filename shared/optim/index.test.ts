import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adadelta, Adagrad, Adam, AdamW, createOptimizer, NAdam, OptimizerSpecError, RMSprop, SGD } from './index.ts';
import type { OptParam } from './index.ts';
import type { OptimizerSpec } from '../schema/types.ts';

function fresh(): OptParam {
  return { value: Float64Array.of(1, -2), grad: Float64Array.of(0.5, -1) };
}

test('each name builds its class with torch defaults for unspecified keywords', () => {
  const cases: [OptimizerSpec, abstract new (...args: never[]) => unknown, number][] = [
    [{ name: 'sgd' }, SGD, 1e-3],
    [{ name: 'adagrad' }, Adagrad, 1e-2],
    [{ name: 'adadelta' }, Adadelta, 1],
    [{ name: 'rmsprop' }, RMSprop, 1e-2],
    [{ name: 'adam' }, Adam, 1e-3],
    [{ name: 'adamw' }, AdamW, 1e-3],
    [{ name: 'nadam' }, NAdam, 2e-3],
  ];
  for (const [spec, cls, lr] of cases) {
    const opt = createOptimizer(spec, [fresh()]);
    assert.ok(opt instanceof cls, spec.name);
    assert.equal(opt.name, spec.name);
    assert.equal(opt.lr, lr, spec.name);
  }
});

test('spec keywords reach the constructor; betas from JSON become the pair', () => {
  const spec = JSON.parse('{"name":"adam","lr":0.1,"betas":[0.8,0.9],"amsgrad":true}') as OptimizerSpec;
  const opt = createOptimizer(spec, [fresh()]);
  assert.deepEqual(opt.defaults, {
    lr: 0.1,
    betas: [0.8, 0.9],
    eps: 1e-8,
    weight_decay: 0,
    amsgrad: true,
    maximize: false,
    decoupled_weight_decay: false,
  });
  // and the trajectory equals the directly constructed optimizer's
  const a = fresh();
  const b = fresh();
  const fromSpec = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true }, [a]);
  const direct = new SGD([b], { lr: 0.1, momentum: 0.9, nesterov: true });
  for (let t = 0; t < 3; t++) {
    fromSpec.step();
    direct.step();
  }
  assert.deepEqual(Array.from(a.value), Array.from(b.value));
});

test('an invalid spec throws OptimizerSpecError with every problem', () => {
  const spec = { name: 'sgd', lr: -1, momentum: 'high' } as unknown as OptimizerSpec;
  assert.throws(
    () => createOptimizer(spec, [fresh()]),
    (e: unknown) => {
      assert.ok(e instanceof OptimizerSpecError);
      assert.deepEqual(e.problems, [
        'optimizer.lr: must be > 0, got -1',
        'optimizer.momentum: must be a finite number, got "high"',
      ]);
      assert.match(e.message, /optimizer\.lr: must be > 0, got -1/);
      return true;
    },
  );
});
