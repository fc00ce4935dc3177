/**
 * The 1-D linear interpolation of the loss between two solutions θ_a and θ_b (Goodfellow,
 * Vinyals & Saxe 2015; Keskar et al. 2017, fig. 3): L((1 − α)·θ_a + α·θ_b) for α on a line
 * through both, with α < 0 and α > 1 extrapolating past them. A barrier between the two
 * shows as a bump; a sharp minimum as a steep wall next to its end of the line.
 *
 * The whole state is interpolated, batch-norm running statistics included, the same way as
 * the weights: the network at α is then the one the mixed weights describe, and at α = 0
 * and α = 1 exactly the two trained networks (the mix is computed as (1−α)·a + α·b in
 * float64, which is exact there). Mixing running variances can only go negative when
 * extrapolating; a negative variance is meaningless, so it is clamped at 0 (the layer then
 * divides by √ε, which shows as a large loss rather than NaN).
 *
 * Both solutions must share the architecture and the input standardization; the curve is
 * measured on each named set of rows (typically `train` and `test`).
 */
import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import type { LossSpec, ModelSpec } from '../schema/types.ts';
import { NetworkLoss } from './objective.ts';

/** −0.5, −0.4, …, 1.5: 21 points, α = 0 and α = 1 exactly among them. */
export function defaultAlphas(): number[] {
  return Array.from({ length: 21 }, (_, i) => (i - 5) / 10);
}

export interface InterpolationInput {
  /** Architecture both states belong to. */
  model: ModelSpec;
  /** Loss whose plain data part is measured (label smoothing is dropped). */
  loss: LossSpec;
  /** The data set the rows index into. */
  data: Dataset;
  /** z = (x − mean)/std used by both solutions (null: raw features). */
  standardizer: Standardizer | null;
  /** Output units of both networks. */
  outDim: number;
  /** θ_a: full state (params then buffers) of the solution at α = 0. */
  a: ArrayLike<number>;
  /** θ_b: full state of the solution at α = 1. */
  b: ArrayLike<number>;
  /** Row sets to measure, by name, e.g. { train, test }. */
  rows: Record<string, Uint32Array>;
  /** α values, in the order wanted (default `defaultAlphas()`). */
  alphas?: readonly number[];
  /** Rows per forward pass. */
  chunk?: number;
}

export interface InterpolationCurve {
  /** The α values, as given. */
  alphas: number[];
  /** Per row set: L((1−α)·θ_a + α·θ_b) for each α, in the order of `alphas`. */
  loss: Record<string, number[]>;
}

/** Offsets and lengths, in the full state, of every batch-norm running variance. */
function varianceSlots(net: NetworkLoss): Array<[offset: number, length: number]> {
  const vars = new Set<Float32Array>();
  for (const l of net.model.layers) if (l instanceof BatchNorm1d) vars.add(l.runningVar);
  const slots: Array<[number, number]> = [];
  let o = net.dim;
  for (const b of net.model.buffers()) {
    if (vars.has(b)) slots.push([o, b.length]);
    o += b.length;
  }
  return slots;
}

/** The loss along the line through θ_a and θ_b; see the file comment. */
export function interpolateLoss(input: InterpolationInput): InterpolationCurve {
  const { a, b } = input;
  const alphas = [...(input.alphas ?? defaultAlphas())];
  for (const al of alphas)
    if (!Number.isFinite(al)) throw new RangeError(`interpolateLoss: α must be finite, got ${al}`);
  if (a.length !== b.length)
    throw new RangeError(
      `interpolateLoss: the states differ in length (${a.length} and ${b.length}): not the same architecture`,
    );
  const names = Object.keys(input.rows);
  for (const name of names)
    if (input.rows[name].length === 0) throw new RangeError(`interpolateLoss: row set "${name}" is empty`);
  const net = new NetworkLoss(
    {
      model: input.model,
      loss: input.loss,
      data: input.data,
      standardizer: input.standardizer,
      outDim: input.outDim,
      chunk: input.chunk,
    },
    a,
  );
  const slots = varianceSlots(net);
  const mixed = new Float64Array(a.length);
  const loss: Record<string, number[]> = {};
  for (const name of names) loss[name] = [];
  for (const al of alphas) {
    const wa = 1 - al;
    for (let i = 0; i < mixed.length; i++) mixed[i] = wa * a[i] + al * b[i];
    for (const [o, len] of slots) for (let i = o; i < o + len; i++) if (mixed[i] < 0) mixed[i] = 0;
    net.setState(mixed);
    for (const name of names) loss[name].push(net.loss(input.rows[name]));
  }
  return { alphas, loss };
}
