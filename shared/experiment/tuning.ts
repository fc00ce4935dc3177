/**
 * Nested tuning of one numeric spec value (typically `optimizer.lr`) per configuration and
 * split, as the optimizer benchmarks do it (Schmidt et al. 2021; Wilson et al. 2017): one
 * hand-picked rate per optimizer mostly measures the pick.
 *
 * Each split's training rows are cut once into inner training and inner validation rows (the
 * same cut for every candidate and every configuration). Each candidate value = base value ×
 * factor trains on the inner training rows; the one with the best inner validation score is
 * the split's model, scored on the split's own rows. The rows a split is scored on never take
 * part in the choice, so its score stays an honest estimate. Every candidate's scores are
 * kept: they are the sensitivity curve (score against the value).
 */
import { summarize, type Summary } from '../stats/describe.ts';
import { getPath } from './sweep.ts';
import type { TuningSpec } from '../schema/types.ts';
import type { ExperimentSpec, JobResult } from './types.ts';

/** `tuning` of an experiment spec (its schema: TuningSchema in shared/schema/spec.ts). */
export type { TuningSpec };

/** The candidate values of a configuration: its own value at `path` times each factor. */
export function tuningValues(spec: ExperimentSpec): number[] {
  const t = spec.tuning;
  if (!t) return [];
  const base = getPath(spec, t.path);
  if (typeof base !== 'number' || !Number.isFinite(base))
    throw new Error(`tuning.path: "${t.path}" must be a number in the spec, got ${JSON.stringify(base)}`);
  return t.factors.map((f) => base * f);
}

export { tuneKey } from './keys.ts';

/**
 * The chosen candidate of a split: best inner-validation score, a missing or non-finite score
 * (a diverged run) never chosen, ties to the smaller index (the smaller factor comes first
 * when the factors ascend). −1 when no candidate has a score.
 */
export function chooseCandidate(
  candidates: ReadonlyArray<JobResult | undefined>,
  by: 'loss' | 'accuracy' = 'loss',
): number {
  let best = -1,
    bestV = 0;
  candidates.forEach((r, i) => {
    const v = r?.final.inner?.[by];
    if (v === undefined || !Number.isFinite(v) || r!.diverged) return;
    if (best < 0 || (by === 'loss' ? v < bestV : v > bestV)) {
      best = i;
      bestV = v;
    }
  });
  return best;
}

/** What the report says of a tuned configuration. */
export interface TuningReport {
  path: string;
  /** The candidate values, in factor order. */
  values: number[];
  /** The value chosen on each split (split order). */
  chosen: number[];
  /** Per candidate: its inner-validation score over splits (what chose). */
  inner: Summary[];
  /** Per candidate: the scored rows' metric over splits: the sensitivity curve (never used to choose). */
  val: Summary[];
  /** The metric of `val` (`val_accuracy` or `val_mse`). */
  metric: string;
  /** The inner score that chose. */
  by: 'loss' | 'accuracy';
}

/** The tuning report of one configuration from its candidates' results, split by split. */
export function tuningReport(
  spec: ExperimentSpec,
  perSplit: ReadonlyArray<ReadonlyArray<JobResult | undefined>>,
  chosen: readonly number[],
  metric: string,
): TuningReport {
  const t = spec.tuning!;
  const values = tuningValues(spec);
  const by = t.by ?? 'loss';
  const set = metric.split('_').slice(1).join('_');
  const finite = (xs: Array<number | undefined>) =>
    xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return {
    path: t.path,
    values,
    chosen: chosen.map((i) => (i >= 0 ? values[i] : Number.NaN)),
    inner: values.map((_, i) => summarize(finite(perSplit.map((c) => c[i]?.final.inner?.[by])))),
    val: values.map((_, i) =>
      summarize(
        finite(
          perSplit.map((c) =>
            c[i]?.diverged ? undefined : (c[i]?.final.val as Record<string, number> | undefined)?.[set],
          ),
        ),
      ),
    ),
    metric,
    by,
  };
}
