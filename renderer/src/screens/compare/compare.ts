/**
 * Comparing configurations of any experiments: each one's own spec (its experiment's spec
 * with its overrides applied), the fields where they differ, and whether a paired test is
 * sound (the same rows in every split, the same initial weights) or why not. Pure.
 */
import type { ExperimentRecord, ReportJson } from '../../../../shared/lab-api.ts';
import { expandSweep } from '../../../../shared/experiment/sweep.ts';
import type { ExperimentSpec } from '../../../../shared/experiment/types.ts';
import { correctedResampledTTest } from '../../../../shared/stats/ttest.ts';

export interface Picked {
  experiment: ExperimentRecord;
  report: ReportJson;
  /** Index of the configuration in its experiment (its colour everywhere). */
  index: number;
}

/**
 * Short names for the picked configurations, as legends and headers show them: the
 * configuration's label alone when every pick is from one experiment (the panel names it),
 * else prefixed with its experiment's id (`#2 lr=0.01`), which the panel shows beside each name.
 */
export function pickLabels(picked: readonly Picked[]): string[] {
  const one = new Set(picked.map((p) => p.experiment.id)).size <= 1;
  return picked.map((p) => {
    const label = p.report.configurations[p.index].label;
    return one ? label : `#${p.experiment.id} ${label}`;
  });
}

/** The configuration's own spec (no sweep, no library fields). */
export function configSpec(p: Picked): Record<string, unknown> {
  const configs = expandSweep(p.experiment.spec);
  const s = structuredClone((configs[p.index] ?? configs[0]).spec) as unknown as Record<string, unknown>;
  for (const k of ['name', 'tags', 'notes', 'study']) delete s[k];
  return s;
}

/** Every leaf of a JSON value as path → JSON text (arrays are leaves: `[16,16]`). */
export function flatten(v: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = JSON.stringify(v);
  return out;
}

/** The fields whose values differ between the specs (absent counts as a value: `—`). */
export function specDifferences(specs: Record<string, unknown>[]): { path: string; values: string[] }[] {
  const flat = specs.map((s) => flatten(s));
  const paths = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  return paths
    .map((path) => ({ path, values: flat.map((f) => f[path] ?? '—') }))
    .filter((d) => new Set(d.values).size > 1);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Test rows over training rows of one split, for the corrected t-test's factor. */
function testShare(spec: ExperimentSpec): { train: number; test: number } | null {
  const e = spec.evaluation;
  if (!e || e.kind === 'holdout') return null;
  if (e.kind === 'kfold') return { train: (e.k ?? 5) - 1, test: 1 };
  if (e.kind === 'loo') return null;
  // Bootstrap: about 63.2% of the rows are drawn, the rest (36.8%) scored.
  return { train: 0.632, test: 0.368 };
}

export type Pairing =
  { ok: true; metric: string; meanDifference: number; t: number; df: number; p: number } | { ok: false; why: string };

/**
 * The corrected resampled t-test of a − b on the primary metric, only when both were scored on
 * the same splits (same data set, evaluation and seed) and started from the same weights (also
 * the same model); otherwise the reason it would not be sound.
 */
export function pairedTest(a: Picked, b: Picked): Pairing {
  const sa = configSpec(a) as unknown as ExperimentSpec;
  const sb = configSpec(b) as unknown as ExperimentSpec;
  const why: string[] = [];
  if (a.report.dataset.hash !== b.report.dataset.hash)
    why.push(`different data sets (${a.report.dataset.name}, ${b.report.dataset.name})`);
  if (!same(sa.evaluation, sb.evaluation)) why.push('different evaluations, so different splits');
  if (sa.seed !== sb.seed) why.push(`different seeds (${sa.seed}, ${sb.seed}): different folds and initial weights`);
  if (!same(sa.dataset, sb.dataset)) why.push('different data set settings (test fraction, standardization…)');
  if (!same(sa.model, sb.model)) why.push('different models, so different initial weights');
  if (why.length) return { ok: false, why: `No paired test: ${why.join('; ')}.` };
  const metric = a.report.primaryMetric;
  if (b.report.primaryMetric !== metric)
    return { ok: false, why: 'No paired test: the two are scored by different metrics.' };
  const ca = a.report.configurations[a.index];
  const cb = b.report.configurations[b.index];
  const splitOf = (k: string) => k.replace(/^config=\d+\/?/, '');
  if (!same(ca.splits.map(splitOf), cb.splits.map(splitOf)))
    return { ok: false, why: 'No paired test: the two were scored on different splits.' };
  const va = ca.metrics[metric]?.values ?? [];
  const vb = cb.metrics[metric]?.values ?? [];
  const d: number[] = [];
  for (let i = 0; i < Math.min(va.length, vb.length); i++) {
    const x = va[i];
    const y = vb[i];
    if (x === null || y === null || x === undefined || y === undefined)
      return { ok: false, why: 'No paired test: a split has no score (a diverged run).' };
    d.push(x - y);
  }
  const share = testShare(sa);
  if (!share || d.length < 2)
    return {
      ok: false,
      why: 'No paired test: one split only (holdout or leave-one-out scores per split are not comparable).',
    };
  const r = correctedResampledTTest(d, share.train, share.test);
  return { ok: true, metric, meanDifference: r.meanDiff, t: r.t, df: r.df, p: r.p };
}
