import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fit, FitCancelled, type FitConfig, type FitInput } from './fit.ts';
import { makeMoons } from '../data/synthetic.ts';
import { installWasmKernels } from '../linalg/wasm-kernels.ts';
import { Rng } from '../rng.ts';

const all = (n: number, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
const data = makeMoons({ samples: 120, noise: 0.25 }, new Rng(11));

/** Fused dense+ReLU pairs, dropout, AdamW, early stopping with restore: every hot path of a fit. */
const FUSED: FitConfig = {
  model: { kind: 'mlp', hidden: [32, 16], activation: 'relu', dropout: 0.1 },
  loss: { kind: 'cross_entropy', label_smoothing: 0.05 },
  optimizer: { name: 'adamw', lr: 0.01, weight_decay: 0.01 },
  training: { epochs: 8, batchSize: 16, earlyStopping: { patience: 3, restoreBest: true } },
  regularization: { l2: 1e-4 },
};
/** Batch norm between dense and ReLU (nothing fused), Adam with AMSGrad. */
const UNFUSED: FitConfig = {
  model: { kind: 'mlp', hidden: [24], activation: 'relu', batchNorm: true },
  loss: { kind: 'cross_entropy' },
  optimizer: { name: 'adam', lr: 0.02, amsgrad: true },
  training: { epochs: 6, batchSize: 20 },
};

function input(config: FitConfig, seed: number): FitInput {
  return { data, train: all(90), evals: { train: all(90), val: all(120, 90) }, outputsFor: ['val'], config, seed };
}

function withWasm<T>(memoryMiB: number, fn: (h: ReturnType<typeof installWasmKernels>) => T): T {
  const h = installWasmKernels({ memoryMiB });
  try {
    return fn(h);
  } finally {
    h.uninstall();
  }
}

test('determinism with the wasm kernels: the same spec twice gives the same bits (history, state, outputs)', () => {
  withWasm(8, () => {
    for (const config of [FUSED, UNFUSED]) {
      const a = fit(input(config, 5));
      const b = fit(input(config, 5));
      assert.equal(JSON.stringify(a.history), JSON.stringify(b.history));
      assert.deepEqual(a.state, b.state);
      assert.deepEqual(a.outputs.val, b.outputs.val);
      assert.notEqual(JSON.stringify(fit(input(config, 6)).history), JSON.stringify(a.history));
    }
  });
});

test('JS and wasm kernels agree closely but not necessarily to the bit: a job must run on the kernels of every other job', (t) => {
  for (const config of [FUSED, UNFUSED]) {
    const js = fit(input(config, 5));
    const wasm = withWasm(8, () => fit(input(config, 5)));
    assert.equal(js.history.length, wasm.history.length);
    let worst = 0;
    let differing = 0;
    js.history.forEach((r, e) => {
      for (const k of ['train_loss', 'val_loss']) {
        const a = r[k],
          b = wasm.history[e][k];
        if (a !== b) differing++;
        worst = Math.max(worst, Math.abs(a - b) / Math.abs(a));
      }
    });
    let stateDiff = 0;
    js.state.forEach((v, i) => (stateDiff = Math.max(stateDiff, Math.abs(v - wasm.state[i]))));
    const bn = config.model.batchNorm === true;
    t.diagnostic(
      `${bn ? 'batch norm, AMSGrad' : 'fused ReLU pairs, AdamW'}: ${differing} of ${2 * js.history.length} losses differ, max relative difference ${worst.toExponential(2)}; max |Δθ| ${stateDiff.toExponential(2)}`,
    );
    // A dense bias before batch norm has a true gradient of 0, so what it gets is rounding noise,
    // and Adam turns noise of either sign into steps of ±γ: there the two kernel sets part by
    // more than rounding (about 1% of the loss here), which is why one experiment must not mix them.
    assert.ok(worst < (bn ? 0.05 : 1e-5), `JS and wasm losses drift apart: ${worst}`);
  }
});

test('300 fits in a row with the wasm kernels: the memory never fills up, and the same seed gives the same bits every time', () => {
  withWasm(1, (h) => {
    const base = h.stats().usedBytes;
    const first = new Map<number, string>();
    let peak = 0;
    for (let i = 0; i < 300; i++) {
      const seed = i % 3;
      const config = i % 2 === 0 ? FUSED : UNFUSED;
      const onEpoch = () => {
        peak = Math.max(peak, h.stats().demandBytes);
      };
      const r = fit({ ...input(config, seed), train: all(60), evals: { val: all(120, 100) }, onEpoch });
      const st = h.stats();
      assert.equal(st.usedBytes, base, `fit ${i} left memory allocated`);
      assert.equal(st.openScopes, 0);
      assert.equal(st.fallbackAllocations, 0, `fit ${i} ran out of wasm memory`);
      assert.ok(!h.owns(r.state) && !h.owns(r.outputs.val), 'results are plain arrays, never views of reused memory');
      const key = i % 6;
      const bits = JSON.stringify(r.history) + JSON.stringify(Array.from(r.state));
      if (!first.has(key)) first.set(key, bits);
      else assert.equal(bits, first.get(key), `fit ${i} (seed ${seed}) differs from its first run`);
    }
    // Without the scopes, 300 fits would have needed this many times the memory there is.
    const capacity = h.stats().capacityBytes;
    assert.ok(300 * peak > 20 * capacity, `test too small to matter: ${peak} B per fit, capacity ${capacity} B`);
  });
});

test('a fit that throws (cancelled) still gives its memory back', () => {
  withWasm(1, (h) => {
    const base = h.stats().usedBytes;
    let polls = 0;
    assert.throws(() => fit({ ...input(FUSED, 1), cancelled: () => ++polls > 5 }), FitCancelled);
    assert.equal(h.stats().usedBytes, base);
    assert.equal(h.stats().openScopes, 0);
  });
});

test('a fit in a worker thread (useKernels("wasm-simd")) gives the main thread\'s bits', async () => {
  const { Worker } = await import('node:worker_threads');
  const url = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  // A .ts worker entry fails under tsx on Node 20: the entry is a small ES module that registers tsx first.
  const boot = `
    import { parentPort, workerData } from 'node:worker_threads';
    const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});
    register();
    const { useKernels } = await import(${url('../linalg/use-kernels.ts')});
    const choice = useKernels(workerData.kernels);
    const { fit } = await import(${url('./fit.ts')});
    const { makeMoons } = await import(${url('../data/synthetic.ts')});
    const { Rng } = await import(${url('../rng.ts')});
    const data = makeMoons({ samples: 120, noise: 0.25 }, new Rng(11));
    const all = (n, from = 0) => Uint32Array.from({ length: n - from }, (_, i) => i + from);
    const r = fit({ data, train: all(90), evals: { train: all(90), val: all(120, 90) }, outputsFor: ['val'], config: workerData.config, seed: 5 });
    parentPort.postMessage({ choice, history: JSON.stringify(r.history), state: Array.from(r.state) });
  `;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: { kernels: 'wasm-simd', config: FUSED },
  });
  const msg = await new Promise<{ choice: { name: string }; history: string; state: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(msg.choice.name, 'wasm-simd');
  const here = withWasm(8, () => fit(input(FUSED, 5)));
  assert.equal(msg.history, JSON.stringify(here.history));
  assert.deepEqual(msg.state, Array.from(here.state));
});

test('observe: epochs 0…N in order, predictions of the rows equal the scored outputs, and watching changes no bit', () => {
  withWasm(8, () => {
    for (const config of [FUSED, UNFUSED]) {
      const plain = fit(input(config, 5));
      const seen: number[] = [];
      // Every validation row's raw features, predicted through the view at every epoch.
      const rows = all(120, 90);
      const x = new Float32Array(rows.length * data.d);
      rows.forEach((r, i) => x.set(data.x.subarray(r * data.d, r * data.d + data.d), i * data.d));
      let last = new Float32Array(0);
      const watched = fit({
        ...input(config, 5),
        observe(epoch, model) {
          seen.push(epoch);
          last = new Float32Array(rows.length * model.outDim);
          model.predict(x, rows.length, last);
        },
      });
      assert.deepEqual(
        seen,
        Array.from({ length: watched.epochsRun + 1 }, (_, e) => e),
      );
      assert.equal(JSON.stringify(watched.history), JSON.stringify(plain.history));
      assert.deepEqual(watched.state, plain.state);
      assert.deepEqual(watched.outputs.val, plain.outputs.val);
      // Without restoring other weights, the last view is the final model: the same outputs as scoring.
      if (!config.training.earlyStopping?.restoreBest || watched.bestEpoch === watched.epochsRun)
        assert.deepEqual(last, plain.outputs.val);
    }
  });
});
