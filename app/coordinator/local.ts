/**
 * Local workers: `optlab worker` processes on this machine, spawned by the Lab. Separate
 * processes rather than threads of the Lab, so that a crashing or runaway job cannot take the
 * Lab (and its open SQLite library) down with it, and local and LAN workers are the same code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/optlab.mjs', import.meta.url));

/** A word for a POSIX shell: as is when plain, else in single quotes. */
export function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that adds a worker of this very installation (never `npx optlab`, which run from
 * another folder would fetch whatever package the registry calls that). The token goes in the
 * environment, not in the worker's argv, where any local user's `ps` would show it.
 * `retryFor` (e.g. `10m`): how long it keeps trying once the Lab is gone.
 */
export function workerCommandLine(url: string, token: string, opts: { retryFor?: string } = {}): string {
  const args = ['worker', '--connect', url];
  if (opts.retryFor) args.push('--retry-for', opts.retryFor);
  return `OPTLAB_TOKEN=${shellWord(token)} ${optlabCommandLine(args)}`;
}

/** `node /abs/path/bin/optlab.mjs ARGS…`: this installation's optlab, runnable from any folder. */
export function optlabCommandLine(args: string[]): string {
  return ['node', BIN, ...args].map(shellWord).join(' ');
}

export interface LocalWorkerOptions extends WorkerProcessOptions {
  /** Slots (threads) per process (default 1: one process per core gives the OS the scheduling). */
  slots?: number;
  /** More arguments for each worker (its --backend). */
  args?: readonly string[];
}

export interface LocalWorkers {
  readonly processes: readonly ChildProcess[];
  readonly names: readonly string[];
  /** SIGTERM to each (they finish or hand back their jobs, then exit); SIGKILL for any still there after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
  /**
   * Settles, with the last error line of one of them, once every worker has exited with a
   * failure (none could start: e.g. --backend webgpu on a machine without a GPU).
   */
  readonly allFailed: Promise<string>;
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve({ code: p.exitCode, signal: p.signalCode });
  return new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
}

/** What every kind of local worker process shares: names, output lines, unexpected exits, stop. */
export interface WorkerProcessOptions {
  /** Names are `${prefix}-${i}` (default `local`). */
  prefix?: string;
  /** Seconds a stopping worker lets its jobs finish (its --grace; default 30). */
  graceSeconds?: number;
  /** Where the workers' output lines go, prefixed by their name (default: dropped). */
  onLine?: (name: string, line: string) => void;
  /**
   * A worker that exits before `stop()` asked it to (a crash, a kill, a refused start), with
   * its last error line (else its last line on stderr): the Lab says so rather than run on one
   * worker short in silence.
   */
  onExit?: (name: string, how: { code: number | null; signal: NodeJS.Signals | null; lastLine: string }) => void;
}

/**
 * Starts `n` processes of this installation's `optlab worker`, named `${prefix}-i`, each with
 * `argsFor(name)` (after `worker`) and `env` added to this process's environment (where
 * secrets go: never on a command line, where any local user's `ps` would show them).
 */
export function spawnWorkerProcesses(
  n: number,
  argsFor: (name: string) => string[],
  env: Record<string, string>,
  opts: WorkerProcessOptions = {},
): LocalWorkers {
  const prefix = opts.prefix ?? 'local';
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  let failed = 0;
  let lastError = '';
  let stopping = false;
  let allFailed!: (why: string) => void;
  const allFailedP = new Promise<string>((resolve) => (allFailed = resolve));
  const processes = names.map((name) => {
    const args = [BIN, 'worker', ...argsFor(name)];
    if (opts.graceSeconds !== undefined) args.push('--grace', String(opts.graceSeconds));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let lastLine = '';
    let ownError = '';
    // Always drained: a full pipe would block the worker on its next line.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (stream === child.stderr) {
          lastLine = line;
          if (line.startsWith('optlab worker:')) lastError = ownError = line;
        }
        opts.onLine?.(name, line);
      });
    }
    child.once('exit', (code, signal) => {
      if (!stopping) opts.onExit?.(name, { code, signal, lastLine: ownError || lastLine });
      if (code !== 0 && ++failed === n) allFailed(lastError || `exit code ${code}`);
    });
    return child;
  });
  return {
    processes,
    names,
    allFailed: allFailedP,
    async stop(timeoutMs = ((opts.graceSeconds ?? 30) + 5) * 1000) {
      stopping = true;
      await Promise.all(
        processes.map(async (p) => {
          if (p.exitCode !== null || p.signalCode !== null) return;
          p.kill('SIGTERM');
          const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
          await exited(p);
          clearTimeout(t);
        }),
      );
    },
  };
}

/**
 * Starts `n` worker processes connected to `url`:
 * `node bin/optlab.mjs worker --connect URL --slots 1 --name local-i --exit-on-disconnect`
 * with the token in OPTLAB_TOKEN. When the Lab goes away they exit rather than outlive it.
 */
export function spawnLocalWorkers(n: number, url: string, token: string, opts: LocalWorkerOptions = {}): LocalWorkers {
  const args = (name: string) => [
    '--connect',
    url,
    '--slots',
    String(opts.slots ?? 1),
    '--name',
    name,
    '--exit-on-disconnect',
    ...(opts.args ?? []),
  ];
  return spawnWorkerProcesses(n, args, { OPTLAB_TOKEN: token }, opts);
}
