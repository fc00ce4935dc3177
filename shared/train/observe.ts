/**
 * Watching a fit as it runs (FitInput.observe): the Playground draws the network's
 * predictions over the input plane after every epoch, and waits there while paused.
 */
import type { Sequential } from '../nn/model.ts';
import { Rng } from '../rng.ts';
import type { Evaluator } from './evaluate.ts';
import { later, type EngineInfo, type EngineSession } from './engine.ts';

/** The model of a running fit, as `FitInput.observe` sees it. */
export interface FitModelView {
  /** Output units per row (classes for cross-entropy, 1 for bce and regression). */
  readonly outDim: number;
  /**
   * Inference-mode outputs for n rows of raw features x (n×d), standardized as the training
   * rows are, written into out (n×outDim).
   */
  predict(x: Float32Array, n: number, out: Float32Array): void;
  /** The engine that trains the fit (with `declined` when a device engine left it to the CPU). */
  readonly engine: EngineInfo;
}

export type Observer = (epoch: number, model: FitModelView) => void;

/**
 * What fit's loop calls before the first epoch and after each one: shows `observer` the host's
 * model, after copying the session's weights into it when the session trains elsewhere (a
 * device). Predicting changes nothing the fit computes.
 */
export function observerOf(
  observer: Observer | undefined,
  model: Sequential,
  evaluator: Evaluator,
  outDim: number,
  session: EngineSession,
  trainsHostModel: boolean,
  engine: EngineInfo = session.info,
): (epoch: number) => Generator<Promise<unknown>, void, unknown> {
  const rng = new Rng(0);
  const view: FitModelView = { outDim, engine, predict: (x, n, out) => evaluator.predict(model, x, n, out, rng) };
  return function* (epoch) {
    if (!observer) return;
    if (!trainsHostModel) model.setState(yield* later(session.getState()));
    observer(epoch, view);
  };
}
