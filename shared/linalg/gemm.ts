/**
 * Matrix kernels used by the training core. Row-major Float32Array storage.
 *
 * The three products a dense layer needs:
 *   forward            Y  = X · W        gemm   (M×K)·(K×N)
 *   weight gradient    dW = Xᵀ · dY      gemmTN (K×M)ᵀ·(K×N)
 *   input gradient     dX = dY · Wᵀ      gemmNT (M×K)·(N×K)ᵀ
 *
 * `accumulate` adds into C instead of overwriting it. These are the plain reference
 * implementations (loop orders chosen for sequential access); `setKernels` lets a faster
 * implementation (WebAssembly SIMD) replace them, and tests compare it with these.
 */

export type F32 = Float32Array;

export interface Kernels {
  /** Name shown by the benchmark ("js", "wasm-simd", …). */
  readonly name: string;
  /** C[M×N] (+)= A[M×K] · B[K×N] */
  gemm: (M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean) => void;
  /** C[M×N] (+)= A[K×M]ᵀ · B[K×N] */
  gemmTN: (M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean) => void;
  /** C[M×N] (+)= A[M×K] · B[N×K]ᵀ */
  gemmNT: (M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean) => void;

  // Fused helpers of a dense layer. Optional so that a kernel set may leave them out; callers
  // fall back to `jsKernels`' versions (see `fused`). A pass over an M×N activation costs little
  // next to the product, but in plain JS it is several times slower than the SIMD pass.

  /** C[M×N] = act(A[M×K] · B[K×N] + bias), bias broadcast over rows (null: no bias). */
  gemmBiasAct?: (
    M: number,
    N: number,
    K: number,
    A: F32,
    B: F32,
    bias: F32 | null,
    C: F32,
    act: FusedActivation,
  ) => void;
  /** Y[M×N] = act(Y + bias) in place, bias broadcast over rows (null: no bias). */
  biasAct?: (M: number, N: number, Y: F32, bias: F32 | null, act: FusedActivation) => void;
  /**
   * dX[i] = Y[i] <= 0 ? 0 : dY[i] for i < n: ReLU backward from its output (dX may be dY).
   * Written as PyTorch's threshold_backward, so that a NaN output passes its gradient on.
   */
  reluBackward?: (n: number, Y: F32, dY: F32, dX: F32) => void;
  /** out[j] (+)= Σ_i A[i×N + j] over i < M, rows added in order: a bias gradient. */
  colSum?: (M: number, N: number, A: F32, out: F32, accumulate: boolean) => void;
  /**
   * One Adam step on float32 tensors; same arguments and, bit for bit, same result as
   * shared/optim/adam.ts `adamUpdate` (which stays the reference and the float64 path). Its
   * scalar square root and two divisions per value are the training step's largest cost
   * outside the products on a wide layer.
   */
  adamF32?: (
    value: F32,
    grad: F32,
    expAvg: F32,
    expAvgSq: F32,
    maxExpAvgSq: F32 | null,
    t: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    maximize: boolean,
  ) => void;
}

/** Activations the fused kernels apply; others go through their own layer. */
export type FusedActivation = 'identity' | 'relu';

export const jsKernels: Kernels = {
  name: 'js',
  gemm(M, N, K, A, B, C, accumulate) {
    if (!accumulate) C.fill(0, 0, M * N);
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      const ai = i * K;
      for (let k = 0; k < K; k++) {
        const a = A[ai + k];
        if (a === 0) continue;
        const bk = k * N;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  },
  gemmTN(M, N, K, A, B, C, accumulate) {
    if (!accumulate) C.fill(0, 0, M * N);
    for (let k = 0; k < K; k++) {
      const ak = k * M;
      const bk = k * N;
      for (let i = 0; i < M; i++) {
        const a = A[ak + i];
        if (a === 0) continue;
        const ci = i * N;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  },
  gemmNT(M, N, K, A, B, C, accumulate) {
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      const ci = i * N;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
        C[ci + j] = accumulate ? C[ci + j] + s : s;
      }
    }
  },
  gemmBiasAct(M, N, K, A, B, bias, C, act) {
    jsKernels.gemm(M, N, K, A, B, C, false);
    jsKernels.biasAct!(M, N, C, bias, act);
  },
  biasAct(M, N, Y, bias, act) {
    const relu = act === 'relu';
    for (let i = 0; i < M; i++) {
      const o = i * N;
      for (let j = 0; j < N; j++) {
        let v = bias ? Y[o + j] + bias[j] : Y[o + j];
        // Written as a comparison rather than Math.max so that NaN and -0 follow the SIMD max.
        if (relu && !(v > 0)) v = v !== v ? v : 0;
        Y[o + j] = v;
      }
    }
  },
  reluBackward(n, Y, dY, dX) {
    for (let i = 0; i < n; i++) dX[i] = Y[i] <= 0 ? 0 : dY[i];
  },
  colSum(M, N, A, out, accumulate) {
    if (!accumulate) out.fill(0, 0, N);
    for (let i = 0; i < M; i++) {
      const o = i * N;
      for (let j = 0; j < N; j++) out[j] += A[o + j];
    }
  },
};

type Fused = Required<Pick<Kernels, 'gemmBiasAct' | 'biasAct' | 'reluBackward' | 'colSum'>>;

/** The fused helpers of `k`, with the plain versions standing in for those it lacks. */
export function fused(k: Kernels = active): Fused {
  return {
    gemmBiasAct: k.gemmBiasAct ?? jsKernels.gemmBiasAct!,
    biasAct: k.biasAct ?? jsKernels.biasAct!,
    reluBackward: k.reluBackward ?? jsKernels.reluBackward!,
    colSum: k.colSum ?? jsKernels.colSum!,
  };
}

let active: Kernels = jsKernels;

/** The kernels in use now. */
export function kernels(): Kernels {
  return active;
}

/** Replace the kernels in use (e.g. by the WebAssembly SIMD ones once they are loaded). */
export function setKernels(k: Kernels): void {
  active = k;
}
