/**
 * How fast a fit got there, per split, from its learning curve: the first epoch (and the
 * optimizer steps up to it) at which the monitored validation score reached a target, and the
 * area under the training-loss curve. A split that never reaches the target gets no epoch
 * (not a made-up number) and `reached_target` 0; readers see how many splits reached it.
 */
import type { EpochRecord } from '../train/fit.ts';
import { stepsPerEpoch } from '../train/fit.ts';
import type { SpeedSpec } from '../schema/types.ts';
import type { Job } from './types.ts';

/** `speed` of an experiment spec (its schema: SpeedSchema in shared/schema/spec.ts). */
export type { SpeedSpec };

/** The metric names speedMetrics adds. */
export const SPEED_KEYS = ['epochs_to_target', 'steps_to_target', 'reached_target', 'train_loss_auc'] as const;

/**
 * `epochs_to_target` and `steps_to_target` (absent when never reached), `reached_target`
 * (1 or 0) and `train_loss_auc`: the mean training loss (mse for regression) over the curve
 * points, the area under the training curve per epoch (lower: it came down sooner).
 */
export function speedMetrics(history: readonly EpochRecord[], speed: SpeedSpec, job: Job): Record<string, number> {
  const tr = job.fitConfig.training;
  const bn = job.fitConfig.model.kind === 'mlp' && job.fitConfig.model.batchNorm === true;
  const spe = stepsPerEpoch(job.train.length, tr.batchSize, bn);
  const lower = speed.monitor !== 'val_accuracy';
  const out: Record<string, number> = { reached_target: 0 };
  for (const r of history) {
    const v = r[speed.monitor];
    if (v !== undefined && (lower ? v <= speed.value : v >= speed.value)) {
      out.epochs_to_target = r.epoch;
      out.steps_to_target = Math.min(r.epoch * spe, tr.maxSteps ?? Infinity);
      out.reached_target = 1;
      break;
    }
  }
  const trainKey = history.some((r) => r.train_loss !== undefined) ? 'train_loss' : 'train_mse';
  const losses = history.map((r) => r[trainKey]).filter((v) => v !== undefined && Number.isFinite(v));
  if (losses.length) out.train_loss_auc = losses.reduce((s, v) => s + v, 0) / losses.length;
  return out;
}
