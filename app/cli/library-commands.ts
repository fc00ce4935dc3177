/** Commands over the experiment library: ls, show, resume, export, import, serve-workers. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, UsageError } from './args.ts';
import { formatReport, fmtNum } from './report.ts';
import { cliLogger, defaultWorkers, parseBackend, runInLab } from './run.ts';
import { openLab, type LabHandle, type LabOptions } from '../lab.ts';
import { optlabCommandLine } from '../coordinator/index.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { compareKeys } from '../../shared/experiment/keys.ts';
import type { ExperimentStatus } from '../../shared/lab-api.ts';
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
    const list = await lab.listExperiments({
      search: positionals[0],
      status: values.status as ExperimentStatus | undefined,
      tag: values.tag,
      limit,
    });
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
      e.status,
      `${e.jobs.done}/${e.jobs.total}`,
      new Date(e.updatedAt).toISOString().slice(0, 16).replace('T', ' '),
      e.name,
      e.tags.join(','),
    ]);
    const header = ['id', 'status', 'jobs', 'updated (UTC)', 'name', 'tags'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows])
      console.log(
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      );
    return 0;
  });
}

/** `optlab show ID [--json] [--jobs]` */
export async function showCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { db: { type: 'string' }, json: { type: 'boolean', default: false }, jobs: { type: 'boolean', default: false } },
    true,
  );
  const id = experimentId(positionals);
  return withLabReadOnly(values.db, async (lab) => {
    const e = await lab.getExperiment(id);
    const report = await lab.getReport(id);
    const states = await lab.getJobs(id);
    if (values.json) {
      console.log(
        JSON.stringify({ experiment: e, jobs: values.jobs ? states.jobs : states.counts, report: report ?? null }),
      );
      return 0;
    }
    console.log(`experiment ${e.id}: ${e.name}  [${e.status}]${e.tags.length ? `  tags: ${e.tags.join(', ')}` : ''}`);
    console.log(
      `jobs: ${states.counts.done} done, ${states.counts.leased} running, ${states.counts.pending} pending, ${states.counts.failed} failed (of ${states.total})`,
    );
    if (e.error) console.log(`error: ${e.error}`);
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
    if (report) console.log(formatReport(report, e.name));
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
    },
    true,
  );
  const id = experimentId(positionals);
  // Without --backend a resumed run keeps the back end its committed jobs trained on.
  const backend = values.backend === undefined ? undefined : parseBackend(values.backend);
  const workers = values.workers === undefined ? defaultWorkers(backend) : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 0)
    throw new UsageError(`--workers: a whole number >= 0, got "${values.workers}"`);
  const lab = openLab(values.db, { logger: cliLogger(values.quiet) });
  try {
    const e = await lab.getExperiment(id);
    if (e.status === 'done')
      console.error(`experiment ${id} is already done; recomputing its report from the stored results`);
    return await runInLab(lab, id, {
      workers,
      json: values.json,
      out: values.out,
      quiet: values.quiet,
      source: e.name,
      resume: true,
      backend,
      softwareGpu: values['software-gpu'],
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
  return withLabReadOnly(values.db, async (lab) => {
    const text = JSON.stringify(await lab.exportExperiment(id));
    if (values.out) {
      writeFileSync(values.out, text + '\n');
      console.error(`exported experiment ${id} to ${values.out} (${(text.length / 1024).toFixed(0)} KiB)`);
    } else console.log(text);
    return 0;
  });
}

/** `optlab import FILE`: adds an exported experiment to this library under a new id. */
export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { db: { type: 'string' } }, true);
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
    const { id } = await lab.importExperiment(obj);
    console.log(`imported as experiment ${id}`);
    return 0;
  });
}

/**
 * `optlab serve-workers [--lan] [--port P] [--workers N]`: keeps a Lab up that workers can join,
 * prints the command to start one, and runs the experiments queued in the library
 * (`optlab run … --queue`) one after another on every worker that has joined.
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
    },
    false,
  );
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: 0..65535, got "${values.port}"`);
  const local = values.workers === undefined ? 0 : Number(values.workers);
  if (!Number.isInteger(local) || local < 0)
    throw new UsageError(`--workers: a whole number >= 0, got "${values.workers}"`);
  const pollMs = values['poll-ms'] === undefined ? 1000 : Number(values['poll-ms']);
  const lab = openLab(values.db, { port, lan: values.lan, standingWorkers: local });
  let stop = false;
  const stopped = new Promise<void>((resolve) =>
    process.once('SIGINT', () => {
      stop = true;
      resolve();
    }),
  );
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
    while (!stop) {
      const next = (await lab.listExperiments({ status: 'created', limit: 1000 })).at(-1);
      if (next) {
        console.log(`running experiment ${next.id}: ${next.name}`);
        try {
          await lab.startRun(next.id, { workers: 0, joined: true });
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
  }
  return 0;
}
