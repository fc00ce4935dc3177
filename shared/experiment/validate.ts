/**
 * Validation of an experiment spec by its schema (ExperimentSpecSchema): the training spec's
 * checks, the evaluation, ensemble, sweep and analysis sections, then every configuration of
 * the sweep resolved and checked again, so a bad swept value is reported with the
 * configuration it belongs to.
 */
import { isObject, join, show, type Problems } from '../schema/check.ts';
import { validateTrainSpec, TRAIN_KEYS } from '../schema/validate.ts';
import { AnalysisSchema, ExperimentSpecSchema, STUDY_KINDS } from '../schema/spec.ts';
import { checkField, checkSection, keysOf } from '../schema/walk.ts';
import { expandSweep, validateSweep } from './sweep.ts';
import type { ExperimentSpec } from './types.ts';

/** The experiment spec's keys beyond the training spec's (ExperimentSpecSchema). */
export const EXPERIMENT_KEYS = keysOf(ExperimentSpecSchema).filter((k) => !TRAIN_KEYS.includes(k));
export const STUDIES = STUDY_KINDS;

function validateAnalysis(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  checkSection(AnalysisSchema, v, path, out, {
    code: {
      sharpness: (s, p) => {
        if (s === undefined || s === null) return;
        if (!isObject(s)) return void out.push(`${p}: must be an object, got ${show(s)}`);
        for (const k of Object.keys(s))
          if (k !== 'epsilons') out.push(`${join(p, k)}: unknown option (known: epsilons)`);
        if (
          !Array.isArray(s.epsilons) ||
          s.epsilons.length === 0 ||
          s.epsilons.some((e) => typeof e !== 'number' || !(e > 0))
        )
          out.push(`${p}.epsilons: must be a non-empty list of numbers > 0, got ${show(s.epsilons)}`);
      },
    },
  });
}

/** Every problem of an experiment spec, each with its JSON path; empty means it can run. */
export function validateExperimentSpec(spec: unknown): Problems {
  const out = validateTrainSpec(spec, EXPERIMENT_KEYS);
  if (!isObject(spec)) return out;
  const props = ExperimentSpecSchema.properties;
  checkField(props.evaluation, spec, 'evaluation', '', out, false);
  checkField(props.ensemble, spec, 'ensemble', '', out, false);
  validateAnalysis(spec.analysis, 'analysis', out);
  checkField(props.study, spec, 'study', '', out, false);
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
