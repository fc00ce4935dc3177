import type { TrainSpec } from './types.ts';
import { bool, isObject, join, num, oneOf, show, sub, unknownKeys, type Problems } from './check.ts';
import { validateDatasetSpec } from '../data/validate.ts';
import { validateModelSpec } from '../nn/model.ts';
import { validateLossSpec } from '../nn/loss.ts';
import { validateOptimizerSpec } from '../optim/index.ts';
import { validateSchedule } from '../optim/schedule.ts';
import { specTask } from '../data/make.ts';
import { BUNDLED, isBundledName } from '../data/bundled.ts';

/** Top-level keys of a training spec; the experiment spec adds its own. */
export const TRAIN_KEYS = [
  'name',
  'seed',
  'dataset',
  'model',
  'loss',
  'optimizer',
  'training',
  'regularization',
  'tags',
  'notes',
] as const;

export function validateTraining(v: unknown, path: string, out: Problems): void {
  if (!isObject(v)) {
    out.push(`${path}: required object with epochs and batchSize, got ${show(v)}`);
    return;
  }
  unknownKeys(
    v,
    ['epochs', 'batchSize', 'curveEvery', 'shuffle', 'schedule', 'earlyStopping', 'target', 'maxSteps'],
    path,
    out,
  );
  num(v, 'maxSteps', path, { integer: true, min: 1 }, out);
  const tg = sub(v, 'target', path, out);
  if (tg) {
    const p = join(path, 'target');
    unknownKeys(tg, ['monitor', 'value'], p, out);
    const m = oneOf(tg, 'monitor', p, ['train_loss', 'train_accuracy'] as const, out, true);
    num(tg, 'value', p, m === 'train_accuracy' ? { min: 0, max: 1 } : { min: 0 }, out, true);
  }
  const every = num(v, 'curveEvery', path, { integer: true, min: 1 }, out);
  if (every !== undefined && every > 1 && isObject(v.earlyStopping))
    out.push(
      `${path}.curveEvery: early stopping checks the validation loss every epoch; use 1 (or leave it out) with earlyStopping`,
    );
  num(v, 'epochs', path, { integer: true, min: 1, max: 100000 }, out, true);
  if (v.batchSize !== 'full') num(v, 'batchSize', path, { integer: true, min: 0 }, out, true);
  bool(v, 'shuffle', path, out);
  if (v.schedule !== undefined && v.schedule !== null)
    out.push(...validateSchedule(v.schedule, join(path, 'schedule')));
  const es = sub(v, 'earlyStopping', path, out);
  if (es) {
    const p = join(path, 'earlyStopping');
    unknownKeys(es, ['monitor', 'patience', 'min_delta', 'restoreBest'], p, out);
    oneOf(es, 'monitor', p, ['val_loss', 'val_accuracy'] as const, out);
    num(es, 'patience', p, { integer: true, min: 0 }, out);
    num(es, 'min_delta', p, { min: 0 }, out);
    bool(es, 'restoreBest', p, out);
  }
}

export function validateRegularization(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!isObject(v)) {
    out.push(`${path}: must be an object, got ${show(v)}`);
    return;
  }
  unknownKeys(v, ['l1', 'l2', 'elasticNet', 'inputNoise', 'augment', 'mixup', 'cutmix'], path, out);
  num(v, 'l1', path, { min: 0 }, out);
  num(v, 'l2', path, { min: 0 }, out);
  num(v, 'inputNoise', path, { min: 0 }, out);
  const en = sub(v, 'elasticNet', path, out);
  if (en) {
    const p = join(path, 'elasticNet');
    unknownKeys(en, ['alpha', 'l1_ratio'], p, out);
    num(en, 'alpha', p, { min: 0 }, out, true);
    num(en, 'l1_ratio', p, { min: 0, max: 1 }, out, true);
  }
  const aug = sub(v, 'augment', path, out);
  if (aug) {
    const p = join(path, 'augment');
    unknownKeys(aug, ['shift', 'rotate', 'flip', 'scale', 'jitter'], p, out);
    num(aug, 'shift', p, { integer: true, min: 0 }, out);
    num(aug, 'rotate', p, { min: 0, max: 180 }, out);
    bool(aug, 'flip', p, out);
    num(aug, 'scale', p, { min: 0, lt: 1 }, out);
    num(aug, 'jitter', p, { min: 0 }, out);
  }
  for (const key of ['mixup', 'cutmix']) {
    const m = sub(v, key, path, out);
    if (m) {
      unknownKeys(m, ['alpha'], join(path, key), out);
      num(m, 'alpha', join(path, key), { gt: 0 }, out, true);
    }
  }
  if (isObject(v.mixup) && isObject(v.cutmix))
    out.push(`${path}: mixup and cutmix cannot both be on (pick one per configuration)`);
}

/**
 * Every problem of a training spec, each with its JSON path. An empty list means the spec
 * can run; checks that need the loaded data (CSV task, loss against classes) happen later.
 */
export function validateTrainSpec(spec: unknown, extraKeys: readonly string[] = []): Problems {
  const out: Problems = [];
  if (!isObject(spec)) return [`spec: must be a JSON object, got ${show(spec)}`];
  unknownKeys(spec, [...TRAIN_KEYS, ...extraKeys], '', out);
  if (spec.name !== undefined && typeof spec.name !== 'string')
    out.push(`name: must be a string, got ${show(spec.name)}`);
  num(spec, 'seed', '', { integer: true, min: 0, max: 0xffffffff }, out, true);
  out.push(...validateDatasetSpec(spec.dataset, 'dataset'));
  out.push(...validateModelSpec(spec.model, 'model'));
  out.push(...validateLossSpec(spec.loss, 'loss'));
  out.push(...validateOptimizerSpec(spec.optimizer, 'optimizer'));
  validateTraining(spec.training, 'training', out);
  validateRegularization(spec.regularization, 'regularization', out);
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
