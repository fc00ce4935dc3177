import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBetas, checkNonNegative, fullLike, lerp, Optimizer, zerosLike } from './optimizer.ts';
import type { FloatArray, OptParam } from './optimizer.ts';

/** θ ← θ − γ·t·g: a made-up rule whose steps reveal the t and γ the base passes. */
class Probe extends Optimizer<{ lr: number }> {
  readonly name = 'probe';
  inits = 0;
  seen: number[] = [];
  protected initState(): void {
    this.inits++;
  }
  protected update(t: number): void {
    this.seen.push(t);
    for (const p of this.params) for (let i = 0; i < p.value.length; i++) p.value[i] -= this.lr * t * p.grad[i];
  }
  stateOf(): Readonly<Record<string, FloatArray | number>> {
    return this.started ? { step: this.stepCount } : {};
  }
}

function param(values: number[], grads: number[]): OptParam {
  return { value: Float64Array.from(values), grad: Float64Array.from(grads) };
}

test('step counts from 1, state is initialized once, lazily, at the first step', () => {
  const opt = new Probe([param([1], [1])], { lr: 0.5 });
  assert.equal(opt.stepCount, 0);
  assert.equal(opt.started, false);
  assert.deepEqual(opt.stateOf(), {});
  opt.step();
  opt.step();
  opt.step();
  assert.equal(opt.inits, 1);
  assert.deepEqual(opt.seen, [1, 2, 3]);
  assert.equal(opt.stepCount, 3);
  assert.deepEqual(opt.stateOf(), { step: 3 });
  // θ = 1 − 0.5·(1 + 2 + 3)
  assert.equal(opt.params[0].value[0], -2);
});

test('lr starts at defaults.lr and a changed lr is used by the next step', () => {
  const opt = new Probe([param([0], [1])], { lr: 0.5 });
  assert.equal(opt.lr, 0.5);
  opt.step(); // −0.5
  opt.lr = 0.25;
  opt.step(); // −0.5 − 0.25·2
  assert.equal(opt.params[0].value[0], -1);
  assert.equal(opt.defaults.lr, 0.5);
  assert.ok(Object.isFrozen(opt.defaults));
});

test('zeroGrad clears every gradient', () => {
  const a = param([1, 2], [3, 4]);
  const b = param([5], [6]);
  new Probe([a, b], { lr: 1 }).zeroGrad();
  assert.deepEqual(Array.from(a.grad), [0, 0]);
  assert.deepEqual(Array.from(b.grad), [0]);
});

test('an empty parameter list and mismatched value/grad lengths are rejected', () => {
  assert.throws(() => new Probe([], { lr: 1 }), { message: 'optimizer got an empty parameter list' });
  assert.throws(() => new Probe([param([1, 2], [1])], { lr: 1 }), /param 0: value has 2 elements but grad has 1/);
});

test('zerosLike and fullLike keep the precision of their argument', () => {
  assert.ok(zerosLike(new Float32Array(3)) instanceof Float32Array);
  assert.ok(zerosLike(new Float64Array(3)) instanceof Float64Array);
  assert.deepEqual(Array.from(fullLike(new Float64Array(2), 0.1)), [0.1, 0.1]);
  assert.equal(fullLike(new Float32Array(1), 0.1)[0], Math.fround(0.1));
});

test('lerp hits both ends exactly and interpolates linearly', () => {
  assert.equal(lerp(2, 10, 0), 2);
  assert.equal(lerp(2, 10, 1), 10);
  assert.equal(lerp(2, 10, 0.25), 4);
  assert.equal(lerp(2, 10, 0.75), 8);
  assert.equal(lerp(-1, 1, 0.5), 0);
});

test('argument checks use PyTorch messages and reject NaN', () => {
  assert.throws(() => checkNonNegative(-1, 'learning rate'), { message: 'Invalid learning rate: -1' });
  assert.throws(() => checkNonNegative(Number.NaN, 'epsilon value'), { message: 'Invalid epsilon value: NaN' });
  checkNonNegative(0, 'learning rate');
  assert.throws(() => checkBetas([1, 0.999]), { message: 'Invalid beta parameter at index 0: 1' });
  assert.throws(() => checkBetas([0.9, -0.5]), { message: 'Invalid beta parameter at index 1: -0.5' });
  checkBetas([0, 0.999]);
});
