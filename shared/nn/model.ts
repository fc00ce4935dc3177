/**
 * A network as a sequence of layers, and the builder that turns a ModelSpec into one:
 * `linear` and `logistic` are one dense layer (the link function lives in the loss), `mlp` is
 * dense → [batchnorm] → activation → [dropout] per hidden width, then a dense output layer.
 */
import type { Mat } from '../linalg/mat.ts';
import type { FusedActivation } from '../linalg/gemm.ts';
import type { Rng } from '../rng.ts';
import type { ModelSpec } from '../schema/types.ts';
import { join, show, type Problems } from '../schema/check.ts';
import { MAX_WIDTH, MODEL_KINDS, ModelSchema } from '../schema/spec.ts';
import { checkSection } from '../schema/walk.ts';
import { ActivationLayer } from './activation.ts';
import { BatchNorm1d } from './batchnorm.ts';
import { Dense } from './dense.ts';
import { Dropout } from './dropout.ts';
import type { ForwardContext, Layer } from './layer.ts';
import type { Param } from './param.ts';

export interface SequentialOptions {
  /**
   * Run a dense layer followed by a ReLU (or identity) activation as one fused kernel call,
   * forward and backward (default true). The activation layer stays in `layers` but is then
   * not called; its outputs come from the dense layer.
   */
  fuse?: boolean;
}

/** One call of the forward pass: a layer, or a dense layer with the activation after it fused in. */
interface Step {
  layer: Layer;
  /** `layer` itself when it is a Dense that applies `act` (the next layer) itself. */
  fused: Dense | null;
  act: FusedActivation;
}

export class Sequential implements Layer {
  /** Layer type (a Sequential can be nested as a layer). */
  readonly kind = 'sequential';
  /** The layers, applied first to last. */
  readonly layers: Layer[];
  /** Every layer's params in layer order (the order of getState and of optimizers' state). */
  readonly #params: Param[];
  /** Every layer's buffers (running statistics) in layer order. */
  readonly #buffers: Float32Array[];
  /** What forward calls, in order (layers with fused pairs collapsed). */
  readonly #steps: Step[];

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    if (layers.length === 0) throw new RangeError('Sequential: needs at least one layer');
    this.layers = layers;
    this.#params = [];
    this.#buffers = [];
    for (const l of layers) {
      for (const p of l.params()) this.#params.push(p);
      for (const b of l.buffers()) this.#buffers.push(b);
    }
    const fuse = options.fuse ?? true;
    this.#steps = [];
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i];
      const next = layers[i + 1];
      if (
        fuse &&
        l instanceof Dense &&
        next instanceof ActivationLayer &&
        (next.kind === 'relu' || next.kind === 'identity')
      ) {
        this.#steps.push({ layer: l, fused: l, act: next.kind });
        i++;
      } else {
        this.#steps.push({ layer: l, fused: null, act: 'identity' });
      }
    }
  }

  /** Number of dense layers that run with their activation fused in. */
  get fusedPairs(): number {
    let n = 0;
    for (const s of this.#steps) if (s.fused !== null) n++;
    return n;
  }

  forward(x: Mat, ctx: ForwardContext): Mat {
    const steps = this.#steps;
    let h = x;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      h = s.fused === null ? s.layer.forward(h, ctx) : s.fused.forwardAct(h, s.act);
    }
    return h;
  }

  /** Writes every param's grad and returns ∂L/∂x for the input of the last forward. */
  backward(dy: Mat): Mat {
    const steps = this.#steps;
    let g = dy;
    for (let i = steps.length - 1; i >= 0; i--) g = steps[i].layer.backward(g);
    return g;
  }

  /** Like backward but skips ∂L/∂x of a dense first layer: the training step only needs param grads. */
  backwardParams(dy: Mat): void {
    const first = this.layers[0];
    if (!(first instanceof Dense)) {
      this.backward(dy);
      return;
    }
    first.needInputGrad = false;
    try {
      this.backward(dy);
    } finally {
      first.needInputGrad = true;
    }
  }

  params(): Param[] {
    return this.#params;
  }

  buffers(): Float32Array[] {
    return this.#buffers;
  }

  /** Number of trainable scalars. */
  paramCount(): number {
    let n = 0;
    for (const p of this.#params) n += p.value.length;
    return n;
  }

  /** Length of the flat state: all param values, then all buffers. */
  stateSize(): number {
    let n = this.paramCount();
    for (const b of this.#buffers) n += b.length;
    return n;
  }

  /**
   * All param values (in params() order) followed by all buffers, copied into `out` or a new
   * array. The new array is a plain Float32Array, never one from allocF32: a snapshot outlives
   * the training step (early stopping keeps one, a fit returns one) and must not sit in kernel
   * memory that is reused after the fit.
   */
  getState(out?: Float32Array): Float32Array {
    const n = this.stateSize();
    const s = out ?? new Float32Array(n);
    if (s.length !== n) throw new RangeError(`Sequential.getState: state has ${n} values, buffer has ${s.length}`);
    let o = 0;
    for (const p of this.#params) {
      s.set(p.value, o);
      o += p.value.length;
    }
    for (const b of this.#buffers) {
      s.set(b, o);
      o += b.length;
    }
    return s;
  }

  /** Inverse of getState: copies a flat state back into the params and buffers. */
  setState(state: Float32Array): void {
    const n = this.stateSize();
    if (state.length !== n)
      throw new RangeError(`Sequential.setState: model has ${n} state values, got ${state.length}`);
    let o = 0;
    for (const p of this.#params) {
      p.value.set(state.subarray(o, o + p.value.length));
      o += p.value.length;
    }
    for (const b of this.#buffers) {
      b.set(state.subarray(o, o + b.length));
      o += b.length;
    }
  }

  /** One-line architecture, e.g. `dense(4→16) → batchnorm(16) → relu → dropout(0.1) → dense(16→3)`. */
  describe(): string {
    const parts: string[] = [];
    for (const l of this.layers) {
      if (l instanceof Dense) parts.push(`dense(${l.inDim}→${l.outDim})`);
      else if (l instanceof BatchNorm1d) parts.push(`batchnorm(${l.features})`);
      else if (l instanceof Dropout) parts.push(`dropout(${l.p})`);
      else parts.push(l.kind);
    }
    return parts.join(' → ');
  }
}

export { MAX_WIDTH };

/** Every problem with a model spec, each prefixed by its JSON path; empty when it is valid (the schema: ModelSchema). */
export function validateModelSpec(spec: unknown, path = 'model'): string[] {
  const errs: Problems = [];
  checkSection(ModelSchema, spec, path, errs, {
    code: {
      hidden: (hidden, hp) => {
        const kind = (spec as { kind?: unknown }).kind;
        const known = (MODEL_KINDS as readonly unknown[]).includes(kind);
        if (hidden === undefined || hidden === null) {
          if (kind === 'mlp') errs.push(`${hp}: required for kind "mlp" (hidden layer widths, e.g. [64])`);
        } else if (!Array.isArray(hidden)) {
          errs.push(`${hp}: must be an array of positive integers, got ${show(hidden)}`);
        } else {
          if (known && kind === 'mlp' && hidden.length === 0)
            errs.push(`${hp}: must list at least one width for kind "mlp"`);
          for (let i = 0; i < hidden.length; i++) {
            const w: unknown = hidden[i];
            if (typeof w !== 'number' || !Number.isInteger(w) || w < 1)
              errs.push(`${join(hp, i)}: must be a positive integer, got ${show(w)}`);
            else if (w > MAX_WIDTH) errs.push(`${join(hp, i)}: must be at most ${MAX_WIDTH}, got ${w}`);
          }
        }
      },
    },
  });
  return errs;
}

/**
 * The network a spec describes, for inputDim features and outputDim outputs (classes, 1 for
 * binary logistic or single-target regression). Dense layers draw their initial weights from
 * `rng` first to last, so the same seed gives the same model. Defaults: relu, no dropout, no batch norm.
 */
export function buildModel(spec: ModelSpec, inputDim: number, outputDim: number, rng: Rng): Sequential {
  const errs = validateModelSpec(spec);
  if (!(Number.isInteger(inputDim) && inputDim > 0)) errs.push(`inputDim: must be a positive integer, got ${inputDim}`);
  if (!(Number.isInteger(outputDim) && outputDim > 0))
    errs.push(`outputDim: must be a positive integer, got ${outputDim}`);
  if (errs.length > 0) throw new RangeError(`buildModel: invalid model\n${errs.join('\n')}`);
  if (spec.kind !== 'mlp') return new Sequential([new Dense(inputDim, outputDim, rng, 'dense0')]);
  const hidden = spec.hidden ?? [];
  const act = spec.activation ?? 'relu';
  const p = spec.dropout ?? 0;
  const layers: Layer[] = [];
  let width = inputDim;
  for (let i = 0; i < hidden.length; i++) {
    layers.push(new Dense(width, hidden[i], rng, `dense${i}`));
    if (spec.batchNorm) layers.push(new BatchNorm1d(hidden[i], `bn${i}`));
    layers.push(new ActivationLayer(act, spec.negativeSlope ?? 0.01));
    if (p > 0) layers.push(new Dropout(p));
    width = hidden[i];
  }
  layers.push(new Dense(width, outputDim, rng, `dense${hidden.length}`));
  return new Sequential(layers);
}
