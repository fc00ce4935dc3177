/**
 * The Lab ⇄ worker protocol over WebSocket, types only. Every frame is one message, a
 * discriminated union on `type`; requests and their answers share an `id` (the job id for
 * job traffic). Typed arrays (row indices, sample weights, data, outputs) travel as binary
 * parts of the frame, never as JSON numbers (see shared/codec.ts for the framing).
 *
 * Connection: Lab → `challenge` (nonce, protocol version); worker → `hello` (version, name,
 * slots, HMAC-SHA256(token, nonce) as hex); Lab → `welcome` or `error` + close. The token
 * itself never crosses the wire. Errors are data with a stable code, never a hang.
 */
import type { Dataset } from './data/dataset.ts';
import type { Job, JobProgress, JobResult } from './experiment/types.ts';

/** Bumped on any incompatible change; a mismatch is refused in `hello` with E_VERSION. */
export const PROTOCOL_VERSION = 2;

/** Largest frame either side accepts (bytes); a bigger one is a protocol error. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export type ErrorCode =
  | 'E_AUTH' // wrong token (HMAC mismatch) or hello before challenge
  | 'E_VERSION' // protocol versions differ
  | 'E_BAD_FRAME' // not decodable, or fails the schema
  | 'E_TOO_BIG' // frame over MAX_FRAME_BYTES
  | 'E_OUT_OF_ORDER' // a message not allowed in the connection's state (e.g. result for a job not leased to it)
  | 'E_NO_DATA' // a job's data set is not known
  | 'E_JOB_FAILED' // the job threw while running
  | 'E_CANCELLED'; // the job was cancelled

// ---- Lab → worker ----
/** The kernels every thread of an experiment must train with (results are bit-identical only then). */
export interface KernelsSpec {
  name: 'wasm-simd' | 'js';
  build?: string;
}
export interface ChallengeMsg {
  type: 'challenge';
  version: number;
  nonce: string;
  kernels: KernelsSpec;
}
export interface WelcomeMsg {
  type: 'welcome';
  workerId: string;
  heartbeatMs: number;
}
/** A lease: run this job; answer with progress, then result or failed, under the same id. */
export interface JobMsg {
  type: 'job';
  id: string;
  job: Job;
}
/** A data set the worker asked for with need_data, by content hash. */
export interface DataMsg {
  type: 'data';
  id: string;
  hash: string;
  dataset: Dataset;
}
export interface CancelMsg {
  type: 'cancel';
  id: string;
}
export interface ErrorMsg {
  type: 'error';
  code: ErrorCode;
  message: string;
  id?: string;
}
export type LabMessage = ChallengeMsg | WelcomeMsg | JobMsg | DataMsg | CancelMsg | ErrorMsg;

// ---- worker → Lab ----
/**
 * The engine a worker trains with. A WebGPU worker names its adapter and the tolerance class
 * of its results against the CPU's (shared/gpu/tolerance.ts); the Lab never lets one run mix
 * back ends. Absent in hello: the CPU.
 */
export type BackendSpec = { name: 'cpu' } | { name: 'webgpu'; adapter: string; tolerance: string };
export interface HelloMsg {
  type: 'hello';
  version: number;
  name: string;
  slots: number;
  hmac: string;
  backend?: BackendSpec;
}
export interface HeartbeatMsg {
  type: 'heartbeat';
  running: string[];
}
export interface NeedDataMsg {
  type: 'need_data';
  id: string;
  hash: string;
}
export interface ProgressMsg {
  type: 'progress';
  id: string;
  progress: JobProgress;
}
export interface ResultMsg {
  type: 'result';
  id: string;
  result: JobResult;
  ms: number;
}
export interface FailedMsg {
  type: 'failed';
  id: string;
  code: ErrorCode;
  message: string;
}
/** The worker hands a job back unfinished (it is shutting down); the Lab requeues it without counting an attempt. */
export interface ReleasedMsg {
  type: 'released';
  id: string;
}
/** The worker takes no new jobs (SIGTERM); it finishes or releases the ones it holds, then closes. */
export interface DrainingMsg {
  type: 'draining';
}
export type WorkerMessage =
  HelloMsg | HeartbeatMsg | NeedDataMsg | ProgressMsg | ResultMsg | FailedMsg | ReleasedMsg | DrainingMsg;

export type Message = LabMessage | WorkerMessage;
