import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocF32 } from '../linalg/alloc.ts';
import { fdCheck, withFloat64 } from './gradcheck.ts';

test('fdCheck accepts a correct gradient and flags a wrong entry', () => {
  withFloat64(() => {
    const v = allocF32(4);
    v.set([0.5, -1, 2, 0.25]);
    const f = () => v[0] ** 3 + Math.sin(v[1]) + v[2] * v[3];
    const good = [3 * 0.25, Math.cos(-1), 0.25, 2];
    const ok = fdCheck(v, good, f);
    assert.ok(ok.maxRelError < 1e-8, `${ok.maxRelError}`);
    assert.equal(ok.count, 4);
    const bad = fdCheck(v, [good[0], good[1], good[2] * 1.01, good[3]], f);
    assert.equal(bad.worst, 2);
    assert.ok(bad.maxRelError > 5e-3);
    // Values are restored after the check.
    assert.deepEqual(Array.from(v), [0.5, -1, 2, 0.25]);
  });
});

test('withFloat64 switches the allocator only inside its callback', () => {
  const inside = withFloat64(() => allocF32(2));
  assert.ok((inside as unknown) instanceof Float64Array);
  assert.ok(allocF32(2) instanceof Float32Array);
  assert.throws(
    () =>
      withFloat64(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.ok(allocF32(1) instanceof Float32Array);
});
