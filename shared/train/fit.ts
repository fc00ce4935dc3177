/**
 * One training run: a model fitted on one set of rows and scored on others. This is the
 * `fit` job of the lab: a fold, a bootstrap replicate, a bagging member and a boosting round
 * are all this function with other index sets or sample weights.
 *
 * Each batch: gather raw rows → image warps (before scaling, so zero fill means blank
 * pixels) → standardize (statistics of the training rows only) → jitter → input noise →
 * mixup/cutmix → forward (training mode) → loss (+ label smoothing) → backward → penalty
 * gradient → optimizer step. Each curve epoch is then scored in inference mode (training ends
 * after `epochs`, or sooner by early stopping, divergence, `training.target` or `maxSteps`).
 */
import { fitStandardizer } from '../data/standardize.ts';
import { Augmenter, addInputNoise } from '../data/augment.ts';
import { BatchMixer } from '../data/mix.ts';
import { allocScope } from '../linalg/alloc.ts';
import { Scratch } from '../linalg/mat.ts';
import { makeLoss } from '../nn/loss.ts';
import { buildModel } from '../nn/model.ts';
import { BatchNorm1d } from '../nn/batchnorm.ts';
import { createOptimizer } from '../optim/index.ts';
import { lrAt } from '../optim/schedule.ts';
import { Rng } from '../rng.ts';
import { gatherRaw, gatherTargets, gatherWeights, standardizeBatch, stepsPerEpoch, targetKind } from './batches.ts';
import { EarlyStopping, TrainingBudget } from './early-stopping.ts';
import { Evaluator, type SetMetrics } from './evaluate.ts';
import { penaltyCoefficients } from './penalty.ts';
import { cpuEngine } from './cpu-engine.ts';
import { later, runLater, runNow, type FitSetup, type TrainEngine } from './engine.ts';
import { observerOf } from './observe.ts';
import { FitCancelled, type EpochRecord, type FitInput, type FitResult } from './fit-types.ts';

export { stepsPerEpoch, targetKind, FitCancelled };
export type { FitConfig, FitInput, EpochRecord, FitResult } from './fit-types.ts';

/**
 * Trains and scores one model on the CPU engine (or another engine that answers at once).
 * Everything it allocates through allocF32 (model, optimizer state, batch buffers) lives in
 * one allocation scope, closed when it returns or throws, so that any number of fits can run
 * one after another in a process without the kernels' memory filling up. What it returns is
 * in plain arrays, never in that memory.
 */
export function fit(input: FitInput, engine: TrainEngine = cpuEngine): FitResult {
  const close = allocScope();
  try {
    return runNow(fitLoop(input, engine));
  } finally {
    close();
  }
}

/**
 * `fit` on an engine that answers later (a GPU engine). An engine that declines the fit
 * (`decline` gives its reason) leaves it to the CPU engine, and the result says so in `engine`.
 */
export async function fitAsync(input: FitInput, engine: TrainEngine): Promise<FitResult> {
  const close = allocScope();
  try {
    return await runLater(fitLoop(input, engine));
  } finally {
    close();
  }
}

/**
 * The training loop, one generator for every engine: it yields only where the engine answers
 * with a promise (see engine.ts), so on the CPU it runs straight through.
 */
function* fitLoop(input: FitInput, chosen: TrainEngine): Generator<Promise<unknown>, FitResult, unknown> {
  const { data, train, config } = input;
  const evals = input.evals ?? {};
  if (train.length === 0) throw new Error('fit: no training rows');
  const tr = config.training;
  const rng = new Rng(input.seed);
  const initRng = input.initSeed === undefined ? rng.fork('init') : new Rng(input.initSeed).fork('init');
  const shuffleRng = rng.fork('shuffle');
  const layerRng = rng.fork('layers');
  const augRng = rng.fork('augment');
  const mixRng = rng.fork('mix');

  const standardizer = config.dataset?.standardize === false ? null : fitStandardizer(data.x, data.d, train);
  const { kind, outDim } = targetKind(data, config.loss);
  const model = buildModel(config.model, data.d, outDim, initRng);
  const loss = makeLoss(config.loss);
  const evaluator = new Evaluator(data, standardizer, kind, makeLoss({ kind: config.loss.kind }));
  const optimizer = createOptimizer(config.optimizer, model.params());
  const baseLr = optimizer.lr;
  const coef = penaltyCoefficients(config.regularization);
  const reg = config.regularization ?? {};
  // Image warps act on raw pixels (zero fill means blank); jitter is in standardized units for every kind of row.
  const warps = reg.augment && data.image ? new Augmenter({ ...reg.augment, jitter: 0 }, data.image) : null;
  const jitter = reg.augment?.jitter ?? 0;
  const mixer = reg.mixup || reg.cutmix ? new BatchMixer() : null;
  const stopper = tr.earlyStopping ? new EarlyStopping(tr.earlyStopping) : null;
  const monitor = input.monitor ?? 'val';
  const curves = input.curves ?? Object.keys(evals);
  if (stopper && (!evals[monitor]?.length || !curves.includes(monitor)))
    throw new Error(`fit: early stopping needs validation rows (evals.${monitor})`);
  const hasBatchNorm = model.layers.some((l) => l instanceof BatchNorm1d);

  const n = train.length;
  const B = tr.batchSize === 'full' || tr.batchSize === 0 ? n : Math.min(tr.batchSize, n);
  const order = new Uint32Array(train);
  const xs = new Scratch(),
    ts = new Scratch();
  const wbuf = input.weights ? new Float32Array(B) : null;
  const setup: FitSetup = {
    data,
    model,
    optimizer,
    loss,
    lossSpec: config.loss,
    evaluator,
    standardizer,
    kind,
    outDim,
    batch: B,
    penalty: coef,
    weights: input.weights ?? null,
    layerRng,
    evals,
  };
  const declined = chosen === cpuEngine ? null : chosen.decline(setup);
  const engine = declined === null ? chosen : cpuEngine;
  const session = yield* later(engine.open(setup));
  // Augmentations draw from the host's generators in row order, so their batches are made here.
  const hostBatches = !session.gathersRows || warps !== null || jitter > 0 || !!reg.inputNoise || mixer !== null;
  const history: EpochRecord[] = [];
  let best: Float32Array | null = null;
  let stoppedEarly = false,
    diverged = false;
  let epochsRun = 0;
  const curveEvery = tr.curveEvery ?? 1;
  if (stopper && curveEvery !== 1)
    throw new Error('fit: early stopping checks every epoch; training.curveEvery must be 1');
  const budget = new TrainingBudget(tr, evals, curves);
  const ran = declined === null ? session.info : { name: 'cpu' as const, declined };
  const observe = observerOf(input.observe, model, evaluator, outDim, session, engine === cpuEngine, ran);

  try {
    yield* observe(0);
    for (let epoch = 1; epoch <= tr.epochs; epoch++) {
      const lr = lrAt(tr.schedule, baseLr, epoch - 1);
      if (tr.shuffle !== false) shuffleRng.shuffle(order);
      session.startEpoch(lr, order);
      for (let start = 0; start < n && !budget.spent; start += B) {
        const count = Math.min(B, n - start);
        // PyTorch refuses batch statistics of one row; a lone last row is left out of this epoch.
        if (count === 1 && hasBatchNorm && n > 1) continue;
        if (input.cancelled?.()) throw new FitCancelled();
        if (hostBatches) {
          const xb = xs.get(count, data.d);
          const tb = ts.get(count, outDim);
          gatherRaw(data, order, start, count, xb);
          if (warps?.active) warps.apply(xb, augRng);
          standardizeBatch(standardizer, count, xb);
          if (jitter > 0) addInputNoise(xb, jitter, augRng);
          if (reg.inputNoise) addInputNoise(xb, reg.inputNoise, augRng);
          gatherTargets(data, kind, order, start, count, tb);
          if (reg.mixup) mixer!.mixup(xb, tb, reg.mixup.alpha, mixRng);
          else if (reg.cutmix) mixer!.cutmix(xb, tb, reg.cutmix.alpha, mixRng, data.image);
          const w = wbuf ? gatherWeights(input.weights!, order, start, count, wbuf) : null;
          session.stepBatch({ x: xb, t: tb, w });
        } else session.stepRows(start, count);
        budget.steps++;
        if (yield* later(session.diverged(start + B >= n))) {
          diverged = true;
          break;
        }
      }
      // A device answers every few steps: the last ones of the epoch are checked here.
      if (!diverged && (yield* later(session.diverged(true)))) diverged = true;

      epochsRun = epoch;
      // Scoring every row of every curve set each epoch can cost as much as the training itself.
      if (!diverged && !budget.spent && epoch % curveEvery !== 0 && epoch !== tr.epochs) {
        yield* observe(epoch);
        continue;
      }
      const record: EpochRecord = { epoch, lr, penalty: yield* later(session.penalty()) };
      for (const name of curves) {
        const m = yield* later(session.score(evals[name]));
        for (const [k, v] of Object.entries(m)) record[`${name}_${k}`] = v as number;
      }
      history.push(record);
      input.onEpoch?.(record);
      yield* observe(epoch);
      if (diverged) break;
      if (stopper) {
        const monitored = record[stopper.monitor.replace('val', monitor)];
        const { improved, stop } = stopper.update(epoch, monitored);
        if (improved && stopper.restoreBest) best = yield* later(session.getState(best ?? undefined));
        if (stop) {
          stoppedEarly = epoch < tr.epochs;
          break;
        }
      }
      if (budget.stopAfter(record)) break;
    }

    let bestEpoch = epochsRun;
    if (stopper && stopper.restoreBest && best) {
      yield* later(session.setState(best));
      bestEpoch = stopper.bestEpoch;
    }
    const final: Record<string, SetMetrics> = {};
    const outputs: Record<string, Float32Array> = {};
    for (const [name, rows] of Object.entries(evals)) {
      const want = input.outputsFor?.includes(name);
      const buf = want ? new Float32Array(rows.length * outDim) : undefined;
      final[name] = yield* later(session.score(rows, buf));
      if (buf) outputs[name] = buf;
    }
    const result: FitResult = {
      history,
      final,
      bestEpoch,
      epochsRun,
      stoppedEarly,
      diverged,
      steps: budget.steps,
      reachedTarget: budget.reached,
      paramCount: model.paramCount(),
      outputs,
      outDim,
      state: yield* later(session.getState()),
      standardizer,
    };
    if (chosen !== cpuEngine) result.engine = ran;
    return result;
  } finally {
    session.close();
  }
}
