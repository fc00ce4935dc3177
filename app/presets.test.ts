/**
 * Each built-in study, run with its fixed seed, shows its phenomenon with a significance test,
 * and its summary sentences carry the report's numbers. The runs go through the same planner,
 * jobs (two worker threads with the Lab's kernels), aggregator and study code as `optlab run
 * --preset`; where a preset's full default would take CI too long, the test shrinks it in the
 * way written beside it (fewer configurations or epochs), never the code path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset } from '../shared/data/dataset.ts';
import type { Executor, ExecutorHooks } from '../shared/experiment/executor.ts';
import { plan } from '../shared/experiment/plan.ts';
import { presetSpec } from '../shared/experiment/presets.ts';
import { runPlan } from '../shared/experiment/run.ts';
import { studySeries, type StudySeries } from '../shared/experiment/studies.ts';
import { sig } from '../shared/experiment/studies/paired.ts';
import type { ExperimentSpec, Job, JobResult } from '../shared/experiment/types.ts';
import { ThreadPool } from '../worker/pool.ts';
import { loadDataset } from './datasets.ts';
import { useFastKernels } from './kernels.ts';

const ALPHA = 0.05;
const kernels = useFastKernels();

/** Every job at once on two threads, results in whatever order they finish. */
class PoolExecutor implements Executor {
  constructor(readonly pool: ThreadPool) {}
  async run(jobs: Job[], data: ReadonlyMap<string, Dataset>, hooks: ExecutorHooks = {}): Promise<JobResult[]> {
    return Promise.all(
      jobs.map(async (j) => {
        const r = await this.pool.run(j, data.get(j.dataHash)!, () => {}).result;
        hooks.onResult?.(r);
        return r;
      }),
    );
  }
  cancel(): void {}
}

async function runStudy(spec: ExperimentSpec): Promise<StudySeries> {
  const pool = new ThreadPool(2, { name: kernels.name, build: kernels.build });
  try {
    const p = plan(spec, (d, rng) => loadDataset(d, rng));
    const { report, results } = await runPlan(p, new PoolExecutor(pool));
    return studySeries(p, report, results)!;
  } finally {
    await pool.close();
  }
}

const has = (text: string[], s: string) =>
  assert.ok(text.join(' ').includes(s), `summary lacks "${s}":\n${text.join('\n')}`);

test(
  'optimizers on digits: at least one speed difference is significant after Holm; the sentence carries the numbers',
  { timeout: 600_000 },
  async () => {
    // Shrunk for CI: three of the ten optimizers (GD, Adagrad, Adam), still each tuned over five rates.
    const spec = presetSpec('optimizers');
    spec.sweep = (spec.sweep as Array<Record<string, unknown>>).filter((e) =>
      ['GD', 'Adagrad', 'Adam'].includes(e.label as string),
    );
    const study = await runStudy(spec);
    assert.equal(study.kind, 'optimizers');
    if (study.kind !== 'optimizers') return;
    const rows = study.series.rows;
    assert.ok(
      rows.some((r) => r.vsFastest && r.vsFastest.pHolm <= ALPHA && r.vsFastest.mean > 0),
      JSON.stringify(rows.map((r) => [r.label, r.censoredEpochs, r.vsFastest?.pHolm])),
    );
    assert.match(study.series.ranking, /^epochs to val_loss ≤ 0\.25$/);
    const fastest = rows[0];
    has(study.summary, `${fastest.label} ${sig(fastest.epochsToTarget.mean, 2)}`);
    const slow = rows.find((r) => r.vsFastest && r.vsFastest.pHolm <= ALPHA)!;
    has(study.summary, `${slow.label} (Δ +${sig(slow.vsFastest!.mean, 2)} epochs`);
    // The flat learning curves the report screen draws, in sweep order.
    assert.deepEqual(
      study.series.curves.map((c) => c.label),
      ['GD', 'Adagrad', 'Adam'],
    );
    for (const c of study.series.curves) assert.equal(c.val_loss?.mean.length, c.epoch.length);
    for (const r of rows) {
      assert.equal(r.sensitivity.length, 5, 'the score at every rate of the grid');
      assert.equal(r.chosen!.length, r.splits, 'a rate chosen on each split');
    }
  },
);

test(
  'optimizers, ill-conditioned: breast_cancer:unscaled separates the optimizers more than breast_cancer; the summary says how',
  { timeout: 600_000 },
  async () => {
    // Shrunk for CI: two optimizers with one step size for all (GD, SGD) and one that adapts each
    // coordinate's step (Adam), each tuned over five rates, on both versions of the set.
    const shrink = (spec: ExperimentSpec) => {
      spec.sweep = (spec.sweep as Array<Record<string, unknown>>).filter((e) =>
        ['GD', 'SGD', 'Adam'].includes(e.label as string),
      );
      return spec;
    };
    const [scaled, unscaled] = await Promise.all([
      runStudy(shrink(presetSpec('optimizers', 'breast_cancer'))),
      runStudy(shrink(presetSpec('optimizers', 'breast_cancer:unscaled'))),
    ]);
    if (scaled.kind !== 'optimizers' || unscaled.kind !== 'optimizers') throw new Error('not the optimizers study');
    // Separation: optimizers significantly slower than the fastest, or significantly below the best final score.
    const separated = (rows: typeof scaled.series.rows) =>
      rows
        .filter((r) => (r.vsFastest?.pHolm ?? 1) <= ALPHA || (r.vsBestFinal?.pHolm ?? 1) <= ALPHA)
        .map((r) => r.label);
    const a = separated(scaled.series.rows),
      b = separated(unscaled.series.rows);
    assert.ok(b.length > a.length, JSON.stringify({ scaled: a, unscaled: b }));
    // The same target on both, so the two rankings compare.
    assert.equal(unscaled.series.ranking, scaled.series.ranking);
    // scikit-learn's breast_cancer: the feature stds run from ~0.0027 (fractal dimension error) to ~570 (worst area).
    const { standardized, stdMin, stdMax } = unscaled.series.inputs;
    assert.equal(standardized, false);
    assert.ok(stdMin > 0.002 && stdMin < 0.0035 && stdMax > 450 && stdMax < 700, JSON.stringify({ stdMin, stdMax }));
    assert.equal(scaled.series.inputs.standardized, true);
    has(unscaled.summary, `feature standard deviations range from ${sig(stdMin, 3)} to ${sig(stdMax, 3)}`);
    const reached = (labels: string[]) =>
      unscaled.series.rows.filter((r) => labels.includes(r.label)).reduce((n, r) => n + r.reached, 0);
    has(unscaled.summary, `(Adam) reached the target on ${reached(['Adam'])} of 10 splits`);
    has(unscaled.summary, `(GD, SGD) reached the target on ${reached(['GD', 'SGD'])} of 20 splits`);
    assert.ok(reached(['Adam']) > reached(['GD', 'SGD']));
    assert.ok(!scaled.summary.join(' ').includes('not standardized'));
  },
);

test(
  'capacity on circles with 20% flipped labels: the U, best width significantly better than both ends; overfitting marked',
  { timeout: 600_000 },
  async () => {
    // Shrunk for CI: five of the seven widths, the two ends kept (1 and 512 units).
    const spec = presetSpec('capacity');
    spec.sweep = { 'model.hidden': [[1], [4], [8], [32], [512]] };
    const study = await runStudy(spec);
    assert.equal(study.kind, 'capacity');
    if (study.kind !== 'capacity') return;
    const s = study.series;
    assert.ok(s.uShape, JSON.stringify({ best: s.best, tests: s.tests }));
    assert.ok(s.best > 0 && s.best < s.points.length - 1);
    assert.ok(s.points.some((p) => p.overfitting));
    const b = s.points[s.best];
    has(study.summary, `lowest at ${s.path}=${b.x} (${sig(b.val.mean)})`);
    has(study.summary, `Δ ${sig(s.tests!.vsLargest.mean)}`);
  },
);

test(
  'regularization on moons with flipped labels: a regularizer is significantly better than the baseline',
  { timeout: 600_000 },
  async () => {
    // Shrunk for CI: the baseline and three of the ten regularizers (Holm over three, not ten).
    const spec = presetSpec('regularization');
    spec.sweep = (spec.sweep as Array<Record<string, unknown>>).filter((e) =>
      ['none', 'L2', 'input noise', 'mixup'].includes(e.label as string),
    );
    const study = await runStudy(spec);
    assert.equal(study.kind, 'regularization');
    if (study.kind !== 'regularization') return;
    const better = study.series.rows.filter((r) => r.delta && r.delta.pHolm <= ALPHA && r.delta.mean > 0);
    assert.ok(better.length >= 1, JSON.stringify(study.series.rows.map((r) => [r.label, r.delta])));
    has(study.summary, `${better[0].label} ${sig(better[0].value.mean, 4)} (Δ +${sig(better[0].delta!.mean)}`);
    // The flat points the report screen draws: the baseline's label and every row's score, in sweep order.
    assert.equal(study.series.baseline, 'none');
    assert.deepEqual(
      study.series.points.map((p) => [p.label, p.value.mean]),
      study.series.rows.map((r) => [r.label, r.value.mean]),
    );
  },
);

test(
  'ensembles on digits: boosting significantly raises the weak learner; bagging significantly beats its own members (the variance the vote removes) and is judged against its base; curves have a point per member and round',
  { timeout: 600_000 },
  async () => {
    const study = await runStudy(presetSpec('ensembles'));
    assert.equal(study.kind, 'ensembles');
    if (study.kind !== 'ensembles') return;
    const rows = study.series.rows;
    const bag = rows.find((r) => r.kind === 'bagging')!,
      boost = rows.find((r) => r.kind === 'boosting')!;
    // Boosting lowers the weak learner's bias: against the weak net and against its own first round.
    for (const d of [boost.delta!, boost.vsFirst!])
      assert.ok(d.pHolm <= ALPHA && d.mean > 0, JSON.stringify({ delta: boost.delta, vsFirst: boost.vsFirst }));
    // Bagging lowers the variance of the wide net: the vote beats the mean of its own members,
    // significantly after Holm. Against one member alone and against the single net trained on
    // every row, the direction; their significance is whatever the data give, and the summary says which.
    assert.ok(
      bag.vsMembers && bag.vsMembers.pHolm <= ALPHA && bag.vsMembers.mean > 0,
      JSON.stringify({ vsMembers: bag.vsMembers, vsFirst: bag.vsFirst, delta: bag.delta }),
    );
    assert.ok(bag.vsFirst && bag.vsFirst.mean > 0, JSON.stringify(bag.vsFirst));
    assert.ok(bag.oob);
    // The variance it removes: the members disagree with the vote, on less than their own error.
    const memberError = 1 - bag.vsMembers.members.mean!;
    assert.ok(bag.variance && bag.variance.mean! > 0 && bag.variance.mean! < memberError, JSON.stringify(bag.variance));
    has(study.summary, `Δ +${sig(bag.vsMembers.mean)} `);
    has(
      study.summary,
      `is ${sig(bag.variance.mean)}, ${sig((100 * bag.variance.mean!) / memberError, 2)}% of a member's error`,
    );
    // One point per member and per round asked for (boosting's stopped chains carried forward).
    assert.equal(bag.curve?.length, 10);
    assert.equal(boost.curve?.length, 10);
    for (const p of [...bag.curve, ...boost.curve])
      assert.equal(p.value.n, 10, 'every point a mean over the 10 splits');
    // vsFirst is the curve's last point against its first, split by split.
    const diffs = boost.curve.at(-1)!.value.values.map((v, i) => v - boost.curve![0].value.values[i]);
    assert.ok(Math.abs(diffs.reduce((a, b) => a + b, 0) / diffs.length - boost.vsFirst!.mean) < 1e-12);
    for (const r of [bag, boost]) {
      has(study.summary, `Δ ${r.delta!.mean >= 0 ? '+' : ''}${sig(r.delta!.mean)} `);
      has(study.summary, `${r.label} (10 ${r.kind === 'bagging' ? 'members' : 'rounds'}`);
      has(study.summary, `Δ ${r.vsFirst!.mean >= 0 ? '+' : ''}${sig(r.vsFirst!.mean)} `);
    }
    has(study.summary, 'significantly better');
    has(study.summary, 'the rounds lower the bias significantly');
    has(study.summary, 'averaging the members lowers the variance significantly');
    if (bag.delta!.pHolm > ALPHA) has(study.summary, 'the gain over the single model is not');
    // The flat curves the report screen draws: a single model's score, or the ensemble's score by size.
    assert.deepEqual(
      study.series.curves.map((c) => [c.label, c.curve?.length ?? c.single?.mean]),
      rows.map((r) => [r.label, r.curve?.length ?? r.value.mean]),
    );
  },
);
