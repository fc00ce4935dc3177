/**
 * The study measurements of one finished fit, as the job's `analysis` spec asks for them:
 * ε-sharpness for each ε and the top Hessian eigenvalue, both of the training loss at the
 * final weights (Keskar et al. 2017). Run by the executor after the fit, on the same worker,
 * so the weights need not travel.
 *
 * The training loss is the one the fit reports for `evals.train` (inference mode, plain data
 * loss, the fit's standardization; or the fit's own objective, see AnalysisSpec.objective);
 * `job.train` stands in when there is no such set.
 * Randomness (sharpness starts, the power iteration's start) comes from the job's seed
 * through named streams, so a job's analysis is the same on any worker.
 */
import type { AnalysisSpec } from '../schema/types.ts';
import type { Dataset } from '../data/dataset.ts';
import { Rng } from '../rng.ts';
import type { FitConfig, FitResult } from '../train/fit.ts';
import { penaltyCoefficients } from '../train/penalty.ts';
import { norm2, topHessianEigenvalue } from './hessian.ts';
import { NetworkLoss, RowsObjective, type ObjectiveTerms } from './objective.ts';
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
  /** The model and loss of the fit (and its penalty, for the `training` objective). */
  fitConfig: Pick<FitConfig, 'model' | 'loss' | 'regularization'>;
  /** What to measure. */
  analysis?: AnalysisSpec | null;
}

/** Result key of the ε-sharpness for ε, e.g. `sharpness_eps_0.001`. */
export function sharpnessKey(epsilon: number): string {
  return `sharpness_eps_${epsilon}`;
}

/** Result key of the first-order part of the ε-sharpness for ε (see SharpnessEstimate.firstOrder). */
export function sharpnessLinearKey(epsilon: number): string {
  return `sharpness_linear_eps_${epsilon}`;
}

/** Result key of ‖∇L(θ)‖₂ at the solution. */
export const GRADIENT_NORM_KEY = 'gradient_norm';
/** Result key of λmax, the largest eigenvalue of ∇²L with its sign. */
export const HESSIAN_KEY = 'hessian_top_eigenvalue';
/** Result key of the Lanczos steps (Hessian-vector products) it took. */
export const HESSIAN_ITERATIONS_KEY = 'hessian_iterations';
/** Result key of 1 when λmax converged within the tolerance, else 0 (its mean: the share converged). */
export const HESSIAN_CONVERGED_KEY = 'hessian_converged';
/** Result key of the residual ‖Hy − λmax·y‖ of λmax's Ritz vector. */
export const HESSIAN_RESIDUAL_KEY = 'hessian_residual';
/** Result key of the smallest Ritz value, an upper bound of the smallest eigenvalue. */
export const HESSIAN_SMALLEST_KEY = 'hessian_smallest_ritz';

/** The network of a fit and its training loss as a function of θ, with θ at the final weights. */
export function trainingObjective(
  job: AnalysisJob,
  data: Dataset,
  r: FitResult,
): { objective: RowsObjective; theta: Float64Array } {
  const rows = job.evals.train?.length ? job.evals.train : job.train;
  let terms: ObjectiveTerms | undefined;
  if (job.analysis?.objective === 'training') {
    const c = penaltyCoefficients(job.fitConfig.regularization);
    terms = { labelSmoothing: job.fitConfig.loss.label_smoothing ?? 0, l1: c.l1, l2: c.l2 };
  }
  const net = new NetworkLoss(
    {
      model: job.fitConfig.model,
      loss: job.fitConfig.loss,
      data,
      standardizer: r.standardizer,
      outDim: r.outDim,
      terms,
    },
    r.state,
  );
  return { objective: new RowsObjective(net, rows), theta: net.params() };
}

/**
 * Keys: `gradient_norm`; `sharpness_eps_<ε>` (a lower bound, see sharpness.ts) and
 * `sharpness_linear_eps_<ε>` (its first-order part) for each ε asked for; when the Hessian is
 * asked for, `hessian_top_eigenvalue`, `hessian_converged`, `hessian_iterations`,
 * `hessian_residual` and `hessian_smallest_ritz`.
 */
export function analyze(job: AnalysisJob, data: Dataset, r: FitResult): Record<string, number> {
  const spec = job.analysis;
  const out: Record<string, number> = {};
  if (!spec || (!spec.sharpness && !spec.hessian)) return out;
  const { objective, theta } = trainingObjective(job, data, r);
  const rng = new Rng(job.seed).fork('analysis');
  if (spec.sharpness) {
    const estimates = epsilonSharpness(objective, theta, spec.sharpness.epsilons, { rng: rng.fork('sharpness') });
    for (const e of estimates) {
      out[sharpnessKey(e.epsilon)] = e.sharpness;
      out[sharpnessLinearKey(e.epsilon)] = e.firstOrder;
      out[GRADIENT_NORM_KEY] = e.gradientNorm;
    }
  } else {
    out[GRADIENT_NORM_KEY] = norm2(gradientAt(objective, theta));
  }
  if (spec.hessian) {
    const h = topHessianEigenvalue(objective, theta, {
      iterations: spec.hessian.iterations,
      tolerance: spec.hessian.tolerance,
      rng: rng.fork('hessian'),
    });
    out[HESSIAN_KEY] = h.eigenvalue;
    out[HESSIAN_CONVERGED_KEY] = h.converged ? 1 : 0;
    out[HESSIAN_ITERATIONS_KEY] = h.iterations;
    out[HESSIAN_RESIDUAL_KEY] = h.residual;
    out[HESSIAN_SMALLEST_KEY] = h.smallestRitzValue;
  }
  return out;
}

function gradientAt(f: RowsObjective, theta: Float64Array): Float64Array {
  const g = new Float64Array(f.dim);
  f.valueAndGradient(theta, g);
  return g;
}
