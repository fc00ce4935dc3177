/**
 * The data set on the device and the kernels that make a batch from row indices there:
 * standardized inputs (the training rows' mean and std, as on the host), and the loss's
 * targets and sample weights. The features and labels go up once per data set and stay for
 * every later fit on it (a k-fold run uploads its data once); statistics and weights are the
 * fit's own.
 */
import type { Dataset } from '../data/dataset.ts';
import type { FitSetup } from '../train/engine.ts';
import { groups1d, type Dispatch, type GpuContext } from './context.ts';
import { GATHER_T, GATHER_X } from './wgsl/elementwise.ts';

/** What gathering needs on the device. */
export interface DataBuffers {
  /** Features, n×d. */
  x: GPUBuffer;
  /** Labels or targets, n. */
  y: GPUBuffer;
  /** Per-feature mean and std (0 and 1 when inputs are not standardized). */
  mean: GPUBuffer;
  std: GPUBuffer;
  /** Sample weights by data row (a placeholder when unweighted). */
  weights: GPUBuffer | null;
  d: number;
  /** Target columns (classes for one-hot targets, 1 otherwise). */
  targetCols: number;
  onehot: boolean;
}

/** The buffers a batch's targets and weights are gathered into. */
export interface TargetBuffers {
  targets: GPUBuffer;
  weights: GPUBuffer;
}

/** Features and labels of data sets already on the device, by data set. */
export type DataCache = WeakMap<Dataset, { x: GPUBuffer; y: GPUBuffer }>;

/** Uploads (or finds) the data set and the fit's statistics and weights. */
export function dataBuffers(gpu: GpuContext, s: FitSetup, cache: DataCache): DataBuffers {
  let xy = cache.get(s.data);
  if (!xy) {
    xy = { x: gpu.upload(s.data.x), y: gpu.upload(s.data.y) };
    gpu.keep(xy.x);
    gpu.keep(xy.y);
    cache.set(s.data, xy);
  }
  const d = s.data.d;
  const mean = new Float32Array(d);
  const std = new Float32Array(d).fill(1);
  if (s.standardizer) {
    mean.set(s.standardizer.mean);
    std.set(s.standardizer.std);
  }
  return {
    x: xy.x,
    y: xy.y,
    mean: gpu.upload(mean),
    std: gpu.upload(std),
    weights: s.weights ? gpu.upload(s.weights) : null,
    d,
    targetCols: s.outDim,
    onehot: s.kind === 'onehot',
  };
}

/** Binds the gathers of `rows` rows whose indices are in `rowIdx`; targets only in training. */
export function gatherDispatches(
  gpu: GpuContext,
  data: DataBuffers,
  rowIdx: GPUBuffer,
  input: GPUBuffer,
  out: TargetBuffers,
  rows: number,
  training: boolean,
): Dispatch[] {
  const ux = gpu.uniform([
    ['u', rows],
    ['u', data.d],
  ]);
  const list = [gpu.dispatch(GATHER_X, [ux, rowIdx, data.x, data.mean, data.std, input], groups1d(rows * data.d))];
  if (training) {
    const ut = gpu.uniform([
      ['u', rows],
      ['u', data.targetCols],
      ['u', data.onehot ? 1 : 0],
      ['u', data.weights ? 1 : 0],
    ]);
    const w = data.weights ?? data.mean;
    list.push(gpu.dispatch(GATHER_T, [ut, rowIdx, data.y, w, out.targets, out.weights], [Math.ceil(rows / 256), 1]));
  }
  return list;
}
