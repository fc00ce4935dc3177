/**
 * Checks of a spec that need its data: whether the loss fits the task and the classes, and
 * whether the evaluation can cut the rows. Reported like every spec problem, `path: message`,
 * and for a swept configuration with the configuration in front.
 */
import type { Dataset } from '../data/dataset.ts';
import { cutSize } from '../data/split.ts';
import type { TrainSpec } from '../schema/types.ts';
import { expandSweep } from './sweep.ts';
import type { ExperimentSpec } from './types.ts';

/** The loss against the data set's task and classes (also what `optlab train` checks). */
export function lossProblems(spec: Pick<TrainSpec, 'loss'>, data: Pick<Dataset, 'task' | 'classes'>): string[] {
  const out: string[] = [];
  if (data.task === 'regression' && spec.loss.kind !== 'mse')
    out.push(`loss.kind: the data set is a regression set; use "mse", got "${spec.loss.kind}"`);
  if (data.task === 'classification' && spec.loss.kind === 'mse')
    out.push(`loss.kind: the data set is a classification set; use "cross_entropy" or "bce"`);
  if (spec.loss.kind === 'bce' && data.classes !== 2)
    out.push(`loss.kind: "bce" needs exactly 2 classes, the data set has ${data.classes}; use "cross_entropy"`);
  return out;
}

function configurationProblems(spec: ExperimentSpec, data: Dataset): string[] {
  const out = lossProblems(spec, data);
  const dev = data.n - cutSize(spec.dataset.testFraction ?? 0, data.n);
  const ev = spec.evaluation;
  if (ev?.kind === 'kfold' && ev.k > dev)
    out.push(`evaluation.k: ${ev.k} folds need at least ${ev.k} rows; the development part has ${dev}`);
  if (ev?.kind === 'loo' && dev < 2)
    out.push(`evaluation: leave-one-out needs at least 2 rows, the development part has ${dev}`);
  if (spec.ensemble?.kind === 'boosting' && data.task === 'regression')
    out.push('ensemble: AdaBoost (SAMME) is for classification; the data set is a regression set');
  return out;
}

/**
 * Every problem of a valid spec against its data; `load` gives each configuration's data
 * set (configurations that sweep the data set get their own).
 */
export function dataProblems(spec: ExperimentSpec, load: (dataset: ExperimentSpec['dataset']) => Dataset): string[] {
  const configurations = expandSweep(spec);
  if (configurations.length === 1) return configurationProblems(spec, load(spec.dataset));
  const out: string[] = [];
  for (const c of configurations)
    for (const p of configurationProblems(c.spec, load(c.spec.dataset))) out.push(`sweep (${c.key}: ${c.label}): ${p}`);
  return out;
}
