/**
 * The statuses of an experiment and the states of a job, as values: the library's SQL checks
 * (app/library/migrations), the contract's types (shared/lab-api.ts), the served API's
 * argument schema and the command line's `--status` all hold these same lists
 * (app/library/statuses.test.ts checks the SQL against them; the types are checked below).
 */
import type { ExperimentStatus, JobState } from './lab-api.ts';

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
