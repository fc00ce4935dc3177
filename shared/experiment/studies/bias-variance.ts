/**
 * The bias–variance study: per swept setting (usually the width), bias², variance, the noise
 * and the measured error on the test grid, with the two terms that close the identity on one
 * test set (realized noise and cross term, see stats/biasvariance.ts), each quantity's minimum
 * and where it is, and which protocol made the replicates' training sets.
 */
import { describeValue, getPath } from '../sweep.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { BiasVarianceReport } from '../bias-variance.ts';
import type { Plan } from '../plan.ts';
import { sig } from './paired.ts';

export interface BiasVariancePoint extends BiasVarianceReport {
  /** The swept value, e.g. `[16]`, or the configuration's label without a sweep path. */
  x: string;
  /** Configuration key. */
  key: string;
  /** bias² + variance + realized noise + cross term − measured error: 0 up to rounding (squared loss). */
  closure: number;
}

/** Where a quantity is smallest over the sweep. */
export interface Minimum {
  /** The quantity's smallest value. */
  value: number;
  /** The swept value where it is. */
  x: string;
  /** Its index in `points`. */
  index: number;
}

export interface BiasVarianceSeries {
  /** The swept spec path (e.g. `model.hidden`), '' without one. */
  path: string;
  loss: 'squared' | 'zero-one';
  protocol: 'bootstrap' | 'fresh';
  points: BiasVariancePoint[];
  /** Each quantity's minimum over the sweep. */
  minima: Record<'bias2' | 'variance' | 'expectedError' | 'measuredError', Minimum>;
  /** The largest |closure| over the points. */
  largestClosure: number;
}

function minimum(points: BiasVariancePoint[], f: (p: BiasVariancePoint) => number): Minimum {
  let index = 0;
  points.forEach((p, i) => {
    if (f(p) < f(points[index])) index = i;
  });
  return { value: f(points[index]), x: points[index].x, index };
}

export function biasVarianceSeries(
  plan: Plan,
  report: ExperimentReport,
): { series: BiasVarianceSeries; summary: string[] } | undefined {
  const path = Object.keys(report.configurations[0].overrides)[0] ?? '';
  const points: BiasVariancePoint[] = report.configurations
    .filter((c) => c.biasVariance)
    .map((c) => {
      const b = c.biasVariance!;
      const spec = plan.configurations.find((p) => p.key === c.key)!.spec;
      return {
        x: path ? describeValue(getPath(spec, path)) : c.label,
        key: c.key,
        ...b,
        closure: b.bias2 + b.variance + b.realizedNoise + b.crossTerm - b.measuredError,
      };
    });
  if (!points.length) return undefined;
  const sq = points[0].loss === 'squared';
  const minima = {
    bias2: minimum(points, (p) => p.bias2),
    variance: minimum(points, (p) => p.variance),
    expectedError: minimum(points, (p) => p.expectedError),
    measuredError: minimum(points, (p) => p.measuredError),
  };
  const largestClosure = Math.max(...points.map((p) => Math.abs(p.closure)));
  const series: BiasVarianceSeries = {
    path,
    loss: points[0].loss,
    protocol: points[0].protocol,
    points,
    minima,
    largestClosure,
  };
  const atX = (x: string) => `${path ? `${path}=` : ''}${x}`;
  const at = (m: Minimum) => atX(m.x);
  const first = points[0],
    last = points[points.length - 1];
  const b2 = sq ? 'bias²' : 'bias';
  const summary: string[] = [];
  summary.push(
    series.protocol === 'fresh'
      ? `Protocol: each of the ${first.replicates} replicates trained on a fresh training set drawn from the generator (the textbook protocol).`
      : `Protocol: the ${first.replicates} replicates are bootstrap resamples of one training set, so that set's own noise is shared by all of them and counts as ${b2}; evaluation.trainingSets = "fresh" draws new sets from the generator instead.`,
  );
  if (points.length > 1) {
    const trend = (m: Minimum, name: string, v: (p: BiasVariancePoint) => number) =>
      `${name} is lowest at ${at(m)} (${sig(m.value)})` +
      (m.index === 0
        ? ` and ${v(last) > m.value ? 'rises' : 'stays'} to ${sig(v(last))} at ${atX(last.x)}`
        : m.index === points.length - 1
          ? ` after ${sig(v(first))} at ${atX(first.x)}`
          : `, between ${sig(v(first))} at ${atX(first.x)} and ${sig(v(last))} at ${atX(last.x)}`);
    summary.push(
      `${trend(minima.bias2, b2, (p) => p.bias2)}; ${trend(minima.variance, sq ? 'variance' : 'net variance', (p) => p.variance)}.`,
    );
    const m = minima.measuredError;
    const se = points[m.index].measuredErrorSE;
    summary.push(
      `The measured test error is lowest at ${at(m)}: ${sig(m.value)}${se !== null ? ` ± ${sig(se)} (standard error over ${first.points} test points)` : ''}, ` +
        `against ${sig(first.measuredError)} at ${atX(first.x)} and ${sig(last.measuredError)} at ${atX(last.x)}.`,
    );
  }
  if (sq) {
    summary.push(
      `σ² = ${sig(first.noise)}, and the test targets' realized noise is ${sig(first.realizedNoise)}; with the cross term 2·mean((ŷ − f)(f − y)) ` +
        `the identity ${b2} + variance + realized noise + cross term = measured error closes to ${sig(largestClosure, 2)} at every setting.`,
    );
  } else {
    summary.push(
      `Domingos' decomposition with the observed labels as the optimal ones: bias + net variance = the measured 0-1 loss exactly (largest difference ${sig(largestClosure, 2)}).`,
    );
  }
  return { series, summary };
}
