/** The experiments table with its tags and data set links, and each experiment's stored report. */
import { validateExperimentSpec } from '../../shared/experiment/validate.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import * as datasets from './datasets.ts';
import { ProblemsError } from './exchange.ts';
import type { Store } from './store.ts';
import { markAlive, parseMark, type OwnerMark } from './owner.ts';
import {
  EXPERIMENT_STATUSES,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentOwner,
  type ExperimentSummary,
  type KernelsUsed,
  type ListOptions,
  type RunEngine,
  type StoredReport,
} from './types.ts';

export interface CreateOptions {
  /** Defaults to the spec's name, else "Untitled experiment". */
  name?: string;
  /** Defaults to the spec's tags. */
  tags?: string[];
  /** Defaults to the spec's notes. */
  notes?: string;
  /** Hashes of stored data sets the experiment trains on. */
  datasets?: string[];
}

interface ExperimentRow {
  id: number;
  name: string;
  status: ExperimentStatus;
  tags: string;
  notes: string;
  error: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  jobs_total: number;
  jobs_done: number;
  jobs_failed: number;
  has_report: number;
  engine: string | null;
  owner: string | null;
  heartbeat_at: number | null;
}

const SUMMARY_COLUMNS = `
  e.id, e.name, e.status, e.tags, e.notes, e.error, e.created_at, e.updated_at, e.started_at, e.finished_at,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id) AS jobs_total,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id AND j.state = 'done') AS jobs_done,
  (SELECT count(*) FROM jobs AS j WHERE j.experiment_id = e.id AND j.state = 'failed') AS jobs_failed,
  EXISTS (SELECT 1 FROM results AS r WHERE r.experiment_id = e.id) AS has_report, e.engine, e.owner, e.heartbeat_at`;

/**
 * The live process that runs a `running` experiment, or undefined: its mark is gone or names
 * a process that died. Such an experiment is `interrupted`: nothing will finish it unless a
 * resume does.
 */
function liveOwner(r: Pick<ExperimentRow, 'owner' | 'heartbeat_at'>, now: number): ExperimentOwner | undefined {
  const mark = parseMark(r.owner);
  if (!mark || !markAlive(mark, r.heartbeat_at, now)) return undefined;
  return { host: mark.host, pid: mark.pid, heartbeatAt: r.heartbeat_at ?? 0 };
}

function summary(r: ExperimentRow, now: number): ExperimentSummary {
  const owner = r.status === 'running' ? liveOwner(r, now) : undefined;
  return {
    id: r.id,
    name: r.name,
    status: r.status === 'running' && !owner ? 'interrupted' : r.status,
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    jobs: { total: r.jobs_total, done: r.jobs_done, failed: r.jobs_failed },
    hasReport: r.has_report === 1,
    engine: r.engine === null ? null : (JSON.parse(r.engine) as RunEngine),
    owner: owner ?? null,
  };
}

/** Trimmed, non-empty, each tag once (case-insensitively, as the tag index compares them), in the user's order. */
export function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) throw new ProblemsError('tags', [`must be a list of strings, got ${typeof tags}`]);
  const problems: string[] = [];
  const out: string[] = [];
  const seen = new Set<string>();
  tags.forEach((t, i) => {
    if (typeof t !== 'string') return void problems.push(`tags[${i}]: must be a string, got ${JSON.stringify(t)}`);
    const s = t.trim();
    if (s && !seen.has(s.toLowerCase())) {
      seen.add(s.toLowerCase());
      out.push(s);
    }
  });
  if (problems.length) throw new ProblemsError('tags', problems);
  return out;
}

/** LIKE pattern for a substring, with the user's % and _ taken literally. */
const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function create(store: Store, spec: ExperimentSpec, options: CreateOptions): number {
  const problems = validateExperimentSpec(spec);
  if (problems.length) throw new ProblemsError('experiment spec', problems);
  const tags = normalizeTags(options.tags ?? spec.tags ?? []);
  const name = (options.name ?? spec.name ?? '').trim() || 'Untitled experiment';
  const notes = options.notes ?? spec.notes ?? '';
  return store.write(() => {
    const now = store.now();
    const id = Number(
      store
        .stmt(
          `INSERT INTO experiments (name, spec, status, created_at, updated_at, tags, notes)
                                  VALUES (@name, @spec, 'created', @now, @now, @tags, @notes)`,
        )
        .run({ name, spec: JSON.stringify(spec), now, tags: JSON.stringify(tags), notes }).lastInsertRowid,
    );
    for (const h of options.datasets ?? []) datasets.link(store, id, h);
    return id;
  });
}

export function get(store: Store, id: number): ExperimentRecord | undefined {
  const r = store.stmt(`SELECT ${SUMMARY_COLUMNS}, e.spec, e.kernels FROM experiments AS e WHERE e.id = ?`).get(id) as
    (ExperimentRow & { spec: string; kernels: string | null }) | undefined;
  if (!r) return undefined;
  const hashes = (
    store.stmt('SELECT hash FROM experiment_datasets WHERE experiment_id = ? ORDER BY hash').all(id) as {
      hash: string;
    }[]
  ).map((d) => d.hash);
  return {
    ...summary(r, store.now()),
    spec: JSON.parse(r.spec) as ExperimentSpec,
    datasets: hashes,
    kernels: r.kernels === null ? null : (JSON.parse(r.kernels) as KernelsUsed),
  };
}

export function list(store: Store, options: ListOptions): ExperimentSummary[] {
  const { search, status, tag, limit, offset } = options;
  if (status !== undefined && !EXPERIMENT_STATUSES.includes(status))
    throw new Error(`status: must be one of ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  for (const [k, v] of [
    ['limit', limit],
    ['offset', offset],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0))
      throw new Error(`${k}: must be a non-negative integer, got ${v}`);
  }
  const s = search?.trim() ? containing(search.trim()) : null;
  // Running and interrupted are both stored as `running` until a Lab records the second: which
  // one an experiment is depends on its owner, so those two are told apart here, then paged.
  const live = status === 'running' || status === 'interrupted';
  const rows = store
    .stmt(
      `SELECT ${SUMMARY_COLUMNS} FROM experiments AS e
    WHERE (@status IS NULL OR e.status = @status OR (@live AND e.status IN ('running', 'interrupted')))
      AND (@search IS NULL OR e.name LIKE @search ESCAPE '\\' OR e.notes LIKE @search ESCAPE '\\'
           OR EXISTS (SELECT 1 FROM experiment_tags AS t WHERE t.experiment_id = e.id AND t.tag LIKE @search ESCAPE '\\'))
      AND (@tag IS NULL OR EXISTS (SELECT 1 FROM experiment_tags AS t WHERE t.experiment_id = e.id AND t.tag = @tag))
    ORDER BY e.updated_at DESC, e.id DESC
    LIMIT @limit OFFSET @offset`,
    )
    .all({
      status: live ? null : (status ?? null),
      live: live ? 1 : 0,
      search: s,
      tag: tag?.trim() || null,
      limit: live ? -1 : (limit ?? -1),
      offset: live ? 0 : (offset ?? 0),
    }) as ExperimentRow[];
  const now = store.now();
  const all = rows.map((r) => summary(r, now));
  if (!live) return all;
  const chosen = all.filter((e) => e.status === status);
  return chosen.slice(offset ?? 0, limit === undefined ? undefined : (offset ?? 0) + limit);
}

export function update(store: Store, id: number, changes: { name?: string; tags?: string[]; notes?: string }): void {
  const tags = changes.tags === undefined ? null : JSON.stringify(normalizeTags(changes.tags));
  const name = changes.name === undefined ? null : changes.name.trim() || 'Untitled experiment';
  store.write(() => {
    store.requireExperiment(id);
    store
      .stmt(
        `UPDATE experiments SET name = coalesce(@name, name), tags = coalesce(@tags, tags), notes = coalesce(@notes, notes), updated_at = @now
                WHERE id = @id`,
      )
      .run({ id, name, tags, notes: changes.notes ?? null, now: store.now() });
  });
}

export function duplicate(store: Store, id: number): number {
  return store.write(() => {
    store.requireExperiment(id);
    const now = store.now();
    const copy = Number(
      store
        .stmt(
          `INSERT INTO experiments (name, spec, status, created_at, updated_at, tags, notes)
                                    SELECT name || ' (copy)', spec, 'created', @now, @now, tags, notes FROM experiments WHERE id = @id`,
        )
        .run({ id, now }).lastInsertRowid,
    );
    store
      .stmt(
        'INSERT INTO experiment_datasets (experiment_id, hash) SELECT ?, hash FROM experiment_datasets WHERE experiment_id = ?',
      )
      .run(copy, id);
    return copy;
  });
}

export function remove(store: Store, id: number): boolean {
  return store.stmt('DELETE FROM experiments WHERE id = ?').run(id).changes > 0;
}

export function setStatus(store: Store, id: number, status: ExperimentStatus, error?: string): void {
  if (!EXPERIMENT_STATUSES.includes(status))
    throw new Error(`status: must be one of ${EXPERIMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
  const finished = status === 'done' || status === 'failed' || status === 'cancelled';
  store.write(() => {
    store.requireExperiment(id);
    store
      .stmt(
        `UPDATE experiments SET
                  status = @status,
                  started_at = CASE WHEN @status = 'running' THEN coalesce(started_at, @now) WHEN @status = 'created' THEN NULL ELSE started_at END,
                  finished_at = CASE WHEN @finished THEN @now ELSE NULL END,
                  error = CASE WHEN @finished THEN @error ELSE NULL END,
                  owner = CASE WHEN @status = 'running' THEN owner ELSE NULL END,
                  updated_at = @now
                WHERE id = @id`,
      )
      .run({ id, status, finished: finished ? 1 : 0, error: error ?? null, now: store.now() });
  });
}

export function saveReport(store: Store, experimentId: number, report: StoredReport): void {
  const text = JSON.stringify(report);
  store.write(() => {
    store.requireExperiment(experimentId);
    const now = store.now();
    store
      .stmt(
        `INSERT INTO results (experiment_id, report, created_at) VALUES (?, ?, ?)
                ON CONFLICT (experiment_id) DO UPDATE SET report = excluded.report, created_at = excluded.created_at`,
      )
      .run(experimentId, text, now);
    store.touch(experimentId);
  });
}

export function getReport(store: Store, experimentId: number): StoredReport | undefined {
  const r = store.stmt('SELECT report FROM results WHERE experiment_id = ?').get(experimentId) as
    { report: string } | undefined;
  return r ? (JSON.parse(r.report) as StoredReport) : undefined;
}

/** Records where a run of the experiment sends its jobs (set when the run starts). */
export function setEngine(store: Store, id: number, engine: RunEngine): void {
  store.write(() => {
    store.requireExperiment(id);
    store.stmt('UPDATE experiments SET engine = ? WHERE id = ?').run(JSON.stringify(engine), id);
  });
}

/**
 * Takes the experiment for the Lab of `mark` (before a run plans it): the live owner that holds
 * it instead, if another process (or another Lab of this one) does; otherwise the mark is
 * recorded, with a fresh heartbeat, and undefined returned. Checked and written in one
 * transaction, so two processes resuming one interrupted experiment cannot both take it.
 */
export function claim(store: Store, id: number, mark: OwnerMark): ExperimentOwner | undefined {
  return store.write(() => {
    store.requireExperiment(id);
    const r = store.stmt('SELECT owner, heartbeat_at FROM experiments WHERE id = ?').get(id) as Pick<
      ExperimentRow,
      'owner' | 'heartbeat_at'
    >;
    const held = parseMark(r.owner);
    if (held && held.lab !== mark.lab) {
      const owner = liveOwner(r, store.now());
      if (owner) return owner;
    }
    store
      .stmt('UPDATE experiments SET owner = ?, heartbeat_at = ? WHERE id = ?')
      .run(JSON.stringify(mark), store.now(), id);
    return undefined;
  });
}

/** Gives an experiment up (a run that could not start): its mark is cleared if it is `lab`'s. */
export function release(store: Store, id: number, lab: string): void {
  store.stmt(`UPDATE experiments SET owner = NULL WHERE id = ? AND json_extract(owner, '$.lab') = ?`).run(id, lab);
}

/** Refreshes the heartbeat of every experiment the Lab `lab` runs. */
export function heartbeat(store: Store, lab: string): void {
  store.stmt(`UPDATE experiments SET heartbeat_at = ? WHERE json_extract(owner, '$.lab') = ?`).run(store.now(), lab);
}

/**
 * Records as `interrupted` every experiment stored `running` whose process is gone (its mark
 * cleared); returns their ids. What they finished stays; a resume continues them.
 */
export function recordInterrupted(store: Store): number[] {
  return store.write(() => {
    const rows = store.stmt(`SELECT id, owner, heartbeat_at FROM experiments WHERE status = 'running'`).all() as Pick<
      ExperimentRow,
      'id' | 'owner' | 'heartbeat_at'
    >[];
    const now = store.now();
    const gone = rows.filter((r) => !liveOwner(r, now)).map((r) => r.id);
    const mark = store.stmt(
      `UPDATE experiments SET status = 'interrupted', owner = NULL, updated_at = ? WHERE id = ? AND status = 'running'`,
    );
    for (const id of gone) mark.run(now, id);
    return gone;
  });
}

/** Records the plan's cost in the preview's units (when a run plans it). */
export function setCostUnits(store: Store, id: number, units: number): void {
  store.stmt('UPDATE experiments SET cost_units = ? WHERE id = ?').run(units, id);
}

/**
 * The last `limit` finished experiments with a recorded cost: their cost units and the time
 * their jobs took (ms, summed over the jobs, as the workers measured it), newest first.
 */
export function costs(store: Store, limit: number): { units: number; ms: number }[] {
  return store
    .stmt(
      `SELECT e.cost_units AS units,
              (SELECT coalesce(sum(j.ms), 0) FROM jobs AS j WHERE j.experiment_id = e.id AND j.state = 'done') AS ms
       FROM experiments AS e
       WHERE e.status = 'done' AND e.cost_units > 0
       ORDER BY e.finished_at DESC, e.id DESC LIMIT ?`,
    )
    .all(limit) as { units: number; ms: number }[];
}

/** Records the kernels of the experiment's results (at the start of a run that may add some). */
export function setKernels(store: Store, id: number, kernels: KernelsUsed): void {
  store.stmt('UPDATE experiments SET kernels = ? WHERE id = ?').run(JSON.stringify(kernels), id);
}
