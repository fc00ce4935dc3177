/**
 * `optlab worker --engine redis[s]://user:password@host:port`: the command line of a queue
 * worker. In a container every option comes from the environment instead (OPTLAB_ENGINE,
 * OPTLAB_SLOTS, OPTLAB_WORKER_NAME, OPTLAB_GRACE, OPTLAB_LOCK_SECONDS, OPTLAB_BACKEND), which
 * also keeps the password out of `ps` listings.
 */
import { availableParallelism, hostname } from 'node:os';
import { useFastKernels, useKernels, type KernelName } from '../../shared/linalg/use-kernels.ts';
import { LIMITS } from '../../shared/protocol-validate.ts';
import { BACKEND_CHOICES, type BackendChoice } from '../backend.ts';
import { parseOptions, startWorker, UsageProblem } from '../start.ts';
import { EngineUrlError, parseEngineUrl } from './layout.ts';
import { QueueWorker } from './consumer.ts';
import { QUEUE_WORKER_USAGE } from '../usage.ts';

function options(argv: string[], env: NodeJS.ProcessEnv) {
  const values = parseOptions(argv, {
    engine: { type: 'string' },
    slots: { type: 'string' },
    name: { type: 'string' },
    grace: { type: 'string' },
    'lock-seconds': { type: 'string' },
    backend: { type: 'string' },
    'software-gpu': { type: 'boolean', default: false },
  });
  const raw = values.engine ?? env.OPTLAB_ENGINE;
  if (!raw) throw new UsageProblem('missing --engine redis://HOST:PORT (or the OPTLAB_ENGINE environment variable)');
  let target;
  try {
    target = parseEngineUrl(raw);
  } catch (e) {
    if (e instanceof EngineUrlError) throw new UsageProblem(`--engine: ${e.message}`);
    throw e;
  }
  const backendRaw = values.backend ?? env.OPTLAB_BACKEND ?? 'cpu';
  const backend = backendRaw as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend))
    throw new UsageProblem(`--backend: must be one of ${BACKEND_CHOICES.join(', ')}, got ${backendRaw}`);
  const slotsRaw = values.slots ?? env.OPTLAB_SLOTS;
  const slots = slotsRaw === undefined ? (backend === 'cpu' ? availableParallelism() : 1) : Number(slotsRaw);
  if (!Number.isInteger(slots) || slots < 1 || slots > LIMITS.slots)
    throw new UsageProblem(`--slots: must be an integer in 1..${LIMITS.slots}, got ${slotsRaw}`);
  const name = values.name ?? env.OPTLAB_WORKER_NAME ?? `${hostname()}-${process.pid}`;
  // eslint-disable-next-line no-control-regex -- control characters would garble the Lab's lists
  if (!name || name.length > LIMITS.name || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageProblem(`--name: 1..${LIMITS.name} printable characters`);
  const num = (v: string | undefined, def: number, what: string, min: number) => {
    const x = v === undefined ? def : Number(v);
    if (!Number.isFinite(x) || x < min)
      throw new UsageProblem(`${what}: must be a number of seconds >= ${min}, got ${v}`);
    return x;
  };
  const grace = num(values.grace ?? env.OPTLAB_GRACE, 30, '--grace', 0);
  const lock = num(values['lock-seconds'] ?? env.OPTLAB_LOCK_SECONDS, 60, '--lock-seconds', 1);
  return {
    target,
    slots,
    name,
    graceMs: grace * 1000,
    lockMs: lock * 1000,
    backend,
    software: values['software-gpu'] || env.OPTLAB_SOFTWARE_GPU === '1',
  };
}

export async function queueWorkerCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = await startWorker(() => options(argv, env), QUEUE_WORKER_USAGE);
  if (typeof started === 'number') return started;
  const { opts: o, backend } = started;
  // The kernels this machine trains with name the queue it serves (results are bit-identical only then).
  // OPTLAB_KERNELS forces a set, as for the Lab (a set that cannot be had is an error, not a fallback).
  const forced = env.OPTLAB_KERNELS;
  let k;
  try {
    k = forced ? useKernels(forced as KernelName) : useFastKernels();
  } catch (e) {
    console.error(`optlab worker: OPTLAB_KERNELS=${forced}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const kernels = k.build === undefined ? { name: k.name } : { name: k.name, build: k.build };
  if (k.reason) console.log(`plain JS kernels (${k.reason})`);
  const worker = new QueueWorker({ ...o, kernels, backend });
  const stop = () => worker.drain();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    const code = await worker.run();
    // Everything is closed by now; should a handle linger anyway, the worker must still exit.
    setTimeout(() => process.exit(code), 5000).unref();
    return code;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}
