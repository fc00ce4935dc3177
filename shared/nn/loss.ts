/**
 * Losses on the network's raw outputs, with PyTorch's definitions and 'mean' reduction:
 * MSELoss, CrossEntropyLoss on logits with probability targets and label smoothing, and
 * BCEWithLogitsLoss. Each returns the mean loss and can write ∂L/∂outputs into a buffer it
 * owns. Optional per-row weights w give Σ wᵢ·ℓᵢ / Σ wᵢ (plain mean when absent), for
 * learners trained on weighted samples.
 */
import type { Mat } from '../linalg/mat.ts';
import type { LossSpec } from '../schema/types.ts';
import { join, show, type Problems } from '../schema/check.ts';
import { LOSS_KINDS as SPEC_LOSS_KINDS, LossSchema } from '../schema/spec.ts';
import { checkSection } from '../schema/walk.ts';
import { MatBuffer } from './buffer.ts';
import { exp, log, log1p } from '../math/index.ts';

/** The losses a spec may name (the schema's list). */
export const LOSS_KINDS: readonly LossSpec['kind'][] = SPEC_LOSS_KINDS;

export interface Loss {
  /** Which loss, as named in the spec. */
  readonly kind: LossSpec['kind'];
  /** Mean loss over the batch; also writes ∂L/∂out into `grad`. */
  compute(out: Mat, target: Mat, weights?: ArrayLike<number> | null): number;
  /** Mean loss only, for evaluation (grad is left as it was). */
  evaluate(out: Mat, target: Mat, weights?: ArrayLike<number> | null): number;
  /** ∂L/∂out from the last compute; owned by the loss, the same object every call. */
  readonly grad: Mat;
}

/** Σ wᵢ over the batch (B when unweighted); the denominator of the weighted mean. */
function weightSum(rows: number, weights: ArrayLike<number> | null | undefined): number {
  if (!weights) return rows;
  if (weights.length < rows) throw new RangeError(`loss: ${weights.length} weights for ${rows} rows`);
  let s = 0;
  for (let i = 0; i < rows; i++) s += weights[i];
  if (!(s > 0)) throw new RangeError(`loss: weights must have a positive sum, got ${s}`);
  return s;
}

function checkShapes(name: string, out: Mat, target: Mat): void {
  if (out.rows !== target.rows || out.cols !== target.cols) {
    throw new RangeError(`${name}: outputs are ${out.rows}×${out.cols} but targets are ${target.rows}×${target.cols}`);
  }
}

/** Shared plumbing: the gradient buffer and the compute/evaluate pair over one `run`. */
abstract class BaseLoss implements Loss {
  /** Which loss, as named in the spec. */
  abstract readonly kind: LossSpec['kind'];
  /** ∂L/∂out. */
  readonly #grad = new MatBuffer();

  get grad(): Mat {
    return this.#grad.mat;
  }

  compute(out: Mat, target: Mat, weights?: ArrayLike<number> | null): number {
    checkShapes(this.kind, out, target);
    return this.run(out, target, weights ?? null, this.#grad.get(out.rows, out.cols).data);
  }

  evaluate(out: Mat, target: Mat, weights?: ArrayLike<number> | null): number {
    checkShapes(this.kind, out, target);
    return this.run(out, target, weights ?? null, null);
  }

  /** The weighted mean loss; writes the gradient into `g` unless it is null. */
  protected abstract run(out: Mat, target: Mat, weights: ArrayLike<number> | null, g: Float32Array | null): number;
}

/**
 * A loss that is a mean over all B·C elements of ℓ(z, t), each row's elements weighted by its
 * wᵢ: the reduction MSE and BCE share, so that only their per-element formulas differ.
 */
abstract class ElementwiseLoss extends BaseLoss {
  /** ℓ(z, t) of one element. */
  protected abstract element(z: number, t: number): number;
  /** ∂ℓ/∂z of one element. */
  protected abstract slope(z: number, t: number): number;

  protected run(out: Mat, target: Mat, weights: ArrayLike<number> | null, g: Float32Array | null): number {
    const B = out.rows,
      C = out.cols;
    const norm = 1 / (weightSum(B, weights) * C);
    const z = out.data,
      t = target.data;
    let total = 0;
    for (let i = 0; i < B; i++) {
      const w = weights ? weights[i] : 1;
      const base = i * C;
      let row = 0;
      for (let j = 0; j < C; j++) {
        const k = base + j;
        row += this.element(z[k], t[k]);
        if (g) g[k] = this.slope(z[k], t[k]) * w * norm;
      }
      total += w * row;
    }
    return total * norm;
  }
}

/** MSELoss: mean over all B·C elements of (out − target)². */
export class MseLoss extends ElementwiseLoss {
  /** Spec name of this loss. */
  readonly kind = 'mse';

  protected element(z: number, t: number): number {
    const d = z - t;
    return d * d;
  }

  protected slope(z: number, t: number): number {
    return 2 * (z - t);
  }
}

/**
 * CrossEntropyLoss on logits with probability targets (one-hot rows for labels, mixed rows
 * for mixup/cutmix). Label smoothing ε turns each target row t into (1−ε)·t + ε/C, PyTorch's
 * definition. Per row ℓ = −Σⱼ t′ⱼ·log softmax(z)ⱼ, with log-softmax z − max − log Σ e^(z−max).
 */
export class CrossEntropyLoss extends BaseLoss {
  /** Spec name of this loss. */
  readonly kind = 'cross_entropy';
  /** ε, the label smoothing. */
  readonly labelSmoothing: number;

  constructor(labelSmoothing = 0) {
    super();
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
      throw new RangeError(`cross_entropy: label_smoothing must be in [0, 1], got ${labelSmoothing}`);
    this.labelSmoothing = labelSmoothing;
  }

  protected run(out: Mat, target: Mat, weights: ArrayLike<number> | null, g: Float32Array | null): number {
    const B = out.rows,
      C = out.cols;
    if (C < 2) throw new RangeError('cross_entropy: needs at least 2 output columns (use bce for one logit)');
    const W = weightSum(B, weights);
    const keep = 1 - this.labelSmoothing;
    const spread = this.labelSmoothing / C;
    const z = out.data,
      t = target.data;
    let total = 0;
    for (let i = 0; i < B; i++) {
      const base = i * C;
      let m = z[base];
      for (let j = 1; j < C; j++) if (z[base + j] > m) m = z[base + j];
      let sumExp = 0;
      if (g) {
        // Keep e^(z−max) in the gradient buffer so the softmax below needs no second exp.
        for (let j = 0; j < C; j++) {
          const e = exp(z[base + j] - m);
          g[base + j] = e;
          sumExp += e;
        }
      } else {
        for (let j = 0; j < C; j++) sumExp += exp(z[base + j] - m);
      }
      const lse = m + log(sumExp);
      let row = 0,
        mass = 0;
      for (let j = 0; j < C; j++) {
        const tj = keep * t[base + j] + spread;
        row += tj * (lse - z[base + j]);
        mass += tj;
      }
      const w = weights ? weights[i] : 1;
      total += w * row;
      if (g) {
        // ∂ℓ/∂zⱼ = softmaxⱼ·Σt′ − t′ⱼ (Σt′ = 1 for probability rows).
        const s = w / W;
        const pm = mass / sumExp;
        for (let j = 0; j < C; j++) g[base + j] = s * (g[base + j] * pm - (keep * t[base + j] + spread));
      }
    }
    return total / W;
  }
}

/**
 * BCEWithLogitsLoss: per element ℓ = max(z, 0) − z·t + log(1 + e^(−|z|)), equal to
 * −[t·log σ(z) + (1−t)·log(1−σ(z))] without overflow; mean over all elements.
 */
export class BceWithLogitsLoss extends ElementwiseLoss {
  /** Spec name of this loss. */
  readonly kind = 'bce';

  protected element(z: number, t: number): number {
    return (z > 0 ? z : 0) - z * t + log1p(exp(-Math.abs(z)));
  }

  /** σ(z) − t, with σ taken from e^(−|z|) so that it cannot overflow either. */
  protected slope(z: number, t: number): number {
    const e = exp(-Math.abs(z));
    const sig = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    return sig - t;
  }
}

export function makeLoss(spec: LossSpec): Loss {
  const errs = validateLossSpec(spec);
  if (errs.length > 0) throw new RangeError(`makeLoss: invalid loss\n${errs.join('\n')}`);
  switch (spec.kind) {
    case 'mse':
      return new MseLoss();
    case 'cross_entropy':
      return new CrossEntropyLoss(spec.label_smoothing ?? 0);
    case 'bce':
      return new BceWithLogitsLoss();
  }
}

/** Every problem with a loss spec, each prefixed by its JSON path; empty when it is valid (the schema: LossSchema). */
export function validateLossSpec(spec: unknown, path = 'loss'): string[] {
  const errs: Problems = [];
  const l = checkSection(LossSchema, spec, path, errs);
  if (!l) return errs;
  const ls = l.label_smoothing;
  const kind = l.kind;
  if (
    typeof ls === 'number' &&
    ls > 0 &&
    ls <= 1 &&
    typeof kind === 'string' &&
    LOSS_KINDS.includes(kind as LossSpec['kind']) &&
    kind !== 'cross_entropy'
  )
    errs.push(`${join(path, 'label_smoothing')}: only applies to kind "cross_entropy", got kind ${show(kind)}`);
  return errs;
}
