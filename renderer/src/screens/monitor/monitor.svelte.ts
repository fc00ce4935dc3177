/**
 * The Run monitor's state: one experiment kept current by ExperimentMonitor (a snapshot and
 * the events after it, synced again whenever the connection comes back), the event log, the
 * LAN switch and the worker command, and the job the user clicked.
 */
import type {
  ExperimentSnapshot,
  JobDetail,
  JobRow,
  LanState,
  WorkerCommand,
  WorkerView,
} from '../../../../shared/lab-api.ts';
import type { LabClient } from '../../../../shared/lab-client.ts';
import { ExperimentMonitor } from '../../../../shared/lab-monitor.ts';
import { errorText } from '../lab-format.ts';
import { logLine, type LogLine } from './events.ts';

export class MonitorState {
  #snap = $state.raw<ExperimentSnapshot | undefined>(undefined);
  #log = $state.raw<LogLine[]>([]);
  #lan = $state.raw<LanState | null>(null);
  #command = $state.raw<WorkerCommand | null>(null);
  #job = $state.raw<JobDetail | null>(null);
  #labels = $state.raw<string[]>([]);
  #error = $state<string | null>(null);
  #connection = $state<string>('connecting');
  #workers = $state.raw<WorkerView[] | null>(null);
  #monitor: ExperimentMonitor;
  #offs: (() => void)[] = [];
  #started = false;
  #poll: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly lab: LabClient,
    readonly id: number,
  ) {
    this.#monitor = new ExperimentMonitor(lab, id, (s) => (this.#snap = s));
    this.#offs.push(
      lab.subscribe((e) => {
        if (e.type === 'lan') this.#lan = e.lan;
        // A run that ends puts its jobs in hand back to pending without a job event each: sync.
        if (e.type === 'status' && e.experimentId === id && e.status !== 'running' && this.#started)
          void this.#monitor.sync().catch((err) => (this.#error = errorText(err)));
        const line = logLine(e, id);
        if (line) this.#log = [...this.#log.slice(-199), line];
      }),
      lab.onState((s) => {
        this.#connection = s;
        // A connection that comes back (a restarted server, a dropped socket): sync again.
        if (s === 'open' && this.#started) void this.#monitor.sync().catch((e) => (this.#error = errorText(e)));
      }),
    );
    void this.start();
  }

  async start(): Promise<void> {
    try {
      await this.lab.ready;
      this.#connection = this.lab.state;
      await this.#monitor.start();
      this.#started = true;
      // Heartbeat ages and jobs in hand change without events: the workers table is polled.
      this.#poll = setInterval(() => {
        if (this.lab.state === 'open')
          void this.lab.listWorkers().then(
            (w) => (this.#workers = w),
            () => {},
          );
      }, 2000);
      void this.lab.previewPlan({ experimentId: this.id }).then(
        (p) => (this.#labels = p.configurations.map((c) => c.label)),
        () => {},
      );
      this.#lan = await this.lab.getLan();
      this.#command = await this.lab.workerCommand();
    } catch (e) {
      this.#error = errorText(e);
    }
  }

  get snap(): ExperimentSnapshot | undefined {
    return this.#snap;
  }
  /** Configuration labels by index (from the plan). */
  get labels(): string[] {
    return this.#labels;
  }
  /** The workers: polled every 2 s, else as of the snapshot and its events. */
  get workers(): WorkerView[] {
    return this.#workers ?? this.#snap?.workers ?? [];
  }
  get log(): LogLine[] {
    return this.#log;
  }
  get lan(): LanState | null {
    return this.#lan;
  }
  get command(): WorkerCommand | null {
    return this.#command;
  }
  get job(): JobDetail | null {
    return this.#job;
  }
  get error(): string | null {
    return this.#error;
  }
  get connection(): string {
    return this.#connection;
  }

  /** Runs an action; its error is shown. */
  async act(f: () => Promise<unknown>): Promise<void> {
    this.#error = null;
    try {
      await f();
    } catch (e) {
      this.#error = errorText(e);
    }
  }

  cancel = () => this.act(() => this.lab.cancelRun(this.id));
  resume = () => this.act(() => this.lab.resumeRun(this.id));
  retry = () => this.act(() => this.lab.retryFailed(this.id));

  async setLan(on: boolean): Promise<void> {
    await this.act(async () => {
      this.#lan = await this.lab.setLan(on);
      this.#command = await this.lab.workerCommand();
    });
  }

  async showJob(row: JobRow): Promise<void> {
    await this.act(async () => (this.#job = await this.lab.getJob(this.id, row.key)));
  }

  closeJob(): void {
    this.#job = null;
  }

  stop(): void {
    clearInterval(this.#poll);
    this.#monitor.stop();
    for (const off of this.#offs) off();
  }
}
