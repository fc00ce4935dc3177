/**
 * The optimizers study. Optimizers that all reach ~98% differ in how fast they get there and
 * how sensitive they are to the learning rate, so the study's primary metric is speed: epochs
 * to a validation target (`speed` in the spec), each optimizer at its own learning rate tuned
 * per split on that split's inner validation rows (`tuning`), as optimizer benchmarks do.
 *
 * Ranking and test: by the mean epochs to the target; a split that never reaches it counts as
 * the epoch cap + 1 (censored: the true difference is then at least the one shown, and the
 * report says how many splits reached it). Each optimizer against the fastest, paired over
 * splits with the corrected resampled t-test, Holm over those comparisons. Beside it: steps
 * to the target, the area under the training-loss curve, the final score at the tuned rate
 * (with its own test against the best), and the sensitivity curve (the score at every rate).
 */
import { summarize, type Summary } from '../../stats/describe.ts';
import type { ExperimentReport } from '../aggregate.ts';
import type { Plan } from '../plan.ts';
import type { Dataset } from '../../data/dataset.ts';
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

type HolmDifference = PairedDifference & { pHolm: number };

export interface OptimizerRow {
  key: string;
  label: string;
  /** Epochs to the target over the splits that reached it. */
  epochsToTarget: Summary;
  /** Per split, censored at the cap + 1 where not reached: what is ranked and tested. */
  censoredEpochs: number[];
  /** Optimizer steps to the target over the splits that reached it. */
  stepsToTarget: Summary;
  /** Splits that reached the target, of `splits`. */
  reached: number;
  splits: number;
  /** Mean training loss over the curve: the area under it per epoch. */
  trainLossAuc: Summary;
  /** The primary metric at the tuned rate. */
  final: Summary;
  /** The tuned value chosen on each split (null without tuning). */
  chosen: number[] | null;
  /** The primary metric at each candidate value: the sensitivity curve (never used to choose). */
  sensitivity: Array<{ value: number; score: Summary }>;
  /** Censored epochs − the fastest's, paired over splits, Holm over the optimizers; null for the fastest. */
  vsFastest: HolmDifference | null;
  /** Final score − the best final score's, Holm over the optimizers; null for the best. */
  vsBestFinal: HolmDifference | null;
  /** Learning curves (mean and std over splits per epoch). */
  curves: { epoch: number[]; series: Record<string, { mean: number[]; std: Array<number | null> }> };
}

export interface OptimizersSeries {
  /** What the ranking is by, e.g. `epochs to val_loss ≤ 0.15`. */
  ranking: string;
  /** The speed target (null without one: then ranked by the final score). */
  target: { monitor: string; value: number } | null;
  /** Epochs each fit was allowed (the censoring point is this + 1). */
  epochCap: number;
  /** The primary metric of `final` and `sensitivity`. */
  metric: string;
  /** Tuned path and its candidate factors (null without tuning). */
  tuning: { path: string; factors: number[] } | null;
  /** Fastest first (best final score first without a target). */
  rows: OptimizerRow[];
  /**
   * The inputs' scale: whether they were standardized, and the smallest and largest feature
   * standard deviation on the development rows in the units the models saw. Unstandardized
   * features whose scales differ by orders of magnitude make the loss ill-conditioned.
   */
  inputs: { standardized: boolean; stdMin: number; stdMax: number };
  /** Learning curves per configuration in sweep order (mean and std over splits per epoch), as before the rows existed. */
  curves: Array<{
    label: string;
    epoch: number[];
    train_loss?: { mean: number[]; std: Array<number | null> };
    val_loss?: { mean: number[]; std: Array<number | null> };
    val_accuracy?: { mean: number[]; std: Array<number | null> };
  }>;
}

const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));

export function optimizersSeries(
  plan: Plan,
  report: ExperimentReport,
  _results: ReadonlyMap<string, JobResult>,
): { title: string; summary: string[]; series: OptimizersSeries } {
  const spec = plan.spec;
  const metric = report.primaryMetric;
  const higher = metric.endsWith('accuracy');
  const speed = spec.speed ?? null;
  const sizes = splitSizes(plan, 0);
  const rows0 = report.configurations.map((c, ci) => {
    const cap = plan.configurations[ci].spec.training.epochs;
    const reachedFlags = c.metrics.reached_target?.values ?? [];
    // epochs_to_target has values only for reached splits; rebuild the per-split list in split order.
    const reachedEpochs = [...(c.metrics.epochs_to_target?.values ?? [])];
    const censored = reachedFlags.map((f) => (f === 1 ? reachedEpochs.shift()! : cap + 1));
    const t = c.tuning;
    return {
      key: c.key,
      label: c.label,
      epochsToTarget: c.metrics.epochs_to_target ?? summarize([]),
      censoredEpochs: censored,
      stepsToTarget: c.metrics.steps_to_target ?? summarize([]),
      reached: reachedFlags.filter((f) => f === 1).length,
      splits: c.splits.length,
      trainLossAuc: c.metrics.train_loss_auc ?? summarize([]),
      final: c.metrics[metric] ?? summarize([]),
      chosen: t ? t.chosen : null,
      sensitivity: t ? t.values.map((value, i) => ({ value, score: t.val[i] })) : [],
      vsFastest: null as HolmDifference | null,
      vsBestFinal: null as HolmDifference | null,
      curves: { epoch: c.curves.epoch, series: c.curves.series },
      cap,
    };
  });
  const meanOf = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);
  const finalMean = (r: (typeof rows0)[number]) => r.final.mean ?? (higher ? -Infinity : Infinity);
  const byFinal = (a: (typeof rows0)[number], b: (typeof rows0)[number]) =>
    higher ? finalMean(b) - finalMean(a) : finalMean(a) - finalMean(b);
  const ranked = rows0
    .slice()
    .sort((a, b) => (speed ? meanOf(a.censoredEpochs) - meanOf(b.censoredEpochs) || byFinal(a, b) : byFinal(a, b)));
  // Speed: each against the fastest; final score: each against the best final score.
  if (speed) {
    const fastest = ranked[0];
    const d = ranked.slice(1).map((r) => pairedDifference(r.censoredEpochs, fastest.censoredEpochs, sizes));
    const adj = holmFamily(d.map((x) => x.p));
    ranked.slice(1).forEach((r, i) => (r.vsFastest = { ...d[i], pHolm: adj[i] }));
  }
  const bestFinal = rows0.slice().sort(byFinal)[0];
  const others = rows0.filter((r) => r !== bestFinal);
  const df = others.map((r) => pairedDifference(r.final.values, bestFinal.final.values, sizes));
  const adjF = holmFamily(df.map((x) => x.p));
  others.forEach((r, i) => (r.vsBestFinal = { ...df[i], pHolm: adjF[i] }));

  const epochCap = Math.max(...rows0.map((r) => r.cap));
  const standardized = spec.dataset.standardize ?? true;
  const [stdMin, stdMax] = standardized ? [1, 1] : featureStdRange(plan.data[0].data, plan.data[0].dev);
  const adaptive = new Set(plan.configurations.filter((c) => ADAPTIVE.has(c.spec.optimizer.name)).map((c) => c.key));
  const ranking = speed
    ? `epochs to ${speed.monitor} ${speed.monitor === 'val_accuracy' ? '≥' : '≤'} ${speed.value}`
    : metric;
  const rows: OptimizerRow[] = ranked.map(({ cap: _cap, ...r }) => r);
  const series: OptimizersSeries = {
    ranking,
    target: speed ? { monitor: speed.monitor, value: speed.value } : null,
    epochCap,
    metric,
    tuning: spec.tuning ? { path: spec.tuning.path, factors: [...spec.tuning.factors] } : null,
    rows,
    inputs: { standardized, stdMin, stdMax },
    curves: report.configurations.map((c) => ({
      label: c.label,
      epoch: c.curves.epoch,
      train_loss: c.curves.series.train_loss,
      val_loss: c.curves.series.val_loss,
      val_accuracy: c.curves.series.val_accuracy,
    })),
  };
  const summary = sentences(series, bestFinal.label);
  if (!standardized) summary.push(conditioningSentence(series, adaptive));
  return { title: `Optimizers ranked by ${ranking}`, summary, series };
}

/** Optimizers that scale each coordinate's step by its own gradient history (the rest take one step size for all). */
const ADAPTIVE = new Set(['adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw', 'nadam']);

/** The smallest and largest standard deviation among the features that vary, over the given rows. */
function featureStdRange(data: Dataset, rows: Uint32Array): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (let j = 0; j < data.d; j++) {
    let m = 0;
    for (const r of rows) m += data.x[r * data.d + j];
    m /= rows.length;
    let v = 0;
    for (const r of rows) v += (data.x[r * data.d + j] - m) ** 2;
    const sd = Math.sqrt(v / rows.length);
    if (sd > 0) [lo, hi] = [Math.min(lo, sd), Math.max(hi, sd)];
  }
  return hi > 0 ? [lo, hi] : [Number.NaN, Number.NaN];
}

/**
 * What the ill-conditioned case shows, from its numbers: how far apart the feature scales are,
 * and how the optimizers that adapt each coordinate's step fared against those with one step
 * size for every coordinate (splits that reached the target, and final scores).
 */
function conditioningSentence(s: OptimizersSeries, adaptive: ReadonlySet<string>): string {
  const { stdMin, stdMax } = s.inputs;
  // Each group in sweep order (the rows are ranked), so the sentence reads the same whatever the ranking.
  const order = s.curves.map((c) => c.label);
  const inSweepOrder = s.rows.slice().sort((x, y) => order.indexOf(x.label) - order.indexOf(y.label));
  const groups = [inSweepOrder.filter((r) => adaptive.has(r.key)), inSweepOrder.filter((r) => !adaptive.has(r.key))];
  const part = (rows: OptimizerRow[]) => {
    const reached = rows.reduce((n, r) => n + r.reached, 0);
    const splits = rows.reduce((n, r) => n + r.splits, 0);
    const finals = rows.map((r) => r.final.mean).filter((v): v is number => v !== null);
    return (
      `(${rows.map((r) => r.label).join(', ')}) ` +
      (s.target ? `reached the target on ${reached} of ${splits} splits, ` : '') +
      `final ${s.metric} ${sig(Math.min(...finals), 3)} to ${sig(Math.max(...finals), 3)}`
    );
  };
  const scales = `Inputs not standardized: feature standard deviations range from ${sig(stdMin, 3)} to ${sig(stdMax, 3)} (a factor of ${sig(stdMax / stdMin, 2)}), so no single step size suits every direction.`;
  if (!groups[0].length || !groups[1].length) return scales;
  return `${scales} The optimizers that scale each coordinate's step ${part(groups[0])}; those with one step size for all ${part(groups[1])}.`;
}

function sentences(s: OptimizersSeries, bestFinal: string): string[] {
  const out: string[] = [];
  const rows = s.rows;
  const tuned = s.tuning
    ? `each optimizer's ${s.tuning.path} tuned per split on its inner validation rows from ${s.tuning.factors.length} values`
    : 'one learning rate per optimizer, as given';
  if (s.target) {
    const speed = (r: OptimizerRow) =>
      r.reached === 0
        ? `${r.label} never (0/${r.splits} splits within ${s.epochCap} epochs)`
        : `${r.label} ${sig(r.epochsToTarget.mean, 2)}${r.epochsToTarget.std !== null ? ` ± ${sig(r.epochsToTarget.std, 2)}` : ''} epochs` +
          (r.reached < r.splits ? ` (${r.reached}/${r.splits} splits)` : '');
    if (rows.every((r) => r.reached === 0)) {
      out.push(
        `No optimizer reached ${s.ranking.replace('epochs to ', '')} within ${s.epochCap} epochs on any split (${tuned}), so speed cannot rank them here: a looser target or more epochs would; the final scores below still compare them.`,
      );
      return out.concat(finalSentences(s, bestFinal));
    }
    out.push(`Ranked by ${s.ranking} (${tuned}): ${rows.map(speed).join(', ')}.`);
    const slower = rows.filter((r) => r.vsFastest && r.vsFastest.pHolm <= ALPHA && r.vsFastest.mean > 0);
    const fastest = rows[0];
    if (slower.length)
      out.push(
        `Significantly slower than ${fastest.label} after Holm over ${rows.length - 1} comparisons: ` +
          slower
            .map(
              (r) =>
                `${r.label} (Δ +${sig(r.vsFastest!.mean, 2)} epochs ${formatInterval(r.vsFastest!.ci95, 2)}, ${formatP(r.vsFastest!.pHolm, 'p_Holm')}${r.reached < r.splits ? ', censored' : ''})`,
            )
            .join('; ') +
          '.',
      );
    else
      out.push(
        `No optimizer is significantly slower than ${fastest.label} at α = ${ALPHA} after Holm over ${rows.length - 1} comparisons; more folds or repeats, or a harder target, would resolve it.`,
      );
    if (rows.some((r) => r.reached < r.splits))
      out.push(
        `A split that never reached the target counts as ${s.epochCap + 1} epochs (censored), so those differences are lower bounds.`,
      );
  }
  return out.concat(finalSentences(s, bestFinal));
}

/** The final score at the tuned rates, and the sensitivity to the rate. */
function finalSentences(s: OptimizersSeries, bestFinal: string): string[] {
  const out: string[] = [];
  const rows = s.rows;
  const finals = rows.map((r) => r.final.mean).filter((v): v is number => v !== null);
  const worse = rows.filter((r) => r.vsBestFinal && r.vsBestFinal.pHolm <= ALPHA);
  out.push(
    `Final ${s.metric} at the tuned rate: ${sig(Math.min(...finals), 4)} to ${sig(Math.max(...finals), 4)}, best ${bestFinal}; ` +
      (worse.length
        ? `significantly below it after Holm: ${worse.map((r) => `${r.label} (Δ ${sig(r.vsBestFinal!.mean)}, ${formatP(r.vsBestFinal!.pHolm, 'p_Holm')})`).join(', ')}.`
        : `no optimizer is significantly below it after Holm, so a ranking by the final score would be noise.`),
  );
  const all = rows
    .filter((r) => r.sensitivity.length > 1)
    .map((r) => {
      const v = finite(r.sensitivity.map((p) => p.score.mean ?? Number.NaN));
      return { label: r.label, lo: Math.min(...v), hi: Math.max(...v) };
    })
    .filter((x) => Number.isFinite(x.lo));
  // A flat curve at a poor score is not robustness: only optimizers whose best rate comes within
  // 0.05 of the best accuracy (or 5% of the best mse) are ranked by how much the rate matters.
  const higher = s.metric.endsWith('accuracy');
  const top = higher ? Math.max(...all.map((x) => x.hi)) : Math.min(...all.map((x) => x.lo));
  const spans = all.filter((x) => (higher ? x.hi >= top - 0.05 : x.lo <= top * 1.05));
  if (spans.length) {
    spans.sort((a, b) => a.hi - a.lo - (b.hi - b.lo));
    const show = (x: (typeof spans)[number]) => `${x.label} ${sig(x.lo, 3)}–${sig(x.hi, 3)}`;
    out.push(
      `Learning-rate sensitivity (${s.metric} over the ${rows[0].sensitivity.length} rates, among the optimizers whose best rate comes near the best score): least sensitive ${spans
        .slice(0, 2)
        .map(show)
        .join(', ')}; most sensitive ${spans.slice(-2).reverse().map(show).join(', ')}.`,
    );
  }
  return out;
}
