/**
 * Schema checks of decoded protocol messages. A frame that decodes is only well-formed
 * bytes; what it claims to be comes from the network (another machine, or anything that
 * reached the port), so every field's type and size is checked before a message reaches the
 * Lab's or a worker's logic. Each function returns every problem found, with its path
 * (`job.train: must be a Uint32Array, got Float32Array`); an empty list means valid.
 *
 * Checks that need context (rows within the data set, a result matching its job) are the
 * separate `jobDataProblems` and `resultProblems`, called where that context exists.
 */
import type { LabMessage, Message, WorkerMessage } from './protocol.ts';
import { ERROR_CODES, LAB_MESSAGES, LIMITS, WORKER_MESSAGES } from './protocol-schema.ts';
import { checkObject } from './schema/walk.ts';
import type { Dataset } from './data/dataset.ts';
import { datasetProblems } from './data/dataset.ts';
import type { Job, JobResult } from './experiment/types.ts';
import { validateModelSpec } from './nn/model.ts';
import { validateLossSpec } from './nn/loss.ts';
import { validateOptimizerSpec } from './optim/validate.ts';
import { validateRegularization, validateTraining } from './schema/validate.ts';

type Problems = string[];

export { ERROR_CODES, LIMITS };

/** The message types each side sends (the schema's lists). */
export const LAB_MESSAGE_TYPES = Object.keys(LAB_MESSAGES) as readonly LabMessage['type'][];
export const WORKER_MESSAGE_TYPES = Object.keys(WORKER_MESSAGES) as readonly WorkerMessage['type'][];

const HEX = /^[0-9a-f]+$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string of ${v.length} characters`;
  // Only primitives are left here (objects and strings returned above).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return `${typeof v} ${String(v)}`.slice(0, 60);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Keys outside `known` are problems: a peer that sends them speaks another protocol version or is not a peer. */
function onlyKeys(o: Record<string, unknown>, known: readonly string[], path: string, out: Problems): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) out.push(`${path}${path ? '.' : ''}${k}: unknown field`);
}

function str(v: unknown, path: string, out: Problems, max: number, pattern?: RegExp, min = 0): boolean {
  let why = '';
  if (typeof v !== 'string') why = `must be a string, got ${typeName(v)}`;
  else if (v.length < min || v.length > max) why = `must have ${min}..${max} characters, got ${v.length}`;
  else if (pattern && !pattern.test(v)) why = 'malformed';
  if (why) out.push(`${path}: ${why}`);
  return !why;
}

function int(v: unknown, path: string, out: Problems, min: number, max: number): boolean {
  const ok = typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!ok) out.push(`${path}: must be an integer in ${min}..${max}, got ${typeName(v)}`);
  return ok;
}

/** Any number, NaN and ±Infinity included: measurements of a diverged run are legitimately not finite. */
function number(v: unknown, path: string, out: Problems): void {
  if (typeof v !== 'number') out.push(`${path}: must be a number, got ${typeName(v)}`);
}

function finite(v: unknown, path: string, out: Problems): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) out.push(`${path}: must be a finite number, got ${typeName(v)}`);
}

function bool(v: unknown, path: string, out: Problems): void {
  if (typeof v !== 'boolean') out.push(`${path}: must be true or false, got ${typeName(v)}`);
}

function strList(v: unknown, path: string, out: Problems, maxItem: number): void {
  if (!Array.isArray(v)) return void out.push(`${path}: must be a list of strings, got ${typeName(v)}`);
  if (v.length > LIMITS.list) return void out.push(`${path}: more than ${LIMITS.list} entries`);
  for (let i = 0; i < v.length; i++) if (!str(v[i], `${path}[${i}]`, out, maxItem)) return;
}

function typed(v: unknown, ctor: Float32ArrayConstructor | Uint32ArrayConstructor, path: string, out: Problems): void {
  if (!(v instanceof ctor)) out.push(`${path}: must be a ${ctor.name}, got ${typeName(v)}`);
}

function record(v: unknown, path: string, out: Problems, each: (x: unknown, path: string) => void): void {
  if (!isObj(v)) return void out.push(`${path}: must be an object, got ${typeName(v)}`);
  const keys = Object.keys(v);
  if (keys.length > LIMITS.list) return void out.push(`${path}: more than ${LIMITS.list} entries`);
  for (const k of keys) {
    if (k.length > LIMITS.key) out.push(`${path}: a key has more than ${LIMITS.key} characters`);
    else each(v[k], `${path}.${k}`);
  }
}

function epochRecord(v: unknown, path: string, out: Problems): void {
  if (!isObj(v)) return void out.push(`${path}: must be an object, got ${typeName(v)}`);
  int(v.epoch, `${path}.epoch`, out, 0, LIMITS.epochs);
  number(v.lr, `${path}.lr`, out);
  number(v.penalty, `${path}.penalty`, out);
  const keys = Object.keys(v);
  if (keys.length > 1000) return void out.push(`${path}: more than 1000 metrics`);
  for (const k of keys) {
    if (k.length > LIMITS.name) out.push(`${path}: a metric name is too long`);
    else number(v[k], `${path}.${k}`, out);
  }
}

function progress(v: unknown, path: string, out: Problems): void {
  if (!isObj(v)) return void out.push(`${path}: must be an object, got ${typeName(v)}`);
  onlyKeys(v, ['key', 'epoch', 'epochs', 'record'], path, out);
  str(v.key, `${path}.key`, out, LIMITS.key, undefined, 1);
  int(v.epoch, `${path}.epoch`, out, 0, LIMITS.epochs);
  int(v.epochs, `${path}.epochs`, out, 0, LIMITS.epochs);
  if (v.record !== undefined) epochRecord(v.record, `${path}.record`, out);
}

function analysisSpec(v: unknown, path: string, out: Problems): void {
  if (v === undefined || v === null) return;
  if (!isObj(v)) return void out.push(`${path}: must be an object or null, got ${typeName(v)}`);
  onlyKeys(v, ['sharpness', 'hessian', 'objective', 'keepWeights'], path, out);
  if (v.objective !== undefined && v.objective !== 'data' && v.objective !== 'training')
    out.push(`${path}.objective: must be "data" or "training"`);
  if (v.sharpness !== undefined && v.sharpness !== null) {
    const s = v.sharpness;
    if (
      !isObj(s) ||
      !Array.isArray(s.epsilons) ||
      s.epsilons.length === 0 ||
      s.epsilons.length > 100 ||
      s.epsilons.some((e) => typeof e !== 'number' || !(e > 0) || !Number.isFinite(e))
    ) {
      out.push(`${path}.sharpness: must be {epsilons: [numbers > 0]}`);
    } else onlyKeys(s, ['epsilons'], `${path}.sharpness`, out);
  }
  if (v.hessian !== undefined && v.hessian !== null) {
    const h = v.hessian;
    if (!isObj(h)) out.push(`${path}.hessian: must be an object or null, got ${typeName(h)}`);
    else {
      onlyKeys(h, ['iterations', 'tolerance'], `${path}.hessian`, out);
      if (h.iterations !== undefined) int(h.iterations, `${path}.hessian.iterations`, out, 1, 1000);
      if (h.tolerance !== undefined && !(typeof h.tolerance === 'number' && h.tolerance >= 0 && h.tolerance <= 1))
        out.push(`${path}.hessian.tolerance: must be a number in [0, 1]`);
    }
  }
  if (v.keepWeights !== undefined) bool(v.keepWeights, `${path}.keepWeights`, out);
}

function fitConfigProblems(v: unknown, path: string, out: Problems): void {
  if (!isObj(v)) return void out.push(`${path}: must be an object, got ${typeName(v)}`);
  onlyKeys(v, ['model', 'loss', 'optimizer', 'training', 'regularization', 'dataset'], path, out);
  out.push(...validateModelSpec(v.model, `${path}.model`));
  out.push(...validateLossSpec(v.loss, `${path}.loss`));
  out.push(...validateOptimizerSpec(v.optimizer, `${path}.optimizer`));
  validateTraining(v.training, `${path}.training`, out);
  validateRegularization(v.regularization, `${path}.regularization`, out);
  if (v.dataset !== undefined) {
    if (!isObj(v.dataset)) out.push(`${path}.dataset: must be an object, got ${typeName(v.dataset)}`);
    else {
      onlyKeys(v.dataset, ['standardize'], `${path}.dataset`, out);
      if (v.dataset.standardize !== undefined) bool(v.dataset.standardize, `${path}.dataset.standardize`, out);
    }
  }
}

const HASH = /^[0-9a-f]{16,128}$/;

/** Problems of a Job's shape (types and sizes). Rows within the data set: `jobDataProblems`. */
export function jobProblems(v: unknown, path = 'job'): Problems {
  const out: Problems = [];
  if (!isObj(v)) return [`${path}: must be an object, got ${typeName(v)}`];
  onlyKeys(
    v,
    [
      'key',
      'config',
      'seed',
      'initSeed',
      'dataHash',
      'train',
      'evals',
      'curves',
      'monitor',
      'outputsFor',
      'weights',
      'fitConfig',
      'analysis',
    ],
    path,
    out,
  );
  str(v.key, `${path}.key`, out, LIMITS.key, undefined, 1);
  int(v.config, `${path}.config`, out, 0, 1_000_000);
  int(v.seed, `${path}.seed`, out, 0, 0xffffffff);
  int(v.initSeed, `${path}.initSeed`, out, 0, 0xffffffff);
  str(v.dataHash, `${path}.dataHash`, out, 128, HASH);
  typed(v.train, Uint32Array, `${path}.train`, out);
  record(v.evals, `${path}.evals`, out, (x, p) => typed(x, Uint32Array, p, out));
  strList(v.curves, `${path}.curves`, out, LIMITS.name);
  if (v.monitor !== undefined) str(v.monitor, `${path}.monitor`, out, LIMITS.name);
  strList(v.outputsFor, `${path}.outputsFor`, out, LIMITS.name);
  if (v.weights !== undefined) typed(v.weights, Float32Array, `${path}.weights`, out);
  fitConfigProblems(v.fitConfig, `${path}.fitConfig`, out);
  analysisSpec(v.analysis, `${path}.analysis`, out);
  if (out.length === 0) {
    const job = v as unknown as Job;
    for (const c of job.curves) if (!Object.hasOwn(job.evals, c)) out.push(`${path}.curves: "${c}" is not an eval set`);
    if (job.monitor !== undefined && !job.curves.includes(job.monitor))
      out.push(`${path}.monitor: "${job.monitor}" is not among the curves`);
  }
  return out;
}

/** Rows of a job that do not exist in its data set (checked by the worker before running it). */
export function jobDataProblems(job: Job, data: Dataset): Problems {
  const out: Problems = [];
  const within = (rows: Uint32Array, path: string) => {
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] >= data.n)
        return void out.push(`${path}[${i}]: row ${rows[i]} is outside the data set's ${data.n} rows`);
    }
  };
  within(job.train, 'job.train');
  for (const [name, rows] of Object.entries(job.evals)) within(rows, `job.evals.${name}`);
  if (job.weights && job.weights.length < data.n)
    out.push(`job.weights: needs ${data.n} values, got ${job.weights.length}`);
  return out;
}

function setMetrics(v: unknown, path: string, out: Problems): void {
  if (!isObj(v)) return void out.push(`${path}: must be an object, got ${typeName(v)}`);
  onlyKeys(v, ['loss', 'accuracy', 'mse', 'r2'], path, out);
  number(v.loss, `${path}.loss`, out);
  for (const k of ['accuracy', 'mse', 'r2']) if (v[k] !== undefined) number(v[k], `${path}.${k}`, out);
}

/** Problems of a JobResult's shape. Whether it fits its job: `resultProblems`. */
export function jobResultProblems(v: unknown, path = 'result'): Problems {
  const out: Problems = [];
  if (!isObj(v)) return [`${path}: must be an object, got ${typeName(v)}`];
  onlyKeys(
    v,
    [
      'key',
      'history',
      'final',
      'bestEpoch',
      'stoppedEarly',
      'diverged',
      'paramCount',
      'outDim',
      'outputs',
      'analysis',
      'state',
      'engine',
    ],
    path,
    out,
  );
  str(v.key, `${path}.key`, out, LIMITS.key, undefined, 1);
  if (!Array.isArray(v.history)) out.push(`${path}.history: must be a list, got ${typeName(v.history)}`);
  else if (v.history.length > LIMITS.epochs) out.push(`${path}.history: more than ${LIMITS.epochs} epochs`);
  else {
    for (let i = 0; i < v.history.length; i++) {
      const before = out.length;
      epochRecord(v.history[i], `${path}.history[${i}]`, out);
      if (out.length > before) break;
    }
  }
  record(v.final, `${path}.final`, out, (x, p) => setMetrics(x, p, out));
  int(v.bestEpoch, `${path}.bestEpoch`, out, 0, LIMITS.epochs);
  bool(v.stoppedEarly, `${path}.stoppedEarly`, out);
  bool(v.diverged, `${path}.diverged`, out);
  int(v.paramCount, `${path}.paramCount`, out, 0, 2 ** 31);
  int(v.outDim, `${path}.outDim`, out, 1, 1_000_000);
  record(v.outputs, `${path}.outputs`, out, (x, p) => typed(x, Float32Array, p, out));
  if (v.analysis !== undefined) record(v.analysis, `${path}.analysis`, out, (x, p) => number(x, p, out));
  if (v.state !== undefined) typed(v.state, Float32Array, `${path}.state`, out);
  if (v.engine !== undefined) engineInfo(v.engine, `${path}.engine`, out);
  return out;
}

/** Printable text (control characters would garble log lines and reports). */
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;

/** The engine a result was trained on: `{ name, adapter?, declined? }`. */
function engineInfo(v: unknown, path: string, out: Problems): void {
  if (!isObj(v) || (v.name !== 'cpu' && v.name !== 'webgpu')) {
    out.push(`${path}: must be { name: "cpu" | "webgpu", adapter?, declined? }`);
    return;
  }
  onlyKeys(v, ['name', 'adapter', 'declined'], path, out);
  if (v.adapter !== undefined) str(v.adapter, `${path}.adapter`, out, LIMITS.name, PRINTABLE, 1);
  if (v.declined !== undefined) str(v.declined, `${path}.declined`, out, LIMITS.message, PRINTABLE, 1);
}

/** A worker's back end in hello: `{ name: "cpu" }` or `{ name: "webgpu", adapter, tolerance }`. */
function backendSpec(v: unknown, path: string, out: Problems): void {
  if (!isObj(v) || (v.name !== 'cpu' && v.name !== 'webgpu')) {
    out.push(`${path}: must be { name: "cpu" } or { name: "webgpu", adapter, tolerance }`);
    return;
  }
  if (v.name === 'cpu') return onlyKeys(v, ['name'], path, out);
  onlyKeys(v, ['name', 'adapter', 'tolerance'], path, out);
  str(v.adapter, `${path}.adapter`, out, LIMITS.name, PRINTABLE, 1);
  str(v.tolerance, `${path}.tolerance`, out, 64, /^[a-z0-9.-]+$/, 1);
}

/** Whether a (shape-valid) result answers its job: same key, a score per eval set, outputs of the right size. */
export function resultProblems(job: Job, r: JobResult): Problems {
  const out: Problems = [];
  if (r.key !== job.key) out.push(`result.key: "${r.key}" answers another job than "${job.key}"`);
  const sets = Object.keys(job.evals);
  for (const s of sets) if (!Object.hasOwn(r.final, s)) out.push(`result.final: no scores for "${s}"`);
  for (const s of Object.keys(r.final))
    if (!sets.includes(s)) out.push(`result.final.${s}: not an eval set of the job`);
  for (const s of job.outputsFor) {
    if (!Object.hasOwn(job.evals, s)) continue;
    const o = r.outputs[s];
    if (!o) out.push(`result.outputs: no outputs for "${s}"`);
    else if (o.length !== job.evals[s].length * r.outDim)
      out.push(`result.outputs.${s}: needs ${job.evals[s].length}×${r.outDim} values, got ${o.length}`);
  }
  for (const s of Object.keys(r.outputs))
    if (!job.outputsFor.includes(s) || !Object.hasOwn(job.evals, s)) out.push(`result.outputs.${s}: not asked for`);
  if (r.history.length > job.fitConfig.training.epochs)
    out.push(`result.history: ${r.history.length} epochs, the job has ${job.fitConfig.training.epochs}`);
  return out;
}

/** Problems of a data set as sent in a `data` message: field types, then its internal consistency. */
export function datasetMessageProblems(v: unknown, path = 'dataset'): Problems {
  const out: Problems = [];
  if (!isObj(v)) return [`${path}: must be an object, got ${typeName(v)}`];
  onlyKeys(
    v,
    ['name', 'task', 'n', 'd', 'x', 'y', 'classes', 'classNames', 'featureNames', 'image', 'truth'],
    path,
    out,
  );
  str(v.name, `${path}.name`, out, LIMITS.name);
  if (v.task !== 'classification' && v.task !== 'regression')
    out.push(`${path}.task: must be "classification" or "regression", got ${typeName(v.task)}`);
  int(v.n, `${path}.n`, out, 0, 2 ** 31);
  int(v.d, `${path}.d`, out, 1, 2 ** 31);
  typed(v.x, Float32Array, `${path}.x`, out);
  typed(v.y, Float32Array, `${path}.y`, out);
  int(v.classes, `${path}.classes`, out, 0, 1_000_000);
  strList(v.classNames, `${path}.classNames`, out, LIMITS.name);
  strList(v.featureNames, `${path}.featureNames`, out, LIMITS.name);
  if (v.image !== undefined) {
    const im = v.image;
    if (!isObj(im)) out.push(`${path}.image: must be an object, got ${typeName(im)}`);
    else {
      onlyKeys(im, ['height', 'width', 'channels'], `${path}.image`, out);
      for (const k of ['height', 'width', 'channels']) int(im[k], `${path}.image.${k}`, out, 1, 1_000_000);
    }
  }
  if (v.truth !== undefined) {
    const t = v.truth;
    if (!isObj(t)) out.push(`${path}.truth: must be an object, got ${typeName(t)}`);
    else if (t.kind === 'sine') {
      onlyKeys(t, ['kind', 'amplitude', 'frequency', 'phase', 'sigma'], `${path}.truth`, out);
      for (const k of ['amplitude', 'frequency', 'phase', 'sigma']) finite(t[k], `${path}.truth.${k}`, out);
    } else if (t.kind === 'polynomial') {
      onlyKeys(t, ['kind', 'coefficients', 'sigma'], `${path}.truth`, out);
      if (!Array.isArray(t.coefficients) || t.coefficients.length > 100)
        out.push(`${path}.truth.coefficients: must be a list of up to 100 numbers`);
      else t.coefficients.forEach((c, i) => finite(c, `${path}.truth.coefficients[${i}]`, out));
      finite(t.sigma, `${path}.truth.sigma`, out);
    } else out.push(`${path}.truth.kind: must be "sine" or "polynomial", got ${typeName(t.kind)}`);
  }
  if (out.length === 0) out.push(...datasetProblems(v as unknown as Dataset).map((p) => `${path}.${p}`));
  return out;
}

const MESSAGES: Readonly<
  Record<
    string,
    (typeof LAB_MESSAGES)[keyof typeof LAB_MESSAGES] | (typeof WORKER_MESSAGES)[keyof typeof WORKER_MESSAGES]
  >
> = {
  ...LAB_MESSAGES,
  ...WORKER_MESSAGES,
};

/**
 * Problems of a message in either direction: its type picks its schema (protocol-schema.ts),
 * which checks its fields; the job, data set, result, progress, kernels and back end inside
 * it are checked here, as code.
 */
export function validateMessage(m: unknown): Problems {
  if (!isObj(m)) return [`message: must be an object, got ${typeName(m)}`];
  const schema = typeof m.type === 'string' && Object.hasOwn(MESSAGES, m.type) ? MESSAGES[m.type] : undefined;
  if (!schema) return [`type: unknown message type ${typeName(m.type)}`];
  const out: Problems = [];
  checkObject(schema, m, '', out, {
    skip: ['type'],
    code: {
      kernels: (k) => {
        if (!isObj(k) || (k.name !== 'wasm-simd' && k.name !== 'js'))
          out.push('kernels: must be { name: "wasm-simd" | "js", build? }');
        else {
          onlyKeys(k, ['name', 'build'], 'kernels', out);
          if (k.build !== undefined) str(k.build, 'kernels.build', out, 64, HEX, 1);
        }
      },
      job: (j) => void out.push(...jobProblems(j)),
      dataset: (d) => void out.push(...datasetMessageProblems(d)),
      result: (r) => void out.push(...jobResultProblems(r)),
      progress: (p) => progress(p, 'progress', out),
      backend: (b) => {
        if (b !== undefined) backendSpec(b, 'backend', out);
      },
    },
  });
  return out;
}

/** Problems of a message the Lab received: a worker message, or a message of the wrong direction. */
export function validateWorkerMessage(m: unknown): Problems {
  if (isObj(m) && (LAB_MESSAGE_TYPES as readonly unknown[]).includes(m.type))
    return [`type: "${String(m.type)}" is sent by the Lab, not by a worker`];
  return validateMessage(m);
}

/** Problems of a message a worker received. */
export function validateLabMessage(m: unknown): Problems {
  if (isObj(m) && (WORKER_MESSAGE_TYPES as readonly unknown[]).includes(m.type))
    return [`type: "${String(m.type)}" is sent by a worker, not by the Lab`];
  return validateMessage(m);
}

/** Narrowing helpers for code that has just validated. */
export function isWorkerMessage(m: Message): m is WorkerMessage {
  return (WORKER_MESSAGE_TYPES as readonly string[]).includes(m.type);
}
