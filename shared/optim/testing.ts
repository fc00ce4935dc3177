/**
 * Scaffolding the optimizer tests share: one start point, one gradient sequence, a loop that
 * feeds it to an optimizer, and a tolerance check, so that every optimizer is held to its
 * written-out reference the same way.
 *
 * Not named `*.test.ts`, so the test runner does not run it on its own; and, like every file of
 * shared/ that is not a test, it may not import node:assert, so the check throws a plain Error
 * (which node:test reports as a failure all the same).
 */
import type { OptParam } from './optimizer.ts';

export const THETA0 = [1, -2];

/** A fixed gradient sequence, one row per step. */
export const G = [
  [0.5, -1],
  [0.25, 2],
  [-0.75, 0.5],
];

/** θ₀ in float64 with a zero gradient. */
export function param64(): OptParam {
  return { value: Float64Array.from(THETA0), grad: new Float64Array(2) };
}

/** θ₀ in float32 with a zero gradient. */
export function param32(): OptParam {
  return { value: Float32Array.from(THETA0), grad: new Float32Array(2) };
}

/** θ after each step when the optimizer is fed `grads`. */
export function run(opt: { step(): void }, p: OptParam, grads: number[][] = G): number[][] {
  return grads.map((g) => {
    p.grad.set(g);
    opt.step();
    return Array.from(p.value);
  });
}

/** Every step and element of `actual` within `tol` of `expected`. */
export function assertClose(actual: number[][], expected: number[][], tol: number): void {
  if (actual.length !== expected.length) {
    throw new Error(`got ${actual.length} steps, expected ${expected.length}`);
  }
  for (let t = 0; t < expected.length; t++) {
    for (let j = 0; j < expected[t].length; j++) {
      const d = Math.abs(actual[t][j] - expected[t][j]);
      if (!(d <= tol)) {
        throw new Error(`step ${t + 1}, element ${j}: got ${actual[t][j]}, expected ${expected[t][j]} (|diff| ${d})`);
      }
    }
  }
}
