import type { EarlyStoppingSpec, TargetSpec, TrainingSpec } from '../schema/types.ts';

/**
 * Early stopping as Keras defines it: an epoch improves when the monitored value beats the
 * best so far by more than `min_delta` (lower for val_loss, higher for val_accuracy); after
 * `patience` epochs in a row without improvement, training stops.
 */
export class EarlyStopping {
  /** Which validation metric is watched. */
  readonly monitor: 'val_loss' | 'val_accuracy';
  /** Epochs without improvement tolerated before stopping. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** Whether the weights of the best epoch are put back at the end. */
  readonly restoreBest: boolean;
  /** Best monitored value so far (signed so that larger is better). */
  #best = -Infinity;
  /** Epoch (1-based) of the best value; 0 before the first. */
  bestEpoch = 0;
  /** Epochs since the last improvement. */
  #wait = 0;

  constructor(spec: EarlyStoppingSpec) {
    this.monitor = spec.monitor ?? 'val_loss';
    this.patience = spec.patience ?? 5;
    this.minDelta = spec.min_delta ?? 0;
    this.restoreBest = spec.restoreBest ?? true;
  }

  /** Records an epoch's value; returns whether it improved and whether to stop now. */
  update(epoch: number, value: number): { improved: boolean; stop: boolean } {
    const signed = this.monitor === 'val_loss' ? -value : value;
    // NaN never improves, so a diverged run stops after `patience` epochs.
    const improved = signed - this.minDelta > this.#best || (this.bestEpoch === 0 && Number.isFinite(signed));
    if (improved) {
      this.#best = signed;
      this.bestEpoch = epoch;
      this.#wait = 0;
    } else {
      this.#wait++;
    }
    return { improved, stop: !improved && this.#wait >= this.patience };
  }
}

/**
 * The two other ways a fit may end early: `training.target` (the training rows fitted this
 * well, checked at each scored epoch) and `training.maxSteps` (optimizer steps, counted here
 * by the loop, so the last epoch may stop inside).
 */
export class TrainingBudget {
  /** Optimizer steps taken so far. */
  steps = 0;
  /** Whether the target was met. */
  reached = false;
  readonly #target: TargetSpec | null;
  readonly #maxSteps: number;

  constructor(training: TrainingSpec, evals: Record<string, Uint32Array>, curves: readonly string[]) {
    this.#target = training.target ?? null;
    this.#maxSteps = training.maxSteps ?? Number.POSITIVE_INFINITY;
    if (this.#target && !(evals.train?.length && curves.includes('train')))
      throw new Error('fit: training.target needs the training rows scored every curve epoch (evals.train)');
  }

  /** maxSteps steps have been taken. */
  get spent(): boolean {
    return this.steps >= this.#maxSteps;
  }

  /** After a scored epoch: stop for the target (its training loss ≤ value, or accuracy ≥ value) or the steps. */
  stopAfter(record: Record<string, number>): boolean {
    const t = this.#target;
    if (t) {
      const v = record[t.monitor];
      this.reached = t.monitor === 'train_loss' ? v <= t.value : v >= t.value;
    }
    return this.reached || this.spent;
  }
}
