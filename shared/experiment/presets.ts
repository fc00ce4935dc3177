/**
 * The built-in studies: each a spec that a chart can draw directly from its report. Budgets
 * (folds, epochs, widths) are chosen to finish in a minute or two on a 2-core laptop with the
 * default data set; every preset takes another data set with `--dataset`.
 */
import type { ExperimentSpec } from './types.ts';
import { BUNDLED_NAMES } from '../data/bundled.ts';
import { SYNTHETIC_CLASSIFICATION_NAMES } from '../data/make.ts';

export type StudyKind = 'optimizers' | 'capacity' | 'bias-variance' | 'batch-size' | 'regularization' | 'ensembles';

export interface Preset {
  title: string;
  description: string;
  defaultDataset: string;
  /** Data sets the preset accepts. */
  datasets: readonly string[];
  build(dataset: string): ExperimentSpec;
}

const CLASSIFICATION = [...BUNDLED_NAMES, ...SYNTHETIC_CLASSIFICATION_NAMES] as const;
const isImages = (d: string) => d === 'digits';
const isSynthetic = (d: string) => (SYNTHETIC_CLASSIFICATION_NAMES as readonly string[]).includes(d);

/** The dataset section for a name: synthetic sets get a size and noise that make the picture visible. */
function dataset(ds: string, testFraction = 0.2): ExperimentSpec['dataset'] {
  const name = ds as ExperimentSpec['dataset']['name'];
  if (isSynthetic(name))
    return { name, samples: 300, noise: name === 'blobs' ? 2 : name === 'spirals' ? 0.1 : 0.3, testFraction };
  return { name, testFraction };
}

/** A small MLP that trains in well under a second per fold on every bundled set. */
function baseSpec(name: string, study: StudyKind, ds: string): ExperimentSpec {
  return {
    name,
    seed: 7,
    study,
    dataset: dataset(ds),
    model: { kind: 'mlp', hidden: [isImages(ds) ? 64 : 32], activation: 'relu' },
    loss: { kind: 'cross_entropy' },
    optimizer: { name: 'adam', lr: 0.001 },
    training: { epochs: 30, batchSize: 32 },
    evaluation: { kind: 'kfold', k: 5, stratified: true },
  };
}

export const PRESETS: Record<StudyKind, Preset> = {
  optimizers: {
    title: 'Optimizers: GD, SGD, Momentum, NAG, Adagrad, Adadelta, RMSprop, Adam, AdamW, NAdam',
    description: 'Same folds, same initial weights; learning curves, final scores with intervals, significance table.',
    defaultDataset: 'wine',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Optimizers on ${ds}`, 'optimizers', ds);
      s.training = { epochs: 30, batchSize: 16 };
      s.sweep = [
        // Full-batch GD takes one step per epoch: it gets more epochs and a larger step to be comparable.
        { label: 'GD', optimizer: { name: 'sgd', lr: 0.5 }, 'training.batchSize': 'full', 'training.epochs': 300 },
        { label: 'SGD', optimizer: { name: 'sgd', lr: 0.05 } },
        { label: 'Momentum', optimizer: { name: 'sgd', lr: 0.01, momentum: 0.9 } },
        { label: 'NAG', optimizer: { name: 'sgd', lr: 0.01, momentum: 0.9, nesterov: true } },
        { label: 'Adagrad', optimizer: { name: 'adagrad', lr: 0.05 } },
        { label: 'Adadelta', optimizer: { name: 'adadelta', lr: 1.0 } },
        { label: 'RMSprop', optimizer: { name: 'rmsprop', lr: 0.001 } },
        { label: 'Adam', optimizer: { name: 'adam', lr: 0.001 } },
        { label: 'AdamW', optimizer: { name: 'adamw', lr: 0.001, weight_decay: 0.01 } },
        { label: 'NAdam', optimizer: { name: 'nadam', lr: 0.002 } },
      ];
      return s;
    },
  },
  capacity: {
    title: 'Under- and overfitting: train and validation error against hidden width',
    description:
      'From 1 hidden unit to 512, trained long with no regularization: validation error falls, then rises (the U-shaped curve).',
    defaultDataset: 'moons',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Capacity on ${ds}`, 'capacity', ds);
      // Few noisy rows and long full-batch training: wide nets have room to fit the noise.
      if (isSynthetic(ds))
        s.dataset = { ...dataset(ds), samples: 80, noise: ds === 'blobs' ? 4 : 0.4, testFraction: 0.25 };
      s.optimizer = { name: 'adam', lr: 0.01 };
      s.training = { epochs: 1000, batchSize: 'full', curveEvery: 10 };
      s.model = { kind: 'mlp', hidden: [1], activation: 'relu' };
      s.evaluation = { kind: 'kfold', k: 5, stratified: true, repeats: 2 };
      s.sweep = { 'model.hidden': [[1], [2], [4], [8], [32], [128], [512]] };
      return s;
    },
  },
  'bias-variance': {
    title: 'Bias–variance trade-off: bias², variance and noise against capacity (synthetic regression, known σ)',
    description:
      'Bootstrap replicates of a noisy sine; each width gives bias², variance and σ² on a held-out grid; their sum is the expected error.',
    defaultDataset: 'sine',
    datasets: ['sine', 'polynomial', ...CLASSIFICATION],
    build(ds) {
      const regression = ds === 'sine' || ds === 'polynomial';
      const s = baseSpec(`Bias–variance on ${ds}`, 'bias-variance', ds);
      // 33 training rows (few enough for wide nets to chase the noise) and a held-out grid of
      // 297 points (many enough for the measured error to check bias² + variance + σ² closely).
      s.dataset = regression
        ? { name: ds, samples: 330, noise: 0.3, testFraction: 0.9, ...(ds === 'polynomial' ? { degree: 3 } : {}) }
        : { ...dataset(ds), testFraction: 0.3 };
      s.loss = regression ? { kind: 'mse' } : { kind: 'cross_entropy' };
      s.model = { kind: 'mlp', hidden: [1], activation: 'tanh' };
      s.optimizer = { name: 'adam', lr: 0.01 };
      s.training = { epochs: 1000, batchSize: 'full', curveEvery: 10 };
      s.evaluation = { kind: 'bootstrap', replicates: 20 };
      s.sweep = { 'model.hidden': [[1], [2], [4], [16], [64], [256]] };
      return s;
    },
  },
  'batch-size': {
    title: 'Batch size and sharpness (Keskar et al. 2017)',
    description:
      'Small against large batches: train/test accuracy, the gap, ε-sharpness (ε = 1e-3, 5e-4), the top Hessian eigenvalue, and the loss on the line between the smallest- and largest-batch solutions.',
    defaultDataset: 'digits',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Batch size and sharpness on ${ds}`, 'batch-size', ds);
      s.training = { epochs: 30, batchSize: 8 };
      s.optimizer = { name: 'adam', lr: 0.001 };
      s.evaluation = { kind: 'kfold', k: 3, stratified: true };
      s.analysis = { sharpness: { epsilons: [1e-3, 5e-4] }, hessian: { iterations: 20 }, keepWeights: true };
      s.sweep = { 'training.batchSize': [8, 32, 128, 512] };
      return s;
    },
  },
  regularization: {
    title: 'Regularization ablation: each regularizer against the baseline by cross-validation',
    description:
      'None, L2, L1, elastic net, dropout, batch norm, input noise, augmentation, label smoothing, mixup, cutmix (images), early stopping.',
    defaultDataset: 'digits',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Regularization on ${ds}`, 'regularization', ds);
      s.training = { epochs: 30, batchSize: 32 };
      s.model = { kind: 'mlp', hidden: [isImages(ds) ? 128 : 64], activation: 'relu' };
      const list: Array<Record<string, unknown>> = [
        { label: 'none' },
        { label: 'L2', 'regularization.l2': 1e-3 },
        { label: 'L1', 'regularization.l1': 1e-4 },
        { label: 'elastic net', 'regularization.elasticNet': { alpha: 1e-3, l1_ratio: 0.5 } },
        { label: 'dropout', 'model.dropout': 0.3 },
        { label: 'batch norm', 'model.batchNorm': true },
        { label: 'input noise', 'regularization.inputNoise': 0.1 },
        { label: 'augmentation', 'regularization.augment': isImages(ds) ? { rotate: 8 } : { jitter: 0.1 } },
        { label: 'label smoothing', 'loss.label_smoothing': 0.1 },
        { label: 'mixup', 'regularization.mixup': { alpha: 0.2 } },
      ];
      if (isImages(ds)) list.push({ label: 'cutmix', 'regularization.cutmix': { alpha: 1.0 } });
      list.push({
        label: 'early stopping',
        'training.earlyStopping': { monitor: 'val_loss', patience: 5, restoreBest: true },
      });
      s.sweep = list;
      return s;
    },
  },
  ensembles: {
    title: 'Ensembles: one model against bagging (hard and soft vote) and AdaBoost (SAMME)',
    description: 'A weak base learner; the score against the number of members or rounds, and the out-of-bag estimate.',
    defaultDataset: 'breast_cancer',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Ensembles on ${ds}`, 'ensembles', ds);
      // A weak learner (2 hidden units, 3 epochs), the kind ensembles are meant to improve.
      s.model = { kind: 'mlp', hidden: [2], activation: 'relu' };
      s.optimizer = { name: 'adam', lr: 0.01 };
      s.training = { epochs: 3, batchSize: 32 };
      s.sweep = [
        { label: 'single model', ensemble: null },
        { label: 'bagging, hard vote', ensemble: { kind: 'bagging', members: 10, vote: 'hard' } },
        { label: 'bagging, soft vote', ensemble: { kind: 'bagging', members: 10, vote: 'soft' } },
        { label: 'AdaBoost SAMME', ensemble: { kind: 'boosting', rounds: 10, learning_rate: 0.5 } },
      ];
      return s;
    },
  },
};

export function presetSpec(name: string, ds?: string): ExperimentSpec {
  const p = PRESETS[name as StudyKind];
  if (!p) throw new Error(`unknown preset "${name}" (known: ${Object.keys(PRESETS).join(', ')})`);
  const d = ds ?? p.defaultDataset;
  if (!p.datasets.includes(d))
    throw new Error(`preset "${name}" does not take data set "${d}" (it takes: ${p.datasets.join(', ')})`);
  return p.build(d);
}
