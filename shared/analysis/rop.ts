/**
 * Exact Hessian-vector products of a network's loss by forward-over-reverse differentiation,
 * Pearlmutter's R-operator (Pearlmutter 1994, "Fast exact multiplication by the Hessian"):
 * R{·} = d/dr (·)(θ + r·v) at r = 0 is pushed forward alongside the forward pass, then
 * through the backward pass, and R{∇L} = Hv comes out where the gradient does. The cost is
 * about two gradient passes, as for finite differences, but there is no step h: nothing
 * crosses a ReLU's kink, and the result is the Hessian of the almost-everywhere smooth loss
 * to float64 rounding.
 *
 * In float64, inference mode, for what `buildModel` makes:
 * - dense z = a·W + b:           R{z} = R{a}·W + a·V_W + V_b
 * - batch norm (running stats):  y = γ·(a − μ̂)·s + β with s = 1/√(σ̂² + ε) fixed, so
 *                                R{y} = V_γ·x̂ + γ·s·R{a} + V_β
 * - activations y = f(a):        R{y} = f′(a)·R{a}; backward adds dy·f″(a)·R{a}
 *                                (f″ = 0 for identity, ReLU and leaky ReLU almost everywhere)
 * - dropout:                     the identity (inference)
 * - losses on the outputs z, per row, with g = ∂ℓ/∂z and R{g} = (∇²_z ℓ)·R{z}:
 *   cross-entropy with label smoothing ε (t′ = (1 − ε)·t + ε/C, m = Σt′):
 *     g = m·p − t′,  R{g} = m·(p ⊙ R{z} − p·(pᵀR{z}))  (p = softmax z)
 *   mse (mean over C outputs):  g = 2(z − t)/C,  R{g} = 2·R{z}/C
 *   bce with logits:            g = (σ(z) − t)/C,  R{g} = σ(1 − σ)·R{z}/C
 * - penalties on the weights (dense W only, as in training): (l2/2)·Σw² adds l2·v; l1·Σ|w|
 *   is linear on each side of 0 and adds nothing (its second derivative is 0 off the kink).
 *
 * Backward through a dense layer: ∇W = aᵀ·dy, R{∇W} = R{a}ᵀ·dy + aᵀ·R{dy}; ∇b = Σdy,
 * R{∇b} = ΣR{dy}; da = dy·Wᵀ, R{da} = R{dy}·Wᵀ + dy·V_Wᵀ. Through batch norm: ∇γ = Σdy·x̂,
 * R{∇γ} = Σ(R{dy}·x̂ + dy·s·R{a}); ∇β = Σdy, R{∇β} = ΣR{dy}; da = γ·s·dy,
 * R{da} = s·(V_γ·dy + γ·R{dy}).
 */
import { exp, log, log1p, tanh } from '../math/index.ts';
import { ActivationLayer } from '../nn/activation.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { Dense } from '../nn/dense.ts';
import { Dropout } from '../nn/dropout.ts';
import type { Sequential } from '../nn/model.ts';
import { normalCdfInto } from '../stats/erf.ts';

/** 1/√(2π), the standard normal density at 0. */
const INV_SQRT_2PI = 0.3989422804014327;

/** What is differentiated besides the network: the loss and the terms training adds to it. */
export interface SecondOrderTerms {
  /** The loss on the network's outputs. */
  loss: 'cross_entropy' | 'mse' | 'bce';
  /** ε of cross-entropy's label smoothing (PyTorch's definition); 0 for the plain loss. */
  labelSmoothing?: number;
  /** Coefficient of Σ|w| over the dense weights (its Hessian is 0 almost everywhere). */
  l1?: number;
  /** Coefficient of Σw²/2 over the dense weights: adds l2·v to Hv. */
  l2?: number;
}

/** One step of the forward pass as the R-operator sees it. */
type Step =
  | { kind: 'dense'; layer: Dense; w: number; b: number }
  | { kind: 'bn'; layer: BatchNorm1d; g: number; b: number }
  | { kind: 'act'; layer: ActivationLayer }
  | { kind: 'id' };

/** f′ and f″ of an activation at a, given y = f(a) and (for GELU) Φ(a). */
function activationDerivatives(kind: string, slope: number, a: number, y: number, cdf: number): [number, number] {
  switch (kind) {
    case 'sigmoid':
      return [y * (1 - y), y * (1 - y) * (1 - 2 * y)];
    case 'tanh':
      return [1 - y * y, -2 * y * (1 - y * y)];
    case 'relu':
      return [a <= 0 ? 0 : 1, 0];
    case 'leaky_relu':
      return [a > 0 ? 1 : slope, 0];
    case 'gelu': {
      // f = a·Φ(a): f′ = Φ + a·φ, f″ = 2φ + a·φ′ = φ·(2 − a²).
      const phi = INV_SQRT_2PI * exp(-0.5 * a * a);
      return [cdf + a * phi, phi * (2 - a * a)];
    }
    default:
      return [1, 0];
  }
}

/**
 * Gradient and Hessian-vector product of the mean loss over rows, chunk by chunk. The network's
 * params hold θ (float64 storage, see objective.ts); v is laid out like θ, in `params()` order.
 */
export class RopNetwork {
  readonly #steps: Step[] = [];
  readonly #terms: Required<SecondOrderTerms>;
  /** Offsets in θ of the penalized weights, [offset, length] each. */
  readonly #penalized: Array<[number, number]> = [];
  readonly dim: number;

  constructor(
    readonly model: Sequential,
    terms: SecondOrderTerms,
  ) {
    this.#terms = { labelSmoothing: 0, l1: 0, l2: 0, ...terms };
    let o = 0;
    for (const l of model.layers) {
      if (l instanceof Dense) {
        this.#steps.push({ kind: 'dense', layer: l, w: o, b: o + l.weight.value.length });
        this.#penalized.push([o, l.weight.value.length]);
        o += l.weight.value.length + l.bias.value.length;
      } else if (l instanceof BatchNorm1d) {
        this.#steps.push({ kind: 'bn', layer: l, g: o, b: o + l.features });
        o += 2 * l.features;
      } else if (l instanceof ActivationLayer) {
        this.#steps.push({ kind: 'act', layer: l });
      } else if (l instanceof Dropout) {
        this.#steps.push({ kind: 'id' });
      } else {
        throw new RangeError(`RopNetwork: no second-order rule for layer "${l.kind}"`);
      }
    }
    this.dim = o;
    if (o !== model.paramCount())
      throw new RangeError(`RopNetwork: ${o} params laid out, model has ${model.paramCount()}`);
  }

  /**
   * Adds weight·(∇ℓ̄) to grad and weight·(∇²ℓ̄·v) to hv for one chunk, ℓ̄ the mean loss over its
   * `rows` rows of x (rows×d, float64) with targets t (rows×C); returns weight·ℓ̄. Penalties are
   * not included here (see `addPenalty`), so that chunks can be summed.
   */
  accumulate(
    x: Float64Array,
    t: Float64Array,
    rows: number,
    v: ArrayLike<number>,
    weight: number,
    grad: Float64Array,
    hv: Float64Array,
  ): number {
    // Forward with R{·}: keep every step's input a, R{a}, and what backward needs.
    const inputs: Float64Array[] = [];
    const rInputs: Float64Array[] = [];
    const extra: Array<Float64Array | null> = [];
    let a = x;
    let ra = new Float64Array(x.length);
    let width = x.length / rows;
    for (const s of this.#steps) {
      inputs.push(a);
      rInputs.push(ra);
      if (s.kind === 'dense') {
        const { inDim: K, outDim: N } = s.layer;
        const W = s.layer.weight.value,
          b = s.layer.bias.value;
        const z = new Float64Array(rows * N),
          rz = new Float64Array(rows * N);
        for (let i = 0; i < rows; i++) {
          const zo = i * N,
            ao = i * K;
          for (let j = 0; j < N; j++) {
            z[zo + j] = 0;
            rz[zo + j] = 0;
          }
          for (let k = 0; k < K; k++) {
            const aik = a[ao + k],
              raik = ra[ao + k],
              wo = k * N,
              vo = s.w + k * N;
            for (let j = 0; j < N; j++) {
              z[zo + j] += aik * W[wo + j];
              rz[zo + j] += raik * W[wo + j] + aik * v[vo + j];
            }
          }
          for (let j = 0; j < N; j++) {
            z[zo + j] += b[j];
            rz[zo + j] += v[s.b + j];
          }
        }
        extra.push(null);
        a = z;
        ra = rz;
        width = N;
      } else if (s.kind === 'bn') {
        const C = s.layer.features;
        const gam = s.layer.gamma.value,
          bet = s.layer.beta.value,
          mu = s.layer.runningMean,
          vr = s.layer.runningVar;
        const xhat = new Float64Array(rows * C),
          y = new Float64Array(rows * C),
          ry = new Float64Array(rows * C);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < C; j++) {
            const k = i * C + j;
            const sc = 1 / Math.sqrt(vr[j] + s.layer.eps);
            const h = (a[k] - mu[j]) * sc;
            xhat[k] = h;
            y[k] = gam[j] * h + bet[j];
            ry[k] = v[s.g + j] * h + gam[j] * sc * ra[k] + v[s.b + j];
          }
        }
        extra.push(xhat);
        a = y;
        ra = ry;
      } else if (s.kind === 'act') {
        const n = rows * width;
        const y = new Float64Array(n),
          ry = new Float64Array(n);
        const cdf = s.layer.kind === 'gelu' ? new Float64Array(n) : null;
        if (cdf) normalCdfInto(a, cdf, n);
        // f′ then f″ per element, interleaved, for backward.
        const d = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          const ai = a[i];
          let yi: number;
          switch (s.layer.kind) {
            case 'sigmoid':
              yi = ai >= 0 ? 1 / (1 + exp(-ai)) : exp(ai) / (1 + exp(ai));
              break;
            case 'tanh':
              yi = tanh(ai);
              break;
            case 'relu':
              yi = ai <= 0 ? 0 : ai;
              break;
            case 'leaky_relu':
              yi = ai > 0 ? ai : s.layer.negativeSlope * ai;
              break;
            case 'gelu':
              yi = ai * cdf![i];
              break;
            default:
              yi = ai;
          }
          const [d1, d2] = activationDerivatives(s.layer.kind, s.layer.negativeSlope, ai, yi, cdf ? cdf[i] : 0);
          y[i] = yi;
          ry[i] = d1 * ra[i];
          d[2 * i] = d1;
          d[2 * i + 1] = d2;
        }
        extra.push(d);
        a = y;
        ra = ry;
      } else {
        extra.push(null);
      }
    }

    // The loss, its gradient g and R{g} with respect to the outputs.
    const C = width;
    const z = a,
      rz = ra;
    const g = new Float64Array(rows * C),
      rg = new Float64Array(rows * C);
    const value = this.#lossTerms(z, rz, t, rows, C, g, rg);
    const scale = weight / rows;
    for (let i = 0; i < g.length; i++) {
      g[i] *= scale;
      rg[i] *= scale;
    }

    // Backward with R{·}.
    let dy = g,
      rdy = rg;
    for (let si = this.#steps.length - 1; si >= 0; si--) {
      const s = this.#steps[si];
      const x0 = inputs[si],
        rx0 = rInputs[si];
      const needInput = si > 0;
      if (s.kind === 'dense') {
        const { inDim: K, outDim: N } = s.layer;
        const W = s.layer.weight.value;
        const dx = needInput ? new Float64Array(rows * K) : null,
          rdx = needInput ? new Float64Array(rows * K) : null;
        for (let i = 0; i < rows; i++) {
          const yo = i * N,
            xo = i * K;
          for (let k = 0; k < K; k++) {
            const xik = x0[xo + k],
              rxik = rx0[xo + k],
              wo = k * N,
              go = s.w + k * N;
            let sdx = 0,
              srdx = 0;
            for (let j = 0; j < N; j++) {
              const dyj = dy[yo + j],
                rdyj = rdy[yo + j];
              grad[go + j] += xik * dyj;
              hv[go + j] += rxik * dyj + xik * rdyj;
              if (dx) {
                sdx += dyj * W[wo + j];
                srdx += rdyj * W[wo + j] + dyj * v[go + j];
              }
            }
            if (dx) {
              dx[xo + k] = sdx;
              rdx![xo + k] = srdx;
            }
          }
          for (let j = 0; j < N; j++) {
            grad[s.b + j] += dy[yo + j];
            hv[s.b + j] += rdy[yo + j];
          }
        }
        if (!dx) break;
        dy = dx;
        rdy = rdx!;
      } else if (s.kind === 'bn') {
        const Cb = s.layer.features;
        const gam = s.layer.gamma.value,
          vr = s.layer.runningVar;
        const xhat = extra[si]!;
        const dx = new Float64Array(rows * Cb),
          rdx = new Float64Array(rows * Cb);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < Cb; j++) {
            const k = i * Cb + j;
            const sc = 1 / Math.sqrt(vr[j] + s.layer.eps);
            grad[s.g + j] += dy[k] * xhat[k];
            hv[s.g + j] += rdy[k] * xhat[k] + dy[k] * sc * rx0[k];
            grad[s.b + j] += dy[k];
            hv[s.b + j] += rdy[k];
            dx[k] = gam[j] * sc * dy[k];
            rdx[k] = sc * (v[s.g + j] * dy[k] + gam[j] * rdy[k]);
          }
        }
        dy = dx;
        rdy = rdx;
      } else if (s.kind === 'act') {
        const d = extra[si]!;
        const n = dy.length;
        const dx = new Float64Array(n),
          rdx = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          dx[i] = dy[i] * d[2 * i];
          rdx[i] = rdy[i] * d[2 * i] + dy[i] * d[2 * i + 1] * rx0[i];
        }
        dy = dx;
        rdy = rdx;
      }
    }
    return weight * value;
  }

  /** Adds the penalties' value, gradient and Hv (at θ, along v) and returns the penalty P(θ). */
  addPenalty(theta: ArrayLike<number>, v: ArrayLike<number>, grad: Float64Array, hv: Float64Array): number {
    const { l1, l2 } = this.#terms;
    if (l1 === 0 && l2 === 0) return 0;
    let abs = 0,
      sq = 0;
    for (const [o, len] of this.#penalized) {
      for (let i = o; i < o + len; i++) {
        const w = theta[i];
        abs += Math.abs(w);
        sq += w * w;
        grad[i] += l2 * w + (w > 0 ? l1 : w < 0 ? -l1 : 0);
        hv[i] += l2 * v[i];
      }
    }
    return l1 * abs + 0.5 * l2 * sq;
  }

  /** Mean loss over the chunk's rows; writes per-row g = ∂ℓ/∂z and R{g} (not yet divided by rows). */
  #lossTerms(
    z: Float64Array,
    rz: Float64Array,
    t: Float64Array,
    rows: number,
    C: number,
    g: Float64Array,
    rg: Float64Array,
  ): number {
    let total = 0;
    if (this.#terms.loss === 'cross_entropy') {
      const eps = this.#terms.labelSmoothing;
      const keep = 1 - eps,
        spread = eps / C;
      const p = new Float64Array(C);
      for (let i = 0; i < rows; i++) {
        const o = i * C;
        let m = z[o];
        for (let j = 1; j < C; j++) if (z[o + j] > m) m = z[o + j];
        let sum = 0;
        for (let j = 0; j < C; j++) {
          p[j] = exp(z[o + j] - m);
          sum += p[j];
        }
        const lse = m + log(sum);
        let mass = 0,
          pr = 0;
        for (let j = 0; j < C; j++) {
          p[j] /= sum;
          const tj = keep * t[o + j] + spread;
          mass += tj;
          total += tj * (lse - z[o + j]);
          pr += p[j] * rz[o + j];
        }
        for (let j = 0; j < C; j++) {
          g[o + j] = mass * p[j] - (keep * t[o + j] + spread);
          rg[o + j] = mass * p[j] * (rz[o + j] - pr);
        }
      }
      return total / rows;
    }
    const n = rows * C;
    if (this.#terms.loss === 'mse') {
      for (let k = 0; k < n; k++) {
        const d = z[k] - t[k];
        total += d * d;
        g[k] = (2 * d) / C;
        rg[k] = (2 * rz[k]) / C;
      }
      return total / n;
    }
    for (let k = 0; k < n; k++) {
      const zk = z[k];
      const e = exp(-Math.abs(zk));
      const sig = zk >= 0 ? 1 / (1 + e) : e / (1 + e);
      total += (zk > 0 ? zk : 0) - zk * t[k] + log1p(e);
      g[k] = (sig - t[k]) / C;
      rg[k] = (sig * (1 - sig) * rz[k]) / C;
    }
    return total / n;
  }
}
