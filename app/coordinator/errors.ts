/** How a run or the coordinator itself fails, as the Lab and the CLI tell the cases apart. */
import { JobCancelled } from '../../shared/experiment/executor.ts';

/** A run cancelled by `cancel()`: a JobCancelled, so the Lab treats it like the in-process executor's. */
export class RunCancelled extends JobCancelled {
  readonly code = 'E_CANCELLED' as const;
  constructor(unfinished: number, firstKey: string) {
    super(firstKey);
    this.message = `run cancelled with ${unfinished} job${unfinished === 1 ? '' : 's'} unfinished (first: ${firstKey})`;
  }
}

/** A job that failed on every try. */
export class JobFailedError extends Error {
  readonly code = 'E_JOB_FAILED' as const;
  constructor(
    readonly key: string,
    readonly attempts: number,
    readonly lastError: string,
  ) {
    super(`job ${key} failed ${attempts} time${attempts === 1 ? '' : 's'}; last error: ${lastError}`);
  }
}

/** The coordinator stopped while a run was pending, or a run could not be started. */
export class CoordinatorError extends Error {}
