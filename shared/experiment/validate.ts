/**
 * Validation of an experiment spec: the training spec's checks, the evaluation, ensemble,
 * sweep and analysis sections, then every configuration of the sweep resolved and checked
 * again, so a bad swept value is reported with the configuration it belongs to.
 */
import { bool, isObject, join, num, oneOf, show, sub, unknownKeys, type Problems } from '../schema/check.ts';
import { validateTrainSpec } from '../schema/validate.ts';
import { expandSweep, getPath, validateSweep } from './sweep.ts';
import type { ExperimentSpec } from './types.ts';

export const EXPERIMENT_KEYS = ['evaluation', 'ensemble', 'sweep', 'analysis', 'study', 'tuning', 'speed'] as const;
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
    unknownKeys(v, ['kind', 'replicates', 'trainingSets'], path, out);
    num(v, 'replicates', path, { integer: true, min: 2, max: 10000 }, out, true);
    oneOf(v, 'trainingSets', path, ['resample', 'fresh'] as const, out);
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
  unknownKeys(v, ['sharpness', 'hessian', 'objective', 'keepWeights'], path, out);
  oneOf(v, 'objective', path, ['data', 'training'] as const, out);
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
    unknownKeys(h, ['iterations', 'tolerance'], join(path, 'hessian'), out);
    num(h, 'iterations', join(path, 'hessian'), { integer: true, min: 1, max: 1000 }, out);
    num(h, 'tolerance', join(path, 'hessian'), { min: 0, max: 1 }, out);
  }
  bool(v, 'keepWeights', path, out);
}

function validateTuning(spec: Record<string, unknown>, out: Problems): void {
  const v = spec.tuning;
  if (v === undefined || v === null) return;
  const path = 'tuning';
  if (!isObject(v)) return void out.push(`${path}: must be an object with path and factors, got ${show(v)}`);
  unknownKeys(v, ['path', 'factors', 'by'], path, out);
  if (typeof v.path !== 'string' || !v.path) out.push(`${path}.path: required, a spec path such as "optimizer.lr"`);
  else if (typeof getPath(spec, v.path) !== 'number')
    out.push(`${path}.path: "${v.path}" must name a number in the spec, got ${show(getPath(spec, v.path))}`);
  if (
    !Array.isArray(v.factors) ||
    v.factors.length === 0 ||
    v.factors.length > 20 ||
    v.factors.some((f) => typeof f !== 'number' || !(f > 0) || !Number.isFinite(f))
  )
    out.push(`${path}.factors: must be a list of 1 to 20 numbers > 0, got ${show(v.factors)}`);
  oneOf(v, 'by', path, ['loss', 'accuracy'] as const, out);
  if (spec.ensemble) out.push(`${path}: cannot be combined with an ensemble`);
}

function validateSpeed(v: unknown, out: Problems): void {
  if (v === undefined || v === null) return;
  const path = 'speed';
  if (!isObject(v)) return void out.push(`${path}: must be an object with monitor and value, got ${show(v)}`);
  unknownKeys(v, ['monitor', 'value'], path, out);
  const m = oneOf(v, 'monitor', path, ['val_loss', 'val_accuracy', 'val_mse'] as const, out, true);
  num(v, 'value', path, m === 'val_accuracy' ? { min: 0, max: 1 } : { min: 0 }, out, true);
}

/** Every problem of an experiment spec, each with its JSON path; empty means it can run. */
export function validateExperimentSpec(spec: unknown): Problems {
  const out = validateTrainSpec(spec, EXPERIMENT_KEYS);
  if (!isObject(spec)) return out;
  validateEvaluation(spec.evaluation, 'evaluation', out);
  validateEnsemble(spec.ensemble, 'ensemble', out);
  validateAnalysis(spec.analysis, 'analysis', out);
  validateTuning(spec, out);
  validateSpeed(spec.speed, out);
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
  if (
    isObject(spec.evaluation) &&
    spec.evaluation.trainingSets === 'fresh' &&
    isObject(spec.dataset) &&
    !['sine', 'polynomial'].includes(spec.dataset.name as string)
  ) {
    out.push(
      'evaluation.trainingSets: "fresh" draws new training sets from a known generator; only the synthetic regression sets (sine, polynomial) have one',
    );
  }
  if (isObject(spec.ensemble) && spec.ensemble.kind === 'boosting' && isObject(spec.loss) && spec.loss.kind === 'mse') {
    out.push('ensemble: AdaBoost (SAMME) is for classification; the loss is mse');
  }
  if (out.length === 0 && spec.sweep) {
    // Each configuration must be a valid spec on its own: a swept value can be wrong.
    for (const c of expandSweep(spec as unknown as ExperimentSpec)) {
      const problems = validateTrainSpec(c.spec, EXPERIMENT_KEYS);
      const t = c.spec.tuning;
      if (t && typeof getPath(c.spec, t.path) !== 'number')
        problems.push(
          `tuning.path: "${t.path}" is not a number in this configuration (give it a value to tune around)`,
        );
      for (const p of problems) out.push(`sweep (${c.key}: ${c.label}): ${p}`);
    }
  }
  return out;
}
