/**
 * The Lab's job engine: what takes a run's jobs to workers and brings their progress and
 * results back. Two implement it: `LanEngine` (the WebSocket coordinator, with local and LAN
 * workers, or this process) and `BullMqEngine` (a BullMQ queue on Redis, for workers on any
 * machine that reaches it). The Lab holds one and does not care which:
 *
 *   submit, results, progress, cancel   the Executor of a run (`open`): `run(jobs, data, hooks)`
 *                                       hands the jobs over, the hooks bring progress, leases,
 *                                       failed tries and results back; `cancel()` stops it
 *   reconcile                           before a run, and when a Lab starts: results that
 *                                       finished while no Lab listened are committed, and jobs
 *                                       a queue lost are added again
 *
 * SQLite stays the source of truth: an engine commits nothing itself, it hands results to the
 * Lab's `commit`, which stores each once (INSERT OR IGNORE on experiment and key).
 */
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Executor } from '../../shared/experiment/executor.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import type { LabInfo, RunEngine, WorkerCommand, WorkerView } from '../../shared/lab-api.ts';
import type { CommitOutcome } from '../library/library.ts';
import type { BackendOptions } from '../backend.ts';

/** One run as an engine is asked to carry it. */
export interface EngineRun {
  experimentId: number;
  /** Local worker processes to start for the run (0: none; LAN: 0 and not joined means this process). */
  workers: number;
  /** LAN: also use the workers that joined the coordinator. */
  joined: boolean;
  /** The back end it trains on (resolved: a resumed run keeps its committed jobs' back end). */
  backend: BackendOptions;
}

/** An open run: its executor, what it is, and what to stop once it ends. */
export interface EngineSession {
  executor: Executor;
  /** Where the jobs go (stored with the experiment). */
  engine: RunEngine;
  stop(): Promise<void>;
}

/** Where a result came from, as the Lab stores it. */
export interface DeliveryMeta {
  ms: number;
  worker: string;
}

/** What reconciling one experiment needs of the Lab. */
export interface ReconcileTarget {
  experimentId: number;
  /** The experiment's planned jobs (their keys name its queue entries; results are checked against them). */
  jobs: readonly Job[];
  /** Keys whose results are committed. */
  done: ReadonlySet<string>;
  /** Where its last run sent its jobs (null: never run). */
  engine: RunEngine | null;
  /** Stores a result once; a second delivery is compared (see Library.deliverResult). */
  commit(result: JobResult, meta: DeliveryMeta): CommitOutcome;
  /** Also add the planned jobs that are neither done nor in the queue (a Lab that starts up keeps the workers busy). */
  readd?: boolean;
  /** The plan's data sets by hash (what re-added jobs need). */
  data?: ReadonlyMap<string, Dataset>;
}

export interface ReconcileSummary {
  /** Results committed that finished while no Lab listened. */
  imported: number;
  /** Second deliveries of committed results (same bytes), cleared from the queue. */
  duplicates: number;
  /** Second deliveries with other bytes (determinism faults, recorded). */
  faults: number;
  /** Jobs added again because the queue had lost them. */
  readded: number;
  /** Set when another Lab is driving the experiment's run right now: nothing was touched. */
  ownedBy?: string;
}

export interface JobEngine {
  /** What `LabInfo.engine` says. */
  readonly info: LabInfo['engine'];
  /** Opens a run: its executor (jobs, hooks, cancel). */
  open(run: EngineRun): Promise<EngineSession>;
  /** Commits what finished while no Lab listened; with `readd`, adds back what the queue lost. */
  reconcile(target: ReconcileTarget): Promise<ReconcileSummary>;
  /** Workers serving this engine now. */
  workers(): Promise<WorkerView[]>;
  /** The command that starts a worker for this engine (absent: the LAN coordinator's). */
  command?(): WorkerCommand;
  close(): Promise<void>;
}

/** A reconcile that found nothing to do (an engine where nothing outlives the Lab). */
export const NOTHING_RECONCILED: ReconcileSummary = { imported: 0, duplicates: 0, faults: 0, readded: 0 };
