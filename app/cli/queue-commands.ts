/**
 * The command line of a Lab on a Redis queue: `optlab serve-workers --engine URL` (a Lab that
 * runs the experiments queued in its library on the queue's workers) and `optlab workers
 * --engine URL` (the workers serving the queue now).
 */
import { parse, UsageError } from './args.ts';
import { engineUrl } from './run.ts';
import { openLab } from '../lab.ts';
import { spawnQueueWorkers } from '../engine/bullmq/local.ts';
import { listQueueWorkers } from '../engine/bullmq/workers.ts';
import { EngineUrlError, parseEngineUrl } from '../../worker/queue/layout.ts';
import type { WorkerView } from '../../shared/lab-api.ts';
import { chosenBackend, type BackendOptions } from '../backend.ts';

export async function serveQueueCommand(values: {
  db?: string;
  engine: string;
  workers?: string;
  'poll-ms'?: string;
  lan?: boolean;
  port?: string;
  /** The local workers' engine and the queue each run goes to (`optlab run --backend`). */
  backend?: BackendOptions;
}): Promise<number> {
  if (values.lan || values.port !== undefined)
    throw new UsageError('--lan and --port belong to the LAN coordinator; with --engine the workers reach Redis');
  const local = values.workers === undefined ? 0 : Number(values.workers);
  if (!Number.isInteger(local) || local < 0)
    throw new UsageError(`--workers: a whole number >= 0, got "${values.workers}"`);
  const pollMs = values['poll-ms'] === undefined ? 1000 : Number(values['poll-ms']);
  if (!Number.isFinite(pollMs) || pollMs < 10)
    throw new UsageError(`--poll-ms: at least 10, got "${values['poll-ms']}"`);
  // Probed here, as a worker does at start: nothing is started for workers that cannot train.
  if (local > 0 && values.backend?.backend !== undefined && values.backend.backend !== 'cpu')
    await chosenBackend(values.backend, (line) => console.error(`optlab serve-workers: local workers: ${line}`));
  const lab = openLab(values.db, { engine: values.engine });
  const standing =
    local > 0 ? spawnQueueWorkers(local, values.engine, { prefix: 'standing', backend: values.backend }) : undefined;
  let stop = false;
  const stopped = new Promise<void>((resolve) =>
    process.once('SIGINT', () => {
      stop = true;
      resolve();
    }),
  );
  try {
    const { engine, libraryPath } = await lab.about();
    console.log(`Lab on the queue at ${engine.where}; library ${libraryPath}`);
    console.log(`Start a worker on any machine that reaches it with:\n  ${(await lab.workerCommand()).command}`);
    console.log('Queue experiments with: npx optlab run SPEC.json --queue (same --db); Ctrl-C stops.');
    lab.subscribe((e) => {
      if (e.type === 'status')
        console.log(`experiment ${e.experimentId}: ${e.status}${e.error ? ` (${e.error})` : ''}`);
      if (e.type === 'job-fault')
        console.log(`experiment ${e.experimentId}: DETERMINISM FAULT on ${e.fault.key}: ${e.fault.detail}`);
    });
    while (!stop) {
      const next = (await lab.listExperiments({ status: 'created', limit: 1000 })).at(-1);
      if (next) {
        console.log(`running experiment ${next.id}: ${next.name}`);
        try {
          await lab.startRun(next.id, { workers: 0, ...values.backend });
          const outcome = await lab.waitForRun(next.id);
          if (outcome.status !== 'done')
            console.log(`experiment ${next.id} failed: ${outcome.error ?? outcome.status}`);
        } catch (e) {
          console.log(`experiment ${next.id} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else await Promise.race([stopped, new Promise((r) => setTimeout(r, pollMs))]);
    }
  } finally {
    await lab.close();
    await standing?.stop();
  }
  return 0;
}

/** One line per worker: name, host, slots, what it runs, how fresh its entry is. */
export function workerLines(workers: readonly WorkerView[]): string[] {
  if (!workers.length) return ['no live workers'];
  return workers.map((w) => {
    const gpu = w.backend?.name === 'webgpu' ? ` webgpu (${w.backend.adapter})` : ' cpu';
    const jobs = w.jobs.length ? `running ${w.jobs.join(', ')}` : 'idle';
    return `${w.name}@${w.host}${gpu}, ${w.slots} slot${w.slots === 1 ? '' : 's'}, ${jobs}; ${w.done} done, ${w.failed} failed${w.draining ? ', draining' : ''}; seen ${(w.heartbeatAgeMs / 1000).toFixed(1)} s ago${w.queue ? `; queue ${w.queue}` : ''}`;
  });
}

/** `optlab workers --engine URL [--json]`: the workers serving the queue now. */
export async function workersCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { engine: { type: 'string' }, json: { type: 'boolean', default: false } }, false);
  const engine = engineUrl(values.engine);
  if (engine === undefined)
    throw new UsageError(
      'missing --engine redis://HOST:PORT (or OPTLAB_ENGINE); LAN workers are listed by the Lab they joined (optlab serve-workers)',
    );
  let target;
  try {
    target = parseEngineUrl(engine);
  } catch (e) {
    if (e instanceof EngineUrlError) throw new UsageError(`--engine: ${e.message}`);
    throw e;
  }
  const workers = await listQueueWorkers(target);
  if (values.json) console.log(JSON.stringify(workers));
  else for (const l of workerLines(workers)) console.log(l);
  return 0;
}
