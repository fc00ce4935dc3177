/**
 * The seam between the training loop and what runs a training step. `fit` keeps the loop
 * (epochs, shuffles, batch preparation, schedules, early stopping, scoring order) and hands
 * each step to an engine session: the CPU engine runs it on host arrays with the kernels of
 * shared/linalg, a GPU engine on a device where weights, gradients and optimizer state live.
 *
 * A device answers reads (a loss, the weights, a set's outputs) later, not at once, so every
 * read returns `Later<T>`: the value itself on the CPU, a promise on a device. The loop is one
 * generator that yields only when a read really is a promise; `fit` drives it synchronously
 * (and refuses an engine that returns promises), `fitAsync` awaits what it yields.
 */
import type { Dataset } from '../data/dataset.ts';
import type { Standardizer } from '../data/standardize.ts';
import type { Mat } from '../linalg/mat.ts';
import type { Loss } from '../nn/loss.ts';
import type { Sequential } from '../nn/model.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import type { Rng } from '../rng.ts';
import type { LossSpec } from '../schema/types.ts';
import type { TargetKind } from './batches.ts';
import type { Evaluator, SetMetrics } from './evaluate.ts';
import type { PenaltyCoefficients } from './penalty.ts';

/** A value now (host) or once the device has answered. */
export type Later<T> = T | Promise<T>;

/** Which engine ran a fit, as results and reports record it. */
export interface EngineInfo {
  /** `cpu` or `webgpu`. */
  name: 'cpu' | 'webgpu';
  /** The adapter a device engine runs on (`vendor architecture: description`). */
  adapter?: string;
  /** Why a device engine handed this fit to the CPU (set only on such a fallback). */
  declined?: string;
}

/** Everything an engine session needs, built by `fit` on the host exactly as the CPU path builds it. */
export interface FitSetup {
  data: Dataset;
  /** The network with its initial weights (the device engine copies them once). */
  model: Sequential;
  /** The optimizer over `model.params()`: its hyperparameters and `lr` (set by the loop each epoch). */
  optimizer: Optimizer;
  /** The training loss (label smoothing included). */
  loss: Loss;
  /** The training loss as the spec gives it. */
  lossSpec: LossSpec;
  /** Scores eval sets (plain data loss and metrics), in inference mode. */
  evaluator: Evaluator;
  /** Statistics inputs are standardized with (null: raw inputs). */
  standardizer: Standardizer | null;
  /** How y becomes the loss's targets. */
  kind: TargetKind;
  /** Output units. */
  outDim: number;
  /** Rows per training batch (the last one of an epoch may be smaller). */
  batch: number;
  /** L1/L2 penalty coefficients added to the weights' gradients. */
  penalty: PenaltyCoefficients;
  /** Per-row sample weights indexed by data row (weighted learners), or null. */
  weights: Float32Array | null;
  /** Generator of stochastic layers' draws (dropout masks), forked from the fit's seed. */
  layerRng: Rng;
  /** Every eval set of the fit, so that a device can take their row lists once. */
  evals: Record<string, Uint32Array>;
}

/** One training batch prepared on the host (gathered, augmented, standardized, mixed). */
export interface HostBatch {
  /** Inputs, count×d (the buffer may be longer). */
  x: Mat;
  /** Targets as the loss takes them, count×outDim. */
  t: Mat;
  /** Per-row sample weights of the batch, or null. */
  w: Float32Array | null;
}

/** One fit's life on an engine: steps, then the reads the loop needs. */
export interface EngineSession {
  /** Which engine, and for a device which adapter. */
  readonly info: EngineInfo;
  /**
   * Whether the session gathers and standardizes training rows itself (from `order`), so that
   * the loop prepares host batches only when an augmentation must run on the host.
   */
  readonly gathersRows: boolean;
  /** A new epoch: its learning rate and row order (after the shuffle). */
  startEpoch(lr: number, order: Uint32Array): void;
  /** One step on a host-prepared batch. */
  stepBatch(batch: HostBatch): void;
  /** One step on rows `order[start..start+count)` gathered by the session (only when `gathersRows`). */
  stepRows(start: number, count: number): void;
  /**
   * Whether the training loss has become NaN or infinite. The CPU knows after every step; a
   * device answers every few steps (always when `now`), and stops updating weights from the
   * step that diverged on, so that what it returns is the state at divergence.
   */
  diverged(now: boolean): Later<boolean>;
  /** The weight penalty P(θ) at the current weights. */
  penalty(): Later<number>;
  /** Scores `rows` in inference mode; writes raw outputs (rows×outDim) into `outputs` when given. */
  score(rows: Uint32Array, outputs?: Float32Array): Later<SetMetrics>;
  /** The flat state (Sequential.getState order), into `out` when given. */
  getState(out?: Float32Array): Later<Float32Array>;
  /** Puts a state from getState back. */
  setState(state: Float32Array): Later<void>;
  /** Frees what the session holds (device buffers); called once, also when the fit throws. */
  close(): void;
}

/** Something that runs fits: opens one session per fit. */
export interface TrainEngine {
  readonly name: EngineInfo['name'];
  /** Why this engine will not run this fit (null when it will); the caller then uses the CPU. */
  decline(setup: FitSetup): string | null;
  open(setup: FitSetup): Later<EngineSession>;
}

/**
 * Waits for a value inside the loop generator: yields only when it is a promise, so that a
 * host engine's loop never yields and runs as plain synchronous code.
 */
export function* later<T>(v: Later<T>): Generator<Promise<unknown>, T, unknown> {
  return v instanceof Promise ? ((yield v) as T) : v;
}

/** Runs a loop generator to the end synchronously; an engine that yields a promise is refused. */
export function runNow<T>(g: Generator<Promise<unknown>, T, unknown>): T {
  const r = g.next();
  if (r.done) return r.value;
  r.value.catch(() => {});
  g.return(undefined as T);
  throw new Error('fit: this engine answers asynchronously; use fitAsync');
}

/** Runs a loop generator to the end, awaiting each promise it yields and throwing rejections back in. */
export async function runLater<T>(g: Generator<Promise<unknown>, T, unknown>): Promise<T> {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (e) {
      r = g.throw(e);
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}
