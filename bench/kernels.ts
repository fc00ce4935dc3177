/**
 * `npm run bench -- --kernels`: GFLOP/s of each product of the benchmark's training steps
 * (forward, weight gradient, input gradient of both layers), plain JS kernels against the
 * WebAssembly SIMD kernels, operands in the wasm memory as the installed allocator places them.
 */
import { jsKernels, type Kernels } from '../shared/linalg/gemm.ts';
import { createWasmKernels } from '../shared/linalg/wasm-kernels.ts';
import { Rng } from '../shared/rng.ts';

type Op = 'gemm' | 'gemmTN' | 'gemmNT';

/** Median GFLOP/s over 5 runs of about `ms` milliseconds each. */
function gflops(
  k: Kernels,
  op: Op,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  B: Float32Array,
  C: Float32Array,
  ms: number,
): number {
  const flops = 2 * M * N * K;
  let t0 = performance.now();
  let n = 0;
  do {
    k[op](M, N, K, A, B, C, false);
    n++;
  } while (performance.now() - t0 < ms / 4);
  const reps = Math.max(1, Math.round((n * ms) / (performance.now() - t0)));
  const rates: number[] = [];
  for (let r = 0; r < 5; r++) {
    t0 = performance.now();
    for (let i = 0; i < reps; i++) k[op](M, N, K, A, B, C, false);
    rates.push((flops * reps) / ((performance.now() - t0) * 1e6));
  }
  rates.sort((a, b) => a - b);
  return rates[2];
}

export function kernelTable(): void {
  const w = createWasmKernels({ memoryMiB: 64 });
  const rng = new Rng('bench/kernels');
  console.log('product                    op                  M×N×K   JS GFLOP/s  WASM GFLOP/s');
  for (const [net, I, H] of [
    ['64-128-10', 64, 128],
    ['784-256-10', 784, 256],
  ] as const)
    for (const b of [32, 128, 1024]) {
      const shapes: [string, Op, number, number, number][] = [
        ['forward 1', 'gemm', b, H, I],
        ['forward 2', 'gemm', b, 10, H],
        ['dW 2', 'gemmTN', H, 10, b],
        ['dX 2', 'gemmNT', b, H, 10],
        ['dW 1', 'gemmTN', I, H, b],
      ];
      for (const [name, op, M, N, K] of shapes) {
        w.reset();
        const A = w.allocator(M * K),
          B = w.allocator(K * N),
          C = w.allocator(M * N);
        for (const a of [A, B]) for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
        const g = gflops(w.kernels, op, M, N, K, A, B, C, 40);
        const j = gflops(jsKernels, op, M, N, K, A, B, C, 15);
        const label = `${net} b${b} ${name}`;
        console.log(
          `${label.padEnd(27)}${op.padEnd(8)}${`${M}×${N}×${K}`.padStart(15)}${j.toFixed(2).padStart(13)}${g.toFixed(2).padStart(14)}`,
        );
      }
    }
}
