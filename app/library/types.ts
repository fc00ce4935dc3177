/** The shapes the library hands out and takes in; shared by its modules, exchange.ts and the Lab. */
import type { ExperimentReport } from '../../shared/experiment/aggregate.ts';
import type { StudySeries } from '../../shared/experiment/studies.ts';
import type { ExperimentSpec } from '../../shared/experiment/types.ts';
import type { Task } from '../../shared/data/dataset.ts';

export const EXPERIMENT_STATUSES = ['created', 'running', 'done', 'failed', 'cancelled'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const JOB_STATES = ['pending', 'leased', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** What `optlab run --out` writes: the aggregated report, plus the study's chart series when there is a study. */
export type StoredReport = ExperimentReport & { study?: StudySeries };

export interface DatasetInfo {
  hash: string;
  name: string;
  task: Task;
  n: number;
  d: number;
  classes: number;
  createdAt: number;
  /** Bytes of x and y as stored. */
  bytes: number;
  /** Experiments linked to it (it cannot be deleted while this is above 0). */
  experiments: number;
}

export interface ExperimentSummary {
  id: number;
  name: string;
  status: ExperimentStatus;
  tags: string[];
  notes: string;
  error: string | null;
  /** Milliseconds since 1970 (UTC). */
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  jobs: { total: number; done: number; failed: number };
  hasReport: boolean;
}

export interface ExperimentRecord extends ExperimentSummary {
  spec: ExperimentSpec;
  /** Hashes of the stored data sets it trains on. */
  datasets: string[];
}

export interface JobRow {
  key: string;
  state: JobState;
  attempts: number;
  worker: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  ms: number | null;
  /** The last failure, kept after a requeue so the UI can say why a job ran again. */
  error: string | null;
}

export interface JobStates {
  total: number;
  counts: Record<JobState, number>;
  /** In key order. */
  jobs: JobRow[];
}

export interface ListOptions {
  /** Case-insensitive substring of the name, the notes or a tag. */
  search?: string;
  status?: ExperimentStatus;
  /** Exactly this tag (case-insensitive). */
  tag?: string;
  limit?: number;
  offset?: number;
}
