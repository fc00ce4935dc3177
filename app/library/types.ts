/** The shapes the library hands out and takes in; shared by its modules, exchange.ts and the Lab. */
import type { ExperimentReport } from '../../shared/experiment/aggregate.ts';
import type { StudySeries } from '../../shared/experiment/studies.ts';

export type {
  DatasetInfo,
  ExperimentRecord,
  ExperimentOwner,
  ExperimentStatus,
  ExperimentSummary,
  KernelsUsed,
  JobFault,
  JobRow,
  JobState,
  JobStates,
  ListOptions,
  RunEngine,
} from '../../shared/lab-api.ts';

export { EXPERIMENT_STATUSES, JOB_STATES } from '../../shared/lab-states.ts';

/** What `optlab run --out` writes: the aggregated report, plus the study's chart series when there is a study. */
export type StoredReport = ExperimentReport & { study?: StudySeries };
