/**
 * The cross-validation folds OptLab's planner cuts for each spec file, as JSON, so that
 * scikit-learn can also be scored on exactly these rows:
 *
 *   node --import tsx bench/sklearn/folds.ts examples/sklearn/iris-logistic.json …
 *   → {"folds": {"iris": [{"key": "repeat=0/fold=0", "train": [...], "test": [...]}, …], …},
 *      "l2": {"iris-logistic": 0.0074074, …}}
 *
 * The two fold generators differ, and with 150 rows one row is 0.67 points of accuracy: a
 * mean over different folds can move by a point without either side doing anything wrong.
 * Running the reference on OptLab's own folds separates that noise from a real difference.
 * `l2` is each spec's regularization.l2 (by data set and model kind): one λ per experiment can
 * only equal 1/(C·n_train) for one fold size, so the convergence check computes the optimum
 * at the λ the run actually used. Row indices are CSV data rows (0-based, header excluded), the order the bundled loader keeps.
 */
import { loadDataset } from '../../app/datasets.ts';
import { readSpecFile } from '../../app/cli/train.ts';
import { plan } from '../../shared/experiment/plan.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';

interface Fold {
  key: string;
  train: number[];
  test: number[];
}

const out: Record<string, Fold[]> = {};
const l2: Record<string, number> = {};
for (const file of process.argv.slice(2)) {
  const raw = readSpecFile(file);
  const problems = validateExperimentSpec(raw);
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  const spec = raw as ExperimentSpec;
  const p = plan(spec, (ds, rng) => loadDataset(ds, rng, file));
  const folds = p.data[0].splits.map((s) => ({ key: s.key, train: Array.from(s.train), test: Array.from(s.scored) }));
  const name = spec.dataset.name;
  // Specs on one data set share the seed, so they must share the folds; a mismatch would make
  // the "sklearn on OptLab's folds" column answer for the wrong rows.
  if (out[name] && JSON.stringify(out[name]) !== JSON.stringify(folds))
    throw new Error(`${file}: folds differ from another spec on ${name} (different seed?)`);
  out[name] = folds;
  l2[`${name}-${spec.model.kind}`] = spec.regularization?.l2 ?? 0;
}
console.log(JSON.stringify({ folds: out, l2 }));
