/**
 * Validation of a training spec (`optlab train`) by its schema (shared/schema/spec.ts): each
 * section's fields by the walker, the checks between fields as code in their turn, and the
 * checks between sections once each section is valid on its own.
 */
import type { TrainSpec } from './types.ts';
import { isObject, show, type Problems } from './check.ts';
import { RegularizationSchema, TrainingSchema, TrainSpecSchema } from './spec.ts';
import { checkObject, checkSection, keysOf } from './walk.ts';
import { validateDatasetSpec } from '../data/validate.ts';
import { validateModelSpec } from '../nn/model.ts';
import { validateLossSpec } from '../nn/loss.ts';
import { validateOptimizerSpec } from '../optim/index.ts';
import { validateSchedule } from '../optim/schedule.ts';
import { specTask } from '../data/make.ts';
import { BUNDLED, isBundledName } from '../data/bundled.ts';

/** Top-level keys of a training spec; the experiment spec adds its own. */
export const TRAIN_KEYS = keysOf(TrainSpecSchema);

export function validateTraining(v: unknown, path: string, out: Problems): void {
  checkSection(TrainingSchema, v, path, out, {
    code: {
      curveEvery: (every) => {
        if (
          typeof every === 'number' &&
          Number.isInteger(every) &&
          every > 1 &&
          isObject((v as Record<string, unknown>).earlyStopping)
        )
          out.push(
            `${path}.curveEvery: early stopping checks the validation loss every epoch; use 1 (or leave it out) with earlyStopping`,
          );
      },
      schedule: (schedule, p) => {
        if (schedule !== undefined && schedule !== null) out.push(...validateSchedule(schedule, p));
      },
      target: (t, p) => {
        if (isObject(t) && t.monitor === 'train_accuracy' && typeof t.value === 'number' && t.value > 1)
          out.push(`${p}.value: an accuracy is at most 1, got ${t.value}`);
      },
    },
  });
}

export function validateRegularization(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  const r = checkSection(RegularizationSchema, v, path, out);
  if (r && isObject(r.mixup) && isObject(r.cutmix))
    out.push(`${path}: mixup and cutmix cannot both be on (pick one per configuration)`);
}

/**
 * Every problem of a training spec, each with its JSON path. An empty list means the spec
 * can run; checks that need the loaded data (CSV task, loss against classes) happen later.
 */
export function validateTrainSpec(spec: unknown, extraKeys: readonly string[] = []): Problems {
  const out: Problems = [];
  if (!isObject(spec)) return [`spec: must be a JSON object, got ${show(spec)}`];
  // Each section has its validator (standalone too: the worker protocol and the builders use them).
  const section = (check: (v: unknown, p: string) => string[]) => (v: unknown, p: string) =>
    void out.push(...check(v, p));
  checkObject(TrainSpecSchema, spec, '', out, {
    extraKeys,
    skip: ['dataset', 'model', 'loss', 'optimizer', 'training', 'regularization'],
    code: {
      dataset: section(validateDatasetSpec),
      model: section(validateModelSpec),
      loss: section(validateLossSpec),
      optimizer: section(validateOptimizerSpec),
      training: (v, p) => validateTraining(v, p, out),
      regularization: (v, p) => validateRegularization(v, p, out),
    },
  });
  if (out.length === 0) crossCheck(spec as unknown as TrainSpec, out);
  return out;
}

/** Checks between sections that are only meaningful once each section is valid on its own. */
function crossCheck(spec: TrainSpec, out: Problems): void {
  const regression = specTask(spec.dataset) === 'regression';
  if (regression && spec.loss.kind !== 'mse')
    out.push(`loss.kind: ${spec.dataset.name} is a regression set; use "mse", got "${spec.loss.kind}"`);
  if (!regression && spec.loss.kind === 'mse')
    out.push(`loss.kind: "${spec.dataset.name}" is a classification set; use "cross_entropy" or "bce", got "mse"`);
  // Every batch of one row would be skipped (batch statistics of one row are undefined): zero steps, silently.
  if (spec.model.batchNorm && spec.training.batchSize === 1)
    out.push(
      `training.batchSize: batch norm needs at least 2 rows per batch (the statistics of one row are undefined), got 1; use 2 or more, or turn model.batchNorm off`,
    );
  if (spec.training.earlyStopping && spec.dataset.valFraction === 0)
    out.push(`training.earlyStopping: needs validation rows, but dataset.valFraction is 0`);
  // A CSV's rows are never images; the bundled sets say whether theirs are.
  const images = isBundledName(spec.dataset.name) && BUNDLED[spec.dataset.name].image !== undefined;
  if (spec.regularization?.cutmix && !images)
    out.push(`regularization.cutmix: needs image data (digits), got "${spec.dataset.name}"; use mixup`);
  const aug = spec.regularization?.augment;
  if (aug && !images) {
    for (const k of ['shift', 'rotate', 'flip', 'scale'] as const) {
      if (aug[k])
        out.push(
          `regularization.augment.${k}: needs image data (digits), got "${spec.dataset.name}"; use jitter for tabular rows`,
        );
    }
  }
}
