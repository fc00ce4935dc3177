/**
 * The Lab's workers: the WebSocket coordinator (started on first use, on 127.0.0.1 unless
 * LAN mode is on), the local worker processes a run starts, standing local workers, and the
 * executor each run gets.
 */
import { InProcessExecutor, type Executor } from '../../shared/experiment/executor.ts';
import type { KernelsSpec } from '../../shared/protocol.ts';
import type { LanState, WorkerCommand, WorkerView } from '../../shared/lab-api.ts';
import {
  Coordinator,
  spawnLocalWorkers,
  workerCommandLine,
  type CoordinatorLogger,
  type CoordinatorOptions,
  type LocalWorkers,
} from '../coordinator/index.ts';
import type { EventHub } from './events.ts';
import { ThreadExecutor } from './thread-executor.ts';
import { chosenBackend, failFast, runBackend, workerBackendArgs, type BackendOptions } from '../backend.ts';
import { threadEngine } from '../../worker/backend.ts';
import { workerView } from './views.ts';

export interface WorkersOptions {
  /** The token workers must prove (kept beside the library); a random one when undefined. */
  token?: string;
  /** Port of the coordinator (default 0: any free port). */
  port?: number;
  /** Start in LAN mode. */
  lan?: boolean;
  /** Local worker processes started with the coordinator, kept for the Lab's life. */
  standing?: number;
  /** Their engine (--backend, --software-gpu); default the CPU. */
  standingBackend?: BackendOptions;
  /** Run in-process jobs in a worker thread instead of on the event loop. */
  fitsInThread: boolean;
  kernels: KernelsSpec;
  logger?: CoordinatorLogger;
  /** Extra coordinator settings (tests: heartbeats, timeouts). */
  coordinator?: CoordinatorOptions;
}

export class LabWorkers {
  readonly #o: WorkersOptions;
  readonly #hub: EventHub;
  #coordinator?: Promise<Coordinator>;
  #standing?: LocalWorkers;
  #lan: boolean;
  #port: number;

  constructor(o: WorkersOptions, hub: EventHub) {
    this.#o = o;
    this.#hub = hub;
    this.#lan = o.lan ?? false;
    this.#port = o.port ?? 0;
  }

  /** The coordinator, started on first use. */
  coordinator(): Promise<Coordinator> {
    this.#coordinator ??= (async () => {
      const c = new Coordinator({
        ...this.#o.coordinator,
        token: this.#o.token,
        kernels: this.#o.kernels,
        lan: this.#lan,
        port: this.#port,
        ...(this.#o.logger ? { logger: this.#o.logger } : {}),
      });
      c.on('worker-joined', (w) => this.#hub.emit({ type: 'worker-joined', worker: workerView(w) }));
      c.on('worker-left', (w, reason) => this.#hub.emit({ type: 'worker-left', worker: workerView(w), reason }));
      await c.listen();
      if (this.#o.standing)
        this.#standing = spawnLocalWorkers(this.#o.standing, c.url, c.token, {
          args: workerBackendArgs(this.#o.standingBackend ?? {}),
          // Said even without a logger: a standing worker that will not start (no GPU) is never retried.
          onExit: (name, { code, signal, lastLine }) =>
            (this.#o.logger ? (l: string) => this.#o.logger!.warn(l) : (l: string) => console.error(l))(
              `standing worker ${name} exited unexpectedly (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
            ),
        });
      return c;
    })();
    return this.#coordinator;
  }

  async list(): Promise<WorkerView[]> {
    if (!this.#coordinator) return [];
    return (await this.#coordinator).workers().map(workerView);
  }

  async lan(): Promise<LanState> {
    if (!this.#coordinator) return { enabled: this.#lan, port: 0, urls: [] };
    const c = await this.#coordinator;
    return { enabled: this.#lan, port: c.port, urls: this.#lan ? c.lanUrls() : [c.url] };
  }

  /** LAN mode on or off; the coordinator moves to the new address and keeps its workers. */
  async setLan(enabled: boolean, port?: number): Promise<LanState> {
    const changed = enabled !== this.#lan || (port !== undefined && port !== this.#port);
    this.#lan = enabled;
    if (port !== undefined) this.#port = port;
    if (this.#coordinator && changed) {
      const c = await this.#coordinator;
      await c.relisten({ host: enabled ? '0.0.0.0' : '127.0.0.1', port: port ?? c.port });
    } else await this.coordinator();
    const state = await this.lan();
    if (changed) this.#hub.emit({ type: 'lan', lan: state });
    return state;
  }

  async command(): Promise<WorkerCommand> {
    const c = await this.coordinator();
    const urls = this.#lan ? c.lanUrls() : [c.url];
    // This installation under node, the token in the environment (see workerCommandLine).
    const commands = (urls.length ? urls : [c.url]).map((u) => workerCommandLine(u, c.token));
    return { command: commands[0], commands };
  }

  /**
   * The executor of one run: `workers` local processes started for it (with `joined`, the
   * coordinator's other workers too), or, with 0 and not joined, this process. `backend` says
   * which engine trains: local workers get it as --backend, the coordinator holds the run to
   * it, and in this process the device is opened here (or the run refused with the reason).
   */
  async executor(
    workers: number,
    joined: boolean,
    backend: BackendOptions = {},
  ): Promise<{ executor: Executor; stop(): Promise<void> }> {
    if (workers === 0 && !joined) {
      // Always shown (even --quiet): which engine trains is part of what the run means.
      const say = (line: string) => this.#o.logger?.warn(line);
      const b = await chosenBackend(backend, say);
      if (!this.#o.fitsInThread)
        return { executor: new InProcessExecutor((await threadEngine(b.thread)) ?? undefined), stop: async () => {} };
      const t = new ThreadExecutor(this.#o.kernels, b.thread);
      return { executor: t, stop: () => t.close() };
    }
    const c = await this.coordinator();
    const local =
      workers > 0
        ? spawnLocalWorkers(workers, c.url, c.token, {
            args: workerBackendArgs(backend),
            onExit: (name, { code, signal, lastLine }) =>
              this.#o.logger?.warn(
                `local worker ${name} exited unexpectedly (${signal ?? `code ${code}`})${lastLine ? `: ${lastLine}` : ''}`,
              ),
          })
        : undefined;
    const executor = c.executor(runBackend(backend));
    return { executor: local ? failFast(executor, local) : executor, stop: async () => void (await local?.stop()) };
  }

  async close(): Promise<void> {
    await this.#standing?.stop();
    if (this.#coordinator) await (await this.#coordinator).close();
    this.#coordinator = undefined;
  }
}
