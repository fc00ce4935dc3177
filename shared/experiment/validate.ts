/**
 * Validation of an experiment spec by its schema (ExperimentSpecSchema): the training spec's
 * checks, the evaluation, ensemble, sweep and analysis sections, then every configuration of
 * the sweep resolved and checked again, so a bad swept value is reported with the
 * configuration it belongs to.
 */
import { isObject, join, show, type Problems } from '../schema/check.ts';
import { validateTrainSpec, TRAIN_KEYS } from '../schema/validate.ts';
import { AnalysisSchema, ExperimentSpecSchema, STUDY_KINDS, SYNTHETIC_REGRESSION_DATASETS } from '../schema/spec.ts';
import { checkField, checkSection, keysOf } from '../schema/walk.ts';
import { expandSweep, getPath, validateSweep } from './sweep.ts';
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

/** What the tuning section's schema leaves to code: its path must name a number in the spec. */
function validateTuning(spec: Record<string, unknown>, out: Problems): void {
  const v = spec.tuning;
  if (!isObject(v)) return;
  if (typeof v.path !== 'string' || !v.path) out.push('tuning.path: required, a spec path such as "optimizer.lr"');
  else if (typeof getPath(spec, v.path) !== 'number')
    out.push(`tuning.path: "${v.path}" must name a number in the spec, got ${show(getPath(spec, v.path))}`);
  if (Array.isArray(v.factors) && v.factors.length > 20)
    out.push(`tuning.factors: at most 20 candidates, got ${v.factors.length}`);
  if (spec.ensemble) out.push('tuning: cannot be combined with an ensemble');
}

/** Every problem of an experiment spec, each with its JSON path; empty means it can run. */
export function validateExperimentSpec(spec: unknown): Problems {
  const out = validateTrainSpec(spec, EXPERIMENT_KEYS);
  if (!isObject(spec)) return out;
  const props = ExperimentSpecSchema.properties;
  checkField(props.evaluation, spec, 'evaluation', '', out, false);
  checkField(props.ensemble, spec, 'ensemble', '', out, false);
  validateAnalysis(spec.analysis, 'analysis', out);
  checkField(props.tuning, spec, 'tuning', '', out, false);
  validateTuning(spec, out);
  checkField(props.speed, spec, 'speed', '', out, false);
  if (
    isObject(spec.speed) &&
    spec.speed.monitor === 'val_accuracy' &&
    typeof spec.speed.value === 'number' &&
    spec.speed.value > 1
  )
    out.push(`speed.value: an accuracy is at most 1, got ${spec.speed.value}`);
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
  if (
    isObject(spec.evaluation) &&
    spec.evaluation.trainingSets === 'fresh' &&
    isObject(spec.dataset) &&
    !(SYNTHETIC_REGRESSION_DATASETS as readonly unknown[]).includes(spec.dataset.name)
  ) {
    out.push(
      `evaluation.trainingSets: "fresh" draws new training sets from a known generator; only ${SYNTHETIC_REGRESSION_DATASETS.join(' and ')} have one, got "${String(spec.dataset.name)}"`,
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
