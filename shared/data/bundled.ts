/**
 * The four classic data sets shipped with OptLab (shared/data/bundled/*.csv, copied from
 * scikit-learn's packaging of the UCI sets; see the README there). This module knows their
 * metadata and turns their CSV text into Datasets; reading the files is the Node side's job.
 */
import { BUNDLED_DATASETS } from '../schema/spec.ts';
import type { Dataset, ImageShape } from './dataset.ts';
import { parseCsv } from './csv.ts';

/** The bundled data sets (the spec schema's list). */
export const BUNDLED_NAMES = BUNDLED_DATASETS;
export type BundledName = (typeof BUNDLED_NAMES)[number];

export interface BundledInfo {
  /** Name as used in specs (`dataset.name`). */
  name: BundledName;
  /** File name inside shared/data/bundled/. */
  file: string;
  /** One line for the data set picker. */
  title: string;
  /** Rows in the file (checked on parse). */
  rows: number;
  /** Feature columns (checked on parse). */
  features: number;
  /** Class names by class id, from datasets.json (scikit-learn's target_names). */
  classNames: string[];
  /** Rows per class id, from datasets.json. */
  classCounts: number[];
  /** Image shape when each row is an image. */
  image?: ImageShape;
  /** Origin, for the attribution the licence asks for. */
  source: string;
}

export const BUNDLED: Readonly<Record<BundledName, BundledInfo>> = {
  iris: {
    name: 'iris',
    file: 'iris.csv',
    title: 'Iris: 4 flower measurements, 3 species',
    rows: 150,
    features: 4,
    classNames: ['setosa', 'versicolor', 'virginica'],
    classCounts: [50, 50, 50],
    source: 'R.A. Fisher (1936); UCI Machine Learning Repository, via scikit-learn',
  },
  wine: {
    name: 'wine',
    file: 'wine.csv',
    title: 'Wine: 13 chemical measurements, 3 cultivars',
    rows: 178,
    features: 13,
    classNames: ['class_0', 'class_1', 'class_2'],
    classCounts: [59, 71, 48],
    source: 'M. Forina et al., PARVUS; UCI Machine Learning Repository, via scikit-learn',
  },
  breast_cancer: {
    name: 'breast_cancer',
    file: 'breast_cancer.csv',
    title: 'Breast cancer Wisconsin (diagnostic): 30 nucleus features, malignant/benign',
    rows: 569,
    features: 30,
    classNames: ['malignant', 'benign'],
    classCounts: [212, 357],
    source: 'W.H. Wolberg, W.N. Street, O.L. Mangasarian (1995); UCI Machine Learning Repository, via scikit-learn',
  },
  digits: {
    name: 'digits',
    file: 'digits.csv',
    title: 'Digits: 8×8 handwritten digit images (grey levels 0–16), 10 classes',
    rows: 1797,
    features: 64,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    classCounts: [178, 182, 177, 183, 181, 182, 181, 179, 174, 180],
    image: { height: 8, width: 8, channels: 1 },
    source: 'E. Alpaydin, C. Kaynak (1998); UCI Machine Learning Repository, via scikit-learn',
  },
};

export function isBundledName(name: string): name is BundledName {
  return (BUNDLED_NAMES as readonly string[]).includes(name);
}

/**
 * The bundled set `name` from the text of its CSV file. The file's integer `target` column
 * already holds class ids 0..k−1, so sorting labels numerically keeps scikit-learn's ids;
 * the shape is checked against the metadata so that a damaged copy is caught here and not
 * as strange results later.
 */
export function parseBundled(name: string, csvText: string): Dataset {
  if (!isBundledName(name))
    throw new Error(`unknown bundled data set ${JSON.stringify(name)} (known: ${BUNDLED_NAMES.join(', ')})`);
  const info = BUNDLED[name];
  const ds = parseCsv(csvText, { name, target: 'target', task: 'classification' });
  const k = info.classNames.length;
  if (ds.n !== info.rows || ds.d !== info.features || ds.classes !== k) {
    throw new Error(
      `${info.file}: expected ${info.rows} rows, ${info.features} features, ${k} classes; got ${ds.n}, ${ds.d}, ${ds.classes}`,
    );
  }
  ds.classNames.forEach((label, i) => {
    if (label !== String(i))
      throw new Error(`${info.file}: target labels must be 0..${k - 1}, found ${JSON.stringify(label)} as class ${i}`);
  });
  const out: Dataset = { ...ds, classNames: [...info.classNames] };
  if (info.image) out.image = { ...info.image };
  return out;
}
