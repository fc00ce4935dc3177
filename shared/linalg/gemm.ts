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
  gemm(M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean): void;
  /** C[M×N] (+)= A[K×M]ᵀ · B[K×N] */
  gemmTN(M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean): void;
  /** C[M×N] (+)= A[M×K] · B[N×K]ᵀ */
  gemmNT(M: number, N: number, K: number, A: F32, B: F32, C: F32, accumulate: boolean): void;
}

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
};

let active: Kernels = jsKernels;

/** The kernels in use now. */
export function kernels(): Kernels {
  return active;
}

/** Replace the kernels in use (e.g. by the WebAssembly SIMD ones once they are loaded). */
export function setKernels(k: Kernels): void {
  active = k;
}
