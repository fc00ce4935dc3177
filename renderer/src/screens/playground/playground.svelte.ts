/**
 * The Playground's state: the configuration (kept in the address), the run in the worker
 * (play, pause, step, reset), and what the output column draws. Any change to the
 * configuration starts the run again from its first epoch, so the spec shown always describes
 * the numbers shown. With a Lab, its stored data sets with 2 features and a class label are
 * offered beside the generated ones (fetched whole when drawn); the others are listed with
 * the reason the Playground cannot draw them.
 */
import type { KernelChoice } from '../../../../shared/linalg/use-kernels.ts';
import type { TrainSpec } from '../../../../shared/schema/types.ts';
import type { EpochRecord } from '../../../../shared/train/fit.ts';
import type { SetMetrics } from '../../../../shared/train/evaluate.ts';
import type { Dataset } from '../../../../shared/data/dataset.ts';
import type { DatasetInfo } from '../../../../shared/lab-api.ts';
import { hasLab, lab } from '../../lib/lab.ts';
import { errorText } from '../lab-format.ts';
import { datasetFromPreview, playgroundRefusal, MAX_IMPORTED_ROWS } from './imported.ts';
import { OPTIMIZER_DEFAULTS, type OptimizerName } from '../../../../shared/optim/registry.ts';
import {
  DEFAULT_CONFIG,
  configFromQuery,
  configToQuery,
  isImported,
  specProblems,
  toTrainSpec,
  type PlaygroundConfig,
} from './config.ts';
import type { FromWorker, View } from './protocol.ts';
import type { DecisionPicture } from './decision.ts';
import { TrainerClient, isolationProblem } from './trainer.ts';

/** Cells per side of the heatmap grid. */
export const MAP_CELLS = 64;

export type RunStatus = 'starting' | 'paused' | 'playing' | 'finished' | 'error';

/** The points of the current data set and how they were split. */
export interface PointsFrame {
  x: Float32Array;
  y: Float32Array;
  classes: number;
  train: Uint32Array;
  val: Uint32Array;
  test: Uint32Array;
  view: View;
}

/** The decision map after `epoch` epochs, drawn by the worker from the network's outputs on the grid. */
export interface MapFrame extends DecisionPicture {
  epoch: number;
}

/** Learning curves: one array per metric, all as long as `epoch`. */
export type Curves = Record<string, number[]>;

/** A data set of the Lab's library, and why the Playground cannot draw it (null: it can). */
export interface ImportedSet {
  info: DatasetInfo;
  refused: string | null;
}

/**
 * Least time between two updates of the curves and the numbers beside them while playing, in
 * ms: the map and the epoch counter show every epoch; a curve gaining a point per frame is not
 * seen to move any better at 60 Hz than at 10, and redrawing two charts and the numbers each
 * frame would cost a frame's time. Paused, stepped or over, they show every line at once.
 */
const CURVES_EVERY_MS = 100;

const CURVE_KEYS = ['train_loss', 'val_loss', 'test_loss', 'train_accuracy', 'val_accuracy', 'test_accuracy'];

function emptyCurves(): Curves {
  const c: Curves = { epoch: [] };
  for (const k of CURVE_KEYS) c[k] = [];
  return c;
}

export class PlaygroundState {
  #config = $state.raw<PlaygroundConfig>(DEFAULT_CONFIG);
  #status = $state<RunStatus>('starting');
  #epoch = $state(0);
  #finish = $state<string | null>(null);
  #error = $state<string | null>(null);
  #points = $state.raw<PointsFrame | null>(null);
  #map = $state.raw<MapFrame | null>(null);
  #curves = $state.raw<Curves>(emptyCurves());
  #kernels = $state.raw<KernelChoice | null>(null);
  #final = $state.raw<Record<string, SetMetrics> | null>(null);
  #imported = $state.raw<ImportedSet[]>([]);
  /** Imported data sets fetched whole, by hash (a raw state: replaced whole when one arrives). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #sets = $state.raw<ReadonlyMap<string, Dataset>>(new Map());
  /** Fetches in flight, by hash: bookkeeping, not shown. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #fetching = new Map<string, Promise<Dataset>>();
  #offLab: (() => void) | null = null;
  /** Problems with the link the Playground was opened with (values it replaced by defaults). */
  readonly linkProblems: readonly string[];
  /** Every line of the learning curve so far, as the worker sent it. */
  #history: EpochRecord[] = [];
  #client: TrainerClient | null = null;
  #frame = 0;
  /** When the curves were last shown (performance.now()), and the timer of the next showing. */
  #curvesShownAt = -Infinity;
  #curvesTimer: ReturnType<typeof setTimeout> | undefined;

  readonly spec: TrainSpec = $derived(toTrainSpec(this.#config));
  readonly problems: string[] = $derived(specProblems(this.#config));

  constructor(query: URLSearchParams) {
    const { config, problems } = configFromQuery(query);
    this.#config = config;
    this.linkProblems = problems;
    const isolation = isolationProblem();
    if (isolation) {
      this.#fail(isolation);
      return;
    }
    this.#client = new TrainerClient(
      (m) => this.#receive(m),
      (message) => this.#fail(`The training worker stopped: ${message}`),
    );
    if (hasLab()) {
      this.#offLab = lab().subscribe((e) => {
        if (e.type === 'dataset-added' || e.type === 'dataset-deleted') void this.#listImported();
      });
      void this.#listImported();
    }
    this.#restart();
  }

  /** Whether the page has a Lab whose data sets it can offer. */
  get hasLab(): boolean {
    return this.#offLab !== null;
  }
  /** The Lab's stored data sets, each with why the Playground refuses it (null: it can draw it). */
  get imported(): readonly ImportedSet[] {
    return this.#imported;
  }
  /** An imported data set's rows, once fetched (`fetchImported` fetches it). */
  importedData(hash: string): Dataset | null {
    return this.#sets.get(hash) ?? null;
  }

  /**
   * Trains on an imported data set from now on. Its rows become the number of points (what
   * "Sweep this…" sizes batches by), kept inside the link's range.
   */
  chooseImported(info: DatasetInfo): void {
    this.set({ data: 'csv', csv: info.hash, n: Math.min(2000, Math.max(20, info.n)), noise: null, classes: null });
  }

  /** Fetches an imported data set whole through the Lab (once; later calls share the fetch). */
  fetchImported(hash: string): Promise<Dataset> {
    const have = this.#sets.get(hash);
    if (have) return Promise.resolve(have);
    let p = this.#fetching.get(hash);
    if (!p) {
      p = lab()
        .previewDataset(hash, MAX_IMPORTED_ROWS)
        .then((preview) => {
          const ds = datasetFromPreview(preview);
          // eslint-disable-next-line svelte/prefer-svelte-reactivity
          this.#sets = new Map([...this.#sets, [hash, ds]]);
          return ds;
        })
        .finally(() => this.#fetching.delete(hash));
      this.#fetching.set(hash, p);
    }
    return p;
  }

  async #listImported(): Promise<void> {
    try {
      const l = lab();
      await l.ready;
      const list = await l.listDatasets();
      this.#imported = list.map((info) => ({ info, refused: playgroundRefusal(info) }));
    } catch (e) {
      // The generated sets still work; the Data column says the Lab's sets are unavailable.
      this.#imported = [];
      if (isImported(this.#config)) this.#fail(`The Lab's data sets cannot be listed: ${errorText(e)}`);
    }
  }

  get config(): PlaygroundConfig {
    return this.#config;
  }
  /** The address query of the configuration. */
  get query(): URLSearchParams {
    return configToQuery(this.#config);
  }
  get status(): RunStatus {
    return this.#status;
  }
  /** Epochs trained so far. */
  get epoch(): number {
    return this.#epoch;
  }
  /** Why the run ended, when it did. */
  get finish(): string | null {
    return this.#finish;
  }
  get error(): string | null {
    return this.#error;
  }
  get points(): PointsFrame | null {
    return this.#points;
  }
  get map(): MapFrame | null {
    return this.#map;
  }
  get curves(): Curves {
    return this.#curves;
  }
  get kernels(): KernelChoice | null {
    return this.#kernels;
  }
  /** Scores of the final model when the run is over. */
  get final(): Record<string, SetMetrics> | null {
    return this.#final;
  }
  get history(): readonly EpochRecord[] {
    return this.#history;
  }
  /** Paused with no epoch still on its way (after Pause, the ones already let through arrive first). */
  get canStep(): boolean {
    const idle = !this.#client || this.#client.allowed <= this.#epoch;
    return this.#status === 'paused' && idle && this.problems.length === 0;
  }
  get canPlay(): boolean {
    return (this.#status === 'paused' || this.#status === 'playing') && this.problems.length === 0;
  }

  /** Changes the configuration and starts the run again. */
  set(patch: Partial<PlaygroundConfig>): void {
    this.#config = { ...this.#config, ...patch };
    this.#restart();
  }

  /** Picks an optimizer with PyTorch's defaults for every keyword, lr included. */
  setOptimizer(name: OptimizerName): void {
    this.set({ opt: name, lr: OPTIMIZER_DEFAULTS[name].lr as number, options: {} });
  }

  /** A new seed: new points, new initial weights, new shuffles. */
  regenerate(): void {
    const seed = new Uint32Array(1);
    crypto.getRandomValues(seed);
    this.set({ seed: seed[0] % 1_000_000 });
  }

  play(): void {
    if (!this.canPlay) return;
    this.#status = 'playing';
    this.#schedule();
  }

  pause(): void {
    if (this.#status !== 'playing') return;
    this.#status = 'paused';
    this.#showCurves(true);
  }

  toggle(): void {
    if (this.#status === 'playing') this.pause();
    else this.play();
  }

  /** Trains exactly one more epoch. */
  step(): void {
    if (!this.canStep || !this.#client) return;
    this.#client.allow(this.#epoch + 1);
  }

  /** Back to epoch 0 with the same configuration (same seed: the same run again). */
  reset(): void {
    this.#restart();
  }

  /** The run so far as JSON: the spec, then every learning-curve line (what `optlab train --json` prints). */
  runJson(): string {
    return JSON.stringify({ spec: this.spec, kernels: this.#kernels, history: this.#history }, null, 2);
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#curvesTimer);
    this.#offLab?.();
    this.#client?.dispose();
    this.#client = null;
  }

  #restart(): void {
    cancelAnimationFrame(this.#frame);
    clearTimeout(this.#curvesTimer);
    this.#curvesTimer = undefined;
    this.#epoch = 0;
    this.#finish = null;
    this.#final = null;
    this.#map = null;
    this.#points = null;
    this.#history = [];
    this.#curves = emptyCurves();
    if (!this.#client) return;
    this.#error = null;
    if (this.problems.length) {
      this.#client.abandon();
      this.#status = 'error';
      return;
    }
    this.#status = 'starting';
    if (!isImported(this.#config)) {
      this.#client.start(this.spec, MAP_CELLS);
      return;
    }
    const hash = this.#config.csv;
    if (hash === null) return this.#fail('Choose an imported data set in the Data column.');
    if (!this.hasLab)
      return this.#fail(
        "This link trains on a data set of a Lab's library, and this page has no Lab: open it from the address `optlab serve` prints, or from the desktop app.",
      );
    const ready = this.#sets.get(hash);
    if (ready) {
      this.#client.start(this.spec, MAP_CELLS, ready);
      return;
    }
    // Fetched first; the run starts if the configuration is still this one when the rows arrive.
    this.#client.abandon();
    const config = this.#config;
    this.fetchImported(hash).then(
      () => {
        if (this.#config === config && this.#status === 'starting') this.#restart();
      },
      (e: unknown) => {
        if (this.#config === config) this.#fail(`The imported data set ${hash} cannot be trained on: ${errorText(e)}`);
      },
    );
  }

  /**
   * While playing, one epoch per animation frame, pipelined: the worker trains the next epoch
   * while the last one is on screen (at most two epochs ahead of the picture), so a frame
   * never waits for a whole epoch to be computed.
   */
  #schedule(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = requestAnimationFrame(() => {
      if (this.#status !== 'playing' || !this.#client) return;
      this.#client.allow(Math.min(this.#client.allowed + 1, this.#epoch + 2));
      this.#schedule();
    });
  }

  #receive(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.#kernels = m.kernels;
        this.#points = { x: m.x, y: m.y, classes: m.classes, train: m.train, val: m.val, test: m.test, view: m.view };
        if (this.#status === 'starting') this.#status = 'paused';
        return;
      case 'epoch': {
        this.#epoch = m.epoch;
        if (m.picture) this.#map = { epoch: m.epoch, ...m.picture };
        if (m.record) this.#add(m.record);
        return;
      }
      case 'done':
        this.#final = m.final;
        this.#end(
          m.diverged
            ? `diverged at epoch ${m.epochsRun} (the loss is not finite)`
            : m.stoppedEarly
              ? `stopped early at epoch ${m.epochsRun}: no better validation loss for ${this.#config.patience} epochs (best at epoch ${this.#bestVal()})`
              : `finished ${m.epochsRun} epochs`,
        );
        return;
      case 'error':
        this.#fail(m.message);
        return;
    }
  }

  #add(r: EpochRecord): void {
    this.#history.push(r);
    const c = this.#curves;
    c.epoch.push(r.epoch);
    for (const k of CURVE_KEYS) c[k].push(typeof r[k] === 'number' ? r[k] : NaN);
    this.#showCurves(this.#status !== 'playing');
    const cfg = this.#config;
    if (cfg.stop === 'target' && r.train_loss <= cfg.target)
      this.#end(`reached the target training loss ${cfg.target} at epoch ${r.epoch}`);
  }

  /**
   * Shows the curves as they are now (`now`), or within CURVES_EVERY_MS of the last showing:
   * the arrays grow in place, and a new wrapper tells the charts and numbers to redraw.
   */
  #showCurves(now: boolean): void {
    const wait = this.#curvesShownAt + CURVES_EVERY_MS - performance.now();
    if (now || wait <= 0) {
      clearTimeout(this.#curvesTimer);
      this.#curvesTimer = undefined;
      this.#curvesShownAt = performance.now();
      this.#curves = { ...this.#curves };
    } else this.#curvesTimer ??= setTimeout(() => this.#showCurves(true), wait);
  }

  #bestVal(): number {
    const h = this.#history;
    let best = 0;
    for (let i = 1; i < h.length; i++) if (h[i].val_loss < h[best].val_loss) best = i;
    return h[best]?.epoch ?? 0;
  }

  #end(reason: string): void {
    this.#finish = reason;
    this.#status = 'finished';
    this.#showCurves(true);
    cancelAnimationFrame(this.#frame);
  }

  #fail(message: string): void {
    this.#error = message;
    this.#status = 'error';
    this.#showCurves(true);
    cancelAnimationFrame(this.#frame);
  }
}
