// Each command's module is loaded when that command runs: a worker, `--help` or `ls` does not
// pay for the Lab, the coordinator, BullMQ and the web server (a start took over a second).
import { useFastKernels } from '../kernels.ts';
import { CsvError } from '../../shared/data/csv.ts';
import { OptLabError } from '../../shared/lab-errors.ts';
import { EXPERIMENT_STATUSES } from '../../shared/lab-states.ts';
import { SpecError, UsageError } from './args.ts';
import { WORKER_USAGE } from '../../worker/usage.ts';

interface Command {
  /** One-line description for `optlab --help`. */
  summary: string;
  /** Usage lines shown by `optlab help COMMAND`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = {
  train: {
    summary: 'train one model as a spec says (dataset, model, loss, optimizer, training, regularization)',
    usage: 'optlab train SPEC.json [--json] [--quiet] [--memory-limit SIZE]',
    run: async (argv) => (await import('./train.ts')).trainCommand(argv),
  },
  run: {
    summary: 'run an experiment (cross-validation, bootstrap, ensembles, sweeps) and print its summary table',
    usage:
      'optlab run SPEC.json | --preset NAME [--dataset NAME] [--workers N] [--backend cpu|webgpu|auto] [--software-gpu] [--engine redis://…] [--db PATH] [--json] [--out FILE] [--quiet] [--tag T] [--queue] [--memory-limit SIZE] [--wide]',
    run: async (argv) => (await import('./run.ts')).runCommand(argv),
  },
  ls: {
    summary: 'list the experiments in the library, newest first (search by name, tag or notes)',
    usage: `optlab ls [SEARCH] [--status ${EXPERIMENT_STATUSES.join('|')}] [--tag T] [--limit N] [--db PATH] [--json] [--wide]`,
    run: async (argv) => (await import('./library-commands.ts')).lsCommand(argv),
  },
  show: {
    summary: 'show one experiment: status, jobs and its report',
    usage: 'optlab show ID [--jobs] [--db PATH] [--json] [--wide]',
    run: async (argv) => (await import('./library-commands.ts')).showCommand(argv),
  },
  resume: {
    summary: 'finish an interrupted or cancelled experiment (committed jobs are not run again)',
    usage:
      'optlab resume ID [--workers N] [--backend cpu|webgpu|auto] [--software-gpu] [--engine redis://…] [--db PATH] [--json] [--out FILE] [--wide]',
    run: async (argv) => (await import('./library-commands.ts')).resumeCommand(argv),
  },
  rm: {
    summary: 'delete experiments with their jobs, results and reports (their data sets stay)',
    usage: 'optlab rm ID… [--db PATH]',
    run: async (argv) => (await import('./library-commands.ts')).rmCommand(argv),
  },
  export: {
    summary: 'write an experiment with its data sets and results to one JSON file',
    usage: 'optlab export ID [--out FILE] [--db PATH]',
    run: async (argv) => (await import('./library-commands.ts')).exportCommand(argv),
  },
  import: {
    summary: 'add an exported experiment to the library',
    usage: 'optlab import FILE [--copy] [--db PATH]',
    run: async (argv) => (await import('./library-commands.ts')).importCommand(argv),
  },
  datasets: {
    summary: 'list, import (CSV) or delete the data sets kept in the library',
    usage:
      'optlab datasets [ls | import FILE [--target COLUMN] [--regression] [--name NAME] | rm HASH] [--db PATH] [--json]',
    run: async (argv) => (await import('./library-commands.ts')).datasetsCommand(argv),
  },
  serve: {
    summary:
      'browser mode: the window and the Lab API (a WebSocket, for other programs too) on 127.0.0.1, with a session token',
    usage: 'optlab serve [--port P] [--db PATH] [--workers N] [--open] [--no-renderer] [--quiet]',
    run: async (argv) => (await import('./serve.ts')).serveCommand(argv),
  },
  'serve-workers': {
    summary: 'keep a Lab up that workers (on this or other machines) join; runs queued experiments',
    usage:
      'optlab serve-workers [--lan] [--port P] [--workers N] [--backend auto|cpu|webgpu] [--software-gpu] [--db PATH]\n   or: optlab serve-workers --engine redis[s]://… [--workers N] [--backend auto|cpu|webgpu] [--software-gpu] [--db PATH]',
    run: async (argv) => (await import('./library-commands.ts')).serveWorkersCommand(argv),
  },
  workers: {
    summary: 'list the workers serving a Redis queue now (name, host, slots, back end, jobs)',
    usage: 'optlab workers --engine redis[s]://[user:password@]host[:port] [--json]',
    run: async (argv) => (await import('./queue-commands.ts')).workersCommand(argv),
  },
  schema: {
    summary: "print the experiment spec's JSON Schema (a title, description and default on every field)",
    usage: 'optlab schema',
    run: async (argv) => (await import('./schema.ts')).schemaCommand(argv),
  },
  presets: {
    summary: 'list the built-in studies (optimizers, capacity, bias-variance, batch-size, regularization, ensembles)',
    usage: 'optlab presets [--json]',
    run: async (argv) => (await import('./run.ts')).presetsCommand(argv),
  },
  trace: {
    summary: 'run an optimizer on a 2-D test function and print its path',
    usage:
      'optlab trace --fn rosenbrock|beale|quadratic|saddle|himmelblau --start X,Y --steps N --optimizer \'{"name":"adam","lr":0.01}\' [--json]',
    run: async (argv) => (await import('./trace.ts')).traceCommand(argv),
  },
  worker: {
    summary: "run the Lab's jobs on this machine (local or LAN worker; connects to a Lab's coordinator)",
    usage: WORKER_USAGE,
    run: async (argv) => (await import('../../worker/main.ts')).workerCommand(argv),
  },
};

/** Errors in what the user gave (a spec, a CSV, an argument): exit code 2, nothing was run. */
const INPUT_ERRORS = new Set(['E_BAD_SPEC', 'E_BAD_CSV', 'E_BAD_ARGS']);

/** Commands that build models in this process (directly, or as the Lab that workers follow). */
const TRAINS_HERE = new Set(['train', 'run', 'resume', 'serve', 'serve-workers', 'trace']);

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = [
    'optlab — an offline lab for deep-learning optimization and generalization',
    '',
    'Usage: optlab COMMAND [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this list, or the usage of one command (optlab help train)`,
    '',
    'Exit codes: 0 done, 1 failed while running, 2 bad arguments or spec (nothing was run).',
  ];
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && commands[topic]) console.log(`Usage: ${commands[topic].usage}`);
    else console.log(helpText());
    return 0;
  }
  if (name === '--version') {
    console.log('optlab 0.1.0');
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`optlab: unknown command "${name}" (known: ${Object.keys(commands).join(', ')}); see optlab --help`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${cmd.usage}`);
    return 0;
  }
  try {
    // Commands that train in this process pick the kernels first (workers take the Lab's choice).
    if (TRAINS_HERE.has(name)) {
      const k = useFastKernels();
      if (k.reason) console.error(`optlab: plain JS kernels (${k.reason})`);
    }
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`optlab ${name}: ${e.message}`);
      console.error(`Usage: ${cmd.usage}`);
      return 2;
    }
    if (e instanceof SpecError || e instanceof CsvError || (e instanceof OptLabError && INPUT_ERRORS.has(e.code))) {
      console.error(`optlab ${name}: ${e.message}`);
      return 2;
    }
    console.error(`optlab ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
