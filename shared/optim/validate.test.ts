import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateOptimizerSpec } from './validate.ts';

test('a valid spec of every optimizer has no problems', () => {
  assert.deepEqual(
    validateOptimizerSpec({ name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 1e-4 }),
    [],
  );
  assert.deepEqual(
    validateOptimizerSpec({ name: 'adagrad', lr_decay: 0.01, initial_accumulator_value: 0.1, eps: 1e-10 }),
    [],
  );
  assert.deepEqual(validateOptimizerSpec({ name: 'adadelta', lr: 1, rho: 0.95 }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'rmsprop', alpha: 0.9, centered: true, momentum: 0.5 }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'adam', betas: [0.9, 0.99], amsgrad: true }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'adamw', weight_decay: 0.05 }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'nadam', momentum_decay: 0.004, decoupled_weight_decay: true }), []);
});

test('every problem is listed at once, each with its JSON path', () => {
  const problems = validateOptimizerSpec({ name: 'adam', lr: -1, betas: [0.9, 1.2], foo: 1, eps: 'x', amsgrad: 'yes' });
  assert.deepEqual(problems, [
    'optimizer.lr: must be > 0, got -1',
    'optimizer.betas[1]: must be in [0, 1), got 1.2',
    'optimizer.foo: unknown option for adam (known: lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay)',
    'optimizer.eps: must be a finite number, got "x"',
    'optimizer.amsgrad: must be true or false, got "yes"',
  ]);
});

test('the path prefix is the caller’s', () => {
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', momentum: -0.1 }, 'sweep.optimizer[2]'), [
    'sweep.optimizer[2].momentum: must be >= 0, got -0.1',
  ]);
});

test('an unknown or missing name lists the known names', () => {
  const known = 'sgd, adagrad, adadelta, rmsprop, adam, adamw, nadam';
  assert.deepEqual(validateOptimizerSpec({ name: 'adamax', lr: 0.1 }), [
    `optimizer.name: unknown optimizer "adamax" (known: ${known})`,
  ]);
  assert.deepEqual(validateOptimizerSpec({ lr: 0.1 }), [`optimizer.name: required (one of ${known})`]);
  assert.deepEqual(validateOptimizerSpec([1, 2]), [
    `optimizer: must be an object with a "name" (one of ${known}), got [1,2]`,
  ]);
  // with an unknown name, values of known keywords are still checked
  assert.deepEqual(validateOptimizerSpec({ name: 7, lr: 0 }), [
    `optimizer.name: unknown optimizer 7 (known: ${known})`,
    'optimizer.lr: must be > 0, got 0',
  ]);
});

test('options of another optimizer are unknown for this one', () => {
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', betas: [0.9, 0.999] }), [
    'optimizer.betas: unknown option for sgd (known: lr, momentum, dampening, weight_decay, nesterov, maximize)',
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'adamw', decoupled_weight_decay: false }), [
    'optimizer.decoupled_weight_decay: unknown option for adamw (known: lr, betas, eps, weight_decay, amsgrad, maximize)',
  ]);
});

test('betas must be two numbers in [0, 1)', () => {
  assert.deepEqual(validateOptimizerSpec({ name: 'nadam', betas: [0.9] }), [
    'optimizer.betas: must be an array of two numbers, got [0.9]',
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'nadam', betas: 0.9 }), [
    'optimizer.betas: must be an array of two numbers, got 0.9',
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'adam', betas: [-0.1, '0.9'] }), [
    'optimizer.betas[0]: must be in [0, 1), got -0.1',
    'optimizer.betas[1]: must be a finite number, got "0.9"',
  ]);
});

test('ranges follow PyTorch’s constructor checks', () => {
  assert.deepEqual(validateOptimizerSpec({ name: 'adadelta', rho: 1.5 }), [
    'optimizer.rho: must be in [0, 1], got 1.5',
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'adadelta', rho: 1 }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', dampening: -0.5, momentum: 0.9 }), []);
  assert.deepEqual(validateOptimizerSpec({ name: 'adagrad', eps: -1, lr_decay: -1, initial_accumulator_value: -1 }), [
    'optimizer.eps: must be >= 0, got -1',
    'optimizer.lr_decay: must be >= 0, got -1',
    'optimizer.initial_accumulator_value: must be >= 0, got -1',
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'rmsprop', lr: Number.POSITIVE_INFINITY, alpha: null }), [
    'optimizer.lr: must be a finite number, got Infinity',
    'optimizer.alpha: must be a finite number, got null',
  ]);
});

test('nesterov needs momentum > 0 and dampening 0', () => {
  const msg = 'optimizer.nesterov: Nesterov momentum requires a momentum and zero dampening';
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', nesterov: true }), [`${msg} (got momentum 0, dampening 0)`]);
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', nesterov: true, momentum: 0.9, dampening: 0.1 }), [
    `${msg} (got momentum 0.9, dampening 0.1)`,
  ]);
  assert.deepEqual(validateOptimizerSpec({ name: 'sgd', nesterov: false }), []);
});

test('keys that name Object.prototype members are unknown options, not crashes', () => {
  const spec = JSON.parse('{"name":"sgd","constructor":1,"__proto__":2}');
  assert.deepEqual(validateOptimizerSpec(spec), [
    'optimizer.constructor: unknown option for sgd (known: lr, momentum, dampening, weight_decay, nesterov, maximize)',
    'optimizer.__proto__: unknown option for sgd (known: lr, momentum, dampening, weight_decay, nesterov, maximize)',
  ]);
});
