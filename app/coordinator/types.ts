/** The coordinator's settings and what it tells the Lab about its workers. */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Dataset } from '../../shared/data/dataset.ts';
import type { Executor, ExecutorHooks } from '../../shared/experiment/executor.ts';
import type { Job, JobResult } from '../../shared/experiment/types.ts';
import type { BackendSpec, KernelsSpec } from '../../shared/protocol.ts';

/** One worker's connection: its state from challenge to close, and the leases it holds. */
export interface Conn {
  id: string;
  ws: WebSocket;
  /** The TCP connection under it (counted as pending until authenticated). */
  socket?: Socket;
  address: string;
  state: 'challenged' | 'ready' | 'closed';
  nonce: string;
  openedAt: number;
  lastSeen: number;
  name: string;
  slots: number;
  leases: Map<string, Lease>;
  done: number;
  failed: number;
  draining: boolean;
  joinedAt: number;
  dataSent: Set<string>;
  /** The engine the worker trains with (hello; the CPU when it says nothing). */
  backend: BackendSpec;
}

/** One executor's run: its jobs, by key, and how its promise settles. */
export interface Run {
  id: number;
  owner: Executor | undefined;
  items: Map<string, Item>;
  data: ReadonlyMap<string, Dataset>;
  hooks: ExecutorHooks;
  results: JobResult[];
  done: Set<string>;
  settled: boolean;
  resolve(r: JobResult[]): void;
  reject(e: Error): void;
  /** The back end every job of the run trains on: asked for, or fixed by its first lease. */
  backend?: BackendSpec['name'];
}

export interface Item {
  run: Run;
  job: Job;
  attempts: number;
  lastError?: string;
  /** Worker of the latest lease (a retry prefers another one). */
  lastWorker?: string;
  /** The live lease, if any. */
  lease?: Lease;
  queued: boolean;
}

export interface Lease {
  id: string;
  item: Item;
  conn: Conn;
  /** Cancelled or timed out: the worker was told to stop; the slot is busy until it answers. */
  revoked: boolean;
  timer?: NodeJS.Timeout;
}

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
  /** Connections waiting to authenticate, in all (default 256: the most local workers a run starts, plus room). */
  maxPending?: number;
  /** Connections waiting to authenticate from one address other than this machine's (default 16). */
  maxPendingPerAddress?: number;
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
  /** The engine it trains with (a GPU's adapter and tolerance class). */
  backend: BackendSpec;
  /** Milliseconds since a frame last came from it (heartbeats arrive every heartbeatMs). */
  heartbeatAgeMs: number;
}

export type CoordinatorEvents = {
  'worker-joined': [info: WorkerInfo];
  'worker-left': [info: WorkerInfo, reason: string];
};
