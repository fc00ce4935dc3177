/**
 * The page's side of the training worker: starts runs, lets the worker train a given number
 * of epochs, abandons runs, and hands every message of the current run to `onMessage`
 * (messages of abandoned runs are dropped).
 */
import type { TrainSpec } from '../../../../shared/schema/types.ts';
import type { Dataset } from '../../../../shared/data/dataset.ts';
import { CONTROL, CONTROL_WORDS, type EngineChoice, type FromWorker, type ToWorker } from './protocol.ts';

/** Why a page cannot run the Playground's worker, or null when it can. */
export function isolationProblem(): string | null {
  if (typeof SharedArrayBuffer === 'undefined' || !crossOriginIsolated)
    return (
      'This page is not cross-origin isolated, so the training worker cannot pause between epochs. ' +
      'Open OptLab through npm start (or optlab serve), which sends the headers it needs.'
    );
  return null;
}

export class TrainerClient {
  readonly #worker: Worker;
  readonly #control: Int32Array;
  #generation = 0;
  #allowed = 0;

  constructor(onMessage: (m: FromWorker) => void, onCrash: (message: string) => void) {
    this.#control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    this.#worker = new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module' });
    this.#worker.onmessage = (e: MessageEvent<FromWorker>) => {
      if (e.data.generation === this.#generation) onMessage(e.data);
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      onCrash(e.message || 'the training worker failed to start');
    };
  }

  /** Epochs the current run may have finished before it waits. */
  get allowed(): number {
    return this.#allowed;
  }

  /**
   * Abandons the current run (if any) and starts `spec`, paused before its first epoch;
   * `engine` is the engine asked for; `data` is the data set when the spec names an imported one.
   */
  start(spec: TrainSpec, cells: number, engine: EngineChoice, data?: Dataset): void {
    this.#generation++;
    this.#allowed = 0;
    Atomics.store(this.#control, CONTROL.ALLOWED, 0);
    Atomics.store(this.#control, CONTROL.GENERATION, this.#generation);
    Atomics.notify(this.#control, CONTROL.ALLOWED);
    const msg: ToWorker = {
      type: 'start',
      generation: this.#generation,
      spec,
      cells,
      control: this.#control.buffer as SharedArrayBuffer,
      engine,
      ...(data ? { data } : {}),
    };
    this.#worker.postMessage(msg);
  }

  /** Lets the current run train until it has finished `epochs` epochs. */
  allow(epochs: number): void {
    if (epochs <= this.#allowed) return;
    this.#allowed = epochs;
    Atomics.store(this.#control, CONTROL.ALLOWED, epochs);
    Atomics.notify(this.#control, CONTROL.ALLOWED);
  }

  /** Abandons the current run: the worker stops it at its next epoch boundary. */
  abandon(): void {
    this.#generation++;
    Atomics.store(this.#control, CONTROL.GENERATION, this.#generation);
    Atomics.notify(this.#control, CONTROL.ALLOWED);
  }

  /** Stops the worker for good. */
  dispose(): void {
    this.abandon();
    this.#worker.terminate();
  }
}
