/**
 * ε-sharpness of Keskar et al. 2017 ("On Large-Batch Training for Deep Learning:
 * Generalization Gap and Sharp Minima", Metric 2.1) in the full parameter space (A = I):
 *
 *   C_ε = { y : |y_i| ≤ ε·(|x_i| + 1) },   φ(x, ε) = 100 · (max_{y∈C_ε} L(x + y) − L(x)) / (1 + L(x)).
 *
 * The box scales with each weight, so large weights may move more, and the +1 keeps weights
 * near zero free to move too. Keskar et al. maximize with a few L-BFGS-B iterations; here
 * the maximum is sought by projected sign-gradient ascent with a fixed budget:
 *
 * - starts: the corner y = r ⊙ sign(∇L(x)) (the maximizer of the linearized loss over the
 *   box), and `randomStarts` points drawn uniformly in the box from the seeded generator;
 * - from each start `steps` ascent steps y ← clip(y + α_k · r ⊙ sign(∇L(x + y)), −r, r) with
 *   r_i = ε(|x_i| + 1) and α_k = stepFraction·(steps − k)/steps: the steepest-ascent step for
 *   the box's own (scaled ℓ∞) geometry, long enough in total (Σα_k = stepFraction·(steps+1)/2,
 *   2.75 box half-widths by default) to cross the box, shrinking so that it settles;
 * - the largest loss seen anywhere, including at y = 0, is kept.
 *
 * Default budget: 10 steps from each of 2 starts, i.e. 20 gradient passes and 2 loss passes
 * per ε, plus one gradient pass at x shared by all ε. Any point of the box gives a loss at
 * most the true maximum, so the result is a lower bound of the true ε-sharpness, ≥ 0. The
 * ε are searched from smallest to largest and a box contains every smaller one, so the best
 * value found for a smaller ε carries over: the estimates never decrease with ε.
 */
import type { Rng } from '../rng.ts';
import type { Objective } from './objective.ts';

export interface SharpnessOptions {
  /** Ascent steps from each start, one gradient pass each (default 10). */
  steps?: number;
  /** Starts drawn uniformly in the box (default 1). */
  randomStarts?: number;
  /** Whether to start at the corner r ⊙ sign(∇L(x)) as well (default true). */
  cornerStart?: boolean;
  /** α_0, the first step as a fraction of each coordinate's half-width r_i (default 0.5). */
  stepFraction?: number;
  /** Source of the random starts. */
  rng: Rng;
}

export interface SharpnessEstimate {
  /** ε, the half-width of the box relative to |x_i| + 1. */
  epsilon: number;
  /** 100·(L_max − L(x))/(1 + L(x)): a lower bound of the ε-sharpness. */
  sharpness: number;
  /** L(x), the loss at the solution. */
  baseLoss: number;
  /** L_max, the largest L(x + y) found with y in C_ε. */
  maxLoss: number;
  /** Loss and gradient passes spent on this ε (the shared pass at x not counted). */
  evaluations: number;
  /**
   * 100·Σ r_i·|∇L(x)_i|/(1 + L(x)): the first-order term, what the linearized loss gains at the
   * best corner of the box. Near a true minimum it is small against the sharpness (which then
   * measures curvature and grows as ε²); where it dominates, the sharpness measures the slope
   * left at an unfinished solution and grows as ε.
   */
  firstOrder: number;
  /** ‖∇L(x)‖₂, the gradient norm at the solution. */
  gradientNorm: number;
}

/** r_i = ε·(|x_i| + 1), the half-widths of C_ε. */
export function boxHalfWidths(x: ArrayLike<number>, epsilon: number, out = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = epsilon * (Math.abs(x[i]) + 1);
  return out;
}

/** φ = 100·(maxLoss − baseLoss)/(1 + baseLoss), Keskar et al.'s normalization. */
export function sharpnessValue(baseLoss: number, maxLoss: number): number {
  return (100 * (maxLoss - baseLoss)) / (1 + baseLoss);
}

/** ε-sharpness of f around x for each ε, in the order given; see the file comment for the method. */
export function epsilonSharpness(
  f: Objective,
  x: ArrayLike<number>,
  epsilons: readonly number[],
  opts: SharpnessOptions,
): SharpnessEstimate[] {
  const n = f.dim;
  const steps = opts.steps ?? 10;
  const randomStarts = opts.randomStarts ?? 1;
  const corner = opts.cornerStart ?? true;
  const alpha0 = opts.stepFraction ?? 0.5;
  if (x.length !== n) throw new RangeError(`epsilonSharpness: x has ${x.length} values, the objective ${n}`);
  if (!(Number.isInteger(steps) && steps >= 0))
    throw new RangeError(`epsilonSharpness: steps must be an integer ≥ 0, got ${steps}`);
  if (!(Number.isInteger(randomStarts) && randomStarts >= 0))
    throw new RangeError(`epsilonSharpness: randomStarts must be an integer ≥ 0, got ${randomStarts}`);
  if (!(alpha0 > 0)) throw new RangeError(`epsilonSharpness: stepFraction must be > 0, got ${alpha0}`);
  for (const e of epsilons) {
    if (!(Number.isFinite(e) && e > 0))
      throw new RangeError(`epsilonSharpness: each ε must be a finite number > 0, got ${e}`);
  }

  const g = new Float64Array(n);
  const base = f.valueAndGradient(x, g);
  let gg = 0;
  for (let i = 0; i < n; i++) gg += g[i] * g[i];
  const gradientNorm = Math.sqrt(gg);
  // ∇L(x) itself, kept apart: g is reused by the ascent below.
  const g0 = g.slice();
  // sign(∇L(x)), with + where the gradient is 0 (no first-order preference there).
  const dir = new Float64Array(n);
  for (let i = 0; i < n; i++) dir[i] = g[i] < 0 ? -1 : 1;

  const y = new Float64Array(n),
    point = new Float64Array(n),
    r = new Float64Array(n);
  const order = epsilons.map((e, i) => ({ e, i })).sort((a, b) => a.e - b.e || a.i - b.i);
  const out = new Array<SharpnessEstimate>(epsilons.length);
  let carried = base;
  for (const { e, i } of order) {
    boxHalfWidths(x, e, r);
    let linear = 0;
    for (let j = 0; j < n; j++) linear += r[j] * Math.abs(g0[j]);
    const firstOrder = (100 * linear) / (1 + base);
    let best = carried,
      evaluations = 0;
    const climb = (): void => {
      for (let k = 0; k <= steps; k++) {
        for (let j = 0; j < n; j++) point[j] = x[j] + y[j];
        if (k === steps) {
          best = maxLoss(best, f.value(point));
          evaluations++;
          break;
        }
        best = maxLoss(best, f.valueAndGradient(point, g));
        evaluations++;
        const a = (alpha0 * (steps - k)) / steps;
        for (let j = 0; j < n; j++) {
          const s = g[j] > 0 ? 1 : g[j] < 0 ? -1 : 0;
          const v = y[j] + a * r[j] * s;
          y[j] = v > r[j] ? r[j] : v < -r[j] ? -r[j] : v;
        }
      }
    };
    if (corner) {
      for (let j = 0; j < n; j++) y[j] = r[j] * dir[j];
      climb();
    }
    for (let s = 0; s < randomStarts; s++) {
      for (let j = 0; j < n; j++) y[j] = opts.rng.uniform(-r[j], r[j]);
      climb();
    }
    carried = best;
    out[i] = {
      epsilon: e,
      sharpness: sharpnessValue(base, best),
      baseLoss: base,
      maxLoss: best,
      evaluations,
      firstOrder,
      gradientNorm,
    };
  }
  return out;
}

/** The larger of the two; a NaN loss (a point where the network breaks down) is passed over. */
function maxLoss(best: number, candidate: number): number {
  return candidate > best ? candidate : best;
}
