/**
 * Where OptLab keeps things in Redis: one key prefix (default `optlab`, so an ACL user can be
 * limited to `~optlab:*`), BullMQ queues named by back end and kernels, data sets by content
 * hash, live workers, cancel flags and run owners. The Lab (app/engine/bullmq/) and the
 * workers (worker/queue/) both read this file, so the two can never disagree on a name.
 *
 *   PREFIX:jobs.cpu.wasm-simd.<build>:…   a BullMQ queue (its keys are BullMQ's own)
 *   PREFIX:data:f<format>:<hash>          a data set, codec bytes (that format version), written by the Lab
 *   PREFIX:workers                        set of live worker ids
 *   PREFIX:worker:<id>                    one worker's entry (JSON: name, slots, back end, jobs), with a TTL
 *   PREFIX:cancel:<run>                   a run's cancel flag, polled by workers
 *   PREFIX:owner:<run>                    the Lab driving a run (TTL), so reconcile leaves it alone
 */
import type { BackendSpec, KernelsSpec } from '../../shared/protocol.ts';
import { FORMAT_VERSION } from '../../shared/codec.ts';

export const DEFAULT_PREFIX = 'optlab';

/** A Redis server as OptLab uses it. */
export interface RedisTarget {
  /** The URL as given (credentials included): only for connecting, never printed. */
  url: string;
  /** `redis://host:port` or `rediss://…` with no user or password: what logs and the UI show. */
  display: string;
  /** Key prefix (`?prefix=NAME`, default `optlab`). */
  prefix: string;
  tls: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Database number (the URL's path, default 0). */
  db: number;
}

export class EngineUrlError extends Error {}

/**
 * Reads `redis://[user:pass@]host[:port][/db][?prefix=NAME]` (or `rediss://` for TLS).
 * A password in the URL is percent-decoded, as in any URL.
 */
export function parseEngineUrl(raw: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new EngineUrlError(`not a URL: ${redact(raw)} (expected redis://[user:password@]host[:port])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new EngineUrlError(`must be redis:// or rediss:// (TLS), got ${u.protocol}//`);
  if (!u.hostname) throw new EngineUrlError('the URL names no host');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15)
    throw new EngineUrlError(`the database number must be 0..15, got "${path}"`);
  const prefix = u.searchParams.get('prefix') ?? DEFAULT_PREFIX;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix))
    throw new EngineUrlError(`prefix: 1..40 letters, digits, "_" or "-", got "${prefix}"`);
  for (const k of u.searchParams.keys())
    if (k !== 'prefix') throw new EngineUrlError(`unknown URL parameter "${k}" (known: prefix)`);
  const tls = u.protocol === 'rediss:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    url: raw,
    display: `${u.protocol}//${u.host}${db ? `/${db}` : ''}${prefix === DEFAULT_PREFIX ? '' : `?prefix=${prefix}`}`,
    prefix,
    tls,
    host,
    port,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
  };
}

/** The URL with its password replaced by `****` (for messages about a URL that did not parse). */
export function redact(url: string): string {
  return url.replace(/(\/\/|^)([^:@/\s]*):[^@/\s]*@/, '$1$2:****@');
}

/**
 * The queue of one back end and kernel build: a worker takes jobs only from the queue it can
 * run bit for bit, so a CPU run's jobs never reach a GPU worker, and a worker with other
 * kernels never takes a job whose numbers it would change.
 */
export function queueName(backend: BackendSpec['name'], kernels: KernelsSpec): string {
  return `jobs.${backend}.${kernels.name}${kernels.build ? `.${kernels.build}` : ''}`;
}

/** The parts of a queue name (undefined when it is not one of ours). */
export function parseQueueName(name: string): { backend: BackendSpec['name']; kernels: KernelsSpec } | undefined {
  const m = /^jobs\.(cpu|webgpu)\.(wasm-simd|js)(?:\.([0-9a-f]+))?$/.exec(name);
  if (!m) return undefined;
  const kernels: KernelsSpec = m[3] ? { name: m[2] as KernelsSpec['name'], build: m[3] } : { name: m[2] as 'js' };
  return { backend: m[1] as BackendSpec['name'], kernels };
}

/** The keys outside BullMQ's queues. */
export function redisKeys(prefix: string) {
  return {
    // The codec's format version is in the name: an OptLab that writes another format never reads these bytes.
    data: (hash: string) => `${prefix}:data:f${FORMAT_VERSION}:${hash}`,
    workers: `${prefix}:workers`,
    worker: (id: string) => `${prefix}:worker:${id}`,
    cancel: (run: string) => `${prefix}:cancel:${run}`,
    owner: (run: string) => `${prefix}:owner:${run}`,
  };
}

/** Seconds a data set stays in Redis after the last run that wrote it (it is written again by each run). */
export const DATA_TTL_S = 7 * 24 * 3600;

/** How often a worker refreshes its entry; it disappears from lists after three missed beats. */
export const WORKER_BEAT_MS = 5000;
export const WORKER_TTL_S = 15;

/** What a worker publishes about itself (the hash PREFIX:worker:<id>, all strings in Redis). */
export interface QueueWorkerInfo {
  id: string;
  name: string;
  host: string;
  slots: number;
  backend: BackendSpec;
  kernels: KernelsSpec;
  queue: string;
  /** Keys of the jobs it is running. */
  jobs: string[];
  done: number;
  failed: number;
  draining: boolean;
  /** When it started serving (ms since 1970, its clock). */
  joinedAt: number;
  /** When it last wrote this entry (ms since 1970, its clock). */
  seenAt: number;
}
