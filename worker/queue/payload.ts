/**
 * What travels through BullMQ: a job's data and a job's return value, as small JSON objects
 * around one codec frame each (base64), so typed arrays, NaN and −0 cross exactly as they do
 * over the WebSocket. Both sides check what they read: a worker refuses a malformed job (it
 * fails at once, never retried), and the Lab checks a result against its job before it
 * commits it.
 */
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import { validateLabMessage, validateWorkerMessage } from '../../shared/protocol-validate.ts';
import { decodeMessage as decode, encodeMessage as encode } from '../../shared/codec.ts';
import { queueJobId } from '../../shared/experiment/keys.ts';

/** Format of the payloads; a worker refuses one it does not know. */
export const PAYLOAD_VERSION = 1;

/** The data of a BullMQ job. */
export interface QueueJobData {
  v: number;
  /** The library the job belongs to (several Labs may share one queue). */
  lab: string;
  experiment: number;
  /** The job's stable key (also inside the frame; shown by Redis tools). */
  key: string;
  /** base64 of the codec frame `{type: 'job', id, job}`. */
  frame: string;
}

/** The return value of a BullMQ job. */
export interface QueueJobReturn {
  v: number;
  /** base64 of the codec frame `{type: 'result', id, result, ms}`. */
  frame: string;
  /** The worker's name. */
  worker: string;
}

export class PayloadError extends Error {}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const unb64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export { queueJobId, queueRunId as runId } from '../../shared/experiment/keys.ts';

export function jobData(lab: string, experiment: number, job: Job): QueueJobData {
  const id = queueJobId(lab, experiment, job.key);
  return { v: PAYLOAD_VERSION, lab, experiment, key: job.key, frame: b64(encode({ type: 'job', id, job })) };
}

/** The job a payload carries, checked (the codec's strict decoding, then the protocol schema). */
export function readJobData(data: unknown, id: string | undefined): { job: Job; lab: string; experiment: number } {
  if (!isObj(data)) throw new PayloadError('the job data is not an object');
  if (data.v !== PAYLOAD_VERSION)
    throw new PayloadError(`payload version ${JSON.stringify(data.v)}; this worker reads version ${PAYLOAD_VERSION}`);
  if (typeof data.lab !== 'string' || !/^[0-9a-f]{8,32}$/.test(data.lab))
    throw new PayloadError('lab: must be the library id (hex)');
  if (typeof data.experiment !== 'number' || !Number.isInteger(data.experiment) || data.experiment < 1)
    throw new PayloadError('experiment: must be a positive integer');
  if (typeof data.frame !== 'string') throw new PayloadError('frame: must be base64 text');
  let msg;
  try {
    msg = decode(unb64(data.frame));
  } catch (e) {
    throw new PayloadError(`frame: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems = validateLabMessage(msg);
  if (problems.length) throw new PayloadError(`frame: ${problems.slice(0, 3).join('; ')}`);
  if (msg.type !== 'job') throw new PayloadError(`frame: a "${msg.type}" message, not a job`);
  if (msg.job.key !== data.key)
    throw new PayloadError(`key: ${JSON.stringify(data.key)} but the job is ${msg.job.key}`);
  if (id !== undefined && msg.id !== id) throw new PayloadError(`the frame is for job id ${msg.id}, not ${id}`);
  return { job: msg.job, lab: data.lab, experiment: data.experiment };
}

export function jobReturn(id: string, result: JobResult, ms: number, worker: string): QueueJobReturn {
  return { v: PAYLOAD_VERSION, frame: b64(encode({ type: 'result', id, result, ms })), worker };
}

/** A job's return value, checked: the result, how long it ran and where. */
export function readJobReturn(value: unknown, id: string): { result: JobResult; ms: number; worker: string } {
  if (!isObj(value)) throw new PayloadError('the return value is not an object');
  if (value.v !== PAYLOAD_VERSION) throw new PayloadError(`return value version ${JSON.stringify(value.v)}`);
  if (typeof value.frame !== 'string') throw new PayloadError('frame: must be base64 text');
  if (typeof value.worker !== 'string' || !value.worker) throw new PayloadError('worker: must be a name');
  let msg;
  try {
    msg = decode(unb64(value.frame));
  } catch (e) {
    throw new PayloadError(`frame: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems = validateWorkerMessage(msg);
  if (problems.length) throw new PayloadError(`frame: ${problems.slice(0, 3).join('; ')}`);
  if (msg.type !== 'result') throw new PayloadError(`frame: a "${msg.type}" message, not a result`);
  if (msg.id !== id) throw new PayloadError(`the result is for job id ${msg.id}, not ${id}`);
  return { result: msg.result, ms: msg.ms, worker: value.worker.slice(0, 200) };
}

/** A data set as the Lab writes it to Redis (the codec frame of a `data` message). */
export function dataBytes(hash: string, dataset: Dataset): Buffer {
  const bytes = encode({ type: 'data', id: hash, hash, dataset });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The data set stored under `hash`, checked (codec, schema); the caller checks its hash. */
export function readDataBytes(bytes: Uint8Array, hash: string): Dataset {
  let msg;
  try {
    msg = decode(bytes);
  } catch (e) {
    throw new PayloadError(`data set ${hash}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems = validateLabMessage(msg);
  if (problems.length) throw new PayloadError(`data set ${hash}: ${problems.slice(0, 3).join('; ')}`);
  if (msg.type !== 'data' || msg.hash !== hash) throw new PayloadError(`data set ${hash}: not that data set's frame`);
  return msg.dataset;
}
