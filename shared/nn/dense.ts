/**
 * Fully connected layer y = x·W + b with W stored in×out row-major, so the three products
 * map directly onto the kernels: forward `gemm`, dW = xᵀ·dy `gemmTN`, dx = dy·Wᵀ `gemmNT`.
 */
import { kernels } from '../linalg/gemm.ts';
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
  /** y = x·W + b. */
  #y = new MatBuffer();
  /** ∂L/∂x = dy·Wᵀ. */
  #dx = new MatBuffer();
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
    if (x.cols !== this.inDim) throw new RangeError(`Dense: expected ${this.inDim} input columns, got ${x.cols}`);
    const B = x.rows;
    const N = this.outDim;
    const y = this.#y.get(B, N);
    const yd = y.data;
    const b = this.bias.value;
    // Seeding y with the bias lets the product accumulate onto it: one pass fewer over y.
    for (let i = 0; i < B; i++) {
      const o = i * N;
      for (let j = 0; j < N; j++) yd[o + j] = b[j];
    }
    kernels().gemm(B, N, this.inDim, x.data, this.weight.value, yd, true);
    this.#x = x;
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
    k.gemmTN(K, N, B, x.data, dy.data, this.weight.grad, false);
    const db = this.bias.grad;
    const g = dy.data;
    for (let j = 0; j < N; j++) db[j] = 0;
    for (let i = 0; i < B; i++) {
      const o = i * N;
      for (let j = 0; j < N; j++) db[j] += g[o + j];
    }
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
