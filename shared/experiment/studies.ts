/**
 * Study-specific results: what each built-in study's chart draws and what it found, computed
 * from the report (and, for the batch-size study, from the kept weights). Each study gives
 * typed series (structured data; the CLI and the UI format them) and a summary: sentences
 * computed from the numbers, with their significance, never canned text.
 */
import type { ExperimentReport } from './aggregate.ts';
import type { Plan } from './plan.ts';
import type { JobResult } from './types.ts';
import type { StudyKind } from './presets.ts';
import { batchSizeSeries, type BatchSizeSeries } from './studies/batch-size.ts';
import { biasVarianceSeries, type BiasVarianceSeries } from './studies/bias-variance.ts';
import { capacitySeries, type CapacitySeries } from './studies/capacity.ts';
import { ensemblesSeries, type EnsemblesSeries } from './studies/ensembles.ts';
import { optimizersSeries, type OptimizersSeries } from './studies/optimizers.ts';
import { regularizationSeries, type RegularizationSeries } from './studies/regularization.ts';

interface StudyBase<K extends StudyKind, S> {
  kind: K;
  /** One line saying what the study shows. */
  title: string;
  /** The finding, sentence by sentence, computed from the numbers with their significance. */
  summary: string[];
  /** The chart data. */
  series: S;
}

export type StudySeries =
  | StudyBase<'optimizers', OptimizersSeries>
  | StudyBase<'capacity', CapacitySeries>
  | StudyBase<'bias-variance', BiasVarianceSeries>
  | StudyBase<'batch-size', BatchSizeSeries>
  | StudyBase<'regularization', RegularizationSeries>
  | StudyBase<'ensembles', EnsemblesSeries>;

export type {
  BatchSizeSeries,
  BiasVarianceSeries,
  CapacitySeries,
  EnsemblesSeries,
  OptimizersSeries,
  RegularizationSeries,
};

export function studySeries(
  plan: Plan,
  report: ExperimentReport,
  results: ReadonlyMap<string, JobResult>,
  preset?: string,
): StudySeries | undefined {
  const kind = (plan.spec.study ?? preset) as StudyKind | undefined;
  switch (kind) {
    case 'optimizers': {
      const r = optimizersSeries(plan, report, results);
      return { kind, title: r.title, summary: r.summary, series: r.series };
    }
    case 'capacity': {
      const r = capacitySeries(plan, report);
      return { kind, title: r.title, summary: r.summary, series: r.series };
    }
    case 'bias-variance': {
      const r = biasVarianceSeries(plan, report);
      if (!r) return undefined;
      return {
        kind,
        title:
          r.series.loss === 'squared'
            ? 'Bias–variance decomposition of the squared error on the test grid'
            : 'Domingos 0-1 decomposition on the test rows',
        summary: r.summary,
        series: r.series,
      };
    }
    case 'batch-size': {
      const r = batchSizeSeries(plan, report, results);
      return {
        kind,
        title: 'Batch size against generalization and sharpness (Keskar et al. 2017)',
        summary: r.summary,
        series: r.series,
      };
    }
    case 'regularization': {
      const r = regularizationSeries(plan, report);
      return { kind, title: r.title, summary: r.summary, series: r.series };
    }
    case 'ensembles': {
      const r = ensemblesSeries(plan, report);
      return { kind, title: r.title, summary: r.summary, series: r.series };
    }
    default:
      return undefined;
  }
}
