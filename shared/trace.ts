/**
 * An optimizer's path on a 2-D test function: the same optimizer classes that train the networks,
 * run on one float64 parameter θ = (x, y), so that the path is exactly what torch.optim gives in
 * float64 from the same start and settings (the classic Rosenbrock-valley pictures).
 */
import { FUNCTIONS_2D, getFunction2D } from './functions2d.ts';
import type { Function2D, Point2 } from './functions2d.ts';
import { createOptimizer } from './optim/index.ts';
import type { OptimizerSpec } from './schema/types.ts';

export { FUNCTIONS_2D, FUNCTION_2D_NAMES, getFunction2D } from './functions2d.ts';
export type { Function2D, Function2DName, Point2, Minimum2D, ViewBox } from './functions2d.ts';

/** A path of N steps. */
export interface TraceResult {
  /** θ_0 … θ_N: the start, then the point after each step (N + 1 points). */
  points: Point2[];
  /** f(θ_0) … f(θ_N). */
  loss: number[];
  /**
   * The first t at which θ_t or f(θ_t) is not finite, when the path diverged; absent otherwise.
   * Everything from there on is returned as computed (NaN or ±Infinity).
   */
  diverged?: number;
}

/**
 * `steps` optimizer steps on `fn` (a name in FUNCTIONS_2D or a function) from `start`.
 * Throws for an unknown function, an invalid optimizer spec (every problem listed), a bad step
 * count, or a start where θ or f(θ) is not finite; a path that diverges later is returned with
 * `diverged` set.
 */
export function trace(
  fn: string | Function2D,
  start: Readonly<Point2>,
  steps: number,
  optimizerSpec: OptimizerSpec,
): TraceResult {
  const f = typeof fn === 'string' ? getFunction2D(fn) : fn;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`trace: steps must be an integer >= 0, got ${steps}`);
  const [x0, y0] = start;
  const grad = new Float64Array(2);
  const f0 = Number.isFinite(x0) && Number.isFinite(y0) ? f.valueAndGrad(x0, y0, grad) : Number.NaN;
  if (!Number.isFinite(f0)) {
    throw new RangeError(`trace: ${f.name} is not finite at the start (${x0}, ${y0}): f = ${f0}`);
  }
  const value = Float64Array.of(x0, y0);
  const opt = createOptimizer(optimizerSpec, [{ value, grad }]);
  const points: Point2[] = [[x0, y0]];
  const loss: number[] = [f0];
  let diverged: number | undefined;
  for (let t = 1; t <= steps; t++) {
    opt.step();
    const x = value[0];
    const y = value[1];
    const l = f.valueAndGrad(x, y, grad);
    points.push([x, y]);
    loss.push(l);
    if (diverged === undefined && !(Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(l))) diverged = t;
  }
  return diverged === undefined ? { points, loss } : { points, loss, diverged };
}

/** Whether `name` is a known 2-D test function. */
export function isFunction2DName(name: string): boolean {
  return Object.hasOwn(FUNCTIONS_2D, name);
}
