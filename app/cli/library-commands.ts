/** Commands over the experiment library: ls, show, resume, export, import, serve-workers. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, UsageError } from './args.ts';
import { formatReport, fmtNum } from './report.ts';
import {
  cliLogger,
  defaultWorkers,
  engineUrl,
  parseBackend,
  parseWorkers,
  runInLab,
  tableWidth,
  workersWarning,
} from './run.ts';
import { Progress } from './progress.ts';
import { checkOutFile } from './out-file.ts';
import { onInterrupt } from './interrupt.ts';
import { openLab, type LabHandle, type LabOptions } from '../lab.ts';
import { chosenBackend, type BackendOptions } from '../backend.ts';
import { optlabCommandLine } from '../coordinator/index.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { compareKeys } from '../../shared/experiment/keys.ts';
import type { ExperimentStatus, ExperimentSummary } from '../../shared/lab-api.ts';
import { EXPERIMENT_STATUSES } from '../../shared/lab-states.ts';

function experimentId(positionals: string[]): number {
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `expected one experiment id, got ${positionals.length}`
        : 'missing the experiment id (see optlab ls)',
    );
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`not an experiment id: "${positionals[0]}"`);
  return id;
}

async function withLab<T>(
  db: string | undefined,
  fn: (lab: LabHandle) => Promise<T> | T,
  options: LabOptions = {},
): Promise<T> {
  const lab = openLab(db, options);
  try {
    return await fn(lab);
  } finally {
    await lab.close();
  }
}

/** For commands that only read: they then work on a library on read-only media. */
const withLabReadOnly = <T>(db: string | undefined, fn: (lab: LabHandle) => Promise<T> | T) =>
  withLab(db, fn, { readonly: true });

/** The statuses `--status` takes: the library's own list. */
export const STATUSES: readonly ExperimentStatus[] = EXPERIMENT_STATUSES;

/** `optlab ls [SEARCH] [--status S] [--tag T] [--json]` */
export async function lsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      status: { type: 'string' },
      tag: { type: 'string' },
      limit: { type: 'string' },
      wide: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError('give at most one search text (quote it if it has spaces)');
  if (values.status !== undefined && !STATUSES.includes(values.status as ExperimentStatus))
    throw new UsageError(`--status: one of ${STATUSES.join(', ')}, got "${values.status}"`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit: a whole number >= 1, got "${values.limit}"`);
  return withLabReadOnly(values.db, async (lab) => {
    // Newest first by id, so ids read in order (the API lists by last change).
    const list = (
      await lab.listExperiments({
        search: positionals[0],
        status: values.status as ExperimentStatus | undefined,
        tag: values.tag,
      })
    )
      .sort((a, b) => b.id - a.id)
      .slice(0, limit);
    if (values.json) {
      console.log(JSON.stringify(list));
      return 0;
    }
    if (!list.length) {
      console.log(
        `no experiments${positionals[0] || values.status || values.tag ? ' match' : ' yet'} in ${(await lab.about()).libraryPath}`,
      );
      return 0;
    }
    const rows = list.map((e) => [
      String(e.id),
      e.owner ? `running (pid ${e.owner.pid})` : e.status,
      `${e.jobs.done}/${e.jobs.total}`,
      new Date(e.updatedAt).toISOString().slice(0, 16).replace('T', ' '),
      e.name,
      e.tags.join(','),
    ]);
    const header = ['id', 'status', 'jobs', 'updated (UTC)', 'name', 'tags'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    // On a narrow terminal the name and the tags give way (cut, marked …); --wide shows them whole.
    const width = tableWidth(values.wide);
    if (width !== undefined) {
      const fixed = widths.slice(0, 4).reduce((a, b) => a + b + 2, 0);
      const room = Math.max(12, width - fixed);
      widths[4] = Math.min(widths[4], Math.max(4, room - Math.min(widths[5], 12) - 2));
      widths[5] = Math.max(4, Math.min(widths[5], room - widths[4] - 2));
    }
    const cut = (c: string, w: number) => (c.length > w ? `${c.slice(0, w - 1)}…` : c);
    for (const r of [header, ...rows])
      console.log(
        r
          .map((c, i) => cut(c, widths[i]).padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      );
    if (list.some((e) => e.status === 'interrupted'))
      console.log(`\ninterrupted: its process ended mid-run (killed, crashed); optlab resume ID continues it`);
    return 0;
  });
}

/** `optlab show ID [--json] [--jobs]` */
export async function showCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      jobs: { type: 'boolean', default: false },
      wide: { type: 'boolean', default: false },
    },
    true,
  );
  const id = experimentId(positionals);
  const width = tableWidth(values.wide);
  return withLabReadOnly(values.db, async (lab) => {
    const e = await lab.getExperiment(id);
    const report = await lab.getReport(id);
    const states = await lab.getJobs(id);
    if (values.json) {
      console.log(
        JSON.stringify({
          experiment: e,
          jobs: values.jobs ? states.jobs : states.counts,
          faults: states.faults,
          report: report ?? null,
        }),
      );
      return 0;
    }
    console.log(`experiment ${e.id}: ${e.name}  [${e.status}]${e.tags.length ? `  tags: ${e.tags.join(', ')}` : ''}`);
    if (e.owner)
      console.log(
        `running in process ${e.owner.pid} on ${e.owner.host} (alive ${Math.max(0, Math.round((Date.now() - e.owner.heartbeatAt) / 1000))} s ago)`,
      );
    else if (e.status === 'interrupted')
      console.log(
        `interrupted: the process that ran it ended mid-run (killed, crashed); what finished is kept, optlab resume ${id} continues it`,
      );
    if (e.kernels) console.log(`kernels: ${e.kernels.name}${e.kernels.build ? ` (build ${e.kernels.build})` : ''}`);
    console.log(
      `jobs: ${states.counts.done} done, ${states.counts.leased} running, ${states.counts.pending} pending, ${states.counts.failed} failed (of ${states.total})`,
    );
    if (e.engine)
      console.log(
        `ran on: ${e.engine.kind === 'redis' ? `the queue at ${e.engine.where} (${e.engine.queue})` : e.engine.where}, ${e.engine.backend}`,
      );
    if (e.error) console.log(`error: ${e.error}`);
    // A fault is never hidden behind --jobs: the report may rest on a worker that computes wrongly.
    for (const f of states.faults)
      console.log(
        `DETERMINISM FAULT: ${f.key}: worker "${f.worker}" delivered a result that differs from the committed one (from ${f.keptWorker ?? 'an earlier run'}): ${f.detail}`,
      );
    if (e.notes) console.log(`notes: ${e.notes}`);
    if (values.jobs) {
      // Natural order (fold=2 before fold=10), the order the aggregator takes them in.
      const jobs = states.jobs.slice().sort((a, b) => compareKeys(a.key, b.key));
      for (const j of jobs)
        console.log(
          `  ${j.key.padEnd(36)} ${j.state.padEnd(7)} attempts ${j.attempts}  ${j.worker ?? ''}  ${j.ms === null ? '' : `${fmtNum(j.ms / 1000, 2)} s`}${j.error ? `  ${j.error}` : ''}`,
        );
    }
    console.log('');
    if (report) console.log(formatReport(report, e.name, { width }));
    else
      console.log(
        e.status === 'done'
          ? 'no report stored'
          : `no report yet: ${e.status === 'running' ? 'it is running' : `continue it with optlab resume ${id}`}`,
      );
    return 0;
  });
}

/** `optlab resume ID [--workers N]`: runs what is left of an experiment (committed jobs are not run again). */
export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      db: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'software-gpu': { type: 'boolean', default: false },
      engine: { type: 'string' },
      wide: { type: 'boolean', default: false },
    },
    true,
  );
  const id = experimentId(positionals);
  // Without --backend a resumed run keeps the back end its committed jobs trained on.
  const backend = values.backend === undefined ? undefined : parseBackend(values.backend);
  const engine = engineUrl(values.engine);
  // On a queue the cluster's workers do the work: none are started here unless asked.
  const workers =
    values.workers === undefined
      ? engine === undefined
        ? defaultWorkers(backend)
        : 0
      : parseWorkers(values.workers, backend);
  const out = values.out === undefined ? undefined : checkOutFile(values.out);
  const progress = new Progress(!values.quiet);
  const lab = openLab(values.db, { logger: cliLogger(values.quiet, progress), engine });
  try {
    const e = await lab.getExperiment(id);
    const warning = e.status === 'done' ? undefined : workersWarning(workers);
    if (warning) progress.log(`optlab resume: ${warning}`);
    return await runInLab(lab, id, {
      workers,
      json: values.json,
      out,
      quiet: values.quiet,
      source: e.name,
      resume: true,
      backend,
      softwareGpu: values['software-gpu'],
      progress,
      width: tableWidth(values.wide),
    });
  } finally {
    await lab.close();
  }
}

/** `optlab datasets [ls | import FILE [--target COL] [--regression] | rm HASH]`: the data sets kept in the library. */
export async function datasetsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      db: { type: 'string' },
      json: { type: 'boolean', default: false },
      target: { type: 'string' },
      regression: { type: 'boolean', default: false },
      name: { type: 'string' },
    },
    true,
  );
  const [action = 'ls', arg, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  return withLab(values.db, async (lab) => {
    if (action === 'ls') {
      const list = await lab.listDatasets();
      if (values.json) console.log(JSON.stringify(list));
      else if (!list.length)
        console.log(
          `no data sets in ${(await lab.about()).libraryPath} yet (they are stored when an experiment runs, or with optlab datasets import FILE)`,
        );
      else
        for (const d of list)
          console.log(
            `${d.hash}  ${d.name.padEnd(16)} ${d.task.padEnd(14)} ${String(d.n).padStart(6)} rows × ${d.d} features${d.classes ? `, ${d.classes} classes` : ''}  (${d.experiments} experiment${d.experiments === 1 ? '' : 's'})`,
          );
      return 0;
    }
    if (action === 'import') {
      if (!arg) throw new UsageError('optlab datasets import FILE [--target COLUMN] [--regression] [--name NAME]');
      const target =
        values.target === undefined ? undefined : /^\d+$/.test(values.target) ? Number(values.target) : values.target;
      let content: string;
      try {
        content = readFileSync(arg, 'utf8');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
          code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (code ?? (e as Error).message);
        throw new Error(`cannot read CSV file ${arg}: ${why}`, { cause: e });
      }
      const d = await lab.importCsv({
        fileName: arg,
        content,
        target,
        task: values.regression ? 'regression' : 'classification',
        ...(values.name ? { name: values.name } : {}),
      });
      console.log(
        `imported ${d.name}: ${d.n} rows × ${d.d} features${d.classes ? `, ${d.classes} classes` : ''} as ${d.hash}`,
      );
      return 0;
    }
    if (action === 'rm') {
      if (!arg) throw new UsageError('optlab datasets rm HASH');
      try {
        await lab.deleteDataset(arg);
      } catch (e) {
        if (e instanceof OptLabError && e.code === 'E_NOT_FOUND') throw new UsageError(e.message);
        throw e;
      }
      console.log(`deleted ${arg}`);
      return 0;
    }
    throw new UsageError(`unknown action "${action}" (ls, import, rm)`);
  });
}

/** `optlab export ID [--out FILE]`: the experiment, its data sets and results as one JSON file. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' }, out: { type: 'string' } }, true);
  const id = experimentId(positionals);
  const out = values.out === undefined ? undefined : checkOutFile(values.out);
  return withLabReadOnly(values.db, async (lab) => {
    const text = JSON.stringify(await lab.exportExperiment(id));
    if (out) {
      writeFileSync(out, text + '\n');
      console.error(`exported experiment ${id} to ${values.out} (${(text.length / 1024).toFixed(0)} KiB)`);
    } else console.log(text);
    return 0;
  });
}

/** `optlab import FILE`: adds an exported experiment to this library under a new id. */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { db: { type: 'string' }, copy: { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('expected one file written by optlab export');
  let obj: unknown;
  try {
    obj = JSON.parse(readFileSync(positionals[0], 'utf8'));
  } catch (e) {
    throw new UsageError(
      `${positionals[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a JSON export (${(e as Error).message})`}`,
    );
  }
  return withLab(values.db, async (lab) => {
    const { id } = await lab.importExperiment(obj, { copy: values.copy });
    console.log(`imported as experiment ${id}`);
    return 0;
  });
}

/** Experiments serve-workers could not start (not tried again until it restarts). */
const skipped = new Set<number>();

/**
 * What serve-workers runs next: the oldest interrupted experiment (its process died; it was
 * started first), else the oldest queued one. Experiments another live process runs are
 * `running`, not here.
 */
async function nextToRun(lab: LabHandle): Promise<ExperimentSummary | undefined> {
  for (const status of ['interrupted', 'created'] as const) {
    const list = (await lab.listExperiments({ status })).filter((e) => !skipped.has(e.id)).sort((a, b) => a.id - b.id);
    if (list.length) return list[0];
  }
  return undefined;
}

/**
 * `optlab serve-workers [--lan] [--port P] [--workers N] [--backend B] [--software-gpu]`: keeps a
 * Lab up that workers can join, prints the command to start one, and runs the experiments
 * queued in the library (`optlab run … --queue`) one after another on every worker that has
 * joined, and those whose run was interrupted (their process died), first. `--backend` is
 * `optlab run`'s: the local workers start with it, and each run is held to it (a run never
 * mixes back ends); `webgpu` without a GPU is refused before anything starts.
 */
export async function serveWorkersCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      db: { type: 'string' },
      lan: { type: 'boolean', default: false },
      port: { type: 'string' },
      workers: { type: 'string' },
      'poll-ms': { type: 'string' },
      engine: { type: 'string' },
      backend: { type: 'string' },
      'software-gpu': { type: 'boolean', default: false },
    },
    false,
  );
  const backend: BackendOptions = { backend: parseBackend(values.backend), softwareGpu: values['software-gpu'] };
  const engine = engineUrl(values.engine);
  if (engine !== undefined)
    return (await import('./queue-commands.ts')).serveQueueCommand({ ...values, engine, backend });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: 0..65535, got "${values.port}"`);
  const local = values.workers === undefined ? 0 : Number(values.workers);
  if (!Number.isInteger(local) || local < 0)
    throw new UsageError(`--workers: a whole number >= 0, got "${values.workers}"`);
  const pollMs = values['poll-ms'] === undefined ? 1000 : Number(values['poll-ms']);
  const warning = workersWarning(local);
  if (warning) console.error(`optlab serve-workers: ${warning}`);
  // Probed here, as a worker does at start: no Lab is opened for workers that cannot train.
  if (local > 0 && backend.backend !== 'cpu')
    await chosenBackend(backend, (line) => console.error(`optlab serve-workers: local workers: ${line}`));
  const lab = openLab(values.db, { port, lan: values.lan, standingWorkers: local, standingBackend: backend });
  // Ctrl-C (or SIGTERM): the running experiment is cancelled (recorded, resumable) and the Lab
  // stops; a second one stops at once.
  let current: number | undefined;
  const signal = onInterrupt(() => {
    console.error(
      current === undefined
        ? 'optlab: stopping'
        : `optlab: cancelling experiment ${current}; what finished is kept (optlab resume ${current}); press Ctrl-C again to stop at once`,
    );
    if (current !== undefined) void lab.cancelRun(current);
  });
  try {
    const { commands } = await lab.workerCommand();
    const lan = await lab.getLan();
    console.log(
      `Lab listening on ws://127.0.0.1:${lan.port}${values.lan ? ' (all interfaces)' : ' (this machine only; add --lan for other machines)'}; library ${(await lab.about()).libraryPath}`,
    );
    console.log('Start a worker with:');
    for (const c of commands) console.log(`  ${c}`);
    console.log(
      `Queue experiments with: ${optlabCommandLine(['run', 'SPEC.json', '--queue', '--db', (await lab.about()).libraryPath])}; Ctrl-C stops.`,
    );
    const show = async () => {
      const workers = await lab.listWorkers();
      console.log(`workers: ${workers.map((w) => `${w.name}@${w.host} (${w.slots} slots)`).join(', ') || 'none'}`);
    };
    lab.subscribe((e) => {
      if (e.type === 'worker-joined' || e.type === 'worker-left') void show();
      if (e.type === 'status')
        console.log(`experiment ${e.experimentId}: ${e.status}${e.error ? ` (${e.error})` : ''}`);
    });
    while (!signal.interrupted) {
      const next = await nextToRun(lab);
      if (next) {
        console.log(
          `${next.status === 'interrupted' ? 'resuming interrupted' : 'running'} experiment ${next.id}: ${next.name}`,
        );
        current = next.id;
        try {
          await lab.startRun(next.id, { workers: 0, joined: true, ...backend });
          // A signal that came while the run was starting cancels it now that it can be.
          if (signal.interrupted) await lab.cancelRun(next.id);
          const outcome = await lab.waitForRun(next.id);
          if (outcome.status !== 'done')
            console.log(`experiment ${next.id} ${outcome.status}: ${outcome.error ?? outcome.status}`);
        } catch (e) {
          console.log(`experiment ${next.id} failed: ${e instanceof Error ? e.message : String(e)}`);
          // Not picked again and again: a failure to start is recorded once, like a failed run.
          if (e instanceof OptLabError && e.code !== 'E_BUSY') skipped.add(next.id);
        }
        current = undefined;
      } else await Promise.race([signal.signalled, new Promise((r) => setTimeout(r, pollMs))]);
    }
  } finally {
    signal.off();
    await lab.close();
  }
  return 0;
}

/** `optlab rm ID…`: deletes experiments with their jobs, results and reports (their data sets stay). */
export async function rmCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' } }, true);
  if (!positionals.length) throw new UsageError('missing the experiment ids (see optlab ls)');
  const ids = positionals.map((p) => {
    const id = Number(p);
    if (!Number.isInteger(id) || id < 1) throw new UsageError(`not an experiment id: "${p}"`);
    return id;
  });
  return withLab(values.db, async (lab) => {
    let failed = 0;
    for (const id of new Set(ids)) {
      try {
        const e = await lab.getExperiment(id);
        await lab.deleteExperiment(id);
        console.log(
          `deleted experiment ${id}: ${e.name} (${e.jobs.done} job results${e.hasReport ? ' and its report' : ''})`,
        );
      } catch (e) {
        if (!(e instanceof OptLabError) || (e.code !== 'E_NOT_FOUND' && e.code !== 'E_IN_USE')) throw e;
        failed++;
        console.error(`optlab rm: ${e.message}`);
      }
    }
    return failed ? 1 : 0;
  });
}
