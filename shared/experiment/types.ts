/**
 * The experiment spec (`optlab run`): a training spec plus how to evaluate it, whether to
 * ensemble it, and which configurations to sweep; and the jobs and results it turns into.
 */
import type {
  AnalysisSpec,
  EnsembleSpec,
  EvaluationSpec,
  ExperimentSpecBody,
  SpeedSpec,
  SweepSpec,
  TuningSpec,
} from '../schema/types.ts';
import type { FitConfig, EpochRecord, FitResult } from '../train/fit.ts';

export type { AnalysisSpec, EnsembleSpec, EvaluationSpec, SpeedSpec, SweepSpec, TuningSpec };

/** `optlab run`'s spec (its schema: ExperimentSpecSchema in shared/schema/spec.ts). */
export type ExperimentSpec = ExperimentSpecBody;

/** One configuration of a sweep: the spec with its overrides applied. */
export interface Configuration {
  /** `config=2`, stable for the spec. */
  key: string;
  /** Short human label (`optimizer=adam`, or a sweep list entry's `label`). */
  label: string;
  /** The spec paths and values that differ from the base spec. */
  overrides: Record<string, unknown>;
  /** The whole resolved spec of this configuration. */
  spec: ExperimentSpec;
}

/** The unit of work: one fit on one index set, scored on others. */
export interface Job {
  /** Stable key, e.g. `config=2/repeat=0/fold=7` or `config=0/fold=3/member=4`. */
  key: string;
  /** Index of the configuration in the sweep. */
  config: number;
  /** Seed of the fit, from the configuration's seed and the key without its config part. */
  seed: number;
  /** Seed of the initial weights (shared by configurations, so that comparisons are paired). */
  initSeed: number;
  /** Content hash of the data set the rows index into. */
  dataHash: string;
  /** Rows trained on (repeats allowed: bootstrap). */
  train: Uint32Array;
  /** Row sets to score, by name (SET in keys.ts): `train`, `val` (the rows this split is judged on), `inner` (early stopping), `test`, `fit` (bagging: the split's whole training rows). */
  evals: Record<string, Uint32Array>;
  /** Eval sets that get a per-epoch learning curve (others are scored once at the end). */
  curves: string[];
  /** The eval set that early stopping watches. */
  monitor?: string;
  /** Eval sets whose raw outputs come back with the result. */
  outputsFor: string[];
  /** Per-row sample weights (boosting rounds), indexed by data row. */
  weights?: Float32Array;
  /** What the fit trains: model, loss, optimizer, training and regularization (fit()'s config). */
  fitConfig: FitConfig;
  /** Extra measurements after training. */
  analysis?: AnalysisSpec | null;
}

/** What of a job's fit travels back to the Lab (the weights only when asked for), plus its analyses. */
export interface JobResult extends Pick<
  FitResult,
  'history' | 'final' | 'bestEpoch' | 'stoppedEarly' | 'diverged' | 'paramCount' | 'outDim' | 'outputs' | 'engine'
> {
  key: string;
  /** Study measurements (sharpness, Hessian eigenvalue). */
  analysis?: Record<string, number>;
  /** Final weights, when the analysis asks to keep them. */
  state?: Float32Array;
}

/** Live progress of a job, for progress bars and the UI. */
export interface JobProgress {
  key: string;
  epoch: number;
  epochs: number;
  record?: EpochRecord;
}
