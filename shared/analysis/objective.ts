/**
 * The trained network's data loss as a function of its flat parameter vector θ, the object
 * every study measurement (ε-sharpness, Hessian eigenvalue, interpolation) probes.
 *
 * L(θ) is the loss the fit reports for its training rows: inference mode (running batch-norm
 * statistics, dropout off), the plain data loss (no label smoothing, no weight penalty), inputs
 * standardized with the fit's own statistics. With `terms` it is the training objective
 * instead: the loss with the fit's label smoothing, plus its L1/L2 penalty on the weights. θ is the params part of the state in
 * `model.params()` order; the buffers (running statistics) stay fixed, so in inference mode
 * every batch-norm layer is the affine map γ·(x − μ̂)/√(σ̂² + ε) + β and L is an ordinary
 * function of θ whose gradient the layers' backward already computes (batch norm
 * differentiates through its statistics only after a training-mode forward; dropout is the
 * identity in both directions).
 *
 * The network runs in float64 here (float64 buffers and the plain JS kernels, restored after
 * every call): losses compared at nearby points need the extra digits, and the analysis is a
 * few dozen passes, not a training run. Hessian-vector products are exact (rop.ts).
 */
import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import { setAllocator } from '../linalg/alloc.ts';
import { jsKernels, kernels, setKernels } from '../linalg/gemm.ts';
import type { Mat } from '../linalg/mat.ts';
import { makeLoss, type Loss } from '../nn/loss.ts';
import { RopNetwork } from './rop.ts';
import { buildModel, type Sequential } from '../nn/model.ts';
import { Rng } from '../rng.ts';
import type { LossSpec, ModelSpec } from '../schema/types.ts';
import { gatherInputs, gatherTargets, type TargetKind } from '../train/batches.ts';
import { targetKind } from '../train/fit.ts';
import { penaltyValue, type PenaltyCoefficients } from '../train/penalty.ts';

/** Rows per forward pass: bounds the activation memory to about CHUNK × (sum of widths) doubles. */
export const ANALYSIS_CHUNK = 256;

/** A differentiable scalar function of a flat vector: what sharpness and Hessian code need. */
export interface Objective {
  /** Length of θ. */
  readonly dim: number;
  /** L(θ). */
  value(theta: ArrayLike<number>): number;
  /** L(θ); writes ∇L(θ) into `grad` (length dim). */
  valueAndGradient(theta: ArrayLike<number>, grad: Float64Array): number;
  /** Writes ∇²L(θ)·v into `out`, exactly (to rounding); absent where only finite differences would do. */
  hessianVectorProduct?(theta: ArrayLike<number>, v: ArrayLike<number>, out: Float64Array): void;
}

/** What the training objective adds to the plain data loss (`NetworkSpec.terms`). */
export interface ObjectiveTerms {
  /** Cross-entropy label smoothing ε (PyTorch's definition). */
  labelSmoothing?: number;
  /** Coefficient of Σ|w| over the dense weights. */
  l1?: number;
  /** Coefficient of Σw²/2 over the dense weights. */
  l2?: number;
}

/** What it takes to rebuild a trained network and score it. */
export interface NetworkSpec {
  /** Architecture the state belongs to (the job's `fit.model`). */
  model: ModelSpec;
  /** Loss whose plain data part is measured (label smoothing is dropped). */
  loss: LossSpec;
  /** The data set the rows index into. */
  data: Dataset;
  /** z = (x − mean)/std with the fit's statistics (null: raw features). */
  standardizer: Standardizer | null;
  /** Output units (FitResult.outDim). */
  outDim: number;
  /** Rows per forward pass (default ANALYSIS_CHUNK). */
  chunk?: number;
  /** Label smoothing and weight penalties to include (default none: the plain data loss). */
  terms?: ObjectiveTerms;
}

/** Runs fn with float64 buffers and the plain JS kernels (WebAssembly kernels only take float32). */
export function inFloat64<T>(fn: () => T): T {
  const prevAlloc = setAllocator((n) => new Float64Array(n) as unknown as Float32Array);
  const prevKernels = kernels();
  setKernels(jsKernels);
  try {
    return fn();
  } finally {
    setKernels(prevKernels);
    setAllocator(prevAlloc);
  }
}

/** A float64 row-major matrix typed as the layers expect (they only index their data). */
function f64Mat(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) as unknown as Float32Array };
}

/**
 * A trained network and its data loss on any set of rows. Inputs are standardized in float32
 * first, exactly as training saw them, then widened to float64.
 */
export class NetworkLoss {
  /** The rebuilt network (float64 storage). */
  readonly model: Sequential;
  /** Number of parameters, the length of θ. */
  readonly dim: number;
  /** Length of the full state: θ followed by the buffers. */
  readonly stateSize: number;
  /** Rows per forward pass. */
  readonly chunk: number;
  /** Data set, standardizer and output size the rows are scored with. */
  readonly #spec: NetworkSpec;
  /** The plain data loss ℓ (mean over a chunk's rows). */
  readonly #loss: Loss;
  /** How y turns into the loss's targets (one-hot rows, 0/1, values). */
  readonly #kind: TargetKind;
  /** A chunk's standardized inputs in float32, rounded exactly as training rounded them. */
  readonly #x32: Mat;
  /** The same inputs widened to float64, what the network reads. */
  readonly #x64: Mat;
  /** A chunk's targets in float32, as gatherTargets writes them. */
  readonly #t32: Mat;
  /** The same targets in float64, what the loss reads. */
  readonly #t64: Mat;
  /** The weight penalty's coefficients (zero without `terms`). */
  readonly #penalty: PenaltyCoefficients;
  /** Second-order passes over the same layers (built on first use). */
  #rop: RopNetwork | null = null;

  constructor(spec: NetworkSpec, state: ArrayLike<number>) {
    const { data, outDim } = spec;
    this.#spec = spec;
    this.chunk = spec.chunk ?? ANALYSIS_CHUNK;
    if (!(Number.isInteger(this.chunk) && this.chunk > 0))
      throw new RangeError(`NetworkLoss: chunk must be a positive integer, got ${this.chunk}`);
    const expected = targetKind(data, spec.loss);
    if (expected.outDim !== outDim)
      throw new RangeError(
        `NetworkLoss: loss "${spec.loss.kind}" on ${data.name} has ${expected.outDim} outputs, got outDim ${outDim}`,
      );
    this.#kind = expected.kind;
    // Weights come from the state; the seed only fills values that are overwritten at once.
    this.model = inFloat64(() => buildModel(spec.model, data.d, outDim, new Rng(0)));
    const ls = spec.terms?.labelSmoothing ?? 0;
    this.#loss = makeLoss(ls > 0 ? { kind: spec.loss.kind, label_smoothing: ls } : { kind: spec.loss.kind });
    this.#penalty = { l1: spec.terms?.l1 ?? 0, l2: spec.terms?.l2 ?? 0 };
    this.dim = this.model.paramCount();
    this.stateSize = this.model.stateSize();
    this.#x32 = { rows: this.chunk, cols: data.d, data: new Float32Array(this.chunk * data.d) };
    this.#x64 = f64Mat(this.chunk, data.d);
    this.#t32 = { rows: this.chunk, cols: outDim, data: new Float32Array(this.chunk * outDim) };
    this.#t64 = f64Mat(this.chunk, outDim);
    this.setState(state);
  }

  /** Copies a full state (θ then buffers, Sequential.getState order) into the network. */
  setState(state: ArrayLike<number>): void {
    if (state.length !== this.stateSize)
      throw new RangeError(`NetworkLoss: model has ${this.stateSize} state values, got ${state.length}`);
    let o = this.#copyParams(state);
    for (const b of this.model.buffers()) {
      for (let i = 0; i < b.length; i++) b[i] = state[o + i];
      o += b.length;
    }
  }

  /** Copies θ into the params; buffers are left as they are. */
  setParams(theta: ArrayLike<number>): void {
    if (theta.length !== this.dim)
      throw new RangeError(`NetworkLoss: model has ${this.dim} params, got ${theta.length}`);
    this.#copyParams(theta);
  }

  /** θ, the params now in the network, as a new float64 vector. */
  params(): Float64Array {
    const out = new Float64Array(this.dim);
    let o = 0;
    for (const p of this.model.params()) {
      out.set(p.value, o);
      o += p.value.length;
    }
    return out;
  }

  /** The full state now in the network (θ then buffers), as a new float64 vector. */
  state(): Float64Array {
    const out = new Float64Array(this.stateSize);
    out.set(this.params());
    let o = this.dim;
    for (const b of this.model.buffers()) {
      out.set(b, o);
      o += b.length;
    }
    return out;
  }

  /** Mean data loss over `rows` with the network's current state. */
  loss(rows: Uint32Array): number {
    return this.#run(rows, null);
  }

  /** Mean data loss over `rows`; writes its gradient with respect to θ into `grad`. */
  lossAndGradient(rows: Uint32Array, grad: Float64Array): number {
    if (grad.length !== this.dim)
      throw new RangeError(`NetworkLoss: gradient buffer has ${grad.length} values, needs ${this.dim}`);
    return this.#run(rows, grad);
  }

  /**
   * Writes ∇²L(θ)·v over `rows` into `out` by the R-operator (exact to rounding), for the θ
   * now in the network; also writes ∇L(θ) into `grad` when given. Returns L(θ).
   */
  hessianVectorProduct(rows: Uint32Array, v: ArrayLike<number>, out: Float64Array, grad?: Float64Array): number {
    const n = rows.length;
    if (n === 0) throw new RangeError('NetworkLoss: no rows to measure the loss on');
    if (v.length !== this.dim || out.length !== this.dim)
      throw new RangeError(`NetworkLoss: v and Hv need ${this.dim} values, got ${v.length} and ${out.length}`);
    const { data, standardizer } = this.#spec;
    this.#rop ??= new RopNetwork(this.model, {
      loss: this.#spec.loss.kind,
      labelSmoothing: this.#spec.terms?.labelSmoothing ?? 0,
      l1: this.#penalty.l1,
      l2: this.#penalty.l2,
    });
    const g = grad ?? new Float64Array(this.dim);
    g.fill(0);
    out.fill(0);
    let total = 0;
    for (let start = 0; start < n; start += this.chunk) {
      const count = Math.min(this.chunk, n - start);
      const x = this.#widen(this.#x32, this.#x64, count, () =>
        gatherInputs(data, standardizer, rows, start, count, this.#x32),
      );
      const t = this.#widen(this.#t32, this.#t64, count, () =>
        gatherTargets(data, this.#kind, rows, start, count, this.#t32),
      );
      const x64 = (x.data as unknown as Float64Array).subarray(0, count * x.cols);
      const t64 = (t.data as unknown as Float64Array).subarray(0, count * t.cols);
      total += this.#rop.accumulate(x64, t64, count, v, count / n, g, out);
    }
    return total + this.#rop.addPenalty(this.params(), v, g, out);
  }

  #copyParams(src: ArrayLike<number>): number {
    let o = 0;
    for (const p of this.model.params()) {
      const v = p.value;
      for (let i = 0; i < v.length; i++) v[i] = src[o + i];
      o += v.length;
    }
    return o;
  }

  /** Σ over chunks of (count/n)·(chunk mean), so the chunking changes nothing but rounding. */
  #run(rows: Uint32Array, grad: Float64Array | null): number {
    const n = rows.length;
    if (n === 0) throw new RangeError('NetworkLoss: no rows to measure the loss on');
    const { data, standardizer } = this.#spec;
    const ctx = { training: false, rng: new Rng(0) };
    const params = this.model.params();
    if (grad) grad.fill(0);
    return inFloat64(() => {
      let total = 0;
      for (let start = 0; start < n; start += this.chunk) {
        const count = Math.min(this.chunk, n - start);
        const x = this.#widen(this.#x32, this.#x64, count, () =>
          gatherInputs(data, standardizer, rows, start, count, this.#x32),
        );
        const t = this.#widen(this.#t32, this.#t64, count, () =>
          gatherTargets(data, this.#kind, rows, start, count, this.#t32),
        );
        const out = this.model.forward(x, ctx);
        const w = count / n;
        if (!grad) {
          total += w * this.#loss.evaluate(out, t);
          continue;
        }
        total += w * this.#loss.compute(out, t);
        this.model.backwardParams(this.#loss.grad);
        let o = 0;
        for (const p of params) {
          const g = p.grad;
          for (let i = 0; i < g.length; i++) grad[o + i] += w * g[i];
          o += g.length;
        }
      }
      const c = this.#penalty;
      if (c.l1 === 0 && c.l2 === 0) return total;
      // The penalty's gradient, written where the weights sit in θ (p.grad holds the last chunk's).
      if (grad) {
        let o = 0;
        for (const p of params) {
          if (p.penalize)
            for (let i = 0; i < p.value.length; i++) {
              const x = p.value[i];
              grad[o + i] += c.l2 * x + (x > 0 ? c.l1 : x < 0 ? -c.l1 : 0);
            }
          o += p.value.length;
        }
      }
      return total + penaltyValue(params, c);
    });
  }

  /** Fills the float32 staging matrix, then copies its first `count` rows into the float64 one. */
  #widen(m32: Mat, m64: Mat, count: number, fill: () => void): Mat {
    m32.rows = count;
    fill();
    const len = count * m32.cols;
    const src = m32.data,
      dst = m64.data;
    for (let i = 0; i < len; i++) dst[i] = src[i];
    m64.rows = count;
    return m64;
  }
}

/** L(θ) = the network's data loss on a fixed set of rows, as an Objective. */
export class RowsObjective implements Objective {
  /** Length of θ. */
  readonly dim: number;

  constructor(
    /** The network whose params θ sets. */
    readonly net: NetworkLoss,
    /** Rows the loss is averaged over (repeats count repeatedly, as in a bootstrap sample). */
    readonly rows: Uint32Array,
  ) {
    if (rows.length === 0) throw new RangeError('RowsObjective: no rows');
    this.dim = net.dim;
  }

  value(theta: ArrayLike<number>): number {
    this.net.setParams(theta);
    return this.net.loss(this.rows);
  }

  valueAndGradient(theta: ArrayLike<number>, grad: Float64Array): number {
    this.net.setParams(theta);
    return this.net.lossAndGradient(this.rows, grad);
  }

  hessianVectorProduct(theta: ArrayLike<number>, v: ArrayLike<number>, out: Float64Array): void {
    this.net.setParams(theta);
    this.net.hessianVectorProduct(this.rows, v, out);
  }
}
