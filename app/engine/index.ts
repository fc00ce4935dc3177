/**
 * The Lab's job engine, chosen once when the Lab opens (a bad URL is refused then; the engine
 * itself is ready when the returned promise is): the LAN coordinator (default) or a
 * BullMQ queue on Redis (`--engine redis://…`, or OPTLAB_ENGINE). Also the two places where
 * the Lab reconciles with an engine: before each run, and for every experiment a stopped Lab
 * left running when a Lab with that engine opens.
 */
import type { KernelsSpec } from '../../shared/protocol.ts';
import type { ExperimentRecord } from '../../shared/lab-api.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import type { Plan } from '../../shared/experiment/plan.ts';
import { planData } from '../../shared/experiment/run.ts';
import { EngineUrlError, parseEngineUrl } from '../../worker/queue/layout.ts';
import type { Library } from '../library/library.ts';
import type { CoordinatorLogger } from '../coordinator/types.ts';
import type { EventHub } from '../lab/events.ts';
import type { LabWorkers } from '../lab/workers.ts';
import { deliver } from '../lab/runs.ts';
import type { BullMqEngineOptions } from './bullmq/engine.ts';
import { LanEngine } from './lan.ts';
import type { JobEngine, ReconcileSummary } from './types.ts';

export type { JobEngine, EngineRun, EngineSession, ReconcileSummary } from './types.ts';
export { LanEngine };

/** Settings of a Redis engine that tests and the benchmark change (tries, delays, lock). */
export type EngineTuning = Partial<
  Pick<BullMqEngineOptions, 'attempts' | 'backoffMs' | 'sweepMs' | 'ownerTtlS' | 'workerLockSeconds'>
>;

export function createEngine(o: {
  /** `redis[s]://…`, or undefined for the LAN coordinator. */
  url?: string;
  tuning?: EngineTuning;
  library: Library;
  workers: LabWorkers;
  kernels: KernelsSpec;
  logger: CoordinatorLogger;
}): Promise<JobEngine> {
  if (o.url === undefined) return Promise.resolve(new LanEngine(o.workers));
  let target;
  try {
    target = parseEngineUrl(o.url);
  } catch (e) {
    if (e instanceof EngineUrlError) throw new OptLabError('E_BAD_ARGS', `--engine: ${e.message}`);
    throw e;
  }
  const libraryId = o.library.libraryId();
  // BullMQ and its Redis client are loaded only by a Lab on a queue (they slowed every start).
  return import('./bullmq/engine.ts').then(
    ({ BullMqEngine }) => new BullMqEngine({ ...o.tuning, target, libraryId, kernels: o.kernels, logger: o.logger }),
  );
}

/**
 * Commits what the engine finished for `exp` while no Lab listened (announced as events);
 * with `readd`, adds back the planned jobs the queue lost. E_BUSY when another Lab drives it.
 */
export async function reconcileExperiment(
  engine: JobEngine,
  library: Library,
  hub: EventHub,
  exp: ExperimentRecord,
  plan: Plan,
  readd = false,
): Promise<ReconcileSummary> {
  const done = new Set(library.doneResults(exp.id).keys());
  const summary = await engine.reconcile({
    experimentId: exp.id,
    jobs: plan.jobs,
    done,
    engine: exp.engine,
    readd,
    data: planData(plan),
    commit: (r, meta) => deliver(library, hub, exp.id, r, meta),
  });
  if (summary.ownedBy)
    throw new OptLabError(
      'E_BUSY',
      `experiment ${exp.id} is being run by another Lab (${summary.ownedBy}); if that Lab is gone, its claim lapses within seconds`,
    );
  return summary;
}

/**
 * A Lab opening on a queue: every experiment a Lab that died left on that queue (`interrupted`,
 * as the library records a run whose process is gone) gets the results finished since committed
 * and its lost jobs added back, so workers keep working until a Lab resumes it (`optlab
 * resume`). Experiments another Lab drives are left alone.
 */
export async function reconcileOnStart(
  engine: JobEngine,
  library: Library,
  hub: EventHub,
  plan: (e: ExperimentRecord) => Plan,
  log: CoordinatorLogger,
  busy: (id: number) => boolean,
): Promise<void> {
  const where = engine.info.where;
  for (const s of library.listExperiments({ status: 'interrupted' })) {
    if (busy(s.id) || s.engine?.kind !== 'redis' || s.engine.where !== where) continue;
    const exp = library.getExperiment(s.id);
    if (!exp) continue;
    try {
      const r = await reconcileExperiment(engine, library, hub, exp, plan(exp), true);
      const parts = [
        r.imported && `${r.imported} result(s) that finished while no Lab listened committed`,
        r.duplicates && `${r.duplicates} second deliveries cleared`,
        r.faults && `${r.faults} DETERMINISM FAULT(S) recorded (optlab show ${s.id} --jobs)`,
        r.readded && `${r.readded} lost job(s) added back to the queue`,
      ].filter(Boolean);
      if (parts.length) log.info(`experiment ${s.id}: ${parts.join('; ')}; optlab resume ${s.id} finishes it`);
    } catch (e) {
      log.warn(`experiment ${s.id}: not reconciled: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
