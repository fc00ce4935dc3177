/**
 * The Playground's training worker: the same data generation, split and `fit` call as
 * `optlab train` (app/cli/train.ts), on the same WebAssembly kernels, so that the same spec
 * gives the same numbers to the bit. An imported data set comes with the start message (the
 * page fetches it from the Lab); generated ones are drawn here from the spec's seed. Between epochs it posts the learning-curve line and the
 * decision map drawn from the network's outputs on the heatmap grid (decision.ts: pixels and
 * boundaries, so the page only copies them to the screen), then waits until the page lets it go on.
 */
import type { KernelChoice } from '../../../../shared/linalg/use-kernels.ts';
import { fit } from '../../../../shared/train/fit.ts';
import type { EpochRecord } from '../../../../shared/train/fit.ts';
import { makeDataset } from '../../../../shared/data/make.ts';
import { splitIndices } from '../../../../shared/data/split.ts';
import { Rng } from '../../../../shared/rng.ts';
import { validateTrainSpec } from '../../../../shared/schema/validate.ts';
import type { Dataset } from '../../../../shared/data/dataset.ts';
import { decisionPicture, type DecisionPicture } from './decision.ts';
import { CONTROL, type FromWorker, type ToWorker, type View } from './protocol.ts';

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

// Listening starts at once: a module worker still awaiting its imports would drop messages.
// The kernels module loads the WebAssembly with a top-level await, so it is imported here,
// after the handler is in place, and every run waits for it.
scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') void kernels.then((k) => run(m, k));
};

/** Chosen once for this worker, before any model is built. */
const kernels: Promise<KernelChoice> = import('../../../../shared/linalg/use-kernels.ts').then((k) =>
  k.useFastKernels(),
);

class Abandoned extends Error {}

/** Waits until the page allows epoch `epoch + 1`; throws when the page moved to another run. */
function gate(ctl: Int32Array, generation: number, epoch: number): void {
  for (;;) {
    if (Atomics.load(ctl, CONTROL.GENERATION) !== generation) throw new Abandoned();
    const allowed = Atomics.load(ctl, CONTROL.ALLOWED);
    if (allowed > epoch) return;
    Atomics.wait(ctl, CONTROL.ALLOWED, allowed);
  }
}

/** A square view around the data (10% margin) and the raw coordinates of its cell centres. */
function grid(data: Dataset, cells: number): { view: View; points: Float32Array } {
  let x0 = Infinity,
    x1 = -Infinity,
    y0 = Infinity,
    y1 = -Infinity;
  for (let i = 0; i < data.n; i++) {
    const a = data.x[2 * i],
      b = data.x[2 * i + 1];
    x0 = Math.min(x0, a);
    x1 = Math.max(x1, a);
    y0 = Math.min(y0, b);
    y1 = Math.max(y1, b);
  }
  const half = (Math.max(x1 - x0, y1 - y0, 1e-6) / 2) * 1.1;
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  const view: View = { xMin: cx - half, xMax: cx + half, yMin: cy - half, yMax: cy + half, cells };
  const points = new Float32Array(cells * cells * 2);
  for (let j = 0; j < cells; j++)
    for (let i = 0; i < cells; i++) {
      const k = 2 * (j * cells + i);
      points[k] = view.xMin + ((i + 0.5) / cells) * (view.xMax - view.xMin);
      points[k + 1] = view.yMax - ((j + 0.5) / cells) * (view.yMax - view.yMin);
    }
  return { view, points };
}

function run(m: Extract<ToWorker, { type: 'start' }>, kernels: KernelChoice): void {
  const ctl = new Int32Array(m.control);
  const { spec, generation } = m;
  const post = (msg: FromWorker, transfer?: Transferable[]) => scope.postMessage(msg, transfer);
  try {
    const problems = validateTrainSpec(spec);
    if (problems.length) throw new Error(problems.join('\n'));
    // Exactly as optlab train: one generator per spec seed, data and split from named streams.
    const rng = new Rng(spec.seed);
    const data = spec.dataset.name === 'csv' ? m.data : makeDataset(spec.dataset, rng.fork('data'));
    if (!data) throw new Error('the imported data set did not reach the training worker');
    if (data.d !== 2) throw new Error(`the Playground draws 2-D data; ${data.name} has ${data.d} features`);
    if (data.task !== 'classification')
      throw new Error(`the Playground draws class regions; ${data.name} is a regression set`);
    const split = splitIndices(
      data.y,
      data.n,
      {
        testFraction: spec.dataset.testFraction ?? 0,
        valFraction: spec.dataset.valFraction ?? 0.2,
        stratify: data.task === 'classification' && (spec.dataset.stratify ?? true),
      },
      rng.fork('split'),
    );
    const evals: Record<string, Uint32Array> = { train: split.train };
    if (split.val.length) evals.val = split.val;
    if (split.test.length) evals.test = split.test;
    const { view, points } = grid(data, m.cells);
    const cells = m.cells * m.cells;
    let pending: EpochRecord | null = null;
    let announced = false;
    /** The network's outputs on the grid, reused every epoch. */
    let outputs: Float32Array | null = null;
    const result = fit({
      data,
      train: split.train,
      evals,
      config: spec,
      outputsFor: [],
      seed: spec.seed,
      onEpoch: (record) => {
        pending = record;
      },
      observe: (epoch, model) => {
        if (!announced) {
          announced = true;
          post({
            type: 'ready',
            generation,
            kernels,
            x: data.x,
            y: data.y,
            classes: data.classes,
            train: split.train,
            val: split.val,
            test: split.test,
            view,
          });
        }
        // The page keeps at most one more epoch in flight while it shows this one; when it let
        // more through (catching up), nobody will see this epoch's map.
        const skip = epoch < spec.training.epochs && Atomics.load(ctl, CONTROL.ALLOWED) > epoch + 1;
        let picture: DecisionPicture | null = null;
        if (!skip) {
          outputs ??= new Float32Array(cells * model.outDim);
          model.predict(points, cells, outputs);
          // Colours and boundaries are made here, off the page's thread: it only blits them.
          picture = decisionPicture(outputs, model.outDim, m.cells);
        }
        post(
          { type: 'epoch', generation, epoch, record: pending, picture },
          picture ? [picture.pixels.buffer, picture.probs.buffer, picture.boundaries.buffer] : [],
        );
        pending = null;
        gate(ctl, generation, epoch);
      },
    });
    post({
      type: 'done',
      generation,
      epochsRun: result.epochsRun,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      diverged: result.diverged,
      final: result.final,
    });
  } catch (e) {
    if (e instanceof Abandoned) return;
    post({ type: 'error', generation, message: e instanceof Error ? e.message : String(e) });
  }
}
