/**
 * Builds a synthetic data set from its spec (`dataset.name` = circles, moons, spirals, xor,
 * blobs, sine or polynomial). Bundled and CSV sets need file reading and are loaded by the
 * Node side (app/datasets.ts), which calls this for the synthetic names.
 */
import {
  SYNTHETIC_CLASSIFICATION_DATASETS,
  SYNTHETIC_DATASETS,
  SYNTHETIC_REGRESSION_DATASETS,
} from '../schema/spec.ts';
import type { DatasetSpec } from '../schema/types.ts';
import type { Dataset, Task } from './dataset.ts';
import type { Rng } from '../rng.ts';
import { makeBlobs, makeCircles, makeMoons, makeSpirals, makeXor } from './synthetic.ts';
import { makePolynomial, makeSine } from './regression.ts';

/** The synthetic data sets (the spec schema's lists). */
export const SYNTHETIC_CLASSIFICATION_NAMES = SYNTHETIC_CLASSIFICATION_DATASETS;
export const SYNTHETIC_REGRESSION_NAMES = SYNTHETIC_REGRESSION_DATASETS;
export const SYNTHETIC_NAMES = SYNTHETIC_DATASETS;
export type SyntheticName = (typeof SYNTHETIC_NAMES)[number];

export function isSyntheticName(name: string): name is SyntheticName {
  return (SYNTHETIC_NAMES as readonly string[]).includes(name);
}

/** The task a spec's data set will have, known before loading it (CSV: its `task`, default classification). */
export function specTask(spec: Pick<DatasetSpec, 'name' | 'task'>): Task {
  if ((SYNTHETIC_REGRESSION_NAMES as readonly string[]).includes(spec.name)) return 'regression';
  if (spec.name === 'csv') return spec.task ?? 'classification';
  return 'classification';
}

/**
 * The synthetic set a spec names, drawn from `rng`. Options the spec leaves out take each
 * generator's defaults; invalid values throw a RangeError (validateDatasetSpec reports them
 * all at once, with paths, before anything runs).
 */
export function makeDataset(spec: DatasetSpec, rng: Rng): Dataset {
  const data = makeClean(spec, rng);
  const p = spec.labelNoise ?? 0;
  if (p > 0 && data.task === 'classification') flipLabels(data, p, rng.fork('labelNoise'));
  return data;
}

/**
 * Replaces the class of each row, with probability p, by one of the other classes drawn
 * uniformly: label noise that no model can explain, so that a model fitting every training
 * row must fit noise (scikit-learn's flip_y, except that a flipped row never keeps its class).
 * The features are untouched, drawn before from the set's own stream.
 */
export function flipLabels(data: Dataset, p: number, rng: Rng): void {
  const K = data.classes;
  for (let i = 0; i < data.n; i++) {
    if (rng.uniform() < p) data.y[i] = (data.y[i] + 1 + rng.int(K - 1)) % K;
  }
}

function makeClean(spec: DatasetSpec, rng: Rng): Dataset {
  const common = { samples: spec.samples, noise: spec.noise };
  switch (spec.name) {
    case 'circles':
      return makeCircles(common, rng);
    case 'moons':
      return makeMoons(common, rng);
    case 'spirals':
      return makeSpirals({ ...common, classes: spec.classes }, rng);
    case 'xor':
      return makeXor(common, rng);
    case 'blobs':
      return makeBlobs({ ...common, classes: spec.classes }, rng);
    case 'sine':
      return makeSine(common, rng);
    case 'polynomial':
      return makePolynomial({ ...common, degree: spec.degree }, rng);
    default:
      throw new Error(
        `makeDataset: ${JSON.stringify(spec.name)} is not a synthetic data set (known: ${SYNTHETIC_NAMES.join(', ')}); ` +
          'bundled and CSV sets are loaded with loadDataset in app/datasets.ts',
      );
  }
}
