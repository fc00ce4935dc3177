/**
 * One fit on the device. The data set goes up once (and stays for the next fit on it), the
 * row order once per epoch; each step copies its batch's row indices, gathers and
 * standardizes the rows, runs forward, loss, backward and the optimizer in one submit, and
 * reads nothing back. The loss window is read every `checkEvery` steps (and at the end of each
 * epoch): that is when divergence is seen, while a flag on the device has already stopped the
 * weights from moving at the step that diverged.
 *
 * Host copies, each documented where it happens: a batch that an augmentation prepared on the
 * host (`stepBatch`) is uploaded whole; scoring reads each eval set's outputs back and scores
 * them with the CPU evaluator; the weights cross when the loop asks for the state.
 */
import type { EngineInfo, EngineSession, FitSetup, HostBatch } from '../train/engine.ts';
import type { SetMetrics } from '../train/evaluate.ts';
import type { Evaluator } from '../train/evaluate.ts';
import type { Sequential } from '../nn/model.ts';
import { packFields, type Dispatch, type GpuContext } from './context.ts';
import { DeviceNetwork } from './network.ts';
import { DeviceOptimizer, stepFields } from './optimizer.ts';
import { makePlan, type Plan } from './plan.ts';
import { lossDispatches, type LossBuffers } from './loss.ts';
import { dataBuffers, gatherDispatches, type DataBuffers, type DataCache } from './gather.ts';
import { optimizerDispatches, penaltyValue } from './update.ts';

/** Rows per forward pass when scoring (more than a training batch when that is small). */
const EVAL_ROWS = 1024;
/** Loss values the device keeps between two reads (at least checkEvery). */
const WINDOW = 256;

export interface SessionOptions {
  /** Steps between two reads of the loss window (divergence is seen within this many steps). */
  checkEvery: number;
  info: EngineInfo;
}

export class GpuSession implements EngineSession {
  readonly info: EngineInfo;
  /** Rows are gathered on the device unless an augmentation needs the host. */
  readonly gathersRows = true;
  readonly #gpu: GpuContext;
  readonly #model: Sequential;
  readonly #evaluator: Evaluator;
  readonly #net: DeviceNetwork;
  readonly #opt: DeviceOptimizer;
  readonly #data: DataBuffers;
  readonly #loss: LossBuffers;
  readonly #update: Dispatch[];
  readonly #penaltyOf: (() => Promise<number>) | null;
  readonly #step: GPUBuffer;
  readonly #status: GPUBuffer;
  /** The epoch's row order (grown when a fit trains on more rows than it holds). */
  #order: GPUBuffer;
  /** Row indices of the batch being processed (copied from the order or an eval set). */
  readonly #rows: GPUBuffer;
  readonly #keys: [number, number];
  readonly #plans = new Map<string, { plan: Plan; gather: Dispatch[]; loss: Dispatch[] }>();
  readonly #evalRows = new Map<Uint32Array, GPUBuffer>();
  readonly #checkEvery: number;
  readonly #outDim: number;
  #lr = 0;
  /** Steps taken (torch's state['step']). */
  #t = 0;
  /** Steps since the loss window was last read. */
  #slot = 0;
  #diverged = false;

  constructor(gpu: GpuContext, s: FitSetup, cache: DataCache, o: SessionOptions) {
    this.#gpu = gpu;
    this.info = o.info;
    this.#checkEvery = Math.max(1, Math.min(o.checkEvery, WINDOW));
    this.#model = s.model;
    this.#evaluator = s.evaluator;
    this.#outDim = s.outDim;
    const maxRows = Math.max(s.batch, EVAL_ROWS);
    this.#data = dataBuffers(gpu, s, cache);
    this.#net = new DeviceNetwork(gpu, s.model, s.data.d, maxRows);
    this.#opt = new DeviceOptimizer(s.optimizer);
    this.#step = gpu.uniform(stepFields(0, 0, { lr: 0, c: [0, 0, 0, 0], first: false }));
    this.#status = gpu.buffer(16);
    this.#order = gpu.buffer(s.data.n * 4);
    this.#rows = gpu.buffer(maxRows * 4);
    this.#keys = [s.layerRng.nextU32(), s.layerRng.nextU32()];
    this.#loss = {
      kind: s.lossSpec.kind,
      labelSmoothing: s.lossSpec.label_smoothing ?? 0,
      targets: gpu.buffer(maxRows * s.outDim * 4),
      weights: gpu.buffer(maxRows * 4),
      grad: gpu.buffer(maxRows * s.outDim * 4),
      rowLoss: gpu.buffer(maxRows * 4),
      scalars: gpu.buffer(16),
      losses: gpu.buffer(WINDOW * 4),
    };
    this.#update = optimizerDispatches(gpu, this.#net, this.#opt, s.penalty, this.#step, this.#status);
    this.#penaltyOf = s.penalty.l1 === 0 && s.penalty.l2 === 0 ? null : () => penaltyValue(gpu, this.#net, s.penalty);
  }

  #planFor(rows: number, training: boolean) {
    const key = `${rows}/${training}`;
    let p = this.#plans.get(key);
    if (!p) {
      const shared = { step: this.#step, status: this.#status, keys: this.#keys };
      const plan = makePlan(this.#gpu, this.#net, rows, training, shared, training ? this.#loss.grad : null);
      const gather = gatherDispatches(this.#gpu, this.#data, this.#rows, this.#net.input, this.#loss, rows, training);
      const loss = training
        ? lossDispatches(this.#gpu, this.#loss, plan.output, rows, this.#outDim, this.#step, this.#status)
        : [];
      p = { plan, gather, loss };
      this.#plans.set(key, p);
    }
    return p;
  }

  startEpoch(lr: number, order: Uint32Array): void {
    this.#lr = lr;
    if (this.#order.size < order.byteLength) {
      this.#gpu.release(this.#order);
      this.#order = this.#gpu.buffer(order.byteLength);
    }
    this.#gpu.write(this.#order, order);
  }

  /** Host-prepared batch: uploaded whole (inputs, targets, weights): the documented copy. */
  stepBatch(b: HostBatch): void {
    const rows = b.x.rows;
    this.#gpu.write(this.#net.input, b.x.data.subarray(0, rows * b.x.cols));
    this.#gpu.write(this.#loss.targets, b.t.data.subarray(0, rows * b.t.cols));
    this.#gpu.write(this.#loss.weights, b.w ? b.w.subarray(0, rows) : new Float32Array(rows).fill(1));
    this.#run(rows, null);
  }

  stepRows(start: number, count: number): void {
    this.#run(count, start);
  }

  #run(rows: number, start: number | null): void {
    if (this.#slot >= WINDOW) throw new Error('GpuSession: loss window full; diverged() was not called');
    const t = ++this.#t;
    this.#gpu.device.queue.writeBuffer(
      this.#step,
      0,
      packFields(stepFields(t, this.#slot, this.#opt.step(t, this.#lr))),
    );
    this.#slot++;
    const p = this.#planFor(rows, true);
    const enc = this.#gpu.device.createCommandEncoder();
    if (start !== null) enc.copyBufferToBuffer(this.#order, start * 4, this.#rows, 0, rows * 4);
    this.#gpu.encode(enc, [
      ...(start !== null ? p.gather : []),
      ...p.plan.forward,
      ...p.loss,
      ...p.plan.backward,
      ...this.#update,
    ]);
    this.#gpu.device.queue.submit([enc.finish()]);
  }

  diverged(now: boolean): boolean | Promise<boolean> {
    if (this.#diverged || this.#slot === 0 || (!now && this.#slot < this.#checkEvery)) return this.#diverged;
    const n = this.#slot;
    this.#slot = 0;
    return this.#gpu
      .read([
        [this.#status, 0, 4],
        [this.#loss.losses, 0, n * 4],
      ])
      .then(([st, losses]) => {
        const l = new Float32Array(losses);
        this.#diverged = new Uint32Array(st)[0] !== 0 || l.some((v) => !Number.isFinite(v));
        return this.#diverged;
      });
  }

  penalty(): number | Promise<number> {
    return this.#penaltyOf ? this.#penaltyOf() : 0;
  }

  /** Outputs computed on the device in chunks, read back once, scored by the CPU evaluator. */
  async score(rows: Uint32Array, outputs?: Float32Array): Promise<SetMetrics> {
    const n = rows.length;
    if (n === 0) return { loss: Number.NaN };
    let idx = this.#evalRows.get(rows);
    if (!idx) {
      idx = this.#gpu.upload(rows);
      this.#evalRows.set(rows, idx);
    }
    const C = this.#outDim;
    const all = this.#gpu.buffer(n * C * 4);
    for (let start = 0; start < n; start += EVAL_ROWS) {
      const count = Math.min(EVAL_ROWS, n - start);
      const p = this.#planFor(count, false);
      const enc = this.#gpu.device.createCommandEncoder();
      enc.copyBufferToBuffer(idx, start * 4, this.#rows, 0, count * 4);
      this.#gpu.encode(enc, [...p.gather, ...p.plan.forward]);
      enc.copyBufferToBuffer(p.plan.output, 0, all, start * C * 4, count * C * 4);
      this.#gpu.device.queue.submit([enc.finish()]);
    }
    const out = await this.#gpu.readF32(all, n * C);
    this.#gpu.release(all);
    return this.#evaluator.scoreOutputs(rows, out, C, outputs);
  }

  /** Reads every weight and running statistic back into the host model, then takes its state. */
  async getState(out?: Float32Array): Promise<Float32Array> {
    const bufs = this.#net.buffers();
    const parts: Array<[GPUBuffer, number, number]> = [
      ...this.#net.params.map((p): [GPUBuffer, number, number] => [p.value, 0, p.n * 4]),
      ...bufs.map(([b, host]): [GPUBuffer, number, number] => [b, 0, host.length * 4]),
    ];
    const got = await this.#gpu.read(parts);
    this.#net.params.forEach((p, i) => p.host.value.set(new Float32Array(got[i])));
    bufs.forEach(([, host], i) => host.set(new Float32Array(got[this.#net.params.length + i])));
    return this.#model.getState(out);
  }

  /** Puts a state into the host model and uploads it. */
  setState(state: Float32Array): void {
    this.#model.setState(state);
    for (const p of this.#net.params) this.#gpu.write(p.value, p.host.value);
    for (const [b, host] of this.#net.buffers()) this.#gpu.write(b, host);
  }

  close(): void {
    this.#gpu.destroyAll();
  }
}
