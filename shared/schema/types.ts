/**
 * The spec's TypeScript types, derived from its schema (shared/schema/spec.ts): the training
 * spec (`optlab train`), the unit the experiment spec (shared/experiment/types.ts) extends.
 */
import type { Static } from 'typebox';
import type {
  AnalysisSchema,
  AugmentSchema,
  DatasetSchema,
  EarlyStoppingSchema,
  EnsembleSchema,
  EvaluationSchema,
  ExperimentSpecSchema,
  LossSchema,
  ModelSchema,
  RegularizationSchema,
  ScheduleSchema,
  SpeedSchema,
  SweepSchema,
  TargetSchema,
  TrainingSchema,
  TuningSchema,
  TrainSpecSchema,
} from './spec.ts';
import type { OptimizerSpec } from './optimizers.ts';

export type { OptimizerSpec, OptimizerName } from './optimizers.ts';

export type DatasetSpec = Static<typeof DatasetSchema>;
export type ModelSpec = Static<typeof ModelSchema>;
export type Activation = NonNullable<ModelSpec['activation']>;
export type LossSpec = Static<typeof LossSchema>;
export type ScheduleSpec = Static<typeof ScheduleSchema>;
export type EarlyStoppingSpec = Static<typeof EarlyStoppingSchema>;
export type TrainingSpec = Static<typeof TrainingSchema>;
export type AugmentSpec = Static<typeof AugmentSchema>;
export type RegularizationSpec = Static<typeof RegularizationSchema>;
export type EvaluationSpec = Static<typeof EvaluationSchema>;
export type EnsembleSpec = Static<typeof EnsembleSchema>;
/** A grid (each path a list of values, all combinations) or an explicit list of override sets. */
export type SweepSpec = Static<typeof SweepSchema>;
export type AnalysisSpec = Static<typeof AnalysisSchema>;
/** Train until the training rows are fitted this well (training.target). */
export type TargetSpec = Static<typeof TargetSchema>;
/** Nested tuning of one spec value per configuration and split (tuning). */
export type TuningSpec = Static<typeof TuningSchema>;
/** Epochs and steps to a validation target, per split (speed). */
export type SpeedSpec = Static<typeof SpeedSchema>;

/** `optlab train`'s spec (the optimizer as code reads it: any keyword of any optimizer). */
export type TrainSpec = Omit<Static<typeof TrainSpecSchema>, 'optimizer'> & { optimizer: OptimizerSpec };

/** `optlab run`'s spec: a training spec plus evaluation, ensemble, sweep, analysis and study. */
export type ExperimentSpecBody = Omit<Static<typeof ExperimentSpecSchema>, 'optimizer'> & { optimizer: OptimizerSpec };
