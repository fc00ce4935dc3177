/**
 * Study-specific series: what each built-in study's chart draws, computed from the report
 * (and, for the batch-size study, from the kept weights: the loss on the line between the
 * smallest- and largest-batch solutions). Also the few lines of text that state the finding.
 */
import { fitStandardizer } from '../data/standardize.ts';
import { interpolateLoss, defaultAlphas, type InterpolationCurve } from '../analysis/interpolate.ts';
import { sharpnessKey, HESSIAN_KEY } from '../analysis/analyze.ts';
import { getPath, describeValue } from './sweep.ts';
import type { ConfigurationReport, ExperimentReport } from './aggregate.ts';
import type { Plan } from './plan.ts';
import type { JobResult } from './types.ts';
import type { StudyKind } from './presets.ts';
import type { BiasVarianceReport } from './bias-variance.ts';
import { jobKey } from './keys.ts';
import type { Summary } from '../stats/describe.ts';

/** A metric's mean and sample std per epoch (std null with one split). */
export interface CurveSeries {
  mean: number[];
  std: Array<number | null>;
}

/** Mean and std of an error (1 − accuracy, or mse) over splits. */
export interface ErrorPoint {
  mean: number;
  std: number | null;
}

/** Learning curves of each configuration. */
export interface OptimizersSeries {
  curves: {
    label: string;
    epoch: number[];
    train_loss?: CurveSeries;
    val_loss?: CurveSeries;
    val_accuracy?: CurveSeries;
  }[];
}

/** Train and validation error against the swept capacity (`path`), one point per configuration. */
export interface CapacitySeries {
  path: string;
  points: { x: string; parameters: number; train: ErrorPoint; val: ErrorPoint }[];
}

/** The bias–variance decomposition per swept setting. */
export interface BiasVarianceSeries {
  path: string;
  points: (BiasVarianceReport & { x: string })[];
}

/** Per batch size: scores, gap, ε-sharpness by ε and the top Hessian eigenvalue; and the loss on the line between two solutions. */
export interface BatchSizeSeries {
  points: {
    batchSize: number | 'full';
    train_accuracy?: Summary;
    test_accuracy?: Summary;
    gap?: Summary;
    sharpness: Record<string, Summary | undefined>;
    hessian?: Summary;
  }[];
  interpolation?: InterpolationCurve & { from: string; to: string; split: string };
}

/** Each regularizer's score and gap; `baseline` is the configuration they are compared with. */
export interface RegularizationSeries {
  baseline: string;
  points: { label: string; value?: Summary; gap?: Summary }[];
}

/** The score against ensemble size (or the single model's score) per configuration. */
export interface EnsemblesSeries {
  curves: { label: string; single?: Summary; curve?: Array<{ size: number; value: Summary }> }[];
}

interface StudyText {
  title: string;
  /** Plain-text finding, a line each. */
  lines: string[];
}

/** A study's chart data by kind, and the text lines that state its finding. */
export type StudySeries = StudyText &
  (
    | { kind: 'optimizers'; series: OptimizersSeries }
    | { kind: 'capacity'; series: CapacitySeries }
    | { kind: 'bias-variance'; series: BiasVarianceSeries }
    | { kind: 'batch-size'; series: BatchSizeSeries }
    | { kind: 'regularization'; series: RegularizationSeries }
    | { kind: 'ensembles'; series: EnsemblesSeries }
  );

const m = (s: Summary | undefined) => s?.mean ?? Number.NaN;
const sd = (s: Summary | undefined) => s?.std ?? null;
const f4 = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
const g3 = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : '—');

/** Optimizers: learning curves per configuration and the ranking by validation score. */
function optimizers(report: ExperimentReport): StudySeries {
  const metric = report.primaryMetric;
  const ranked = report.configurations
    .slice()
    .sort((a, b) =>
      metric.endsWith('accuracy')
        ? m(b.metrics[metric]) - m(a.metrics[metric])
        : m(a.metrics[metric]) - m(b.metrics[metric]),
    );
  return {
    kind: 'optimizers',
    title: `Ranking by ${metric}:`,
    lines: ranked.map(
      (c, i) =>
        `  ${i + 1}. ${c.label.padEnd(10)} ${f4(m(c.metrics[metric]))} ± ${f4(sd(c.metrics[metric]) ?? Number.NaN)}  (final val_loss ${f4(m(c.metrics.val_loss))})`,
    ),
    series: {
      curves: report.configurations.map((c) => ({
        label: c.label,
        epoch: c.curves.epoch,
        train_loss: c.curves.series.train_loss,
        val_loss: c.curves.series.val_loss,
        val_accuracy: c.curves.series.val_accuracy,
      })),
    },
  };
}

/** Error (1 − accuracy, or mse) of train and validation per configuration. */
function errors(c: ConfigurationReport, classification: boolean) {
  const e = (set: string) => {
    const s = c.metrics[classification ? `${set}_accuracy` : `${set}_mse`];
    return { mean: classification ? 1 - m(s) : m(s), std: sd(s) };
  };
  return { train: e('train'), val: e('val') };
}

/** Capacity: x = the swept capacity, train and validation error (mean, std) per x. */
function capacity(plan: Plan, report: ExperimentReport): StudySeries {
  const classification = report.primaryMetric === 'val_accuracy';
  const path = Object.keys(report.configurations[0].overrides)[0] ?? 'model.hidden';
  const points = report.configurations.map((c) => ({
    x: describeValue(getPath(plan.configurations.find((p) => p.key === c.key)!.spec, path)),
    parameters: c.parameters,
    ...errors(c, classification),
  }));
  const best = points.reduce((b, p, i) => (p.val.mean < points[b].val.mean ? i : b), 0);
  const what = classification ? 'error (1 − accuracy)' : 'mse';
  const lines = points.map(
    (p, i) =>
      `  ${path}=${p.x.padEnd(8)} ${String(p.parameters).padStart(7)} params  train ${what} ${f4(p.train.mean)}  validation ${f4(p.val.mean)}${i === best ? '  ← lowest validation error' : ''}`,
  );
  const first = points[0].val.mean,
    last = points[points.length - 1].val.mean,
    low = points[best].val.mean;
  lines.push(
    best > 0 && best < points.length - 1 && first > low && last > low
      ? `  U-shape: validation ${what} falls from ${f4(first)} to ${f4(low)} at ${path}=${points[best].x}, then rises to ${f4(last)} (overfitting) while train error keeps falling.`
      : `  The lowest validation ${what} is at ${path}=${points[best].x}; no clear U-shape on this data (try more noise or fewer rows).`,
  );
  return { kind: 'capacity', title: `Train and validation ${what} against ${path}:`, lines, series: { path, points } };
}

/** Bias–variance: per swept setting, bias², variance, noise and expected error. */
function biasVariance(plan: Plan, report: ExperimentReport): StudySeries {
  const path = Object.keys(report.configurations[0].overrides)[0] ?? '';
  const points = report.configurations
    .filter((c) => c.biasVariance)
    .map((c) => ({
      x: path ? describeValue(getPath(plan.configurations.find((p) => p.key === c.key)!.spec, path)) : c.label,
      ...c.biasVariance!,
    }));
  const sq = points[0]?.loss === 'squared';
  const lines = points.map(
    (p) =>
      `  ${(path ? `${path}=${p.x}` : p.x).padEnd(20)} ${sq ? 'bias²' : 'bias'} ${g3(p.bias2)}  ${sq ? 'variance' : 'net variance'} ${g3(p.variance)}  noise ${g3(p.noise)}  sum ${g3(p.expectedError)}  measured ${g3(p.measuredError)}`,
  );
  if (points.length > 1)
    lines.push(
      `  As capacity grows, bias${sq ? '²' : ''} goes ${points[0].bias2 > points[points.length - 1].bias2 ? 'down' : 'up'} (${g3(points[0].bias2)} → ${g3(points[points.length - 1].bias2)}) and variance goes ${points[0].variance < points[points.length - 1].variance ? 'up' : 'down'} (${g3(points[0].variance)} → ${g3(points[points.length - 1].variance)}).`,
    );
  return {
    kind: 'bias-variance',
    title: sq
      ? 'Bias–variance decomposition of the squared error on the test grid (bootstrap replicates):'
      : 'Domingos 0-1 decomposition on the test rows (bootstrap replicates):',
    lines,
    series: { path, points },
  };
}

/** Batch size: per batch size, accuracies, gap, sharpness, Hessian; plus the interpolation curve. */
function batchSize(plan: Plan, report: ExperimentReport, results: ReadonlyMap<string, JobResult>): StudySeries {
  const epsKeys = (plan.spec.analysis?.sharpness?.epsilons ?? []).map(sharpnessKey);
  const points = report.configurations.map((c) => {
    const spec = plan.configurations.find((p) => p.key === c.key)!.spec;
    const bs = spec.training.batchSize;
    return {
      batchSize: bs === 'full' || bs === 0 ? ('full' as const) : bs,
      train_accuracy: c.metrics.train_accuracy,
      test_accuracy: c.metrics.test_accuracy ?? c.metrics.val_accuracy,
      gap: c.metrics.gap_accuracy,
      sharpness: Object.fromEntries(epsKeys.map((k) => [k, c.analysis?.[k]])),
      hessian: c.analysis?.[HESSIAN_KEY],
    };
  });
  const lines = points.map(
    (p) =>
      `  batch ${String(p.batchSize).padStart(5)}  train ${f4(m(p.train_accuracy))}  test ${f4(m(p.test_accuracy))}  gap ${f4(m(p.gap))}  ` +
      epsKeys.map((k) => `${k} ${g3(m(p.sharpness[k]))}`).join('  ') +
      `  λmax ${g3(m(p.hessian))}`,
  );
  let interpolation: BatchSizeSeries['interpolation'];
  const small = plan.configurations[0],
    large = plan.configurations[plan.configurations.length - 1];
  const split = plan.data[0].splits[0];
  const ra = results.get(jobKey(small.key, split.key)),
    rb = results.get(jobKey(large.key, split.key));
  const job = plan.jobs.find((j) => j.key === jobKey(small.key, split.key));
  if (ra?.state && rb?.state && job && plan.configurations.length > 1) {
    const data = plan.data[0].data;
    const rows: Record<string, Uint32Array> = { train: job.evals.train };
    if (job.evals.test) rows.test = job.evals.test;
    const curve = interpolateLoss({
      model: small.spec.model,
      loss: small.spec.loss,
      data,
      outDim: ra.outDim,
      standardizer: small.spec.dataset.standardize === false ? null : fitStandardizer(data.x, data.d, job.train),
      a: ra.state,
      b: rb.state,
      rows,
      alphas: defaultAlphas(),
    });
    interpolation = { from: small.label, to: large.label, split: split.key, ...curve };
    const peak = Math.max(...curve.loss.train);
    lines.push(
      `  Loss on the line from ${small.label} (α=0) to ${large.label} (α=1), ${split.key}: train ${f4(curve.loss.train[5])} → ${f4(curve.loss.train[15])}, highest ${f4(peak)} on α ∈ [−0.5, 1.5].`,
    );
  }
  return {
    kind: 'batch-size',
    title: 'Batch size against generalization and sharpness (Keskar et al. 2017):',
    lines,
    series: { points, interpolation },
  };
}

/** Regularization: each regularizer's validation score against the first configuration (the baseline). */
function regularization(report: ExperimentReport): StudySeries {
  const metric = report.primaryMetric;
  const base = report.configurations[0];
  const lines = report.configurations.map((c) => {
    const cmp = report.comparisons.find((x) => x.a === base.key && x.b === c.key);
    const diff = m(c.metrics[metric]) - m(base.metrics[metric]);
    return (
      `  ${c.label.padEnd(16)} ${f4(m(c.metrics[metric]))} ± ${f4(sd(c.metrics[metric]) ?? Number.NaN)}` +
      (c === base
        ? '  (baseline)'
        : `  ${diff >= 0 ? '+' : ''}${f4(diff)} vs baseline, p(Holm) ${cmp ? g3(cmp.pHolm) : '—'}${cmp?.significant ? ' *' : ''}`)
    );
  });
  return {
    kind: 'regularization',
    title: `${metric} of each regularizer against "${base.label}" (* significant after Holm):`,
    lines,
    series: {
      baseline: base.key,
      points: report.configurations.map((c) => ({
        label: c.label,
        value: c.metrics[metric],
        gap: c.metrics.gap_accuracy ?? c.metrics.gap_mse,
      })),
    },
  };
}

/** Ensembles: the score against members or rounds for each ensemble configuration. */
function ensembles(report: ExperimentReport): StudySeries {
  const metric = report.primaryMetric;
  const lines = report.configurations.map((c) => {
    const e = c.ensemble;
    const base = `  ${c.label.padEnd(20)} ${f4(m(c.metrics[metric]))} ± ${f4(sd(c.metrics[metric]) ?? Number.NaN)}`;
    if (!e) return base;
    const curve = e.curveSummary.map((p) => f4(m(p.value))).join(' ');
    return `${base}  by size: ${curve}${e.oobSummary ? `  OOB ${f4(m(e.oobSummary))}` : ''}`;
  });
  return {
    kind: 'ensembles',
    title: `${metric}: one model against bagging and boosting (curve = score with 1, 2, … members/rounds):`,
    lines,
    series: {
      curves: report.configurations.map((c) => ({
        label: c.label,
        single: c.ensemble ? undefined : c.metrics[metric],
        curve: c.ensemble?.curveSummary,
      })),
    },
  };
}

export function studySeries(
  plan: Plan,
  report: ExperimentReport,
  results: ReadonlyMap<string, JobResult>,
  preset?: string,
): StudySeries | undefined {
  const kind = (plan.spec.study ?? preset) as StudyKind | undefined;
  switch (kind) {
    case 'optimizers':
      return optimizers(report);
    case 'capacity':
      return capacity(plan, report);
    case 'bias-variance':
      return biasVariance(plan, report);
    case 'batch-size':
      return batchSize(plan, report, results);
    case 'regularization':
      return regularization(report);
    case 'ensembles':
      return ensembles(report);
    default:
      return undefined;
  }
}
