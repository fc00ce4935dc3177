/**
 * The capacity study: training and validation error against the swept capacity (usually the
 * hidden width). The U-shaped validation curve is a claim with two sides, so both are tested:
 * the best setting against the smallest (underfitting) and against the largest (overfitting),
 * paired over splits with the corrected resampled t-test, Holm over the two. Settings where
 * the training error falls while the validation error rises are marked: that is overfitting
 * as it happens.
 */
import { summarize, type Summary } from '../../stats/describe.ts';
import { describeValue, getPath } from '../sweep.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import {
  ALPHA,
  formatInterval,
  formatP,
  holmFamily,
  pairedDifference,
  sig,
  splitSizes,
  type PairedDifference,
} from './paired.ts';

export interface CapacityPoint {
  key: string;
  /** The swept value, e.g. `[32]`. */
  x: string;
  /** Parameters of one model. */
  parameters: number;
  /** Training error per split (1 − accuracy, or mse). */
  train: Summary;
  /** Validation error per split. */
  val: Summary;
  /** The training error fell and the validation error rose from the previous setting. */
  overfitting: boolean;
}

export interface CapacitySeries {
  /** The swept spec path. */
  path: string;
  /** `error (1 − accuracy)` or `mse`. */
  measure: string;
  points: CapacityPoint[];
  /** Index of the lowest mean validation error. */
  best: number;
  /** Best − smallest and best − largest validation error, paired over splits, Holm over the two. */
  tests: { vsSmallest: PairedDifference & { pHolm: number }; vsLargest: PairedDifference & { pHolm: number } } | null;
  /** Both sides significant and the best is inside the range: the U is there. */
  uShape: boolean;
}

export function capacitySeries(
  plan: Plan,
  report: ExperimentReport,
): { title: string; summary: string[]; series: CapacitySeries } {
  const classification = report.primaryMetric === 'val_accuracy';
  const path = Object.keys(report.configurations[0].overrides)[0] ?? 'model.hidden';
  const err = (vals: number[]) => (classification ? vals.map((v) => 1 - v) : vals);
  const raw = report.configurations.map((c) => {
    const spec = plan.configurations.find((p) => p.key === c.key)!.spec;
    const train = err(c.metrics[classification ? 'train_accuracy' : 'train_mse']?.values ?? []);
    const val = err(c.metrics[classification ? 'val_accuracy' : 'val_mse']?.values ?? []);
    return { key: c.key, x: describeValue(getPath(spec, path)), parameters: c.parameters, train, val };
  });
  const points: CapacityPoint[] = raw.map((r, i) => {
    const train = summarize(r.train),
      val = summarize(r.val);
    const prev = i > 0 ? raw[i - 1] : null;
    const mean = (xs: number[]) => summarize(xs).mean ?? Number.NaN;
    const overfitting = prev !== null && mean(r.train) < mean(prev.train) && mean(r.val) > mean(prev.val);
    return { key: r.key, x: r.x, parameters: r.parameters, train, val, overfitting };
  });
  const measure = classification ? 'error (1 − accuracy)' : 'mse';
  let best = 0;
  points.forEach((p, i) => {
    if ((p.val.mean ?? Infinity) < (points[best].val.mean ?? Infinity)) best = i;
  });
  const series: CapacitySeries = { path, measure, points, best, tests: null, uShape: false };
  const summary: string[] = [];
  const at = (i: number) => `${path}=${points[i].x}`;
  if (points.length >= 3) {
    const sizes = splitSizes(plan, 0);
    const last = points.length - 1;
    const s = pairedDifference(raw[best].val, raw[0].val, sizes);
    const l = pairedDifference(raw[best].val, raw[last].val, sizes);
    const [ps, pl] = holmFamily([s.p, l.p]);
    series.tests = { vsSmallest: { ...s, pHolm: ps }, vsLargest: { ...l, pHolm: pl } };
    const interior = best > 0 && best < last;
    series.uShape = interior && ps <= ALPHA && pl <= ALPHA && s.mean < 0 && l.mean < 0;
    const side = (d: PairedDifference & { pHolm: number }) =>
      `Δ ${sig(d.mean)} ${formatInterval(d.ci95)}, ${formatP(d.pHolm, 'p_Holm')}`;
    const ends: string[] = [];
    if (best > 0)
      ends.push(`${at(0)} has ${sig(points[0].val.mean)} (best − smallest ${side(series.tests.vsSmallest)})`);
    if (best < last)
      ends.push(`${at(last)} has ${sig(points[last].val.mean)} (best − largest ${side(series.tests.vsLargest)})`);
    summary.push(
      `Validation ${measure} is lowest at ${at(best)} (${sig(points[best].val.mean)}); ${ends.join(' and ')}.`,
    );
    const over = points.filter((p) => p.overfitting).map((p) => p.x);
    const minTrain = Math.min(...points.map((p) => p.train.mean ?? Infinity));
    if (over.length)
      summary.push(
        `Overfitting: the training ${measure} keeps falling (to ${sig(minTrain)}) while the validation ${measure} rises at ${path}=${over.join(', ')}.`,
      );
    if (series.uShape) summary.push('The U-shape is significant on both sides.');
    else if (!interior)
      summary.push(
        `No U-shape: the best setting is at the ${best === 0 ? 'smallest' : 'largest'} end of the range; widen the range, or use noisier data or fewer rows to make overfitting visible.`,
      );
    else
      summary.push(
        `The U-shape is not significant on both sides at α = ${ALPHA} after Holm (${series.tests.vsSmallest.n} splits); more repeats (evaluation.repeats) or more noise in the data would resolve it.`,
      );
  }
  return { title: `Train and validation ${measure} against ${path}`, summary, series };
}
