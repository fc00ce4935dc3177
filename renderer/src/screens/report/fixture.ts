/** A hand-made report for the tests of the screens' pure modules. */
import type { ReportJson } from '../../../../shared/lab-api.ts';

const summary = (values: number[], std: number | null, ci: [number, number] | null) => ({
  mean: values.reduce((a, b) => a + b, 0) / values.length,
  std,
  ci95: ci,
  n: values.length,
  values,
});

/** Two configurations scored on two splits; the pair is significant (as if Holm rejected it). */
export function smallReport(): ReportJson {
  const curves = { epoch: [1, 2], n: [2, 2], series: {} };
  return {
    name: 'r',
    seed: 1,
    evaluation: '2-fold stratified',
    dataset: { name: 'iris', rows: 150, features: 4, classes: 3, hash: 'h', dev: 150, test: 0 },
    primaryMetric: 'val_accuracy',
    configurations: [
      {
        key: 'config=0',
        label: 'A & B',
        overrides: {},
        metrics: { val_accuracy: summary([0.8, 0.9], 0.5, [0.1, 1]), val_loss: summary([0.5, 0.7], null, null) },
        curves,
        splits: ['config=0/fold=0', 'config=0/fold=1'],
        parameters: 10,
        diverged: [],
      },
      {
        key: 'config=1',
        label: 'C',
        overrides: {},
        metrics: { val_accuracy: summary([0.9, 1], 0.25, [0.5, 1]), val_loss: summary([0.25, 0.75], null, null) },
        curves,
        splits: ['config=1/fold=0', 'config=1/fold=1'],
        parameters: 10,
        diverged: [],
      },
    ],
    comparisons: [
      {
        a: 'config=0',
        b: 'config=1',
        metric: 'val_accuracy',
        meanDifference: -0.1,
        t: -3,
        df: 1,
        p: 0.2,
        pHolm: 0.01,
        significant: true,
      },
    ],
  } as unknown as ReportJson;
}
