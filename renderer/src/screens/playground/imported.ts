/**
 * Imported data sets in the Playground: which of the Lab's stored sets it can draw (two
 * numeric features and a class label), why it refuses the others, and how a stored set is
 * fetched whole through the Lab API (its preview, every row) into the Dataset the worker trains on.
 */
import type { Dataset } from '../../../../shared/data/dataset.ts';
import type { DatasetInfo, DatasetPreview } from '../../../../shared/lab-api.ts';

/** Most rows the Playground fetches and draws (the most a Lab preview hands over at once). */
export const MAX_IMPORTED_ROWS = 1000;

/** Most classes: the decision map's class colours (CLASS_COLORS in lib/palette.ts). */
export const MAX_IMPORTED_CLASSES = 5;

/** Why the Playground cannot train on a stored data set, or null when it can. */
export function playgroundRefusal(info: Pick<DatasetInfo, 'task' | 'd' | 'n' | 'classes'>): string | null {
  if (info.task !== 'classification')
    return 'a regression set: the Playground draws class regions, so it needs a class label';
  if (info.d !== 2)
    return `${info.d} feature column${info.d === 1 ? '' : 's'}: the Playground draws 2-D data (2 numeric columns and a class label)`;
  if (info.n > MAX_IMPORTED_ROWS) return `${info.n} rows: the Playground draws at most ${MAX_IMPORTED_ROWS}`;
  if (info.classes < 2) return `${info.classes} class: a classifier needs at least 2`;
  if (info.classes > MAX_IMPORTED_CLASSES)
    return `${info.classes} classes: the decision map has colours for at most ${MAX_IMPORTED_CLASSES}`;
  return null;
}

/**
 * The whole data set from a preview of all its rows. Throws when the preview is not the whole
 * set, or a row's class is not one of the set's class names.
 */
export function datasetFromPreview(p: DatasetPreview): Dataset {
  const { info } = p;
  const why = playgroundRefusal(info);
  if (why) throw new Error(`${info.name}: ${why}`);
  if (p.head.length !== info.n)
    throw new Error(`${info.name}: the Lab handed over ${p.head.length} of its ${info.n} rows`);
  const x = new Float32Array(info.n * 2);
  const y = new Float32Array(info.n);
  const ids = new Map(p.classNames.map((name, k) => [name, k]));
  p.head.forEach((row, i) => {
    const k = ids.get(String(row.y));
    if (row.x.length !== 2 || k === undefined)
      throw new Error(`${info.name}: row ${i + 1} is not 2 features and one of its classes`);
    // The stored features are float32 already: this copy is exact.
    x[2 * i] = row.x[0];
    x[2 * i + 1] = row.x[1];
    y[i] = k;
  });
  return {
    name: info.name,
    task: 'classification',
    n: info.n,
    d: 2,
    x,
    y,
    classes: info.classes,
    classNames: [...p.classNames],
    featureNames: [...p.featureNames],
  };
}
