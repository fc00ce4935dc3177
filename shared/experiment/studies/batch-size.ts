/**
 * The batch-size study (Keskar et al. 2017): small against large batches, each trained to the
 * same stopping rule, then the generalization gap and the sharpness of the solution.
 *
 * Keskar et al. compare solutions that both fit the training set; with a fixed number of
 * epochs a large batch takes far fewer steps and stops unfinished, and its "sharpness" is then
 * the slope it has left. So the report says which rule stopped training (a target training
 * loss or accuracy with an epoch cap, the same number of steps, or the same number of epochs)
 * and how long each configuration took, and it shows at each solution the gradient norm and
 * the first-order share of the ε-sharpness: 100·Σ r_i·|g_i|/(1 + L) over the sharpness. Near 1
 * the box maximum is the linear term (not a minimum, and the value grows as ε); near 0 it is
 * curvature (it grows as ε²).
 *
 * The contrast is the smallest batch against the largest, paired over splits with the
 * corrected resampled t-test, Holm over the three quantities it concludes on (generalization
 * gap, ε-sharpness at the smallest ε, λmax); the training-loss difference is shown beside
 * them with its interval, to judge whether the two solutions are comparable.
 */
import { fitStandardizer } from '../../data/standardize.ts';
import { defaultAlphas, interpolateLoss } from '../../analysis/interpolate.ts';
import {
  GRADIENT_NORM_KEY,
  HESSIAN_CONVERGED_KEY,
  HESSIAN_KEY,
  HESSIAN_SMALLEST_KEY,
  sharpnessKey,
  sharpnessLinearKey,
} from '../../analysis/analyze.ts';
import { summarize, type Summary } from '../../stats/describe.ts';
import { stepsPerEpoch } from '../../train/fit.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import type { JobResult } from '../types.ts';
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

/** A structure whose numbers may have become null in JSON (as the Lab API carries it). */
type Jsonified<T> = T extends number ? number | null : T extends string ? T : { [K in keyof T]: Jsonified<T[K]> };

/** How training was stopped, the same rule for every batch size. */
export type StoppingRule =
  | { kind: 'target'; monitor: 'train_loss' | 'train_accuracy'; value: number; epochCap: number }
  | { kind: 'steps'; steps: number; epochCap: number }
  | { kind: 'epochs'; epochs: number };

/** ε-sharpness at one ε, with its first-order part. */
export interface SharpnessRow {
  epsilon: number;
  /** The ε-sharpness over splits. */
  value: Summary;
  /** Its first-order term 100·Σ r_i·|∇L_i|/(1 + L) over splits. */
  firstOrder: Summary;
  /** firstOrder / value per split: near 1, the value measures slope, not curvature. */
  firstOrderShare: Summary;
}

/** One batch size's numbers, each over splits (values in split order). */
export interface BatchSizeRow {
  key: string;
  label: string;
  batchSize: number | 'full';
  /** Epochs each split trained. */
  epochs: Summary;
  /** Optimizer steps each split took. */
  steps: Summary;
  /** Splits that met the target (rule `target`); equal to `splits` otherwise. */
  reached: number;
  /** Splits of this configuration. */
  splits: number;
  trainLoss: Summary;
  trainAccuracy: Summary | null;
  /** The score on the rows each split is judged on (val_accuracy, or val_mse). */
  score: Summary;
  /** train − val accuracy (or val − train mse): the generalization gap. */
  gap: Summary;
  /** ‖∇L‖ at the solution. */
  gradientNorm: Summary | null;
  sharpness: SharpnessRow[];
  /** λmax of the training loss's Hessian. */
  lambdaMax: Summary | null;
  /** Splits whose λmax converged. */
  lambdaConverged: number;
  /** The smallest Ritz value: an upper bound of λmin (clearly negative: not a minimum). */
  smallestRitz: Summary | null;
}

/** A difference with its Holm-adjusted p-value in the study's family. */
export type HolmDifference = PairedDifference & { pHolm: number };

export interface BatchSizeSeries {
  rule: StoppingRule;
  /** The score the gap is measured with. */
  metric: string;
  rows: BatchSizeRow[];
  /** Largest batch − smallest batch, paired over splits; absent with one configuration. */
  contrast?: {
    small: string;
    large: string;
    trainLoss: PairedDifference;
    gap: HolmDifference;
    sharpness?: HolmDifference & { epsilon: number };
    lambdaMax?: HolmDifference;
  };
  /** Per batch size in sweep order, the earlier flat form of `rows` (sharpness keyed `sharpness@ε`, λmax as `hessian`). */
  points: Array<{
    batchSize: number | 'full';
    train_accuracy?: Summary;
    /** The held-out test accuracy, or the validation accuracy without a test part. */
    test_accuracy?: Summary;
    gap?: Summary;
    sharpness: Record<string, Summary | undefined>;
    hessian?: Summary;
  }>;
  /** The loss on the line from the smallest- to the largest-batch solution on the first split. */
  interpolation?: { from: string; to: string; split: string; alphas: number[]; loss: Record<string, number[]> };
}

const values = (rs: Array<JobResult | undefined>, f: (r: JobResult) => number | undefined): number[] =>
  rs.map((r) => (r ? (f(r) ?? Number.NaN) : Number.NaN));
const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
const maybe = (xs: number[]): Summary | null => (finite(xs).length ? summarize(finite(xs)) : null);

/** The stopping rule of a configuration's training section. */
export function stoppingRule(training: Plan['spec']['training']): StoppingRule {
  if (training.target)
    return {
      kind: 'target',
      monitor: training.target.monitor,
      value: training.target.value,
      epochCap: training.epochs,
    };
  if (training.maxSteps) return { kind: 'steps', steps: training.maxSteps, epochCap: training.epochs };
  return { kind: 'epochs', epochs: training.epochs };
}

/** Words for the rule, e.g. `trained to train_loss ≤ 0.01 (at most 3000 epochs)`. */
export function describeRule(r: StoppingRule | Jsonified<StoppingRule>): string {
  if (r.kind === 'target')
    return `trained to ${r.monitor} ${r.monitor === 'train_loss' ? '≤' : '≥'} ${r.value} (at most ${r.epochCap} epochs)`;
  if (r.kind === 'steps') return `trained for the same ${r.steps} steps (at most ${r.epochCap} epochs)`;
  return `trained for the same ${r.epochs} epochs (so larger batches take fewer steps)`;
}

export function batchSizeSeries(
  plan: Plan,
  report: ExperimentReport,
  results: ReadonlyMap<string, JobResult>,
): { series: BatchSizeSeries; summary: string[] } {
  const classification = report.primaryMetric === 'val_accuracy';
  const epsilons = plan.spec.analysis?.sharpness?.epsilons ?? [];
  const rule = stoppingRule(plan.spec.training);
  const perConfig = report.configurations.map((c, ci) => {
    const spec = plan.configurations[ci].spec;
    const splits = plan.data[ci].splits;
    const jobs = splits.map((s) => plan.jobs.find((j) => j.key === `${c.key}/${s.key}`));
    const rs = splits.map((s) => results.get(`${c.key}/${s.key}`));
    const bn = spec.model.batchNorm === true && spec.model.kind === 'mlp';
    const epochs = values(rs, (r) => r.history.at(-1)?.epoch);
    const steps = rs.map((r, i) => {
      const job = jobs[i];
      if (!r || !job) return Number.NaN;
      const e = r.history.at(-1)?.epoch ?? 0;
      const full = e * stepsPerEpoch(job.train.length, spec.training.batchSize, bn);
      return Math.min(full, spec.training.maxSteps ?? full);
    });
    const target = spec.training.target;
    const reached = target
      ? rs.filter((r) => {
          const v = r?.history.at(-1)?.[target.monitor];
          return v !== undefined && (target.monitor === 'train_loss' ? v <= target.value : v >= target.value);
        }).length
      : rs.filter(Boolean).length;
    const metric = (name: string) => c.metrics[name]?.values ?? [];
    const gapName = classification ? 'gap_accuracy' : 'gap_mse';
    const sharp = epsilons.map((e) => {
      const v = values(rs, (r) => r.analysis?.[sharpnessKey(e)]);
      const lin = values(rs, (r) => r.analysis?.[sharpnessLinearKey(e)]);
      return {
        epsilon: e,
        value: summarize(finite(v)),
        firstOrder: summarize(finite(lin)),
        firstOrderShare: summarize(finite(v.map((x, i) => (x > 0 ? lin[i] / x : Number.NaN)))),
        raw: v,
      };
    });
    const lambda = values(rs, (r) => r.analysis?.[HESSIAN_KEY]);
    const bs = spec.training.batchSize;
    return {
      row: {
        key: c.key,
        label: c.label,
        batchSize: bs === 'full' || bs === 0 ? ('full' as const) : bs,
        epochs: summarize(finite(epochs)),
        steps: summarize(finite(steps)),
        reached,
        splits: splits.length,
        trainLoss: summarize(metric(classification ? 'train_loss' : 'train_mse')),
        trainAccuracy: classification ? summarize(metric('train_accuracy')) : null,
        score: summarize(metric(report.primaryMetric)),
        gap: summarize(metric(gapName)),
        gradientNorm: maybe(values(rs, (r) => r.analysis?.[GRADIENT_NORM_KEY])),
        sharpness: sharp.map(({ raw: _raw, ...s }) => s),
        lambdaMax: maybe(lambda),
        lambdaConverged: rs.filter((r) => r?.analysis?.[HESSIAN_CONVERGED_KEY] === 1).length,
        smallestRitz: maybe(values(rs, (r) => r.analysis?.[HESSIAN_SMALLEST_KEY])),
      } satisfies BatchSizeRow,
      trainLoss: metric(classification ? 'train_loss' : 'train_mse'),
      gap: metric(gapName),
      sharp: sharp[0]?.raw,
      lambda,
    };
  });
  const rows = perConfig.map((p) => p.row);
  const points = report.configurations.map((c, i) => ({
    batchSize: rows[i].batchSize,
    train_accuracy: c.metrics.train_accuracy,
    test_accuracy: c.metrics.test_accuracy ?? c.metrics.val_accuracy,
    gap: c.metrics.gap_accuracy,
    sharpness: Object.fromEntries(epsilons.map((e) => [sharpnessKey(e), c.analysis?.[sharpnessKey(e)]])),
    hessian: c.analysis?.[HESSIAN_KEY],
  }));
  const series: BatchSizeSeries = { rule, metric: report.primaryMetric, rows, points };
  const summary: string[] = [];

  // The contrast: largest against smallest batch (the order of the sweep), paired over splits.
  if (perConfig.length > 1) {
    const sizes = splitSizes(plan, 0);
    const a = perConfig[0],
      b = perConfig[perConfig.length - 1];
    const gap = pairedDifference(b.gap, a.gap, sizes);
    const sharp = a.sharp && b.sharp ? pairedDifference(b.sharp, a.sharp, sizes) : undefined;
    const lam =
      finite(a.lambda).length && finite(b.lambda).length ? pairedDifference(b.lambda, a.lambda, sizes) : undefined;
    const family = [gap, ...(sharp ? [sharp] : []), ...(lam ? [lam] : [])];
    const adjusted = holmFamily(family.map((d) => d.p));
    const withHolm = <T extends PairedDifference>(d: T, i: number): T & { pHolm: number } => ({
      ...d,
      pHolm: adjusted[i],
    });
    series.contrast = {
      small: a.row.label,
      large: b.row.label,
      trainLoss: pairedDifference(b.trainLoss, a.trainLoss, sizes),
      gap: withHolm(gap, 0),
      ...(sharp ? { sharpness: { ...withHolm(sharp, 1), epsilon: epsilons[0] } } : {}),
      ...(lam ? { lambdaMax: withHolm(lam, sharp ? 2 : 1) } : {}),
    };
    summary.push(...contrastSentences(series, a.row, b.row));
  }
  const interpolation = interpolationCurve(plan, results);
  if (interpolation) series.interpolation = interpolation;
  return { series, summary };
}

/** The sentences on the smallest batch against the largest (exported for its test). */
export function contrastSentences(s: BatchSizeSeries, a: BatchSizeRow, b: BatchSizeRow): string[] {
  const c = s.contrast!;
  const out: string[] = [];
  const took = (r: BatchSizeRow) =>
    `${r.label} took ${sig(r.epochs.mean)} epochs (${sig(r.steps.mean)} steps)` +
    (s.rule.kind === 'target' && r.reached < r.splits
      ? `, ${r.splits - r.reached} of ${r.splits} splits never reached it`
      : '');
  out.push(
    `Each batch size ${describeRule(s.rule)}: ${took(a)}, ${took(b)}; final training loss ${sig(a.trainLoss.mean)} against ${sig(b.trainLoss.mean)} ` +
      `(difference ${sig(c.trainLoss.mean)} ${formatInterval(c.trainLoss.ci95)}).`,
  );
  const verdict = (d: HolmDifference, higher: string, lower: string) =>
    d.pHolm <= ALPHA ? (d.mean > 0 ? higher : lower) : 'not significantly different';
  const parts: string[] = [];
  if (c.lambdaMax)
    parts.push(
      `λmax ${sig(a.lambdaMax?.mean)} → ${sig(b.lambdaMax?.mean)} (Δ ${sig(c.lambdaMax.mean)} ${formatInterval(c.lambdaMax.ci95)}, ${formatP(c.lambdaMax.pHolm, 'p_Holm')}: ${verdict(c.lambdaMax, 'sharper', 'flatter')})`,
    );
  if (c.sharpness) {
    const sa = a.sharpness[0],
      sb = b.sharpness[0];
    parts.push(
      `ε-sharpness at ε = ${c.sharpness.epsilon} ${sig(sa.value.mean)} → ${sig(sb.value.mean)} (Δ ${sig(c.sharpness.mean)} ${formatInterval(c.sharpness.ci95)}, ${formatP(c.sharpness.pHolm, 'p_Holm')}: ${verdict(c.sharpness, 'sharper', 'flatter')})`,
    );
  }
  if (parts.length) out.push(`From ${a.label} to ${b.label}: ${parts.join('; ')}.`);
  out.push(
    `Generalization gap (${s.metric.replace('val_', 'train − validation ')}) ${sig(a.gap.mean)} → ${sig(b.gap.mean)} ` +
      `(Δ ${sig(c.gap.mean)} ${formatInterval(c.gap.ci95)}, ${formatP(c.gap.pHolm, 'p_Holm')}: ` +
      (c.gap.pHolm <= ALPHA
        ? `the large batch's gap is significantly ${c.gap.mean > 0 ? 'larger' : 'smaller'}).`
        : 'not significantly different).'),
  );
  if (c.lambdaMax) {
    const sharper = c.lambdaMax.pHolm <= ALPHA && c.lambdaMax.mean > 0;
    // Under the target rule a split that never met the target stopped at the epoch cap: its
    // solution is not the comparable minimum the rule promises, so the verdict says so.
    const unmet = s.rule.kind === 'target' ? a.splits - a.reached + (b.splits - b.reached) : 0;
    const caveat = unmet
      ? ` (but ${unmet} of ${a.splits + b.splits} of these splits never reached the target training loss: those solutions stopped at the epoch cap at different losses, not at comparable minima)`
      : '';
    out.push(
      sharper
        ? `The large-batch solution is sharper by λmax, as Keskar et al. report${s.rule.kind === 'epochs' ? ' (but with the same epochs it is also less trained: compare the training losses)' : caveat}.`
        : `The large-batch solution is not sharper by λmax under this rule${s.rule.kind === 'epochs' ? '' : '; with the same number of epochs instead, a large batch stops unfinished and its slope reads as sharpness'}.`,
    );
  }
  if (c.sharpness) {
    const share = (r: BatchSizeRow) => r.sharpness[0]?.firstOrderShare.mean ?? Number.NaN;
    const reads = (v: number) =>
      !Number.isFinite(v) ? 'undefined' : v >= 0.5 ? 'mostly the slope left at the solution' : 'mostly curvature';
    const sa = share(a),
      sb = share(b);
    out.push(
      `First-order share of that ε-sharpness: ${pct(sa)} for ${a.label} (${reads(sa)}; gradient norm ${sig(a.gradientNorm?.mean)}) and ${pct(sb)} for ${b.label} (${reads(sb)}; gradient norm ${sig(b.gradientNorm?.mean)})` +
        (Math.max(sa, sb) >= 0.5
          ? ': where the slope dominates, ε-sharpness grows as ε and measures an unfinished descent; λmax measures the curvature.'
          : '.'),
    );
  }
  const tests = [c.gap, c.sharpness, c.lambdaMax].filter((d): d is HolmDifference => d !== undefined);
  if (tests.every((d) => d.pHolm > ALPHA))
    out.push(
      `Nothing here is significant at α = ${ALPHA} after Holm over ${tests.length} tests on ${c.gap.n} splits; ` +
        'more folds or repeats (evaluation.k, evaluation.repeats) would narrow the intervals, and a larger data set would resolve smaller effects.',
    );
  return out;
}

const pct = (v: number) => (Number.isFinite(v) ? `${Math.round(100 * v)}%` : '—');

/** The loss on the line from the smallest- to the largest-batch solution, on the first split. */
function interpolationCurve(plan: Plan, results: ReadonlyMap<string, JobResult>): BatchSizeSeries['interpolation'] {
  const small = plan.configurations[0],
    large = plan.configurations[plan.configurations.length - 1];
  const split = plan.data[0].splits[0];
  const ra = results.get(`${small.key}/${split.key}`),
    rb = results.get(`${large.key}/${split.key}`);
  const job = plan.jobs.find((j) => j.key === `${small.key}/${split.key}`);
  if (!(ra?.state && rb?.state && job && plan.configurations.length > 1)) return undefined;
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
  return { from: small.label, to: large.label, split: split.key, ...curve };
}
