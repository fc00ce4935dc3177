/**
 * Fully connected layer y = x·W + b with W stored in×out row-major, so the three products
 * map directly onto the kernels: forward `gemm`, dW = xᵀ·dy `gemmTN`, dx = dy·Wᵀ `gemmNT`.
 *
 * The forward pass is one `gemmBiasAct` call, which may also apply a ReLU (`forwardAct`,
 * used by Sequential for a dense layer followed by a ReLU): the products dominate a step, and
 * a separate pass over the output for the bias and another for the activation cost as much as
 * a small layer's product. The bias is added to the finished sum, as PyTorch's addmm does.
 */
import { jsKernels, kernels, type FusedActivation } from '../linalg/gemm.ts';
import type { Mat } from '../linalg/mat.ts';
import type { Rng } from '../rng.ts';
import { MatBuffer } from './buffer.ts';
import type { ForwardContext, Layer } from './layer.ts';
import { param, type Param } from './param.ts';

export class Dense implements Layer {
  /** Layer type, shown in model summaries. */
  readonly kind = 'dense';
  /** Number of input features (fan-in). */
  readonly inDim: number;
  /** Number of output units (fan-out). */
  readonly outDim: number;
  /** W, in×out row-major; penalized by L1/L2. */
  readonly weight: Param;
  /** b, one per output unit; not penalized. */
  readonly bias: Param;
  /**
   * Whether backward computes ∂L/∂x. Turned off for a first layer whose input gradient nobody
   * reads, saving a third of that layer's backward cost; backward then returns a stale matrix.
   */
  needInputGrad = true;
  /** x from the last forward, read by backward for dW = xᵀ·dy. */
  #x: Mat | null = null;
  /** y = act(x·W + b); a fused ReLU's backward reads it (y ≤ 0 exactly where x·W + b ≤ 0). */
  #y = new MatBuffer();
  /** ∂L/∂x = dy·Wᵀ. */
  #dx = new MatBuffer();
  /** The activation the last forward applied; backward differentiates through it. */
  #act: FusedActivation = 'identity';
  /** ∂L/∂(x·W + b) behind a fused ReLU. */
  #dz = new MatBuffer();
  /** [W, b], built once so that params() allocates nothing. */
  readonly #params: Param[];
  /** No running statistics; an empty list kept so that buffers() allocates nothing. */
  readonly #buffers: Float32Array[] = [];

  constructor(inDim: number, outDim: number, rng: Rng, name = 'dense') {
    if (!(Number.isInteger(inDim) && inDim > 0 && Number.isInteger(outDim) && outDim > 0)) {
      throw new RangeError(`Dense: dimensions must be positive integers, got ${inDim}×${outDim}`);
    }
    this.inDim = inDim;
    this.outDim = outDim;
    this.weight = param(`${name}.weight`, [inDim, outDim], true);
    this.bias = param(`${name}.bias`, [outDim], false);
    this.#params = [this.weight, this.bias];
    this.init(rng);
  }

  /**
   * PyTorch's nn.Linear default: kaiming_uniform(a=√5) on W reduces to U(−1/√in, 1/√in), and
   * the bias uses the same bound. Draws all of W (row-major) and then b, so a seed fixes them.
   */
  init(rng: Rng): void {
    const bound = 1 / Math.sqrt(this.inDim);
    const w = this.weight.value;
    for (let i = 0; i < w.length; i++) w[i] = rng.uniform(-bound, bound);
    const b = this.bias.value;
    for (let j = 0; j < b.length; j++) b[j] = rng.uniform(-bound, bound);
  }

  forward(x: Mat, _ctx: ForwardContext): Mat {
    return this.forwardAct(x, 'identity');
  }

  /**
   * y = act(x·W + b); the next backward takes ∂L/∂y and differentiates through act as well.
   * A ReLU keeps NaN and turns −0 into +0, as the ReLU layer and PyTorch do.
   */
  forwardAct(x: Mat, act: FusedActivation): Mat {
    if (x.cols !== this.inDim) throw new RangeError(`Dense: expected ${this.inDim} input columns, got ${x.cols}`);
    const B = x.rows;
    const N = this.outDim;
    const y = this.#y.get(B, N);
    const k = kernels();
    if (k.gemmBiasAct) k.gemmBiasAct(B, N, this.inDim, x.data, this.weight.value, this.bias.value, y.data, act);
    else {
      k.gemm(B, N, this.inDim, x.data, this.weight.value, y.data, false);
      (k.biasAct ?? jsKernels.biasAct!)(B, N, y.data, this.bias.value, act);
    }
    this.#x = x;
    this.#act = act;
    return y;
  }

  backward(dy: Mat): Mat {
    const x = this.#x;
    if (x === null) throw new Error('Dense: backward called before forward');
    const B = x.rows;
    const N = this.outDim;
    const K = this.inDim;
    if (dy.rows !== B || dy.cols !== N) throw new RangeError(`Dense: dy is ${dy.rows}×${dy.cols}, expected ${B}×${N}`);
    const k = kernels();
    let g = dy.data;
    if (this.#act === 'relu') {
      const dz = this.#dz.get(B, N).data;
      (k.reluBackward ?? jsKernels.reluBackward!)(B * N, this.#y.mat.data, g, dz);
      g = dz;
    }
    k.gemmTN(K, N, B, x.data, g, this.weight.grad, false);
    (k.colSum ?? jsKernels.colSum!)(B, N, g, this.bias.grad, false);
    const dx = this.#dx.get(B, K);
    if (this.needInputGrad) k.gemmNT(B, K, N, g, this.weight.value, dx.data, false);
    return dx;
  }

  params(): Param[] {
    return this.#params;
  }

  buffers(): Float32Array[] {
    return this.#buffers;
  }
}
