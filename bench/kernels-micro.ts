import { jsKernels, type Kernels } from '../shared/linalg/gemm.ts';
import { createWasmKernels } from '../shared/linalg/wasm-kernels.ts';
import { Rng } from '../shared/rng.ts';

const w = createWasmKernels({ memoryMiB: 256 });
const rng = new Rng(1);
const shapes: [string, 'gemm' | 'gemmTN' | 'gemmNT', number, number, number][] = [];
for (const b of [32, 128, 1024]) {
  shapes.push([`s fwd1 b${b}`, 'gemm', b, 128, 64], [`s fwd2`, 'gemm', b, 10, 128], [`s dW2`, 'gemmTN', 128, 10, b], [`s dH`, 'gemmNT', b, 128, 10], [`s dW1`, 'gemmTN', 64, 128, b], [`s dX`, 'gemmNT', b, 64, 128]);
  shapes.push([`L fwd1 b${b}`, 'gemm', b, 256, 784], [`L fwd2`, 'gemm', b, 10, 256], [`L dW2`, 'gemmTN', 256, 10, b], [`L dH`, 'gemmNT', b, 256, 10], [`L dW1`, 'gemmTN', 784, 256, b], [`L dX`, 'gemmNT', b, 784, 256]);
}
function time(k: Kernels, op: 'gemm' | 'gemmTN' | 'gemmNT', M: number, N: number, K: number, A: Float32Array, B: Float32Array, C: Float32Array): number {
  const flops = 2 * M * N * K;
  let reps = Math.max(1, Math.floor(2e7 / flops));
  for (let i = 0; i < 3; i++) k[op](M, N, K, A, B, C, false);
  const best: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) k[op](M, N, K, A, B, C, false);
    best.push((performance.now() - t0) / reps);
  }
  best.sort((a, b) => a - b);
  return flops / (best[2] * 1e6);
}
const onlyWasm = process.argv.includes('--wasm');
for (const [name, op, M, N, K] of shapes) {
  w.reset();
  const A = w.allocator(M * K), B = w.allocator(K * N), C = w.allocator(M * N);
  for (const a of [A, B]) for (let i = 0; i < a.length; i++) a[i] = rng.uniform(-1, 1);
  const gw = time(w.kernels, op, M, N, K, A, B, C);
  const gj = onlyWasm ? 0 : time(jsKernels, op, M, N, K, A, B, C);
  console.log(`${name.padEnd(14)} ${op.padEnd(7)} ${String(M).padStart(5)}x${String(N).padStart(4)}x${String(K).padStart(5)}  js ${gj.toFixed(2).padStart(6)}  wasm ${gw.toFixed(2).padStart(6)} GFLOP/s`);
}
