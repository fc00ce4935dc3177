/**
 * The common base of the optimizers, shaped like `torch.optim.Optimizer` with one parameter
 * group: a list of tensors, the hyperparameters given at construction (`defaults`), a
 * learning rate that schedules may change between steps (`lr`, torch's `group['lr']`), and
 * `step()`.
 *
 * Each optimizer keeps its state (momentum buffers, moment estimates) in arrays allocated once,
 * at the first step as torch does lazily, with the parameter's own precision, and hands them to
 * a pure per-tensor update function (`sgdUpdate`, `adamUpdate`, …) that follows torch's
 * single-tensor (non-foreach) code path term by term.
 *
 * Precision: per element the arithmetic runs in float64 and is rounded only where it is stored,
 * so float64 parameters (the 2-D traces) keep full double precision, and float32 parameters may
 * differ from torch's float32 kernels in the last bit, never more.
 */
import { allocF32 } from '../linalg/alloc.ts';

/** A float buffer an optimizer updates: float32 in training, float64 in the 2-D traces. */
export type FloatArray = Float32Array | Float64Array;

/** One tensor to optimize; `shared/nn` params have this shape. */
export interface OptParam {
  /** θ, updated in place by `step()`. */
  value: FloatArray;
  /** ∂L/∂θ at the current θ, read (never written) by `step()`. */
  grad: FloatArray;
}

/** Hyperparameters every optimizer has. */
export interface BaseOptions {
  /** γ, the learning rate. */
  lr: number;
}

/** Zeros with the precision of `a` (torch.zeros_like). */
export function zerosLike(a: FloatArray): FloatArray {
  return a instanceof Float64Array ? new Float64Array(a.length) : new Float32Array(a.length);
}

/**
 * Zeros with the precision of `a`, float32 state taken from `allocF32` so that it lives where
 * the kernels work (WebAssembly memory once installed) and a kernel update needs no copies.
 * Such state is only valid inside the allocation scope the optimizer was stepped in.
 */
export function kernelZerosLike(a: FloatArray): FloatArray {
  if (!(a instanceof Float32Array)) return zerosLike(a);
  const s = allocF32(a.length);
  // An allocator installed for a float64 run may hand out Float64Arrays; state keeps θ's precision.
  return s instanceof Float32Array ? s : new Float32Array(a.length);
}

/** `v` everywhere with the precision of `a` (torch.full_like). */
export function fullLike(a: FloatArray, v: number): FloatArray {
  const out = zerosLike(a);
  if (v !== 0) out.fill(v);
  return out;
}

/**
 * torch.lerp(a, b, w) = a + w·(b − a), evaluated as ATen does (from the nearer end) so that
 * w close to 1 stays accurate.
 */
export function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

/** Throws torch's `Invalid <what>: <x>` unless x ≥ 0 (NaN fails too, as in Python). */
export function checkNonNegative(x: number, what: string): void {
  if (!(x >= 0)) throw new RangeError(`Invalid ${what}: ${x}`);
}

/** Throws torch's `Invalid beta parameter at index i: b` unless 0 ≤ b < 1. */
export function checkBetas(betas: readonly [number, number]): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new RangeError(`Invalid betas: expected two numbers, got ${String(betas)}`);
  }
  for (let i = 0; i < 2; i++) {
    const b: unknown = betas[i];
    if (!(typeof b === 'number' && b >= 0 && b < 1))
      throw new RangeError(`Invalid beta parameter at index ${i}: ${String(b)}`);
  }
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The tensors being optimized, in a fixed order (state arrays follow it). */
  readonly params: readonly OptParam[];
  /** Hyperparameters as given at construction, defaults filled in (torch's `defaults`). */
  readonly defaults: Readonly<O>;
  /** γ used by the next step; starts at `defaults.lr`, schedules overwrite it (torch's `group['lr']`). */
  lr: number;
  /**
   * t, the number of completed steps (torch's `state['step']`, the same for every tensor since all
   * of them step together). It is incremented before the update, so the first update sees t = 1.
   */
  stepCount = 0;
  /** Whether the state arrays exist yet (they are allocated at the first step). */
  #ready = false;

  constructor(params: readonly OptParam[], defaults: O) {
    if (params.length === 0) throw new RangeError('optimizer got an empty parameter list');
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p.value.length !== p.grad.length) {
        throw new RangeError(`param ${i}: value has ${p.value.length} elements but grad has ${p.grad.length}`);
      }
    }
    this.params = params.slice();
    this.defaults = Object.freeze({ ...defaults });
    this.lr = defaults.lr;
  }

  /** torch's name of the algorithm (`sgd`, `adam`, …). */
  abstract readonly name: string;

  /** Allocates the state arrays for every tensor (called once, before the first update). */
  protected abstract initState(): void;

  /** Updates every tensor in place for step number t (t ≥ 1). */
  protected abstract update(t: number): void;

  /** torch's `optimizer.state[p]` for the i-th tensor, keyed by torch's names; empty before the first step. */
  abstract stateOf(i: number): Readonly<Record<string, FloatArray | number>>;

  /** One optimization step from the gradients currently in `params[i].grad`. */
  step(): void {
    if (!this.#ready) {
      this.initState();
      this.#ready = true;
    }
    this.stepCount++;
    this.update(this.stepCount);
  }

  /** Whether `step()` has run at least once (state arrays exist). */
  get started(): boolean {
    return this.#ready;
  }

  /** Sets every gradient to zero (torch's `zero_grad(set_to_none=False)`). */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }
}
