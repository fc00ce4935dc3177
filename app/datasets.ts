/**
 * The Node side of data loading: reads the bundled CSV files that ship next to the code and
 * users' CSV files, and dispatches a spec's `dataset` section to bundled, synthetic or CSV
 * loading. Parsing and generation are in shared/data (no file access there).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../shared/data/dataset.ts';
import type { DatasetSpec } from '../shared/schema/types.ts';
import type { Rng } from '../shared/rng.ts';
import { BUNDLED, BUNDLED_NAMES, isBundledName, parseBundled } from '../shared/data/bundled.ts';
import { parseCsv, CsvError, type CsvOptions } from '../shared/data/csv.ts';
import { isSyntheticName, makeDataset } from '../shared/data/make.ts';
import { validateDatasetSpec } from '../shared/data/validate.ts';

/** Where the bundled CSV files are, found from this module's location rather than the working directory. */
export function bundledFile(name: string): string {
  if (!isBundledName(name))
    throw new Error(`unknown bundled data set ${JSON.stringify(name)} (known: ${BUNDLED_NAMES.join(', ')})`);
  return fileURLToPath(new URL(`../shared/data/bundled/${BUNDLED[name].file}`, import.meta.url));
}

/** Parsed bundled sets, by name: they never change while the program runs, and digits takes a few ms to parse. */
const cache = new Map<string, Dataset>();

function copy(ds: Dataset): Dataset {
  const out: Dataset = {
    ...ds,
    x: ds.x.slice(),
    y: ds.y.slice(),
    classNames: [...ds.classNames],
    featureNames: [...ds.featureNames],
  };
  if (ds.image) out.image = { ...ds.image };
  return out;
}

/** A bundled data set (iris, wine, breast_cancer, digits); each call returns a fresh copy the caller may modify. */
export function loadBundled(name: string): Dataset {
  let ds = cache.get(name);
  if (!ds) {
    const file = bundledFile(name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(
        `bundled data set ${name}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the installation is incomplete`,
        { cause: e },
      );
    }
    ds = parseBundled(name, text);
    cache.set(name, ds);
  }
  return copy(ds);
}

/**
 * A user's CSV file. The data set is named after the file unless options name it; problems
 * in the file are thrown as a CsvError whose message starts with the path, so the user
 * knows which file the line numbers refer to.
 */
export function loadCsvFile(path: string, options: Partial<CsvOptions> = {}): Dataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (code ?? (e as Error).message);
    throw new Error(`cannot read CSV file ${path}: ${why}`, { cause: e });
  }
  const name = options.name ?? basename(path, extname(path));
  try {
    return parseCsv(text, { ...options, name });
  } catch (e) {
    if (e instanceof CsvError) {
      const err = new CsvError(e.problems, e.truncated);
      err.message = `${path}: ${e.message}`;
      throw err;
    }
    throw e;
  }
}

/**
 * The data set a spec's `dataset` section names. A relative CSV path is resolved against the
 * folder of `specFile` (the spec travels with its data) or, without one, the working directory.
 * Synthetic sets are drawn from `rng`; bundled and CSV sets do not use it.
 */
export function loadDataset(spec: DatasetSpec, rng: Rng, specFile?: string): Dataset {
  const problems = validateDatasetSpec(spec, 'dataset');
  if (problems.length) throw new Error(`invalid dataset spec:\n${problems.join('\n')}`);
  if (isBundledName(spec.name)) return loadBundled(spec.name);
  if (isSyntheticName(spec.name)) return makeDataset(spec, rng);
  if (spec.path === undefined)
    throw new Error(`dataset.hash: a data set in the library is loaded by the Lab (optlab run), not from a file`);
  const base = specFile ? dirname(resolve(specFile)) : process.cwd();
  const file = resolve(base, spec.path);
  return loadCsvFile(file, { target: spec.target, task: spec.task });
}
