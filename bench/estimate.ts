/**
 * Calibration of the plan estimate (app/lab/preview.ts): runs a few experiments in a temporary
 * library, each in this process (one core), and prints for each the plan's cost units, the time
 * its jobs took, the measured throughput (units per ms) and what the built-in figure would have
 * estimated against what it took. `node --import tsx bench/estimate.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab } from '../app/lab.ts';
import { Library } from '../app/library/library.ts';
import { BENCHMARK_UNITS_PER_MS } from '../app/lab/preview.ts';
import type { ExperimentSpec } from '../shared/experiment/types.ts';

const specs: { label: string; spec: ExperimentSpec }[] = [
  {
    label: 'digits, MLP 64, 5-fold, 10 epochs',
    spec: {
      seed: 1,
      dataset: { name: 'digits' },
      model: { kind: 'mlp', hidden: [64] },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: 0.001 },
      training: { epochs: 10, batchSize: 32 },
      evaluation: { kind: 'kfold', k: 5 },
    },
  },
  {
    label: 'moons 1500, MLP 48-48, 6-fold, 30 epochs, batch 8',
    spec: {
      seed: 11,
      dataset: { name: 'moons', samples: 1500, noise: 0.3 },
      model: { kind: 'mlp', hidden: [48, 48], activation: 'tanh' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'adam', lr: 0.01 },
      training: { epochs: 30, batchSize: 8 },
      evaluation: { kind: 'kfold', k: 6 },
    },
  },
  {
    label: 'wine, logistic, bootstrap 50, 100 epochs',
    spec: {
      seed: 2,
      dataset: { name: 'wine' },
      model: { kind: 'logistic' },
      loss: { kind: 'cross_entropy' },
      optimizer: { name: 'sgd', lr: 0.1 },
      training: { epochs: 100, batchSize: 16 },
      evaluation: { kind: 'bootstrap', replicates: 50 },
    },
  },
];

const dir = mkdtempSync(join(tmpdir(), 'optlab-estimate-'));
try {
  const db = join(dir, 'library.db');
  const lab = Lab.open(db, { logger: { info: () => {}, warn: () => {} } });
  const walls: number[] = [];
  try {
    for (const { spec } of specs) {
      const { id } = await lab.createExperiment(spec);
      const t0 = performance.now();
      await lab.startRun(id, { workers: 0 });
      const outcome = await lab.waitForRun(id);
      walls.push((performance.now() - t0) / 1000);
      if (outcome.status !== 'done') throw new Error(`${spec.dataset.name}: ${outcome.error ?? outcome.status}`);
    }
  } finally {
    await lab.close();
  }
  const lib = Library.open(db, { readonly: true });
  const costs = lib.costs(specs.length).reverse();
  lib.close();
  console.log(`built-in figure: ${BENCHMARK_UNITS_PER_MS.toExponential(2)} units/ms`);
  costs.forEach((c, i) => {
    console.log(
      `${specs[i].label}: ${(c.units / 1e6).toFixed(0)} M units, jobs ${(c.ms / 1000).toFixed(1)} s (wall ${walls[i].toFixed(1)} s), ` +
        `${(c.units / c.ms).toExponential(2)} units/ms; the built-in figure estimates ${(c.units / BENCHMARK_UNITS_PER_MS / 1000).toFixed(1)} s`,
    );
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
