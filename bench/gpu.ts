/**
 * `npm run bench -- --gpu`: samples/s of the training step (forward, softmax cross-entropy,
 * backward, Adam) on the WebGPU engine beside the CPU engine (WebAssembly SIMD kernels, one
 * thread), per cell, with the adapter's name; and PyTorch on CUDA on the same cells when a
 * `torch` with CUDA is installed. Issue 13's goals: ≥ 5× the CPU on 784-256-10 at batch 1024,
 * ≥ 20× on 784-1024-1024-10 at batch 4096.
 *
 * The GPU step is the engine's own (gpu/session.ts): data on the device, rows gathered there,
 * the loss read back every 16 steps as a fit does, timed until the device has finished.
 *
 * Only a real GPU is timed. A software adapter (SwiftShader) is refused unless --software-gpu
 * is given, and then its column is labelled as what it is: a check that the bench runs, not a
 * GPU's speed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installWasmKernels } from '../shared/linalg/wasm-kernels.ts';
import { allocF32 } from '../shared/linalg/alloc.ts';
import { buildModel } from '../shared/nn/model.ts';
import { CrossEntropyLoss, makeLoss } from '../shared/nn/loss.ts';
import { createOptimizer } from '../shared/optim/index.ts';
import { Rng } from '../shared/rng.ts';
import type { Dataset } from '../shared/data/dataset.ts';
import { Evaluator } from '../shared/train/evaluate.ts';
import type { FitSetup } from '../shared/train/engine.ts';
import { GpuEngine } from '../shared/gpu/engine.ts';
import { acquireDevice } from '../worker/webgpu.ts';

export interface GpuCell {
  inputs: number;
  hidden: number[];
  classes: number;
  batch: number;
  /** samples/s the GPU must reach, as a multiple of the CPU's (issue 13), if any. */
  goal?: number;
}

export const GPU_CELLS: GpuCell[] = [
  { inputs: 784, hidden: [256], classes: 10, batch: 128 },
  { inputs: 784, hidden: [256], classes: 10, batch: 1024, goal: 5 },
  { inputs: 784, hidden: [1024, 1024], classes: 10, batch: 4096, goal: 20 },
];

export const cellName = (c: GpuCell): string => [c.inputs, ...c.hidden, c.classes].join('-');

/** Everything a step touches: a random data set of 4 batches, the model, its loss and Adam. */
function setup(c: GpuCell) {
  const rng = new Rng(`bench-gpu/${cellName(c)}/${c.batch}`);
  const n = 4 * c.batch;
  const data: Dataset = {
    name: 'random',
    task: 'classification',
    n,
    d: c.inputs,
    x: Float32Array.from({ length: n * c.inputs }, () => rng.normal()),
    y: Float32Array.from({ length: n }, () => rng.int(c.classes)),
    classes: c.classes,
    classNames: Array.from({ length: c.classes }, (_, i) => String(i)),
    featureNames: Array.from({ length: c.inputs }, (_, i) => `x${i}`),
  };
  const model = buildModel(
    { kind: 'mlp', hidden: c.hidden, activation: 'relu' },
    c.inputs,
    c.classes,
    rng.fork('init'),
  );
  const optimizer = createOptimizer({ name: 'adam', lr: 1e-3 }, model.params());
  return { rng, data, model, optimizer };
}

/** Median samples/s of `step` over `reps` runs of about `seconds` each (at least 2 steps). */
async function rate(
  step: () => void | Promise<void>,
  sync: () => Promise<void>,
  c: GpuCell,
  seconds: number,
  reps: number,
) {
  let t0 = performance.now();
  let warm = 0;
  do {
    await step();
    warm++;
  } while (performance.now() - t0 < (seconds * 1000) / 3 && warm < 200);
  await sync();
  const perStep = (performance.now() - t0) / warm;
  const steps = Math.max(2, Math.round((seconds * 1000) / perStep));
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    t0 = performance.now();
    for (let i = 0; i < steps; i++) await step();
    await sync();
    rates.push((steps * c.batch) / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[reps >> 1];
}

/** The CPU engine's step (WebAssembly SIMD kernels, one thread), as bench/run.ts measures it. */
export async function cpuRate(c: GpuCell, seconds: number, reps: number): Promise<number> {
  // Room for every buffer of the step inside the kernels' memory (the large cell needs ~200 MiB).
  const handle = installWasmKernels({ memoryMiB: 512 });
  try {
    const { rng, model, optimizer } = setup(c);
    const loss = new CrossEntropyLoss();
    const batches = Array.from({ length: 2 }, () => {
      const x = { rows: c.batch, cols: c.inputs, data: allocF32(c.batch * c.inputs) };
      for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
      const t = { rows: c.batch, cols: c.classes, data: allocF32(c.batch * c.classes).fill(0) };
      for (let i = 0; i < c.batch; i++) t.data[i * c.classes + rng.int(c.classes)] = 1;
      return { x, t };
    });
    const ctx = { training: true, rng: rng.fork('forward') };
    let k = 0;
    const step = () => {
      const { x, t } = batches[k++ & 1];
      loss.compute(model.forward(x, ctx), t);
      model.backwardParams(loss.grad);
      optimizer.step();
    };
    const r = await rate(step, () => Promise.resolve(), c, seconds, reps);
    const st = handle.stats();
    if (st.fallbackAllocations > 0 || st.copyingCalls > 0)
      throw new Error(
        `bench: ${st.fallbackAllocations} buffers outside the kernels' memory; the CPU figure would be unfair`,
      );
    return r;
  } finally {
    handle.uninstall();
  }
}

/** The WebGPU engine's step on `engine`'s device. */
export async function gpuRate(engine: GpuEngine, c: GpuCell, seconds: number, reps: number): Promise<number> {
  const { rng, data, model, optimizer } = setup(c);
  const spec = { kind: 'cross_entropy' as const };
  const setupFit: FitSetup = {
    data,
    model,
    optimizer,
    loss: makeLoss(spec),
    lossSpec: spec,
    evaluator: new Evaluator(data, null, 'onehot', makeLoss(spec)),
    standardizer: null,
    kind: 'onehot',
    outDim: c.classes,
    batch: c.batch,
    penalty: { l1: 0, l2: 0 },
    weights: null,
    layerRng: rng.fork('layers'),
    evals: {},
  };
  const session = engine.open(setupFit);
  try {
    session.startEpoch(
      1e-3,
      Uint32Array.from({ length: data.n }, (_, i) => i),
    );
    let k = 0;
    const step = async () => {
      session.stepRows((k++ & 3) * c.batch, c.batch);
      await session.diverged(false);
    };
    return await rate(step, async () => void (await session.diverged(true)), c, seconds, reps);
  } finally {
    session.close();
  }
}

/** PyTorch on CUDA on the same cells, or why not. */
export function torchCuda(cells: GpuCell[], seconds: number, reps: number): Map<string, number> | string {
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const request = JSON.stringify({
    cells: cells.map((c) => [c.inputs, c.hidden, c.classes, c.batch]),
    seconds,
    reps,
    device: 'cuda',
  });
  const pythons = ['/usr/bin/python3', 'python3'].filter((p) => !p.startsWith('/') || existsSync(p));
  let why = 'no python3 found';
  for (const py of pythons) {
    const r = spawnSync(py, [script, request], { encoding: 'utf8', timeout: 600_000 });
    const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    if (r.status === 0 && last.startsWith('{')) {
      const parsed = JSON.parse(last) as {
        error?: string;
        cells?: { model: string; batch: number; samples_per_s: number }[];
      };
      if (parsed.error) return parsed.error;
      return new Map(parsed.cells!.map((x) => [`${x.model}/${x.batch}`, x.samples_per_s]));
    }
    why = /No module named 'torch'/.test(r.stderr ?? '')
      ? `${py} has no torch module`
      : `${py} failed: ${(r.stderr || String(r.error)).trim().split('\n').pop()}`;
  }
  return why;
}

/** A device for the bench: a real GPU, or with `software` SwiftShader; else the reason. */
export async function benchEngine(software: boolean): Promise<{ engine: GpuEngine; software: boolean } | string> {
  try {
    const d = await acquireDevice({ software });
    return { engine: new GpuEngine(d.device, { adapter: d.adapter }), software: d.software };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
