/**
 * The Lab's runs: at most one per experiment, each planned, recorded in the library job by
 * job as it goes (a result is committed the moment it arrives), and told to subscribers as
 * events. A run is started and then left to itself; `wait` hands its outcome to whoever asks.
 */
import type { Executor } from '../../shared/experiment/executor.ts';
import { JobCancelled } from '../../shared/experiment/executor.ts';
import { FitCancelled } from '../../shared/train/fit.ts';
import { runPlan, plannedJobs } from '../../shared/experiment/run.ts';
import { studySeries } from '../../shared/experiment/studies.ts';
import type { Plan } from '../../shared/experiment/plan.ts';
import type { JobProgress, JobResult } from '../../shared/experiment/types.ts';
import type { ExperimentRecord, KernelsUsed, RunEngine, RunOutcome, RunStarted } from '../../shared/lab-api.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import type { CommitOutcome, Library, StoredReport } from '../library/library.ts';
import { HEARTBEAT_MS, type OwnerMark } from '../library/owner.ts';
import type { EventHub } from './events.ts';
import { jobOutcome, progressView } from './views.ts';
import { planUnits } from './preview.ts';

/** What a run needs of the Lab. */
export interface RunHost {
  library: Library;
  hub: EventHub;
  /** The Lab's mark, recorded as the owner of the experiments it runs. */
  mark: OwnerMark;
  /** The kernels this Lab trains with (its process's; its workers take the same). */
  kernels: KernelsUsed;
  /** The experiment's plan, its data loaded from the library. */
  plan(exp: ExperimentRecord): Plan;
  /**
   * Where the run's jobs go (given the results already committed), what to stop once it ends,
   * and the engine to record with the experiment.
   */
  executor(
    done: ReadonlyMap<string, JobResult>,
  ): Promise<{ executor: Executor; stop(): Promise<void>; engine?: RunEngine }>;
  /** Before the run: commit what its engine finished while no Lab listened (so it is not run again). */
  reconcile?(exp: ExperimentRecord, plan: Plan): Promise<void>;
}

interface Active {
  executor?: Executor;
  planned: { total: number; done: number };
  outcome: Promise<RunOutcome>;
}

/** Two kernel sets give the same bits only when they are the same set and build. */
const sameKernels = (a: KernelsUsed, b: KernelsUsed) => a.name === b.name && (a.build ?? null) === (b.build ?? null);
const kernelsText = (k: KernelsUsed) => `${k.name} kernels${k.build ? ` (build ${k.build})` : ''}`;

export class Runs {
  readonly #active = new Map<number, Active>();
  /** While runs are active: refreshes their heartbeat in the library. */
  #beat?: NodeJS.Timeout;
  /** Runs whose end could not be recorded (a full disk): tried again at each heartbeat. */
  readonly #unrecorded = new Map<number, { library: Library; status: RunOutcome['status']; error: string }>();

  isRunning(id: number): boolean {
    return this.#active.has(id);
  }

  /** Jobs the run of `id` will do and how many are done, while it runs. */
  planned(id: number): { total: number; done: number } | null {
    const a = this.#active.get(id);
    return a ? { ...a.planned } : null;
  }

  /**
   * Plans and starts a run; resolves once it is under way. Jobs with committed results are
   * not run again; failed ones are tried again (their last error stays until they succeed).
   */
  async start(exp: ExperimentRecord, host: RunHost): Promise<RunStarted> {
    const { library, hub } = host;
    const id = exp.id;
    if (this.#active.has(id)) throw new OptLabError('E_BUSY', `experiment ${id} is already running`);
    const holder = library.claimRun(id, host.mark);
    if (holder)
      throw new OptLabError(
        'E_BUSY',
        `experiment ${id} is running in another process (pid ${holder.pid} on ${holder.host}); stop it there (Ctrl-C), or wait for it to end`,
      );
    let release!: (o: RunOutcome) => void;
    const reserved: Active = {
      planned: { total: 0, done: 0 },
      outcome: new Promise((resolve) => (release = resolve)),
    };
    // Held from here on: a second start while this one awaits its executor is refused.
    this.#active.set(id, reserved);
    let plan: Plan, done: Map<string, JobResult>, executor: Executor, stop: () => Promise<void>;
    try {
      plan = host.plan(exp);
      for (const dp of plan.data) {
        if (exp.datasets.length && !exp.datasets.includes(dp.hash) && exp.jobs.done > 0) {
          throw new OptLabError(
            'E_STATE',
            `experiment ${id}: its data set changed since the run started (hash ${dp.hash}, stored ${exp.datasets.join(', ')}); duplicate the experiment to start over`,
          );
        }
        library.putDataset(dp.data);
        library.linkDataset(id, dp.hash);
      }
      library.planJobs(
        id,
        plan.jobs.map((j) => j.key),
      );
      // What the plan costs in the preview's units: with the jobs' times, later estimates' throughput.
      library.setCostUnits(id, planUnits(plan));
      library.requeueLeased(id);
      for (const j of library.jobStates(id).jobs) if (j.state === 'failed') library.requeueJob(id, j.key);
      await host.reconcile?.(exp, plan);
      done = library.doneResults(id);
      // One report, one kernel set: results of other kernels differ in their last bits.
      if (done.size && exp.kernels && !sameKernels(exp.kernels, host.kernels))
        throw new OptLabError(
          'E_STATE',
          `experiment ${id}: its ${done.size} finished job${done.size === 1 ? ' was' : 's were'} computed with the ${kernelsText(exp.kernels)}, and this Lab runs the ${kernelsText(host.kernels)}; ` +
            (exp.kernels.name === host.kernels.name
              ? 'that build is another version of OptLab: resume it with that version, or duplicate the experiment to start over'
              : `resume it with the same kernels (${exp.kernels.name === 'js' ? 'OPTLAB_KERNELS=js' : `OPTLAB_KERNELS=${exp.kernels.name}, or without OPTLAB_KERNELS`}), or duplicate the experiment to start over`),
        );
      library.setKernels(id, host.kernels);
      const chosen = await host.executor(done);
      executor = chosen.executor;
      stop = () => chosen.stop();
      if (chosen.engine) library.setEngine(id, chosen.engine);
    } catch (e) {
      this.#active.delete(id);
      try {
        library.releaseRun(id, host.mark.lab);
      } catch {
        // The mark stays; it reads as interrupted once this process is gone.
      }
      release({ experimentId: id, status: exp.status, error: exp.error, hasReport: exp.hasReport });
      throw e;
    }
    reserved.executor = executor;
    reserved.planned = { total: plannedJobs(plan), done: done.size };
    this.#keepBeating(library, host.mark.lab);
    library.setStatus(id, 'running');
    hub.emit({ type: 'status', experimentId: id, status: 'running', error: null });
    hub.emit({ type: 'planned', experimentId: id, ...reserved.planned });
    void this.#drive(exp, plan, done, executor, host).then(async (outcome) => {
      await stop();
      release(outcome);
    });
    return { experimentId: id, ...reserved.planned };
  }

  /** Stops a run everywhere; what was committed stays. False when it was not running. */
  cancel(id: number): boolean {
    const a = this.#active.get(id);
    if (!a?.executor) return false;
    a.executor.cancel();
    return true;
  }

  /** How the run of `id` ends, or undefined when none is in progress. */
  outcome(id: number): Promise<RunOutcome> | undefined {
    return this.#active.get(id)?.outcome;
  }

  /** Cancels every run and waits until each has recorded how it ended. */
  async stopAll(): Promise<void> {
    const outcomes = [...this.#active.keys()].map((id) => {
      this.cancel(id);
      return this.#active.get(id)!.outcome;
    });
    await Promise.allSettled(outcomes);
    clearInterval(this.#beat);
    this.#beat = undefined;
    // The library closes next: an end still unrecorded then reads as interrupted.
    this.#unrecorded.clear();
  }

  /** While runs are active (or an end waits to be recorded), their heartbeat every HEARTBEAT_MS. */
  #keepBeating(library: Library, lab: string): void {
    if (this.#beat) return;
    this.#beat = setInterval(() => {
      for (const [id, u] of this.#unrecorded) {
        try {
          u.library.setStatus(id, u.status, u.error);
          this.#unrecorded.delete(id);
        } catch {
          // Still cannot write (the disk is full): the next beat tries again.
        }
      }
      try {
        if (this.#active.size) library.heartbeat(lab);
      } catch {
        // A full disk or a closed library: the mark ages, which is what it should do.
      }
      if (!this.#active.size && !this.#unrecorded.size) {
        clearInterval(this.#beat);
        this.#beat = undefined;
      }
    }, HEARTBEAT_MS);
    // The beat never keeps a process alive on its own.
    this.#beat.unref();
  }

  async #drive(
    exp: ExperimentRecord,
    plan: Plan,
    done: Map<string, JobResult>,
    executor: Executor,
    host: RunHost,
  ): Promise<RunOutcome> {
    const { library, hub } = host;
    const id = exp.id;
    // The caller of start() hears back before the first job: an in-process fit would block it.
    await new Promise((resolve) => setImmediate(resolve));
    const attempts = new Map(library.jobStates(id).jobs.map((j) => [j.key, j.attempts]));
    const workerOf = new Map<string, string>();
    const started = new Map<string, number>();
    const a = this.#active.get(id)!;
    let outcome: RunOutcome;
    try {
      const { report, results } = await runPlan(plan, executor, {
        done,
        onSubmit: (jobs) => {
          library.planJobs(
            id,
            jobs.map((j) => j.key),
          );
          const now = performance.now();
          for (const j of jobs) started.set(j.key, now);
        },
        onProgress: (p: JobProgress) => hub.progress(id, progressView(p)),
        onLeased: (key, worker) => {
          library.leaseJob(id, key, worker);
          const n = (attempts.get(key) ?? 0) + 1;
          attempts.set(key, n);
          workerOf.set(key, worker);
          hub.emit({ type: 'job', experimentId: id, key, state: 'leased', attempts: n, worker });
        },
        onAttemptFailed: (key, error, tries, final) => {
          // A failed try is kept with its error; the job goes back to pending unless it is final.
          library.failJob(id, key, `attempt ${attempts.get(key) ?? tries}: ${error}`);
          if (!final) library.requeueJob(id, key);
          hub.emit({
            type: 'job',
            experimentId: id,
            key,
            state: final ? 'failed' : 'pending',
            attempts: attempts.get(key) ?? tries,
            worker: workerOf.get(key) ?? null,
            failure: { error, final },
          });
        },
        onDuplicate: (r, meta) => void deliver(library, hub, id, r, meta ?? { ms: 0, worker: 'unknown' }),
        onResult: (r, meta) => {
          const ms = meta?.ms ?? performance.now() - (started.get(r.key) ?? performance.now());
          const worker = meta?.worker ?? 'in-process';
          library.commitResult(id, r.key, r, ms, worker);
          a.planned.done++;
          hub.emit({
            type: 'job',
            experimentId: id,
            key: r.key,
            state: 'done',
            attempts: attempts.get(r.key) ?? 1,
            worker,
            result: jobOutcome(r),
          });
        },
      });
      const study = studySeries(plan, report, results, exp.spec.study);
      const stored: StoredReport = study ? { ...report, study } : report;
      library.saveReport(id, stored);
      library.setStatus(id, 'done');
      outcome = { experimentId: id, status: 'done', error: null, hasReport: true };
    } catch (e) {
      const cancelled = e instanceof JobCancelled || e instanceof FitCancelled;
      const message = e instanceof Error ? e.message : String(e);
      outcome = { experimentId: id, status: cancelled ? 'cancelled' : 'failed', error: message, hasReport: false };
      try {
        library.requeueLeased(id);
        library.setStatus(id, outcome.status, message);
        outcome.hasReport = library.getReport(id) !== undefined;
      } catch {
        // A full disk, or the library closed under the run (the Lab is closing): the outcome
        // still stands. Tried again at each heartbeat; if this process ends first, its mark
        // names a process that is gone and the experiment reads as interrupted.
        this.#unrecorded.set(id, { library, status: outcome.status, error: message });
      }
    }
    this.#active.delete(id);
    hub.runEnded(id);
    if (outcome.status === 'done') hub.emit({ type: 'report', experimentId: id });
    hub.emit({ type: 'status', experimentId: id, status: outcome.status, error: outcome.error });
    return outcome;
  }
}

/** How the last run of a stored experiment ended. */
export function outcomeOf(e: ExperimentRecord | undefined): RunOutcome {
  if (!e) throw new OptLabError('E_NOT_FOUND', 'the experiment is gone');
  return { experimentId: e.id, status: e.status, error: e.error, hasReport: e.hasReport };
}

/**
 * Stores a result that may be a second delivery (queues deliver at least once, and a restarted
 * Lab meets results again): once per key; a copy with other bytes is a determinism fault,
 * recorded and announced. A first delivery outside a run (a reconcile) is announced as done.
 */
export function deliver(
  library: Library,
  hub: EventHub,
  id: number,
  r: JobResult,
  meta: { ms: number; worker: string },
): CommitOutcome {
  const outcome = library.deliverResult(id, r.key, r, meta.ms, meta.worker);
  if (outcome === 'differs') {
    const fault = library
      .jobStates(id)
      .faults.filter((f) => f.key === r.key)
      .at(-1);
    if (fault) hub.emit({ type: 'job-fault', experimentId: id, fault });
  } else if (outcome === 'committed') {
    const row = library.jobStates(id).jobs.find((j) => j.key === r.key);
    hub.emit({
      type: 'job',
      experimentId: id,
      key: r.key,
      state: 'done',
      attempts: row?.attempts ?? 1,
      worker: meta.worker,
      result: jobOutcome(r),
    });
  }
  return outcome;
}
