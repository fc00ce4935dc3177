/**
 * Train/validation/test index sets. The test part is cut first (it is never seen by training,
 * early stopping or model selection), then validation is cut from the rest. Sizes follow
 * scikit-learn's train_test_split: n_test = ⌈testFraction·n⌉, then n_val = ⌈valFraction·(n − n_test)⌉.
 */
import type { Rng } from '../rng.ts';

export interface SplitOptions {
  /** Fraction of all rows held out as the test part, in [0, 1). */
  testFraction: number;
  /** Fraction of the rows left after the test cut used for validation, in [0, 1). */
  valFraction: number;
  /** Keep each class's proportion in every part (groups rows by their exact y value). */
  stratify: boolean;
}

export interface Split {
  /** Rows to train on, ascending. */
  train: Uint32Array;
  /** Rows for validation (early stopping, model selection), ascending. */
  val: Uint32Array;
  /** Held-out rows, scored once per final model, ascending. */
  test: Uint32Array;
}

/** scikit-learn's size rule: ⌈fraction·n⌉ (computed in doubles exactly as it does, so sizes agree). */
export function cutSize(fraction: number, n: number): number {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`split: fraction must be in [0, 1), got ${fraction}`);
  return Math.ceil(fraction * n);
}

/**
 * Splits `total` over groups proportionally to `counts` so that the parts sum to `total`
 * exactly: each group gets ⌊total·c/n⌋, and the remaining units go to the largest fractional
 * parts (ties to the larger group, then the lower class id, so the result is deterministic).
 */
export function proportionalCounts(total: number, counts: ArrayLike<number>): number[] {
  let n = 0;
  for (let k = 0; k < counts.length; k++) n += counts[k];
  if (total > n) throw new RangeError(`proportionalCounts: cannot take ${total} of ${n}`);
  const out: number[] = [];
  const frac: number[] = [];
  let given = 0;
  for (let k = 0; k < counts.length; k++) {
    const exact = n > 0 ? (total * counts[k]) / n : 0;
    out.push(Math.floor(exact));
    frac.push(exact - Math.floor(exact));
    given += out[k];
  }
  const order = Array.from(out.keys()).sort((a, b) => frac[b] - frac[a] || counts[b] - counts[a] || a - b);
  for (let r = 0; given < total; r = (r + 1) % order.length) {
    const k = order[r];
    if (out[k] < counts[k]) {
      out[k]++;
      given++;
    }
  }
  return out;
}

function sorted(a: number[]): Uint32Array {
  return Uint32Array.from(a).sort();
}

/** Row indices grouped by class value (groups in ascending value order, rows ascending), before shuffling. */
function groupRows(y: ArrayLike<number>, n: number): number[][] {
  const byValue = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let g = byValue.get(y[i]);
    if (!g) byValue.set(y[i], (g = []));
    g.push(i);
  }
  return [...byValue.keys()].sort((a, b) => a - b).map((k) => byValue.get(k)!);
}

/**
 * Train/val/test row sets of n rows. Stratified cuts shuffle each class separately and take
 * each class's proportional share (proportionalCounts), so class proportions are kept as
 * closely as whole rows allow while the part sizes stay exactly those of the unstratified cut.
 */
export function splitIndices(y: ArrayLike<number> | null, n: number, o: SplitOptions, rng: Rng): Split {
  const nTest = cutSize(o.testFraction, n);
  const nVal = cutSize(o.valFraction, n - nTest);
  if (n - nTest - nVal < 1) {
    throw new RangeError(`split: ${n} rows leave no training rows after ${nTest} test and ${nVal} validation rows`);
  }
  if (!o.stratify) {
    const p = rng.permutation(n);
    return {
      test: p.slice(0, nTest).sort(),
      val: p.slice(nTest, nTest + nVal).sort(),
      train: p.slice(nTest + nVal).sort(),
    };
  }
  if (!y || y.length < n) throw new RangeError('split: stratify needs a label for each row');
  const groups = groupRows(y, n);
  for (const g of groups) rng.shuffle(g);
  const testCounts = proportionalCounts(
    nTest,
    groups.map((g) => g.length),
  );
  const valCounts = proportionalCounts(
    nVal,
    groups.map((g, k) => g.length - testCounts[k]),
  );
  const test: number[] = [];
  const val: number[] = [];
  const train: number[] = [];
  groups.forEach((g, k) => {
    const a = testCounts[k];
    const b = a + valCounts[k];
    for (let i = 0; i < g.length; i++) (i < a ? test : i < b ? val : train).push(g[i]);
  });
  return { train: sorted(train), val: sorted(val), test: sorted(test) };
}
