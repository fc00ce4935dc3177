/** The coordinator's settings and what it tells the Lab about its workers. */
import type { KernelsSpec } from '../../shared/protocol.ts';

export interface CoordinatorLogger {
  info(line: string): void;
  warn(line: string): void;
}

export interface CoordinatorOptions {
  /** Interface to listen on (default 127.0.0.1; `lan` makes it 0.0.0.0). */
  host?: string;
  /** Port (default 0: any free port; read it from `port` or `url` after `listen`). */
  port?: number;
  /** Accept workers from other machines: listen on 0.0.0.0 unless `host` says otherwise. */
  lan?: boolean;
  /** Shared secret workers prove they know (default: 32 random bytes, hex). */
  token?: string;
  /** How often workers send heartbeats (ms, default 1000; told to them in `welcome`). */
  heartbeatMs?: number;
  /** Silence after which a worker is dropped and its jobs requeued (ms, default 15000). */
  heartbeatTimeoutMs?: number;
  /** Time a new connection has to answer the challenge (ms, default 10000). */
  helloTimeoutMs?: number;
  /** Longest a single lease may run before the job is requeued (ms; 0, the default, means no limit). */
  leaseTimeoutMs?: number;
  /** Tries of a job before its run fails with E_JOB_FAILED (default 3). */
  maxAttempts?: number;
  /** Largest frame accepted or sent (bytes, default MAX_FRAME_BYTES). */
  maxFrameBytes?: number;
  logger?: CoordinatorLogger;
  /** Kernels workers must train with (default: this process's choice, see app/kernels.ts). */
  kernels?: KernelsSpec;
}

/** A connected, authenticated worker as the CLI and UI list it. */
export interface WorkerInfo {
  /** Unique for the coordinator's lifetime (`w3`); names need not be unique. */
  id: string;
  name: string;
  /** Remote IP address. */
  address: string;
  slots: number;
  /** Keys of the jobs leased to it (including cancelled ones it has not yet stopped). */
  running: string[];
  /** Results it delivered. */
  done: number;
  /** Jobs it reported as failed. */
  failed: number;
  /** It announced it is shutting down and takes no new jobs. */
  draining: boolean;
  /** When it authenticated (ms since the epoch). */
  joinedAt: number;
}

export type CoordinatorEvents = {
  'worker-joined': [info: WorkerInfo];
  'worker-left': [info: WorkerInfo, reason: string];
};
