/**
 * The CPU engine: the training step on host arrays, through the layers of shared/nn, the
 * optimizers of shared/optim and whatever kernels this thread installed (shared/linalg). It is
 * the reference every other engine is measured against, and its bits are the lab's: the same
 * spec gives the same numbers on every worker that trains with the same kernels.
 */
import type { Sequential } from '../nn/model.ts';
import type { Loss } from '../nn/loss.ts';
import type { Param } from '../nn/param.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { Rng } from '../rng.ts';
import type { ForwardContext } from '../nn/layer.ts';
import type { Evaluator, SetMetrics } from './evaluate.ts';
import type { EngineInfo, EngineSession, FitSetup, HostBatch, TrainEngine } from './engine.ts';
import { addPenaltyGrad, penaltyValue, type PenaltyCoefficients } from './penalty.ts';

class CpuSession implements EngineSession {
  /** Always the CPU. */
  readonly info: EngineInfo = { name: 'cpu' };
  /** The loop gathers every batch on the host. */
  readonly gathersRows = false;
  readonly #model: Sequential;
  readonly #params: Param[];
  readonly #loss: Loss;
  readonly #optimizer: Optimizer;
  readonly #evaluator: Evaluator;
  readonly #coef: PenaltyCoefficients;
  /** Training mode, with the generator dropout masks are drawn from. */
  readonly #ctx: ForwardContext;
  /** Scoring runs in inference mode; the layer interface still wants a generator, never read. */
  readonly #evalRng = new Rng(0);
  /** The last step's loss was NaN or infinite (that step changed no weight). */
  #diverged = false;

  constructor(s: FitSetup) {
    this.#model = s.model;
    this.#params = s.model.params();
    this.#loss = s.loss;
    this.#optimizer = s.optimizer;
    this.#evaluator = s.evaluator;
    this.#coef = s.penalty;
    this.#ctx = { training: true, rng: s.layerRng };
  }

  startEpoch(lr: number): void {
    this.#optimizer.lr = lr;
  }

  stepBatch(b: HostBatch): void {
    const out = this.#model.forward(b.x, this.#ctx);
    const l = this.#loss.compute(out, b.t, b.w);
    if (!Number.isFinite(l)) {
      this.#diverged = true;
      return;
    }
    this.#model.backwardParams(this.#loss.grad);
    addPenaltyGrad(this.#params, this.#coef);
    this.#optimizer.step();
  }

  stepRows(): void {
    throw new Error('the CPU engine trains on host batches');
  }

  diverged(): boolean {
    return this.#diverged;
  }

  penalty(): number {
    return penaltyValue(this.#params, this.#coef);
  }

  score(rows: Uint32Array, outputs?: Float32Array): SetMetrics {
    return this.#evaluator.score(this.#model, rows, this.#evalRng, outputs);
  }

  getState(out?: Float32Array): Float32Array {
    return this.#model.getState(out);
  }

  setState(state: Float32Array): void {
    this.#model.setState(state);
  }

  close(): void {}
}

/** The CPU engine; stateless, so one object serves every fit of a thread. */
export const cpuEngine: TrainEngine = {
  name: 'cpu',
  decline: () => null,
  open: (setup) => new CpuSession(setup),
};
