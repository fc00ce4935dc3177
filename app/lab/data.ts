/**
 * The data an experiment trains on, as the Lab loads it: a CSV data set from the library by
 * its content hash (never from a path on disk, which may have moved), a bundled or synthetic
 * set from code (the same bits every time). Also the checks of a spec against its data.
 */
import { basename, extname } from 'node:path';
import type { Dataset } from '../../shared/data/dataset.ts';
import type { DatasetSpec } from '../../shared/schema/types.ts';
import type { Rng } from '../../shared/rng.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { loadCsvFile, loadDataset } from '../datasets.ts';
import type { Library } from '../library/library.ts';

/**
 * The data set a spec's `dataset` section names. `linked` are the hashes the experiment is
 * linked to: an experiment stored before data sets were named by hash (a CSV `path` and no
 * `hash`) finds its data among them by the file's name, and only failing that reads the file.
 */
export function loadSpecData(library: Library, spec: DatasetSpec, rng: Rng, linked: readonly string[] = []): Dataset {
  if (spec.name !== 'csv') return loadDataset(spec, rng);
  if (spec.hash !== undefined) {
    const ds = library.getDataset(spec.hash);
    if (!ds)
      throw new OptLabError(
        'E_STATE',
        `dataset.hash: no data set ${spec.hash} in the library ${library.path} (import the CSV again: optlab datasets import FILE)`,
      );
    return ds;
  }
  const path = spec.path ?? '';
  const name = basename(path, extname(path));
  const candidates = linked.map((h) => library.getDatasetInfo(h)).filter((d) => d !== undefined && d.name === name);
  if (candidates.length === 1) return library.getDataset(candidates[0]!.hash)!;
  return loadCsvFile(path, { target: spec.target, task: spec.task });
}

/** The first hash of a spec's CSV data set, if it names one. */
export function specHash(spec: ExperimentSpec): string | undefined {
  return spec.dataset.name === 'csv' ? spec.dataset.hash : undefined;
}
