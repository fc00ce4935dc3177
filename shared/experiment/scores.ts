/**
 * What aggregation knows of one split: the results behind it and their flat metrics, and for
 * an ensemble its own numbers; with the small scoring functions bagging and boosting share.
 */
import { classProbabilities, predictClasses } from '../nn/metrics.ts';
import type { Summary } from '../stats/describe.ts';
import type { JobResult } from './types.ts';
import { log } from '../math/index.ts';

/** One split's ensemble numbers. */
export interface SplitEnsemble {
  kind: 'bagging' | 'boosting';
  /** `hard vote`, `soft vote`, `average`, `SAMME (sample weights)`, `SAMME (weighted resampling)`. */
  method: string;
  /** The metric of the curve and of `members`: val_accuracy or val_mse. */
  metric: string;
  /** The metric with the first `size` members or rounds. */
  curve: Array<{ size: number; value: number }>;
  /** Each member's (round's) own metric on the validation rows. */
  members: number[];
  /** Out-of-bag estimate of the metric on the split's training rows (bagging). */
  oob?: number;
  /**
   * Bagging: the members' variance on the validation rows. Classes: the share of (member, row)
   * pairs whose class differs from the ensemble's (Domingos' variance, the vote as the main
   * prediction); regression: the mean over rows of the members' predictions' variance.
   */
  variance?: number;
  /** How boosting handled sample weights, said to the user. */
  note?: string;
  /** Rounds played (boosting): fewer than asked when the chain stopped early. */
  rounds?: number;
  /** Why boosting stopped before the rounds asked for (absent when it played them all). */
  stopped?: 'perfect' | 'worse_than_chance';
}

/** The same, summarized over splits (see aggregate.ts). */
export interface EnsembleReport {
  kind: 'bagging' | 'boosting';
  method: string;
  metric: string;
  curveSummary: Array<{ size: number; value: Summary }>;
  memberSummary: Array<Summary>;
  oobSummary?: Summary;
  /** Bagging: the members' variance on the validation rows (SplitEnsemble.variance) over splits. */
  varianceSummary?: Summary;
  note?: string;
  /**
   * Boosting: rounds played over the splits, and how many splits stopped early and why. A
   * stopped split's curve carries its final score forward to the last round.
   */
  rounds?: { played: Summary; perfect: number; worseThanChance: number };
}

export interface SplitScores {
  key: string;
  /** Results behind this split (one model, or the members/rounds). */
  results: JobResult[];
  /** Flat metrics (`val_accuracy`, `test_loss`, …) of the model or ensemble. */
  metrics: Record<string, number>;
  ensemble?: SplitEnsemble;
  /** With tuning: every candidate's result (factor order) and the index chosen on the inner rows. */
  tuning?: { candidates: Array<JobResult | undefined>; chosen: number };
}

export function accuracyOf(pred: ArrayLike<number>, rows: Uint32Array, y: Float32Array): number {
  let hit = 0;
  for (let i = 0; i < rows.length; i++) if (pred[i] === y[rows[i]]) hit++;
  return rows.length ? hit / rows.length : Number.NaN;
}

export function mseOf(pred: ArrayLike<number>, rows: Uint32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s += (pred[i] - y[rows[i]]) ** 2;
  return rows.length ? s / rows.length : Number.NaN;
}

/** Mean negative log-likelihood of averaged class probabilities (the soft-vote ensemble's loss). */
export function nll(proba: ArrayLike<number>, K: number, rows: Uint32Array, y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < rows.length; i++) s -= log(Math.max(proba[i * K + y[rows[i]]], 1e-12));
  return rows.length ? s / rows.length : Number.NaN;
}

/** Class probabilities of rows×outDim network outputs. */
export const probs = (out: Float32Array, rows: number, outDim: number) =>
  classProbabilities({ rows, cols: outDim, data: out }).data;
/** Predicted classes of rows×outDim network outputs. */
export const classes = (out: Float32Array, rows: number, outDim: number) =>
  predictClasses({ rows, cols: outDim, data: out });
