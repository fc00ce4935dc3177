/**
 * The planner: an experiment spec and its data become configurations, splits and jobs with
 * stable keys. Everything random derives from the experiment seed through named streams:
 * the test cut and the folds from the base seed (so every configuration sees the same rows),
 * each fit from its configuration's seed and the key without its config part (so two
 * configurations on the same fold start from the same weights when shapes agree).
 */
import type { Dataset } from '../data/dataset.ts';
import { datasetHash } from '../data/dataset.ts';
import { drawFromTruth } from '../data/regression.ts';
import { splitIndices } from '../data/split.ts';
import { hash32, Rng } from '../rng.ts';
import { kFold, stratifiedKFold, leaveOneOut, smallClasses } from '../resample/kfold.ts';
import { bootstrapSample } from '../resample/bootstrap.ts';
import type { FitConfig } from '../train/fit.ts';
import { expandSweep, setPath } from './sweep.ts';
import { tuningValues } from './tuning.ts';
import type { Configuration, ExperimentSpec, Job } from './types.ts';
import { jobKey, memberKey, SET, splitKey, tuneKey, withoutConfig, withoutModel, withoutTune } from './keys.ts';

/** One way of cutting the development rows: the rows a model trains on and the rows it is judged on. */
export interface Split {
  /** `repeat=0/fold=3`, `fold=0` (holdout), `replicate=7` (bootstrap). */
  key: string;
  /** Rows to train on (data rows; repeats allowed for bootstrap replicates). */
  train: Uint32Array;
  /** Rows this split is judged on: the held-out fold, the validation part (holdout), the out-of-bag rows (bootstrap). The job scores them as its SET.scored set. */
  scored: Uint32Array;
}

/** The rows of one data set as the experiment uses them. */
export interface DataPlan {
  hash: string;
  data: Dataset;
  /** The held-out test part: never trained on, never used for a choice, scored once per final model. */
  test: Uint32Array;
  /** Everything but the test part. */
  dev: Uint32Array;
  splits: Split[];
}

/** A boosting chain: its rounds run one after another on the same split. */
export interface Chain {
  /** `config=0/fold=2`; round jobs are `${key}/round=${r}`. */
  key: string;
  config: number;
  split: Split;
  dataHash: string;
}

export interface Plan {
  spec: ExperimentSpec;
  configurations: Configuration[];
  /** Data plan per configuration (configurations that share a dataset spec share the object). */
  data: DataPlan[];
  /** Jobs that can run in any order, in key order. */
  jobs: Job[];
  /** Boosting chains (their jobs are made round by round as results arrive). */
  chains: Chain[];
  /** Things the user should know that do not stop the run (e.g. a class too small for every fold). */
  warnings: string[];
}

/** scikit-learn's warning when stratified k-fold meets a class with fewer than k members; null when none does. */
export function smallClassWarning(spec: ExperimentSpec, data: Dataset, dev: Uint32Array): string | null {
  const ev = spec.evaluation;
  if (ev?.kind !== 'kfold' || data.task !== 'classification' || !(ev.stratified ?? true)) return null;
  const small = smallClasses(
    Float32Array.from(dev, (r) => data.y[r]),
    ev.k,
  );
  if (!small.length) return null;
  const names = small.map((c) => `${data.classNames[c.label] ?? c.label} (${c.count})`).join(', ');
  return (
    `evaluation.k = ${ev.k}, but ${small.length === 1 ? 'class' : 'classes'} ${names} ${small.length === 1 ? 'has' : 'have'} ` +
    `fewer members than folds in the training and validation rows: ${small.length === 1 ? 'it is' : 'they are'} missing from some validation folds (scikit-learn warns the same way)`
  );
}

export type LoadData = (spec: ExperimentSpec['dataset'], rng: Rng) => Dataset;

/** Seed of a fit: the configuration's seed mixed with the key minus its config part. */
export function jobSeed(configSeed: number, keyWithoutConfig: string): number {
  return hash32(keyWithoutConfig, configSeed >>> 0);
}

function fitConfig(spec: ExperimentSpec): FitConfig {
  return {
    model: spec.model,
    loss: spec.loss,
    optimizer: spec.optimizer,
    training: spec.training,
    regularization: spec.regularization,
    dataset: { standardize: spec.dataset.standardize },
  };
}

function splitsFor(spec: ExperimentSpec, data: Dataset, dev: Uint32Array, rng: Rng): Split[] {
  const ev = spec.evaluation ?? { kind: 'holdout' };
  const classification = data.task === 'classification';
  const mapRows = (idx: Uint32Array) => Uint32Array.from(idx, (i) => dev[i]);
  switch (ev.kind) {
    case 'holdout': {
      const y = Float32Array.from(dev, (r) => data.y[r]);
      const s = splitIndices(
        y,
        dev.length,
        {
          testFraction: 0,
          valFraction: spec.dataset.valFraction ?? 0.2,
          stratify: classification && (spec.dataset.stratify ?? true),
        },
        rng.fork('holdout'),
      );
      return [{ key: splitKey.holdout(), train: mapRows(s.train), scored: mapRows(s.val) }];
    }
    case 'kfold': {
      const out: Split[] = [];
      const repeats = ev.repeats ?? 1;
      const y = Float32Array.from(dev, (r) => data.y[r]);
      for (let r = 0; r < repeats; r++) {
        const o = { shuffle: repeats > 1 || (ev.shuffle ?? true), rng: rng.fork(`repeat=${r}`) };
        // As scikit-learn: a class with fewer than k members is left out of some test folds (a warning, see plan()).
        const folds =
          classification && (ev.stratified ?? true)
            ? stratifiedKFold(y, ev.k, { ...o, allowSmallClasses: true })
            : kFold(dev.length, ev.k, o);
        folds.forEach((f, i) =>
          out.push({ key: splitKey.kfold(r, i), train: mapRows(f.train), scored: mapRows(f.test) }),
        );
      }
      return out;
    }
    case 'loo':
      return leaveOneOut(dev.length).map((f, i) => ({
        key: splitKey.loo(i),
        train: mapRows(f.train),
        scored: mapRows(f.test),
      }));
    case 'bootstrap': {
      const out: Split[] = [];
      for (let b = 0; b < ev.replicates; b++) {
        const s = bootstrapSample(dev.length, rng.fork(splitKey.bootstrap(b)));
        out.push({ key: splitKey.bootstrap(b), train: mapRows(s.sample), scored: mapRows(s.oob) });
      }
      return out;
    }
  }
}

/**
 * The textbook bias–variance protocol: R training sets of the development part's size drawn
 * fresh from the synthetic set's generator, appended after its rows (the test part and the
 * development rows keep their indices). Replicate r trains on block r and is scored on the
 * development rows, which none of the fresh sets contains.
 */
function freshTrainingSets(
  data: Dataset,
  size: number,
  replicates: number,
  rng: Rng,
): { data: Dataset; splits: (dev: Uint32Array) => Split[] } {
  const blocks = Array.from({ length: replicates }, (_, r) => drawFromTruth(data, size, rng.fork(`replicate=${r}`)));
  const n = data.n + replicates * size;
  const x = new Float32Array(n * data.d),
    y = new Float32Array(n);
  x.set(data.x);
  y.set(data.y);
  blocks.forEach((b, r) => {
    x.set(b.x, (data.n + r * size) * data.d);
    y.set(b.y, data.n + r * size);
  });
  const combined: Dataset = { ...data, n, x, y };
  return {
    data: combined,
    splits: (dev) =>
      blocks.map((_, r) => ({
        key: splitKey.bootstrap(r),
        train: Uint32Array.from({ length: size }, (_, i) => data.n + r * size + i),
        scored: dev,
      })),
  };
}

/** Unique rows of a (possibly repeated) row list, ascending. */
export function uniqueRows(rows: Uint32Array): Uint32Array {
  return Uint32Array.from(new Set(rows)).sort();
}

/**
 * The rows one fit trains on and its inner validation rows. With early stopping or tuning, a
 * part of the split's own training rows is held out for them (never the rows the split is
 * judged on); for a bootstrap sample the held-out rows are removed with all their copies.
 */
export function innerSplit(
  spec: ExperimentSpec,
  data: Dataset,
  train: Uint32Array,
  rng: Rng,
): { trainRows: Uint32Array; inner?: Uint32Array } {
  if (!spec.training.earlyStopping && !spec.tuning) return { trainRows: train };
  const unique = uniqueRows(train);
  const y = Float32Array.from(unique, (r) => data.y[r]);
  const classification = data.task === 'classification';
  const s = splitIndices(
    y,
    unique.length,
    {
      testFraction: 0,
      valFraction: spec.dataset.valFraction || 0.2,
      stratify: classification && (spec.dataset.stratify ?? true),
    },
    rng,
  );
  const inner = Uint32Array.from(s.val, (i) => unique[i]);
  const held = new Set(inner);
  return { trainRows: train.filter((r) => !held.has(r)), inner };
}

/** A fit job on `train`, judged on the split's `scored` rows, and scored on the test part. */
export function makeJob(
  spec: ExperimentSpec,
  config: number,
  key: string,
  dp: DataPlan,
  train: Uint32Array,
  scored: Uint32Array,
  extra: Partial<Job> = {},
): Job {
  // Tuning candidates of a split share its seeds (inner rows, initial weights, shuffles): only the tuned value differs.
  const keyNoConfig = withoutTune(withoutConfig(key));
  const configSeed = spec.seed;
  const { trainRows, inner } = innerSplit(
    spec,
    dp.data,
    train,
    new Rng(jobSeed(configSeed, keyNoConfig)).fork('inner'),
  );
  const evals: Record<string, Uint32Array> = { [SET.train]: trainRows, [SET.scored]: scored };
  if (inner) evals[SET.inner] = inner;
  if (dp.test.length) evals[SET.test] = dp.test;
  const curves: string[] = inner ? [SET.train, SET.scored, SET.inner] : [SET.train, SET.scored];
  return {
    key,
    config,
    seed: jobSeed(configSeed, keyNoConfig),
    initSeed: jobSeed(configSeed, withoutModel(keyNoConfig)),
    dataHash: dp.hash,
    train: trainRows,
    evals,
    curves,
    monitor: inner ? SET.inner : undefined,
    outputsFor: dp.test.length ? [SET.scored, SET.test] : [SET.scored],
    fitConfig: fitConfig(spec),
    analysis: spec.analysis ?? null,
    ...extra,
  };
}

export function plan(spec: ExperimentSpec, load: LoadData): Plan {
  const configurations = expandSweep(spec);
  const base = new Rng(spec.seed);
  const byDataSpec = new Map<string, DataPlan>();
  const dataPlans: DataPlan[] = [];
  for (const c of configurations) {
    const dsKey = JSON.stringify(c.spec.dataset);
    let dp = byDataSpec.get(dsKey);
    if (!dp) {
      const data = load(c.spec.dataset, base.fork('data'));
      const cut = splitIndices(
        data.y,
        data.n,
        {
          testFraction: c.spec.dataset.testFraction ?? 0,
          valFraction: 0,
          stratify: data.task === 'classification' && (c.spec.dataset.stratify ?? true),
        },
        base.fork('split'),
      );
      const dev = cut.train;
      const ev = c.spec.evaluation;
      if (ev?.kind === 'bootstrap' && ev.trainingSets === 'fresh') {
        const fresh = freshTrainingSets(data, dev.length, ev.replicates, base.fork('fresh'));
        dp = { hash: datasetHash(fresh.data), data: fresh.data, test: cut.test, dev, splits: fresh.splits(dev) };
      } else {
        dp = {
          hash: datasetHash(data),
          data,
          test: cut.test,
          dev,
          splits: splitsFor(c.spec, data, dev, base.fork('folds')),
        };
      }
      byDataSpec.set(dsKey, dp);
    }
    dataPlans.push(dp);
  }
  const warnings: string[] = [];
  for (const dp of new Set(dataPlans)) {
    const w = smallClassWarning(configurations[dataPlans.indexOf(dp)].spec, dp.data, dp.dev);
    if (w && !warnings.includes(w)) warnings.push(w);
  }
  const jobs: Job[] = [];
  const chains: Chain[] = [];
  configurations.forEach((c, ci) => {
    const dp = dataPlans[ci];
    const ens = c.spec.ensemble;
    for (const split of dp.splits) {
      const key = jobKey(c.key, split.key);
      if (c.spec.tuning) {
        const path = c.spec.tuning.path;
        tuningValues(c.spec).forEach((v, i) => {
          const spec = structuredClone(c.spec);
          setPath(spec, path, v);
          jobs.push(makeJob(spec, ci, tuneKey(key, i), dp, split.train, split.scored));
        });
      } else if (!ens) jobs.push(makeJob(c.spec, ci, key, dp, split.train, split.scored));
      else if (ens.kind === 'bagging') {
        const splitTrainRows = uniqueRows(split.train);
        for (let m = 0; m < ens.members; m++) {
          const mk = memberKey(key, m);
          const s = bootstrapSample(split.train.length, new Rng(jobSeed(c.spec.seed, withoutConfig(mk))).fork('bag'));
          const sample = Uint32Array.from(s.sample, (i) => split.train[i]);
          const job = makeJob(c.spec, ci, mk, dp, sample, split.scored);
          job.evals[SET.splitTrain] = splitTrainRows;
          job.outputsFor = [...job.outputsFor, SET.splitTrain];
          jobs.push(job);
        }
      } else chains.push({ key, config: ci, split, dataHash: dp.hash });
    }
  });
  return { spec, configurations, data: dataPlans, jobs, chains, warnings };
}
