/**
 * The study measurements of one finished fit, as the job's `analysis` spec asks for them:
 * ε-sharpness for each ε and the top Hessian eigenvalue, both of the training loss at the
 * final weights (Keskar et al. 2017). Run by the executor after the fit, on the same worker,
 * so the weights need not travel.
 *
 * The training loss is the one the fit reports for `evals.train` (inference mode, plain data
 * loss, the fit's standardization); `job.train` stands in when there is no such set.
 * Randomness (sharpness starts, the power iteration's start) comes from the job's seed
 * through named streams, so a job's analysis is the same on any worker.
 */
import type { AnalysisSpec } from '../schema/types.ts';
import type { Dataset } from '../data/dataset.ts';
import { Rng } from '../rng.ts';
import type { FitConfig, FitResult } from '../train/fit.ts';
import { topHessianEigenvalue } from './hessian.ts';
import { NetworkLoss, RowsObjective } from './objective.ts';
import { epsilonSharpness } from './sharpness.ts';

/** What to measure of each trained model (its schema: AnalysisSchema in shared/schema/spec.ts). */
export type { AnalysisSpec };

/** What analysis needs of a job (an experiment's Job has these fields, and more). */
export interface AnalysisJob {
  /** Seed of the job; the analysis draws from its own named stream of it. */
  seed: number;
  /** Rows trained on. */
  train: Uint32Array;
  /** Scored sets by name; `train` (the training rows without repeats) is the loss analysed when present. */
  evals: Record<string, Uint32Array>;
  /** The model and loss of the fit. */
  fitConfig: Pick<FitConfig, 'model' | 'loss'>;
  /** What to measure. */
  analysis?: AnalysisSpec | null;
}

/** Result key of the ε-sharpness for ε, e.g. `sharpness_eps_0.001`. */
export function sharpnessKey(epsilon: number): string {
  return `sharpness_eps_${epsilon}`;
}

/** Result key of the signed eigenvalue of largest magnitude of ∇²L. */
export const HESSIAN_KEY = 'hessian_top_eigenvalue';
/** Result key of the power-iteration steps the eigenvalue took. */
export const HESSIAN_ITERATIONS_KEY = 'hessian_iterations';

/** The network of a fit and its training loss as a function of θ, with θ at the final weights. */
export function trainingObjective(
  job: AnalysisJob,
  data: Dataset,
  r: FitResult,
): { objective: RowsObjective; theta: Float64Array } {
  const rows = job.evals.train?.length ? job.evals.train : job.train;
  const net = new NetworkLoss(
    { model: job.fitConfig.model, loss: job.fitConfig.loss, data, standardizer: r.standardizer, outDim: r.outDim },
    r.state,
  );
  return { objective: new RowsObjective(net, rows), theta: net.params() };
}

/**
 * Keys: `sharpness_eps_<ε>` (a lower bound, see sharpness.ts) for each ε asked for,
 * `hessian_top_eigenvalue` and `hessian_iterations` when the Hessian is asked for.
 */
export function analyze(job: AnalysisJob, data: Dataset, r: FitResult): Record<string, number> {
  const spec = job.analysis;
  const out: Record<string, number> = {};
  if (!spec || (!spec.sharpness && !spec.hessian)) return out;
  const { objective, theta } = trainingObjective(job, data, r);
  const rng = new Rng(job.seed).fork('analysis');
  if (spec.sharpness) {
    const estimates = epsilonSharpness(objective, theta, spec.sharpness.epsilons, { rng: rng.fork('sharpness') });
    for (const e of estimates) out[sharpnessKey(e.epsilon)] = e.sharpness;
  }
  if (spec.hessian) {
    const h = topHessianEigenvalue(objective, theta, { iterations: spec.hessian.iterations, rng: rng.fork('hessian') });
    out[HESSIAN_KEY] = h.eigenvalue;
    out[HESSIAN_ITERATIONS_KEY] = h.iterations;
  }
  return out;
}
