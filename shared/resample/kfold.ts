/**
 * Cross-validation folds with scikit-learn's sizes and allocation rules (KFold,
 * StratifiedKFold, RepeatedKFold, LeaveOneOut), over rows 0..n−1.
 *
 * KFold: fold f has ⌊n/k⌋ rows, plus one for the first n mod k folds. Without shuffling the
 * folds are contiguous blocks in row order; with shuffling the rows are permuted once
 * (rng.permutation) and cut into the same blocks.
 *
 * StratifiedKFold, as sklearn ≥ 0.22 `_make_test_folds` does it:
 *  1. classes are numbered by first appearance in y;
 *  2. the labels are sorted by that number and dealt round-robin: sorted position i goes to
 *     fold i mod k. So class c, occupying sorted positions [s_c, s_c + n_c), gives fold f the
 *     number of positions p in that range with p ≡ f (mod k): ⌊n_c/k⌋ each, and the n_c mod k
 *     extra rows go to the folds that follow the previous class's extras (folds s_c mod k,
 *     s_c + 1 mod k, …), not always to the first folds. Every class is spread as evenly as
 *     possible (per-class counts differ by at most one between folds) and, because the deal
 *     is one sequence, fold sizes are exactly KFold's: the first n mod k folds one larger;
 *  3. within a class, rows in row order receive the fold numbers in blocks (fold 0's share
 *     first); with shuffling that list of fold numbers is shuffled per class (classes in
 *     first-appearance order, one rng), as sklearn does.
 * The draws differ from sklearn's (a different generator), the rules do not.
 *
 * A class with fewer than k members cannot appear in every test fold. sklearn warns and goes
 * on (and refuses only when every class is that small); here it is an error naming the
 * classes and their counts, unless `allowSmallClasses` is set, which follows sklearn.
 *
 * Every fold's `train` and `test` are ascending; the test folds partition 0..n−1.
 */
import type { Rng } from '../rng.ts';

/** One split of rows 0..n−1. */
export interface Fold {
  /** Rows to fit on, ascending. */
  train: Uint32Array;
  /** Rows to score, ascending; the test parts of a k-fold split partition the rows. */
  test: Uint32Array;
}

/** A fold of a repeated k-fold split, with its position for the job key `repeat=r/fold=f`. */
export interface RepeatedFold extends Fold {
  /** Repeat index r in 0..repeats−1. */
  repeat: number;
  /** Fold index f in 0..k−1 within the repeat. */
  fold: number;
}

export interface KFoldOptions {
  /** Permute the rows before cutting folds (default false: contiguous blocks in row order). */
  shuffle?: boolean;
  /** Generator for the permutation; required when shuffle is true. */
  rng?: Rng;
}

export interface StratifiedKFoldOptions extends KFoldOptions {
  /** Follow sklearn when a class has fewer than k members (go on, leaving it out of some test folds) instead of throwing. */
  allowSmallClasses?: boolean;
}

function checkK(n: number, k: number, where: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${where}: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`${where}: k must be an integer >= 2, got ${k}`);
  if (k > n) throw new RangeError(`${where}: cannot have k=${k} folds with only ${n} rows`);
}

function needRng(o: KFoldOptions, where: string): Rng | null {
  if (!o.shuffle) return null;
  if (!o.rng) throw new RangeError(`${where}: shuffle needs an rng`);
  return o.rng;
}

/** Folds from a fold number per row (test fold f = rows with fold f). */
function foldsFromAssignment(assign: Uint32Array, k: number): Fold[] {
  const n = assign.length;
  const sizes = new Uint32Array(k);
  for (let i = 0; i < n; i++) sizes[assign[i]]++;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) folds.push({ train: new Uint32Array(n - sizes[f]), test: new Uint32Array(sizes[f]) });
  const tPos = new Uint32Array(k);
  const rPos = new Uint32Array(k);
  // Rows visited in ascending order, so both parts of every fold come out ascending without sorting.
  for (let i = 0; i < n; i++) {
    const a = assign[i];
    for (let f = 0; f < k; f++) {
      if (f === a) folds[f].test[tPos[f]++] = i;
      else folds[f].train[rPos[f]++] = i;
    }
  }
  return folds;
}

/** sklearn's KFold sizes: ⌊n/k⌋ rows per fold, one more for each of the first n mod k folds. */
export function foldSizes(n: number, k: number): number[] {
  checkK(n, k, 'foldSizes');
  const base = Math.floor(n / k);
  return Array.from({ length: k }, (_, f) => base + (f < n % k ? 1 : 0));
}

/** k folds of rows 0..n−1 with sklearn's KFold sizes. */
export function kFold(n: number, k: number, o: KFoldOptions = {}): Fold[] {
  checkK(n, k, 'kFold');
  const rng = needRng(o, 'kFold');
  const order = rng ? rng.permutation(n) : Uint32Array.from({ length: n }, (_, i) => i);
  const assign = new Uint32Array(n);
  let pos = 0;
  foldSizes(n, k).forEach((size, f) => {
    for (let j = 0; j < size; j++) assign[order[pos++]] = f;
  });
  return foldsFromAssignment(assign, k);
}

/** A class of y with its size. */
export interface ClassCount {
  /** The label value as it appears in y. */
  label: number;
  /** Number of rows with that label. */
  count: number;
}

/** Classes of y in order of first appearance (sklearn's encoding for stratification). */
export function classesByAppearance(y: ArrayLike<number>): ClassCount[] {
  const index = new Map<number, number>();
  const out: ClassCount[] = [];
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v)) throw new RangeError(`stratifiedKFold: label ${i} is NaN`);
    const c = index.get(v);
    if (c === undefined) {
      index.set(v, out.length);
      out.push({ label: v, count: 1 });
    } else out[c].count++;
  }
  return out;
}

/** Classes with fewer than k members: they cannot be in every test fold (sklearn's warning). */
export function smallClasses(y: ArrayLike<number>, k: number): ClassCount[] {
  return classesByAppearance(y).filter((c) => c.count < k);
}

/**
 * Test-fold counts per class: counts[c][f] = number of sorted positions p in class c's range
 * [s_c, s_c + n_c) with p mod k = f (sklearn's round-robin over the sorted labels).
 */
export function stratifiedAllocation(classCounts: readonly number[], k: number): number[][] {
  let start = 0;
  return classCounts.map((nc) => {
    const row = new Array<number>(k).fill(Math.floor(nc / k));
    for (let j = 0; j < nc % k; j++) row[(start + j) % k]++;
    start += nc;
    return row;
  });
}

/** k stratified folds of the rows of y (labels compared by exact value), following sklearn's StratifiedKFold. */
export function stratifiedKFold(y: ArrayLike<number>, k: number, o: StratifiedKFoldOptions = {}): Fold[] {
  const n = y.length;
  checkK(n, k, 'stratifiedKFold');
  const rng = needRng(o, 'stratifiedKFold');
  const classes = classesByAppearance(y);
  const small = classes.filter((c) => c.count < k);
  if (small.length === classes.length) {
    throw new RangeError(`stratifiedKFold: k=${k} is greater than the number of members in every class`);
  }
  if (small.length > 0 && !o.allowSmallClasses) {
    const list = small.map((c) => `class ${c.label} has ${c.count}`).join(', ');
    throw new RangeError(
      `stratifiedKFold: every class needs at least k=${k} members to appear in each test fold; ${list}`,
    );
  }
  const alloc = stratifiedAllocation(
    classes.map((c) => c.count),
    k,
  );
  const code = new Map<number, number>(classes.map((c, i) => [c.label, i]));
  // Fold numbers per class in blocks (fold 0's share first), handed out to the class's rows in row order.
  const lists = alloc.map((row) => {
    const list = new Uint32Array(row.reduce((a, b) => a + b, 0));
    let p = 0;
    row.forEach((cnt, f) => {
      for (let j = 0; j < cnt; j++) list[p++] = f;
    });
    if (rng) rng.shuffle(list);
    return list;
  });
  const next = new Uint32Array(classes.length);
  const assign = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = code.get(y[i])!;
    assign[i] = lists[c][next[c]++];
  }
  return foldsFromAssignment(assign, k);
}

function checkRepeats(repeats: number, where: string): void {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new RangeError(`${where}: repeats must be an integer >= 1, got ${repeats}`);
}

/** `repeats` shuffled k-fold splits; repeat r draws from rng.fork('repeat=' + r), so each repeat is reproducible on its own. */
export function repeatedKFold(n: number, k: number, repeats: number, rng: Rng): RepeatedFold[] {
  checkRepeats(repeats, 'repeatedKFold');
  const out: RepeatedFold[] = [];
  for (let r = 0; r < repeats; r++) {
    kFold(n, k, { shuffle: true, rng: rng.fork('repeat=' + r) }).forEach((f, i) =>
      out.push({ ...f, repeat: r, fold: i }),
    );
  }
  return out;
}

/** `repeats` shuffled stratified k-fold splits, repeat r from rng.fork('repeat=' + r). */
export function repeatedStratifiedKFold(
  y: ArrayLike<number>,
  k: number,
  repeats: number,
  rng: Rng,
  o: { allowSmallClasses?: boolean } = {},
): RepeatedFold[] {
  checkRepeats(repeats, 'repeatedStratifiedKFold');
  const out: RepeatedFold[] = [];
  for (let r = 0; r < repeats; r++) {
    const folds = stratifiedKFold(y, k, {
      shuffle: true,
      rng: rng.fork('repeat=' + r),
      allowSmallClasses: o.allowSmallClasses,
    });
    folds.forEach((f, i) => out.push({ ...f, repeat: r, fold: i }));
  }
  return out;
}

/** Leave-one-out: n folds, fold i tests row i alone (sklearn's LeaveOneOut; needs n ≥ 2). */
export function leaveOneOut(n: number): Fold[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`leaveOneOut: needs at least 2 rows, got ${n}`);
  const folds: Fold[] = [];
  for (let i = 0; i < n; i++) {
    const train = new Uint32Array(n - 1);
    for (let j = 0, p = 0; j < n; j++) if (j !== i) train[p++] = j;
    folds.push({ train, test: Uint32Array.of(i) });
  }
  return folds;
}
