/** Display names of the optimizers (torch.optim class names) and data sets. */
import type { OptimizerName } from '../../../../shared/optim/registry.ts';

export const OPTIMIZER_LABELS: Readonly<Record<OptimizerName, string>> = Object.freeze({
  sgd: 'SGD',
  adagrad: 'Adagrad',
  adadelta: 'Adadelta',
  rmsprop: 'RMSprop',
  adam: 'Adam',
  adamw: 'AdamW',
  nadam: 'NAdam',
});

export const DATASET_LABELS: Readonly<Record<string, string>> = Object.freeze({
  circles: 'Circles',
  moons: 'Moons',
  spirals: 'Spirals',
  xor: 'XOR',
  blobs: 'Blobs',
});
