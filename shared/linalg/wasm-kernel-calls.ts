/**
 * The Kernels interface on top of the module's exports: arguments that are views of the
 * module's memory are used in place, others are copied in and out around the call.
 *
 * Results. Only IEEE float32 operations whose rounding WebAssembly fixes are used, so a call
 * gives the same bits on every machine and engine; they differ from the plain JS kernels in
 * the last bits (another summation order), by at most a few units of float32 rounding of
 * Σ|a·b| (see the tests). Arguments that are not Float32Arrays (the float64 gradient checks
 * and 2-D traces) go to the plain JS kernels and keep double precision.
 */
import { jsKernels, type F32, type FusedActivation, type Kernels } from './gemm.ts';
import { ALIGN, alignUp, type WasmHeap } from './wasm-memory.ts';
import type { Exports } from './wasm-module.ts';
import { pow } from '../math/index.ts';

const F_ACC = 1;
const F_RELU = 4;

export interface WasmKernelCalls {
  readonly kernels: Kernels;
  /** Kernel calls that had to copy an argument, and those that fell back to the JS kernels. */
  counts(): { copyingCalls: number; jsCalls: number };
}

/** The kernels over `heap`; `packAt` is the module's packing buffer, below the heap. */
export function wasmKernelCalls(ex: Exports, heap: WasmHeap, packAt: number): WasmKernelCalls {
  let copying = 0;
  let jsCalls = 0;

  // Arguments that live outside the memory are copied to the free space above `top` for the
  // duration of one call; nothing is handed out there, so it needs no bookkeeping.
  let scratch = 0;
  let copied = false;
  function place(a: F32, n: number, copyIn: boolean): number {
    if (a.buffer === heap.buffer) return a.byteOffset;
    const at = scratch;
    const end = at + alignUp(n * 4, ALIGN);
    if (end > heap.limit) return -1;
    if (copyIn) heap.view.set(a.length === n ? a : a.subarray(0, n), at >> 2);
    scratch = end;
    copied = true;
    return at;
  }
  function begin(): void {
    scratch = heap.top;
    copied = false;
  }
  function end(C: F32, pc: number, n: number): void {
    copyOut(C, pc, n);
    if (copied) copying++;
  }
  function copyOut(a: F32, p: number, n: number): void {
    if (a.buffer !== heap.buffer) a.set(heap.view.subarray(p >> 2, (p >> 2) + n));
  }

  function check(name: string, a: F32, n: number): void {
    // A view too short would let the kernel read or write a neighbouring buffer silently.
    if (a.length < n) throw new RangeError(`wasm kernels: ${name} needs ${n} values, got ${a.length}`);
  }

  function product(
    M: number,
    N: number,
    K: number,
    A: F32,
    rsA: number,
    csA: number,
    B: F32,
    rsB: number,
    csB: number,
    C: F32,
    bias: F32 | null,
    flags: number,
  ): boolean {
    if (M <= 0 || N <= 0) return true;
    if (!(f32(A) && f32(B) && f32(C) && (bias === null || f32(bias)))) return false;
    const kk = Math.max(K, 0);
    check('A', A, M * kk);
    check('B', B, kk * N);
    check('C', C, M * N);
    if (bias) check('bias', bias, N);
    begin();
    const pa = place(A, M * kk, true);
    const pb = place(B, kk * N, true);
    const pc = place(C, M * N, (flags & F_ACC) !== 0);
    const pbias = bias ? place(bias, N, true) : 0;
    if (pa < 0 || pb < 0 || pc < 0 || pbias < 0) {
      jsCalls++;
      return false;
    }
    ex.gemm(M, N, K, pa, rsA, csA, pb, rsB, csB, pc, pbias, flags, packAt);
    end(C, pc, M * N);
    return true;
  }

  const kernels: Kernels = {
    name: 'wasm-simd',
    gemm(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, K, 1, B, N, 1, C, null, accumulate ? F_ACC : 0))
        jsKernels.gemm(M, N, K, A, B, C, accumulate);
    },
    gemmTN(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, 1, M, B, N, 1, C, null, accumulate ? F_ACC : 0))
        jsKernels.gemmTN(M, N, K, A, B, C, accumulate);
    },
    gemmNT(M, N, K, A, B, C, accumulate) {
      if (!product(M, N, K, A, K, 1, B, 1, K, C, null, accumulate ? F_ACC : 0))
        jsKernels.gemmNT(M, N, K, A, B, C, accumulate);
    },
    gemmBiasAct(M, N, K, A, B, bias, C, act) {
      if (!product(M, N, K, A, K, 1, B, N, 1, C, bias, actFlag(act)))
        jsKernels.gemmBiasAct!(M, N, K, A, B, bias, C, act);
    },
    biasAct(M, N, Y, bias, act) {
      if (M <= 0 || N <= 0) return;
      if (!(f32(Y) && (bias === null || f32(bias)))) return jsKernels.biasAct!(M, N, Y, bias, act);
      check('Y', Y, M * N);
      if (bias) check('bias', bias, N);
      begin();
      const py = place(Y, M * N, true);
      const pbias = bias ? place(bias, N, true) : 0;
      if (py < 0 || pbias < 0) {
        jsCalls++;
        jsKernels.biasAct!(M, N, Y, bias, act);
        return;
      }
      ex.biasAct(M, N, py, pbias, act === 'relu' ? 1 : 0);
      end(Y, py, M * N);
    },
    reluBackward(n, Y, dY, dX) {
      if (n <= 0) return;
      if (!(f32(Y) && f32(dY) && f32(dX))) return jsKernels.reluBackward!(n, Y, dY, dX);
      check('Y', Y, n);
      check('dY', dY, n);
      check('dX', dX, n);
      begin();
      const py = place(Y, n, true);
      const pdy = place(dY, n, true);
      // dX may be dY itself: then it must not get a second, separate copy.
      const pdx = dX === dY ? pdy : place(dX, n, false);
      if (py < 0 || pdy < 0 || pdx < 0) {
        jsCalls++;
        jsKernels.reluBackward!(n, Y, dY, dX);
        return;
      }
      ex.reluBackward(n, py, pdy, pdx);
      end(dX, pdx, n);
    },
    colSum(M, N, A, out, accumulate) {
      if (N <= 0) return;
      if (!(f32(A) && f32(out))) return jsKernels.colSum!(M, N, A, out, accumulate);
      const m = Math.max(M, 0);
      check('A', A, m * N);
      check('out', out, N);
      begin();
      const pa = place(A, m * N, true);
      const po = place(out, N, accumulate);
      if (pa < 0 || po < 0) {
        jsCalls++;
        jsKernels.colSum!(M, N, A, out, accumulate);
        return;
      }
      ex.colSum(m, N, pa, po, accumulate ? 1 : 0);
      end(out, po, N);
    },
    adamF32(value, grad, expAvg, expAvgSq, maxExpAvgSq, t, lr, beta1, beta2, eps, weightDecay, decoupled, maximize) {
      if (!(f32(value) && f32(grad) && f32(expAvg) && f32(expAvgSq) && (maxExpAvgSq === null || f32(maxExpAvgSq)))) {
        throw new TypeError('wasm kernels: adamF32 takes Float32Arrays; use adamUpdate for float64 state');
      }
      const n = value.length;
      check('grad', grad, n);
      check('expAvg', expAvg, n);
      check('expAvgSq', expAvgSq, n);
      if (maxExpAvgSq) check('maxExpAvgSq', maxExpAvgSq, n);
      // The scalars exactly as adamUpdate derives them, so that every value matches it bit for bit.
      const stepSize = lr / (1 - pow(beta1, t));
      const bc2Sqrt = Math.sqrt(1 - pow(beta2, t));
      const shrink = decoupled ? 1 - lr * weightDecay : 1;
      const l2 = decoupled ? 0 : weightDecay;
      const sign = maximize ? -1 : 1;
      const buffer = heap.buffer;
      const foreign =
        +(value.buffer !== buffer) +
        +(grad.buffer !== buffer) +
        +(expAvg.buffer !== buffer) +
        +(expAvgSq.buffer !== buffer) +
        +(maxExpAvgSq !== null && maxExpAvgSq.buffer !== buffer);
      if (foreign === 0) {
        const px = maxExpAvgSq ? maxExpAvgSq.byteOffset : 0;
        ex.adamF32(
          n,
          value.byteOffset,
          grad.byteOffset,
          expAvg.byteOffset,
          expAvgSq.byteOffset,
          px,
          1 - beta1,
          beta2,
          1 - beta2,
          stepSize,
          bc2Sqrt,
          eps,
          shrink,
          l2,
          sign,
        );
        return;
      }
      // Element-wise, so arrays outside the memory can go through it in chunks of whatever fits.
      const chunk = Math.min(n, Math.floor((heap.limit - heap.top - ALIGN * foreign) / (4 * foreign) / 16) * 16);
      if (chunk <= 0 && n > 0) throw new RangeError('wasm kernels: no free memory left to stage adamF32 arguments');
      for (let o = 0; o < n; o += chunk) {
        const e = Math.min(n, o + chunk);
        const len = e - o;
        const v = value.subarray(o, e);
        const m = expAvg.subarray(o, e);
        const s2 = expAvgSq.subarray(o, e);
        const x = maxExpAvgSq ? maxExpAvgSq.subarray(o, e) : null;
        begin();
        const pv = place(v, len, true);
        const pg = place(grad.subarray(o, e), len, true);
        const pm = place(m, len, true);
        const ps = place(s2, len, true);
        const px = x ? place(x, len, true) : 0;
        ex.adamF32(len, pv, pg, pm, ps, px, 1 - beta1, beta2, 1 - beta2, stepSize, bc2Sqrt, eps, shrink, l2, sign);
        copyOut(v, pv, len);
        copyOut(m, pm, len);
        copyOut(s2, ps, len);
        if (x) copyOut(x, px, len);
        copying++;
      }
    },
  };

  return { kernels, counts: () => ({ copyingCalls: copying, jsCalls }) };
}

/**
 * Whether `a` really is float32 storage. The float64 paths (gradient checks, 2-D traces) run the
 * same layers on Float64Arrays typed as Float32Array; they go to the JS kernels, which compute
 * in double, instead of being rounded to float32 here.
 */
function f32(a: ArrayLike<number>): boolean {
  return a instanceof Float32Array;
}

function actFlag(act: FusedActivation): number {
  return act === 'relu' ? F_RELU : 0;
}
