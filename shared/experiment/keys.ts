/**
 * Job keys, and the names of the row sets a job is scored on: the one place both are made
 * and read. Keys are stable ids (`config=2/repeat=0/fold=7`, `config=0/fold=3/member=4`,
 * `config=1/replicate=9/round=2`): they name jobs in the library, seed each fit, and order
 * the aggregation, so their spelling never changes.
 *
 *   key   = config "/" split [ "/" model ]
 *   split = "fold=F"                (holdout: F = 0; leave-one-out: the row)
 *         | "repeat=R/fold=F"       (k-fold, repeat R)
 *         | "replicate=B"           (bootstrap replicate B)
 *   model = "member=M"              (a bagging member)
 *         | "round=T"               (a boosting round)
 *         | "tune=I"                (candidate I of a tuned value, see tuning.ts)
 */

/**
 * The row sets of a job, by the names they have in Job.evals, JobResult.final and .outputs,
 * and in report metrics (`val_accuracy` is the `scored` set's accuracy). The names are stored
 * in libraries and cross the protocol, so they stay; code says which set it means by these.
 */
export const SET = {
  /** The rows the model is fitted on: the split's training rows, less the early-stopping rows. */
  train: 'train',
  /** The rows the split is judged on: its held-out fold, the validation part (holdout), or the out-of-bag rows (bootstrap). */
  scored: 'val',
  /** The rows early stopping watches, held out of the fit's own training rows (never the scored ones). */
  inner: 'inner',
  /** The held-out test part: never trained on or chosen by, scored once per model. */
  test: 'test',
  /** Bagging: the split's whole training rows, on which each member's outputs give the out-of-bag estimate. */
  splitTrain: 'fit',
} as const;

/** The parts of a job key; absent parts are absent from the key. */
export interface KeyParts {
  config: number;
  repeat?: number;
  fold?: number;
  replicate?: number;
  member?: number;
  round?: number;
  tune?: number;
}

export const configKey = (config: number): string => `config=${config}`;

/** The key of one split of the development rows (without its configuration). */
export const splitKey = {
  holdout: (): string => 'fold=0',
  kfold: (repeat: number, fold: number): string => `repeat=${repeat}/fold=${fold}`,
  loo: (row: number): string => `fold=${row}`,
  bootstrap: (replicate: number): string => `replicate=${replicate}`,
};

/** A configuration's job on a split: `config=2/repeat=0/fold=7`. */
export const jobKey = (config: string, split: string): string => `${config}/${split}`;

/** A bagging member of a split's job: `…/member=4`. */
export const memberKey = (key: string, member: number): string => `${key}/member=${member}`;

/** A boosting round of a split's chain: `…/round=2`. */
export const roundKey = (key: string, round: number): string => `${key}/round=${round}`;

/** Candidate i of a tuned value on a split's job: `…/tune=3`. */
export const tuneKey = (key: string, i: number): string => `${key}/tune=${i}`;

const CONFIG = /^config=\d+\//;
const MODEL = /\/(member|round)=\d+$/;

/** The key without its configuration (`repeat=0/fold=7/member=4`): what a fit's seed derives from, so configurations pair. */
export function withoutConfig(key: string): string {
  return key.replace(CONFIG, '');
}

/** The key without its tuning candidate: every candidate of a split shares the split's seeds. */
export function withoutTune(key: string): string {
  return key.replace(/\/tune=\d+$/, '');
}

/** The key without its member or round: the split's job (`config=0/fold=3`). */
export function withoutModel(key: string): string {
  return key.replace(MODEL, '');
}

const PART_ORDER = ['config', 'repeat', 'fold', 'replicate', 'member', 'round', 'tune'] as const;

/** The parts of a key, or undefined when it is not one (a part out of order, repeated, or not `name=integer`). */
export function parseKey(key: string): KeyParts | undefined {
  const parts: Partial<Record<(typeof PART_ORDER)[number], number>> = {};
  let last = -1;
  for (const seg of key.split('/')) {
    const m = /^([a-z]+)=(0|[1-9]\d*)$/.exec(seg);
    if (!m) return undefined;
    const i = PART_ORDER.indexOf(m[1] as (typeof PART_ORDER)[number]);
    if (i <= last) return undefined;
    last = i;
    parts[PART_ORDER[i]] = Number(m[2]);
  }
  return parts.config === undefined ? undefined : (parts as KeyParts);
}

/** Natural order: `fold=2` before `fold=10` (what `optlab show --jobs` lists); keys that do not parse go last, by text. */
export function compareKeys(a: string, b: string): number {
  const pa = parseKey(a);
  const pb = parseKey(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  for (const k of PART_ORDER) {
    const d = (pa[k] ?? -1) - (pb[k] ?? -1);
    if (d) return d;
  }
  return 0;
}

/**
 * The id of a job in a shared queue (BullMQ on Redis): `<library>.run<experiment>.<key>` with
 * the key's "/" and "=" as ".", e.g. `3f9a2c1d5e7b0a44.run42.config.0.repeat.0.fold.7`. The
 * same job of the same library always gets the same id, so adding it again is a no-op; several
 * libraries can share a queue; and BullMQ's rules for ids hold (no ":", not an integer).
 */
export function queueJobId(library: string, experiment: number, key: string): string {
  return `${queueRunId(library, experiment)}.${key.replace(/[/=]/g, '.')}`;
}

/** What every queue id of one experiment starts with (`<library>.run<experiment>`): its runs' cancel flag and owner mark. */
export function queueRunId(library: string, experiment: number): string {
  return `${library}.run${experiment}`;
}

/** A key back from its queue id (undefined when the id is not one of that experiment's). */
export function keyOfQueueJobId(library: string, experiment: number, id: string): string | undefined {
  const head = `${queueRunId(library, experiment)}.`;
  if (!id.startsWith(head)) return undefined;
  const parts = id.slice(head.length).split('.');
  if (parts.length % 2) return undefined;
  const segs: string[] = [];
  for (let i = 0; i < parts.length; i += 2) segs.push(`${parts[i]}=${parts[i + 1]}`);
  const key = segs.join('/');
  return parseKey(key) ? key : undefined;
}
