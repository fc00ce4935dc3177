/**
 * Validation of the `dataset` section of a spec: every problem at once, each with its JSON
 * path, before anything is loaded or run. Options that the chosen data set would ignore are
 * problems too: a user who writes `classes: 4` for moons expects four classes, not silence.
 */
import { SYNTHETIC_CLASSIFICATION_NAMES, SYNTHETIC_NAMES, isSyntheticName, specTask } from './make.ts';
import { isObject, join, show, type Problems } from '../schema/check.ts';
import {
  DATASET_NAMES as SPEC_DATASET_NAMES,
  DatasetSchema,
  MAX_SYNTHETIC_SAMPLES as SPEC_MAX_SAMPLES,
} from '../schema/spec.ts';
import { checkSection, keysOf } from '../schema/walk.ts';

export const DATASET_NAMES = SPEC_DATASET_NAMES;

/** Keys of DatasetSpec (its schema: DatasetSchema in shared/schema/spec.ts). */
export const DATASET_KEYS = keysOf(DatasetSchema);

/** Largest synthetic set: beyond this a typo (an extra zero or two) is more likely than intent. */
export const MAX_SYNTHETIC_SAMPLES = SPEC_MAX_SAMPLES;

/** Which data sets each option applies to, as a predicate and the words used in the message. */
const APPLIES: Record<string, [(name: string) => boolean, string]> = {
  path: [(n) => n === 'csv', 'only used when name is "csv"'],
  hash: [(n) => n === 'csv', 'only used when name is "csv"'],
  target: [(n) => n === 'csv', 'only used when name is "csv"'],
  task: [(n) => n === 'csv', 'only used when name is "csv" (the other sets have a fixed task)'],
  samples: [isSyntheticName, `only used by synthetic sets (${SYNTHETIC_NAMES.join(', ')})`],
  noise: [isSyntheticName, `only used by synthetic sets (${SYNTHETIC_NAMES.join(', ')})`],
  classes: [(n) => n === 'spirals' || n === 'blobs', 'only used by spirals and blobs'],
  labelNoise: [
    (n) => (SYNTHETIC_CLASSIFICATION_NAMES as readonly string[]).includes(n),
    `only used by synthetic classification sets (${SYNTHETIC_CLASSIFICATION_NAMES.join(', ')})`,
  ],
  degree: [(n) => n === 'polynomial', 'only used by polynomial'],
};

const present = (v: unknown) => v !== undefined && v !== null;

/**
 * Every problem of a `dataset` section: the schema's checks (DatasetSchema), and in their
 * turn the ones it cannot say: which options apply to which data set, a CSV's path or hash
 * and target, rows enough for the classes, stratifying only classes.
 */
export function validateDatasetSpec(spec: unknown, path = 'dataset'): string[] {
  const out: Problems = [];
  const known = (v: unknown): v is (typeof DATASET_NAMES)[number] =>
    typeof v === 'string' && (DATASET_NAMES as readonly string[]).includes(v);
  checkSection(DatasetSchema, spec, path, out, {
    code: {
      name: (name) => {
        if (!known(name) || !isObject(spec)) return;
        for (const [key, [applies, words]] of Object.entries(APPLIES))
          if (present(spec[key]) && !applies(name)) out.push(`${join(path, key)}: ${words}, not by "${name}"`);
        if (name === 'csv' && !present(spec.path) && !present(spec.hash))
          out.push(`${join(path, 'path')}: required when name is "csv" (the CSV file to load)`);
      },
      path: (v, p) => {
        if (present(v) && (typeof v !== 'string' || v.trim() === ''))
          out.push(`${p}: must be a non-empty string, got ${show(v)}`);
      },
      hash: (v, p) => {
        if (present(v) && (typeof v !== 'string' || !/^[0-9a-f]{16}$/.test(v)))
          out.push(`${p}: must be a data set's content hash (16 hex digits, see optlab datasets), got ${show(v)}`);
      },
      target: (t, p) => {
        if (!present(t)) return;
        const ok = (typeof t === 'string' && t !== '') || (typeof t === 'number' && Number.isInteger(t) && t >= 0);
        if (!ok) out.push(`${p}: must be a column name or a 0-based column index, got ${show(t)}`);
      },
      degree: () => {
        const { samples, classes } = spec as Record<string, unknown>;
        if (
          typeof samples === 'number' &&
          typeof classes === 'number' &&
          Number.isInteger(samples) &&
          Number.isInteger(classes) &&
          samples >= 2 &&
          samples <= MAX_SYNTHETIC_SAMPLES &&
          classes >= 2 &&
          classes <= 100 &&
          samples < classes
        )
          out.push(`${join(path, 'samples')}: ${samples} samples cannot cover ${classes} classes`);
      },
      standardize: () => {
        const { name, task, stratify } = spec as Record<string, unknown>;
        if (
          stratify === true &&
          known(name) &&
          specTask({ name, task: task as 'regression' | undefined }) === 'regression'
        )
          out.push(
            `${join(path, 'stratify')}: only for classification (stratifying keeps class proportions), but "${name}" is regression`,
          );
      },
    },
  });
  return out;
}
