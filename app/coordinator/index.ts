/** The Lab's side of distributed runs: the coordinator, its Executor, and local worker processes. */
export {
  Coordinator,
  DistributedExecutor,
  RunCancelled,
  JobFailedError,
  CoordinatorError,
  stderrLogger,
} from './coordinator.ts';
export type { CoordinatorOptions, CoordinatorLogger, CoordinatorEvents, WorkerInfo } from './coordinator.ts';
export { spawnLocalWorkers, spawnWorkerProcesses, exited, workerCommandLine, optlabCommandLine } from './local.ts';
export type { LocalWorkers, LocalWorkerOptions, WorkerProcessOptions } from './local.ts';
