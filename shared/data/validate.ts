/**
 * Validation of the `dataset` section of a spec: every problem at once, each with its JSON
 * path, before anything is loaded or run. Options that the chosen data set would ignore are
 * problems too: a user who writes `classes: 4` for moons expects four classes, not silence.
 */
import { BUNDLED_NAMES } from './bundled.ts';
import { SYNTHETIC_NAMES, isSyntheticName, specTask } from './make.ts';
import { bool, isObject, join, num, oneOf, show, unknownKeys, type Problems } from '../schema/check.ts';

export const DATASET_NAMES = [...BUNDLED_NAMES, ...SYNTHETIC_NAMES, 'csv'] as const;

/** Keys of DatasetSpec (shared/schema/types.ts). */
export const DATASET_KEYS = [
  'name',
  'path',
  'target',
  'task',
  'samples',
  'noise',
  'classes',
  'degree',
  'testFraction',
  'valFraction',
  'stratify',
  'standardize',
] as const;

/** Largest synthetic set: beyond this a typo (an extra zero or two) is more likely than intent. */
export const MAX_SYNTHETIC_SAMPLES = 1_000_000;

/** Which data sets each option applies to, as a predicate and the words used in the message. */
const APPLIES: Record<string, [(name: string) => boolean, string]> = {
  path: [(n) => n === 'csv', 'only used when name is "csv"'],
  target: [(n) => n === 'csv', 'only used when name is "csv"'],
  task: [(n) => n === 'csv', 'only used when name is "csv" (the other sets have a fixed task)'],
  samples: [isSyntheticName, `only used by synthetic sets (${SYNTHETIC_NAMES.join(', ')})`],
  noise: [isSyntheticName, `only used by synthetic sets (${SYNTHETIC_NAMES.join(', ')})`],
  classes: [(n) => n === 'spirals' || n === 'blobs', 'only used by spirals and blobs'],
  degree: [(n) => n === 'polynomial', 'only used by polynomial'],
};

function fraction(obj: Record<string, unknown>, key: string, path: string, out: Problems): void {
  const v = obj[key];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) out.push(`${join(path, key)}: must be in [0, 1), got ${show(v)}`);
}

export function validateDatasetSpec(spec: unknown, path = 'dataset'): string[] {
  const out: Problems = [];
  if (!isObject(spec))
    return [`${path}: required object with a name (one of ${DATASET_NAMES.join(', ')}), got ${show(spec)}`];
  unknownKeys(spec, DATASET_KEYS, path, out);
  const name = oneOf(spec, 'name', path, DATASET_NAMES, out, true);

  if (name !== undefined) {
    for (const [key, [applies, words]] of Object.entries(APPLIES)) {
      if (spec[key] !== undefined && spec[key] !== null && !applies(name))
        out.push(`${join(path, key)}: ${words}, not by "${name}"`);
    }
    if (name === 'csv' && (spec.path === undefined || spec.path === null))
      out.push(`${join(path, 'path')}: required when name is "csv" (the CSV file to load)`);
  }
  if (spec.path !== undefined && spec.path !== null && (typeof spec.path !== 'string' || spec.path.trim() === '')) {
    out.push(`${join(path, 'path')}: must be a non-empty string, got ${show(spec.path)}`);
  }
  const t = spec.target;
  if (t !== undefined && t !== null) {
    const ok = (typeof t === 'string' && t !== '') || (typeof t === 'number' && Number.isInteger(t) && t >= 0);
    if (!ok) out.push(`${join(path, 'target')}: must be a column name or a 0-based column index, got ${show(t)}`);
  }
  oneOf(spec, 'task', path, ['classification', 'regression'] as const, out);
  const samples = num(spec, 'samples', path, { integer: true, min: 2, max: MAX_SYNTHETIC_SAMPLES }, out);
  num(spec, 'noise', path, { min: 0 }, out);
  const classes = num(spec, 'classes', path, { integer: true, min: 2, max: 100 }, out);
  num(spec, 'degree', path, { integer: true, min: 0, max: 20 }, out);
  if (samples !== undefined && classes !== undefined && samples < classes) {
    out.push(`${join(path, 'samples')}: ${samples} samples cannot cover ${classes} classes`);
  }
  fraction(spec, 'testFraction', path, out);
  fraction(spec, 'valFraction', path, out);
  const stratify = bool(spec, 'stratify', path, out);
  bool(spec, 'standardize', path, out);
  if (
    stratify &&
    name !== undefined &&
    specTask({ name, task: spec.task as 'regression' | undefined }) === 'regression'
  ) {
    out.push(
      `${join(path, 'stratify')}: only for classification (stratifying keeps class proportions), but "${name}" is regression`,
    );
  }
  return out;
}
