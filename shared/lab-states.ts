/**
 * The statuses of an experiment and the states of a job, as values: the library's SQL checks
 * (app/library/migrations), the contract's types (shared/lab-api.ts), the served API's
 * argument schema and the command line's `--status` all hold these same lists
 * (app/library/statuses.test.ts checks the SQL against them; the types are checked below).
 */
import type { ExperimentStatus, JobState } from './lab-api.ts';

export { EXPERIMENT_STATUSES, JOB_STATES } from './schema/export.ts';
import { EXPERIMENT_STATUSES, JOB_STATES } from './schema/export.ts';

// The schema's lists are the contract's types, and no more.
const statusesAreTypes: readonly ExperimentStatus[] = EXPERIMENT_STATUSES;
const statesAreTypes: readonly JobState[] = JOB_STATES;
void statusesAreTypes;
void statesAreTypes;

// Fail to compile when the contract gains a status or state these lists lack.
const allStatuses: [ExperimentStatus] extends [(typeof EXPERIMENT_STATUSES)[number]] ? true : false = true;
const allStates: [JobState] extends [(typeof JOB_STATES)[number]] ? true : false = true;
void allStatuses;
void allStates;
