/** The shapes the library hands out and takes in; shared by its modules, exchange.ts and the Lab. */
import type { ExperimentReport } from '../../shared/experiment/aggregate.ts';
import type { StudySeries } from '../../shared/experiment/studies.ts';
import type { ExperimentStatus, JobState } from '../../shared/lab-api.ts';

export type {
  DatasetInfo,
  ExperimentRecord,
  ExperimentStatus,
  ExperimentSummary,
  JobRow,
  JobState,
  JobStates,
  ListOptions,
} from '../../shared/lab-api.ts';

export const EXPERIMENT_STATUSES = [
  'created',
  'running',
  'done',
  'failed',
  'cancelled',
] as const satisfies readonly ExperimentStatus[];
export const JOB_STATES = ['pending', 'leased', 'done', 'failed'] as const satisfies readonly JobState[];
// Fail to compile when the contract gains a status or state these lists lack.
const allStatuses: [ExperimentStatus] extends [(typeof EXPERIMENT_STATUSES)[number]] ? true : false = true;
const allStates: [JobState] extends [(typeof JOB_STATES)[number]] ? true : false = true;
void allStatuses;
void allStates;

/** What `optlab run --out` writes: the aggregated report, plus the study's chart series when there is a study. */
export type StoredReport = ExperimentReport & { study?: StudySeries };
