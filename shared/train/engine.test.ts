// The engine seam: fit drives whatever engine it is handed. An engine that answers later
// (every read a promise, as a device's) gives the CPU's bits through fitAsync; one that
// declines a fit leaves it to the CPU, and the result says why; fit refuses an engine that
// cannot answer at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, fitAsync, type FitInput } from './fit.ts';
import { cpuEngine } from './cpu-engine.ts';
import type { EngineSession, TrainEngine } from './engine.ts';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeMoons({ samples: 120, noise: 0.25 }, new Rng(2));
const input: FitInput = {
  data,
  train: all(90),
  evals: { train: all(90), val: all(120, 90) },
  outputsFor: ['val'],
  seed: 9,
  config: {
    model: { kind: 'mlp', hidden: [8], activation: 'relu', dropout: 0.1, batchNorm: true },
    loss: { kind: 'cross_entropy', label_smoothing: 0.1 },
    optimizer: { name: 'adam', lr: 0.02 },
    training: { epochs: 6, batchSize: 16, earlyStopping: { patience: 2, restoreBest: true } },
    regularization: { l2: 1e-3, mixup: { alpha: 0.2 } },
  },
};

/** The CPU engine with every read answered by a promise, as a device answers. */
const later: TrainEngine = {
  name: 'webgpu',
  decline: () => null,
  open(setup) {
    const s = cpuEngine.open(setup) as EngineSession;
    return Promise.resolve({
      info: { name: 'webgpu', adapter: 'the CPU, answering later' },
      gathersRows: false,
      startEpoch: (lr, order) => s.startEpoch(lr, order),
      stepBatch: (b) => s.stepBatch(b),
      stepRows: () => assert.fail('rows are gathered on the host here'),
      diverged: (now) => Promise.resolve(s.diverged(now)),
      penalty: () => Promise.resolve(s.penalty()),
      score: (rows, out) => Promise.resolve(s.score(rows, out)),
      getState: (out) => Promise.resolve(s.getState(out)),
      setState: (st) => Promise.resolve(s.setState(st)),
      close: () => s.close(),
    } satisfies EngineSession);
  },
};

test('an engine that answers later gives the same bits through fitAsync as the CPU engine through fit', async () => {
  const a = fit(input);
  const b = await fitAsync(input, later);
  assert.equal(JSON.stringify(b.history), JSON.stringify(a.history));
  assert.deepEqual(b.state, a.state);
  assert.deepEqual(b.outputs, a.outputs);
  assert.equal(b.bestEpoch, a.bestEpoch);
  assert.deepEqual(b.engine, { name: 'webgpu', adapter: 'the CPU, answering later' });
  assert.equal(a.engine, undefined);
});

test('fit refuses an engine that answers later, and says to use fitAsync', () => {
  assert.throws(() => fit(input, later), /this engine answers asynchronously; use fitAsync/);
});

test('a declined fit runs on the CPU engine, and the result says why', async () => {
  let opened = false;
  const declining: TrainEngine = {
    name: 'webgpu',
    decline: (s) => `no room for ${s.model.paramCount()} parameters`,
    open: () => {
      opened = true;
      throw new Error('not opened');
    },
  };
  let seen: unknown = null;
  const r = await fitAsync({ ...input, observe: (_e, m) => (seen = m.engine) }, declining);
  assert.equal(opened, false);
  // The watcher (the Playground) learns it at epoch 0, before the result.
  assert.deepEqual(seen, { name: 'cpu', declined: 'no room for 58 parameters' });
  // 2·8 + 8 (dense0) + 2·8 (batch norm γ, β) + 8·2 + 2 (dense1) = 58.
  assert.deepEqual(r.engine, { name: 'cpu', declined: 'no room for 58 parameters' });
  assert.deepEqual(r.state, fit(input).state);
});
