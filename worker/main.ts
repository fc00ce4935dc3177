/**
 * `optlab worker`: a headless process that runs the Lab's jobs on this machine. Started by
 * the Lab for local workers, or by hand, systemd or a container on spare machines.
 */
import { availableParallelism, hostname } from 'node:os';
import { LabWorker } from './client.ts';
import { LIMITS } from '../shared/protocol-validate.ts';
import { WORKER_USAGE, wantsQueue } from './usage.ts';
import { BACKEND_CHOICES, type BackendChoice } from './backend.ts';
import { parseOptions, startWorker, UsageProblem } from './start.ts';

/** `90`, `90s`, `10m`, `2h`, `1h30m`: milliseconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(t);
  if (!t || !m || (m[1] ?? m[2] ?? m[3]) === undefined)
    throw new Error(`not a duration: ${JSON.stringify(text)} (e.g. 90s, 10m, 2h)`);
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

function options(argv: string[], env: NodeJS.ProcessEnv) {
  const values = parseOptions(argv, {
    connect: { type: 'string' },
    token: { type: 'string' },
    slots: { type: 'string' },
    name: { type: 'string' },
    grace: { type: 'string' },
    'retry-for': { type: 'string' },
    'exit-on-disconnect': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'cpu' },
    'software-gpu': { type: 'boolean', default: false },
  });
  const url = values.connect;
  if (!url) throw new UsageProblem('missing --connect ws://HOST:PORT');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageProblem(`--connect: not a URL: ${url}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')
    throw new UsageProblem(`--connect: must be ws://HOST:PORT, got ${url}`);
  // The environment keeps the token out of `ps` listings (systemd EnvironmentFile, containers).
  const token = values.token ?? env.OPTLAB_TOKEN;
  if (!token) throw new UsageProblem('missing --token (or the OPTLAB_TOKEN environment variable)');
  const backend = values.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend))
    throw new UsageProblem(`--backend: must be one of ${BACKEND_CHOICES.join(', ')}, got ${values.backend}`);
  // One GPU serves one job at a time best; CPU jobs take a core each.
  const slots = values.slots === undefined ? (backend === 'cpu' ? availableParallelism() : 1) : Number(values.slots);
  if (!Number.isInteger(slots) || slots < 1 || slots > LIMITS.slots)
    throw new UsageProblem(`--slots: must be an integer in 1..${LIMITS.slots}, got ${values.slots}`);
  const name = values.name ?? `${hostname()}-${process.pid}`;
  // eslint-disable-next-line no-control-regex -- control characters would garble the Lab's log lines
  if (!name || name.length > LIMITS.name || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageProblem(`--name: 1..${LIMITS.name} printable characters`);
  const grace = values.grace === undefined ? 30 : Number(values.grace);
  if (!Number.isFinite(grace) || grace < 0)
    throw new UsageProblem(`--grace: must be a number of seconds >= 0, got ${values.grace}`);
  let retryForMs = 0;
  if (values['retry-for'] !== undefined) {
    try {
      retryForMs = parseDuration(values['retry-for']);
    } catch (e) {
      throw new UsageProblem(`--retry-for: ${(e as Error).message}`);
    }
    if (!(retryForMs > 0)) throw new UsageProblem(`--retry-for: must be more than 0, got ${values['retry-for']}`);
  }
  return {
    url,
    token,
    slots,
    name,
    graceMs: grace * 1000,
    retryForMs,
    exitOnDisconnect: values['exit-on-disconnect'],
    backend,
    software: values['software-gpu'],
  };
}

export async function workerCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Loaded only for a queue worker: BullMQ and its Redis client are most of a start's time.
  if (wantsQueue(argv, env)) return (await import('./queue/command.ts')).queueWorkerCommand(argv, env);
  const started = await startWorker(() => options(argv, env), WORKER_USAGE);
  if (typeof started === 'number') return started;
  const { opts, backend } = started;
  const worker = new LabWorker({ ...opts, backend });
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
