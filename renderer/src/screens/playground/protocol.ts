/**
 * Messages between the Playground and its training worker, and the shared control words.
 *
 * The worker runs `fit` itself (the same call as `optlab train`), so it cannot read messages
 * while an epoch runs; between epochs it waits on a SharedArrayBuffer instead. The page writes
 * how many epochs the worker may run (`ALLOWED`) and which run is current (`GENERATION`); a
 * new generation makes the worker abandon its run at the next epoch boundary.
 */
import type { KernelChoice } from '../../../../shared/linalg/use-kernels.ts';
import type { TrainSpec } from '../../../../shared/schema/types.ts';
import type { EpochRecord } from '../../../../shared/train/fit.ts';
import type { SetMetrics } from '../../../../shared/train/evaluate.ts';
import type { Dataset } from '../../../../shared/data/dataset.ts';
import type { DecisionPicture } from './decision.ts';

/** Int32 slots of the control buffer. */
export const CONTROL = {
  /** Epochs the worker may have finished before it waits (0: it waits before the first). */
  ALLOWED: 0,
  /** The run the page wants; a worker whose run differs stops. */
  GENERATION: 1,
} as const;
export const CONTROL_WORDS = 2;

/** The input plane the heatmap covers, in raw feature units. */
export interface View {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Grid cells per side; cell (i, j) is centred at column i, row j counted from the top. */
  cells: number;
}

export type ToWorker = {
  type: 'start';
  generation: number;
  spec: TrainSpec;
  /** Grid cells per side of the heatmap. */
  cells: number;
  control: SharedArrayBuffer;
  /** The data set when the spec names an imported one (`csv`): the page fetched it from the Lab. */
  data?: Dataset;
};

export type FromWorker =
  | {
      type: 'ready';
      generation: number;
      kernels: KernelChoice;
      /** Raw features, n×2. */
      x: Float32Array;
      /** Class of each row. */
      y: Float32Array;
      classes: number;
      train: Uint32Array;
      val: Uint32Array;
      test: Uint32Array;
      view: View;
    }
  | {
      type: 'epoch';
      generation: number;
      epoch: number;
      /** The learning-curve line of this epoch (absent at epoch 0, before training). */
      record: EpochRecord | null;
      /**
       * The decision map drawn from the network's outputs on the grid (pixels, probabilities,
       * boundaries), absent when the page already let the next epoch run.
       */
      picture: DecisionPicture | null;
    }
  | {
      type: 'done';
      generation: number;
      epochsRun: number;
      bestEpoch: number;
      stoppedEarly: boolean;
      diverged: boolean;
      final: Record<string, SetMetrics>;
    }
  | { type: 'error'; generation: number; message: string };
