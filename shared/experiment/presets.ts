/**
 * The built-in studies: each a spec whose report shows its phenomenon with the metric that
 * measures it and a test that says whether it is there. Budgets (folds, epochs, widths) aim at
 * about a minute per default run on a 2-core laptop (`optlab run --preset NAME`, one after
 * another on a 2-core machine at a load average of about 8: ensembles 28 s, bias-variance 28 s,
 * capacity 43 s, batch size 72 s, regularization 73 s, optimizers 79 s; the batch-size preset
 * with four batch sizes took 1.47× as long as with its three, measured side by side); every
 * preset takes another data set with `--dataset`.
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
/** `NAME:unscaled`: the same set without standardization, an ill-conditioned problem (optimizers preset). */
const UNSCALED = CLASSIFICATION.map((d) => `${d}:unscaled`);
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

/**
 * The validation loss the optimizers are timed to: reachable on every split by a tuned
 * optimizer within the budget (on digits some folds' loss never goes below ~0.15), low enough
 * that a slow optimizer needs most of the budget.
 */
function speedTarget(ds: string): number {
  if (ds === 'iris' || ds === 'wine' || ds === 'breast_cancer' || ds === 'digits') return 0.25;
  if (ds === 'blobs') return 0.6;
  return 0.35;
}

export const PRESETS: Record<StudyKind, Preset> = {
  optimizers: {
    title: 'Optimizers: GD, SGD, Momentum, NAG, Adagrad, Adadelta, RMSprop, Adam, AdamW, NAdam',
    description:
      "How fast each reaches a validation target at its own tuned learning rate (5 rates, chosen per split on inner validation rows), how sensitive it is to the rate, and its final score; NAME:unscaled runs the same on unstandardized (ill-conditioned) data, with twice the epochs and the same target: breast_cancer:unscaled shows the optimizers that adapt each coordinate's step reaching the target where those with one step size for all never do.",
    defaultDataset: 'digits',
    datasets: [...CLASSIFICATION, ...UNSCALED],
    build(arg) {
      const [ds, unscaled] = arg.split(':');
      const s = baseSpec(`Optimizers on ${arg}`, 'optimizers', ds);
      // Unscaled features make every step size a compromise between directions. The same target
      // as the standardized set, so the two runs compare; twice the epochs, so that the optimizers
      // that adapt each coordinate's step reach it (on breast_cancer:unscaled, where the feature
      // scales differ by a factor of ~1e5, those with one step size for all never do).
      if (unscaled) s.dataset.standardize = false;
      // The same epochs (gradient passes over the data) for everyone: GD takes one step per epoch.
      s.training = { epochs: unscaled ? 30 : 15, batchSize: 32 };
      // Ten folds: speed differences of a few epochs need the tighter corrected test (1/10 + 1/9).
      s.evaluation = { kind: 'kfold', k: 10, stratified: true };
      s.tuning = { path: 'optimizer.lr', factors: [0.1, 0.316, 1, 3.16, 10] };
      s.speed = { monitor: 'val_loss', value: speedTarget(ds) };
      // Each rate is the centre of its grid: PyTorch's default where there is one.
      s.sweep = [
        { label: 'GD', optimizer: { name: 'sgd', lr: 0.5 }, 'training.batchSize': 'full' },
        { label: 'SGD', optimizer: { name: 'sgd', lr: 0.05 } },
        { label: 'Momentum', optimizer: { name: 'sgd', lr: 0.01, momentum: 0.9 } },
        { label: 'NAG', optimizer: { name: 'sgd', lr: 0.01, momentum: 0.9, nesterov: true } },
        { label: 'Adagrad', optimizer: { name: 'adagrad', lr: 0.01 } },
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
      'From 1 hidden unit to 512, trained long with no regularization on data with 20% flipped labels: validation error falls, then rises as the wide nets fit the flipped labels (the U-shaped curve); the best width is tested against both ends.',
    defaultDataset: 'circles',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Capacity on ${ds}`, 'capacity', ds);
      // Label noise that no model can explain and long full-batch training: wide nets fit it (overfitting),
      // one or two units cannot draw the boundary (underfitting); 256 training rows per fold.
      if (isSynthetic(ds))
        s.dataset = {
          ...dataset(ds),
          samples: 400,
          noise: ds === 'blobs' ? 2 : ds === 'circles' || ds === 'spirals' ? 0.1 : 0.2,
          labelNoise: 0.2,
          testFraction: 0.2,
        };
      s.optimizer = { name: 'adam', lr: 0.01 };
      s.training = { epochs: 2000, batchSize: 'full', curveEvery: 10 };
      s.model = { kind: 'mlp', hidden: [1], activation: 'relu' };
      s.evaluation = { kind: 'kfold', k: 5, stratified: true, repeats: 2 };
      s.sweep = { 'model.hidden': [[1], [2], [4], [8], [32], [128], [512]] };
      return s;
    },
  },
  'bias-variance': {
    title: 'Bias–variance trade-off: bias², variance and noise against capacity (synthetic regression, known σ)',
    description:
      'Bootstrap replicates of a noisy sine; each width gives bias², variance, σ² and the realized noise on a held-out grid, with the cross term that closes the identity exactly.',
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
      'Small against large batches, each trained to the same training loss: epochs and steps taken, the generalization gap with its test, ε-sharpness (ε = 1e-3, 5e-4) with its first-order share, the gradient norm, λmax (exact Hessian), and the loss on the line between the smallest- and largest-batch solutions.',
    defaultDataset: 'digits',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Batch size and sharpness on ${ds}`, 'batch-size', ds);
      // The rule needs a training set that can be fitted: synthetic sets with little noise, a 64-wide net.
      if (isSynthetic(ds)) {
        s.dataset = { ...dataset(ds), noise: ds === 'blobs' ? 1 : 0.1 };
        s.model = { kind: 'mlp', hidden: [64], activation: 'relu' };
      }
      // The same stopping rule for every batch size, so a large batch is not compared unfinished.
      s.training = { epochs: 3000, batchSize: 8, target: { monitor: 'train_loss', value: 0.01 } };
      s.optimizer = { name: 'adam', lr: 0.001 };
      s.evaluation = { kind: 'kfold', k: 3, stratified: true };
      s.analysis = { sharpness: { epsilons: [1e-3, 5e-4] }, hessian: { iterations: 100 }, keepWeights: true };
      // Three sizes, ×8 apart: the contrast is the smallest against the largest, the middle one shows
      // the trend between (a fourth size cost a third more time, mostly in the analysis of its models).
      s.sweep = { 'training.batchSize': [8, 64, 512] };
      return s;
    },
  },
  regularization: {
    title: 'Regularization ablation: each regularizer against the baseline where overfitting is real',
    description:
      'Few training rows, a wide network, long training; then L2, L1, elastic net, dropout, batch norm, input noise, augmentation (images), label smoothing, mixup, cutmix (images), early stopping, each against the baseline with its interval and Holm-adjusted p.',
    defaultDataset: 'moons',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Regularization on ${ds}`, 'regularization', ds);
      s.model = { kind: 'mlp', hidden: [256], activation: 'relu' };
      if (isSynthetic(ds)) {
        // 20% flipped labels that a wide net trained long full-batch will fit (256 training rows
        // per fold): the overfitting the regularizers are there to fix.
        s.dataset = {
          ...dataset(ds),
          samples: 400,
          noise: ds === 'blobs' ? 2 : ds === 'circles' || ds === 'spirals' ? 0.1 : 0.2,
          labelNoise: 0.2,
          testFraction: 0.2,
        };
        s.optimizer = { name: 'adam', lr: 0.01 };
        s.training = { epochs: 1000, batchSize: 'full', curveEvery: 10 };
      } else {
        // Few rows (digits: ~300 per fold, the rest held out as the test part), trained long.
        if (isImages(ds)) s.dataset = { name: 'digits', testFraction: 0.79 };
        s.training = { epochs: 100, batchSize: 32, curveEvery: 10 };
      }
      const list: Array<Record<string, unknown>> = [
        { label: 'none' },
        { label: 'L2', 'regularization.l2': 1e-3 },
        { label: 'L1', 'regularization.l1': 1e-4 },
        { label: 'elastic net', 'regularization.elasticNet': { alpha: 1e-3, l1_ratio: 0.5 } },
        { label: 'dropout', 'model.dropout': 0.5 },
        { label: 'batch norm', 'model.batchNorm': true },
        { label: 'input noise', 'regularization.inputNoise': 0.3 },
      ];
      // On tabular rows "augmentation" would be jitter, the same draw as input noise: left out.
      if (isImages(ds)) list.push({ label: 'augmentation', 'regularization.augment': { rotate: 10, shift: 1 } });
      list.push(
        { label: 'label smoothing', 'loss.label_smoothing': 0.1 },
        { label: 'mixup', 'regularization.mixup': { alpha: 0.2 } },
      );
      if (isImages(ds)) list.push({ label: 'cutmix', 'regularization.cutmix': { alpha: 1.0 } });
      list.push({
        label: 'early stopping',
        'training.earlyStopping': { monitor: 'val_loss', patience: 10, restoreBest: true },
        'training.curveEvery': 1,
      });
      s.sweep = list;
      return s;
    },
  },
  ensembles: {
    title: 'Ensembles: bagging a high-variance learner, boosting a weak one',
    description:
      'A wide network trained long on few rows (high variance) against bagging it (with the out-of-bag estimate), and a tiny network trained briefly (high bias) against AdaBoost SAMME on it; each ensemble against its base learner and against its own first member or round, bagging against the mean of its members (the variance the vote removes, with how often the members disagree with the vote), and the score against members or rounds.',
    defaultDataset: 'digits',
    datasets: CLASSIFICATION,
    build(ds) {
      const s = baseSpec(`Ensembles on ${ds}`, 'ensembles', ds);
      // Few rows (digits: ~300 per fold, the rest held out as the test part), so that one fit varies.
      if (isImages(ds)) s.dataset = { name: 'digits', testFraction: 0.79 };
      s.evaluation = { kind: 'kfold', k: 5, stratified: true, repeats: 2 };
      s.training = { epochs: 30, batchSize: 16 };
      // High variance: 128 hidden units and 30 epochs of small batches fit ~300 rows exactly.
      const wide = { 'model.hidden': [128], 'optimizer.lr': 0.01, 'training.epochs': 30 };
      // A weak learner: 2 hidden units, 3 epochs, the kind boosting is meant to improve (on digits
      // it is right on about 3 rows in 10; SAMME needs better than 1 in 10 with 10 classes).
      const weak = { 'model.hidden': [2], 'optimizer.lr': 0.01, 'training.epochs': 3 };
      s.sweep = [
        { label: 'wide net', ...wide, ensemble: null },
        { label: 'bagging (wide)', ...wide, ensemble: { kind: 'bagging', members: 10, vote: 'soft' } },
        { label: 'weak net', ...weak, ensemble: null },
        { label: 'AdaBoost (weak)', ...weak, ensemble: { kind: 'boosting', rounds: 10, learning_rate: 0.5 } },
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
