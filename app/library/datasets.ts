/** The datasets table: data sets stored by content hash, and their links to experiments. */
import {
  datasetHash,
  datasetProblems,
  type Dataset,
  type ImageShape,
  type RegressionTruth,
  type Task,
} from '../../shared/data/dataset.ts';
import type { CsvOptions } from '../../shared/data/csv.ts';
import { loadCsvFile } from '../datasets.ts';
import { bytesFloat32, float32Bytes } from '../../shared/codec.ts';
import { ProblemsError } from './exchange.ts';
import { blob, type Store } from './store.ts';
import type { DatasetInfo } from './types.ts';

interface DatasetRow {
  hash: string;
  name: string;
  task: Task;
  n: number;
  d: number;
  classes: number;
  metadata: string;
  x: Buffer;
  y: Buffer;
  created_at: number;
}

/** What the datasets table's metadata column holds. */
interface DatasetMetadata {
  classNames: string[];
  featureNames: string[];
  image?: ImageShape;
  truth?: RegressionTruth;
}

export function put(store: Store, ds: Dataset): string {
  const problems = datasetProblems(ds);
  if (problems.length) throw new ProblemsError(`data set ${ds.name}`, problems);
  const hash = datasetHash(ds);
  const metadata: DatasetMetadata = { classNames: ds.classNames, featureNames: ds.featureNames };
  if (ds.image) metadata.image = ds.image;
  if (ds.truth) metadata.truth = ds.truth;
  store
    .stmt(
      `INSERT INTO datasets (hash, name, task, n, d, classes, metadata, x, y, created_at)
              VALUES (@hash, @name, @task, @n, @d, @classes, @metadata, @x, @y, @now)
              ON CONFLICT (hash) DO NOTHING`,
    )
    .run({
      hash,
      name: ds.name,
      task: ds.task,
      n: ds.n,
      d: ds.d,
      classes: ds.classes,
      metadata: JSON.stringify(metadata),
      x: blob(float32Bytes(ds.x.subarray(0, ds.n * ds.d))),
      y: blob(float32Bytes(ds.y.subarray(0, ds.n))),
      now: store.now(),
    });
  return hash;
}

export function get(store: Store, hash: string): Dataset | undefined {
  const r = store.stmt('SELECT * FROM datasets WHERE hash = ?').get(hash) as DatasetRow | undefined;
  if (!r) return undefined;
  const m = JSON.parse(r.metadata) as DatasetMetadata;
  const ds: Dataset = {
    name: r.name,
    task: r.task,
    n: r.n,
    d: r.d,
    x: bytesFloat32(r.x, `data set ${hash}: x`),
    y: bytesFloat32(r.y, `data set ${hash}: y`),
    classes: r.classes,
    classNames: m.classNames,
    featureNames: m.featureNames,
  };
  if (m.image) ds.image = m.image;
  if (m.truth) ds.truth = m.truth;
  return ds;
}

function infos(store: Store, where: string, ...params: unknown[]): DatasetInfo[] {
  const rows = store
    .stmt(
      `SELECT hash, name, task, n, d, classes, created_at, length(x) + length(y) AS bytes,
                                  (SELECT count(*) FROM experiment_datasets AS l WHERE l.hash = datasets.hash) AS experiments
                           FROM datasets ${where} ORDER BY name COLLATE NOCASE, created_at, hash`,
    )
    .all(...params) as (Omit<DatasetInfo, 'createdAt'> & { created_at: number })[];
  return rows.map(({ created_at, ...r }) => ({ ...r, createdAt: created_at }));
}

export function list(store: Store): DatasetInfo[] {
  return infos(store, '');
}

export function info(store: Store, hash: string): DatasetInfo | undefined {
  return infos(store, 'WHERE hash = ?', hash)[0];
}

export function remove(store: Store, hash: string): boolean {
  return store.write(() => {
    const users = store
      .stmt(
        `SELECT e.id, e.name FROM experiment_datasets AS l JOIN experiments AS e ON e.id = l.experiment_id
                              WHERE l.hash = ? ORDER BY e.id`,
      )
      .all(hash) as { id: number; name: string }[];
    if (users.length) {
      const name = (store.stmt('SELECT name FROM datasets WHERE hash = ?').get(hash) as { name: string }).name;
      const list =
        users
          .slice(0, 5)
          .map((u) => `${u.id} (${JSON.stringify(u.name)})`)
          .join(', ') + (users.length > 5 ? `, and ${users.length - 5} more` : '');
      throw new Error(
        `data set ${name} (${hash}) is used by experiment${users.length > 1 ? 's' : ''} ${list}; delete ${users.length > 1 ? 'those' : 'that'} first`,
      );
    }
    return store.stmt('DELETE FROM datasets WHERE hash = ?').run(hash).changes > 0;
  });
}

export function prune(store: Store): number {
  return store.stmt('DELETE FROM datasets WHERE hash NOT IN (SELECT hash FROM experiment_datasets)').run().changes;
}

export function importCsv(store: Store, path: string, options: Partial<CsvOptions>): DatasetInfo {
  const hash = put(store, loadCsvFile(path, options));
  return info(store, hash)!;
}

export function link(store: Store, experimentId: number, hash: string): void {
  store.write(() => {
    store.requireExperiment(experimentId);
    if (!store.stmt('SELECT 1 FROM datasets WHERE hash = ?').get(hash))
      throw new Error(`no data set ${hash} in the library; store it first (putDataset)`);
    store
      .stmt('INSERT INTO experiment_datasets (experiment_id, hash) VALUES (?, ?) ON CONFLICT DO NOTHING')
      .run(experimentId, hash);
  });
}
