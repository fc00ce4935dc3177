// FitInput.observe with an engine that trains its own copy of the network (as a device
// does): the view must show the engine's weights, not the host's untouched initial ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitAsync, type FitInput } from './fit.ts';
import { cpuEngine } from './cpu-engine.ts';
import type { EngineSession, TrainEngine } from './engine.ts';
import { buildModel } from '../nn/model.ts';
import { createOptimizer } from '../optim/index.ts';
import { makeMoons } from '../data/synthetic.ts';
import { Rng } from '../rng.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeMoons({ samples: 120, noise: 0.25 }, new Rng(4));
const config: FitInput['config'] = {
  model: { kind: 'mlp', hidden: [8], activation: 'tanh' },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.05 },
  training: { epochs: 5, batchSize: 16 },
};

/** The CPU engine on a copy of the network, answering by promises: the host's model never trains. */
const elsewhere: TrainEngine = {
  name: 'webgpu',
  decline: () => null,
  open(setup) {
    const copy = buildModel(config.model, data.d, setup.outDim, new Rng(0));
    copy.setState(setup.model.getState());
    const s = cpuEngine.open({
      ...setup,
      model: copy,
      optimizer: createOptimizer(config.optimizer, copy.params()),
    }) as EngineSession;
    return Promise.resolve({
      ...s,
      info: { name: 'webgpu', adapter: 'a copy on the CPU' },
      gathersRows: false,
      startEpoch: (lr, order) => s.startEpoch(lr, order),
      stepBatch: (b) => s.stepBatch(b),
      stepRows: (a, b) => s.stepRows(a, b),
      diverged: (now) => Promise.resolve(s.diverged(now)),
      penalty: () => Promise.resolve(s.penalty()),
      score: (rows, out) => Promise.resolve(s.score(rows, out)),
      getState: (out) => Promise.resolve(s.getState(out)),
      setState: (st) => Promise.resolve(s.setState(st)),
      close: () => s.close(),
    } satisfies EngineSession);
  },
};

test("observe sees an engine's own weights: the last view predicts what the fit's outputs say", async () => {
  const val = all(120, 90);
  const x = new Float32Array(val.length * 2);
  val.forEach((r, i) => x.set(data.x.subarray(2 * r, 2 * r + 2), 2 * i));
  const views: Float32Array[] = [];
  const engines = new Set<string>();
  const r = await fitAsync(
    {
      data,
      train: all(90),
      evals: { val },
      outputsFor: ['val'],
      seed: 3,
      config,
      observe(_epoch, model) {
        engines.add(JSON.stringify(model.engine));
        const out = new Float32Array(val.length * model.outDim);
        model.predict(x, val.length, out);
        views.push(out);
      },
    },
    elsewhere,
  );
  assert.equal(views.length, 6);
  assert.deepEqual(views[5], r.outputs.val);
  // The first view is the untrained network: different outputs.
  assert.notDeepEqual(views[0], views[5]);
  // Every view names the engine that trains (what the Playground's run bar shows).
  assert.deepEqual([...engines], [JSON.stringify({ name: 'webgpu', adapter: 'a copy on the CPU' })]);
});
