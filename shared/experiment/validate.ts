/**
 * Validation of an experiment spec: the training spec's checks, the evaluation, ensemble,
 * sweep and analysis sections, then every configuration of the sweep resolved and checked
 * again, so a bad swept value is reported with the configuration it belongs to.
 */
import { bool, isObject, join, num, oneOf, show, sub, unknownKeys, type Problems } from '../schema/check.ts';
import { validateTrainSpec } from '../schema/validate.ts';
import { expandSweep, validateSweep } from './sweep.ts';
import type { ExperimentSpec } from './types.ts';

export const EXPERIMENT_KEYS = ['evaluation', 'ensemble', 'sweep', 'analysis', 'study'] as const;
export const STUDIES = [
  'optimizers',
  'capacity',
  'bias-variance',
  'batch-size',
  'regularization',
  'ensembles',
] as const;

function validateEvaluation(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!isObject(v))
    return void out.push(`${path}: must be an object with a kind (holdout, kfold, loo, bootstrap), got ${show(v)}`);
  const kind = oneOf(v, 'kind', path, ['holdout', 'kfold', 'loo', 'bootstrap'] as const, out, true);
  if (kind === 'holdout' || kind === 'loo') unknownKeys(v, ['kind'], path, out);
  if (kind === 'kfold') {
    unknownKeys(v, ['kind', 'k', 'stratified', 'repeats', 'shuffle'], path, out);
    num(v, 'k', path, { integer: true, min: 2, max: 1000 }, out, true);
    num(v, 'repeats', path, { integer: true, min: 1, max: 100 }, out);
    bool(v, 'stratified', path, out);
    bool(v, 'shuffle', path, out);
  }
  if (kind === 'bootstrap') {
    unknownKeys(v, ['kind', 'replicates'], path, out);
    num(v, 'replicates', path, { integer: true, min: 2, max: 10000 }, out, true);
  }
}

function validateEnsemble(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!isObject(v))
    return void out.push(`${path}: must be an object with a kind (bagging, boosting) or null, got ${show(v)}`);
  const kind = oneOf(v, 'kind', path, ['bagging', 'boosting'] as const, out, true);
  if (kind === 'bagging') {
    unknownKeys(v, ['kind', 'members', 'vote'], path, out);
    num(v, 'members', path, { integer: true, min: 1, max: 1000 }, out, true);
    oneOf(v, 'vote', path, ['hard', 'soft'] as const, out);
  }
  if (kind === 'boosting') {
    unknownKeys(v, ['kind', 'rounds', 'learning_rate', 'mode'], path, out);
    num(v, 'rounds', path, { integer: true, min: 1, max: 1000 }, out, true);
    num(v, 'learning_rate', path, { gt: 0 }, out);
    oneOf(v, 'mode', path, ['weights', 'resample'] as const, out);
  }
}

function validateAnalysis(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) return void out.push(`${path}: must be an object, got ${show(v)}`);
  unknownKeys(v, ['sharpness', 'hessian', 'keepWeights'], path, out);
  const s = sub(v, 'sharpness', path, out);
  if (s) {
    const p = join(path, 'sharpness');
    unknownKeys(s, ['epsilons'], p, out);
    if (
      !Array.isArray(s.epsilons) ||
      s.epsilons.length === 0 ||
      s.epsilons.some((e) => typeof e !== 'number' || !(e > 0))
    ) {
      out.push(`${p}.epsilons: must be a non-empty list of numbers > 0, got ${show(s.epsilons)}`);
    }
  }
  const h = sub(v, 'hessian', path, out);
  if (h) {
    unknownKeys(h, ['iterations'], join(path, 'hessian'), out);
    num(h, 'iterations', join(path, 'hessian'), { integer: true, min: 1, max: 1000 }, out);
  }
  bool(v, 'keepWeights', path, out);
}

/** Every problem of an experiment spec, each with its JSON path; empty means it can run. */
export function validateExperimentSpec(spec: unknown): Problems {
  const out = validateTrainSpec(spec, EXPERIMENT_KEYS);
  if (!isObject(spec)) return out;
  validateEvaluation(spec.evaluation, 'evaluation', out);
  validateEnsemble(spec.ensemble, 'ensemble', out);
  validateAnalysis(spec.analysis, 'analysis', out);
  oneOf(spec, 'study', '', STUDIES, out);
  const sweepProblems = validateSweep(spec.sweep);
  out.push(...sweepProblems);
  if (
    isObject(spec.evaluation) &&
    spec.evaluation.kind === 'holdout' &&
    isObject(spec.dataset) &&
    spec.dataset.valFraction === 0
  ) {
    out.push('evaluation: holdout scores on the validation part, but dataset.valFraction is 0');
  }
  if (isObject(spec.ensemble) && spec.ensemble.kind === 'boosting' && isObject(spec.loss) && spec.loss.kind === 'mse') {
    out.push('ensemble: AdaBoost (SAMME) is for classification; the loss is mse');
  }
  if (out.length === 0 && spec.sweep) {
    // Each configuration must be a valid spec on its own: a swept value can be wrong.
    for (const c of expandSweep(spec as unknown as ExperimentSpec)) {
      const problems = validateTrainSpec(c.spec, EXPERIMENT_KEYS);
      for (const p of problems) out.push(`sweep (${c.key}: ${c.label}): ${p}`);
    }
  }
  return out;
}
