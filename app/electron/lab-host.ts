/**
 * The desktop app's Lab: `optlab serve` in a Node child process (the Electron binary with
 * ELECTRON_RUN_AS_NODE, so it is Node and not a second app), reached over its WebSocket with
 * shared/lab-client.ts. Training, SQLite and the local workers (started by the Lab with its
 * own `process.execPath`, that is the same Node-mode binary) never touch the window's main
 * process, so the window never blocks.
 *
 * `answerCall` is what main does with each call the preload forwards: check the arguments
 * against the API's schema, call the Lab, and hand back `{ result }` or `{ error }` (the
 * error as data, rebuilt as an OptLabError in the renderer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { LabApi, LabMethod } from '../../shared/lab-api.ts';
import { labClient, type LabClient, type SocketLike } from '../../shared/lab-client.ts';
import { errorData, OptLabError } from '../../shared/lab-errors.ts';
import { argumentProblems, isLabMethod } from '../../shared/lab-rpc.ts';

/** The `optlab` command's entry (unpacked from the asar in a packaged app). */
export const OPTLAB_ENTRY = fileURLToPath(new URL('../../bin/optlab.mjs', import.meta.url));

export interface LabProcessOptions {
  /** The Node runtime (default process.execPath; in the app, the Electron binary in Node mode). */
  execPath?: string;
  /** The library file (default: the user's library, as `optlab` picks it). */
  db?: string;
  /** Local workers a run starts unless it says (default: the Lab's default). */
  workers?: number;
  /** Environment of the child (default process.env); ELECTRON_RUN_AS_NODE=1 is always added. */
  env?: NodeJS.ProcessEnv;
  /** Lines the Lab writes to stderr. */
  log?: (line: string) => void;
  /** How long to wait for the Lab to listen (ms, default 60 000). */
  startTimeoutMs?: number;
}

export interface LabProcess {
  /** The Lab, over its WebSocket. */
  lab: LabClient;
  child: ChildProcess;
  apiUrl: string;
  /** Closes the connection and stops the Lab (SIGTERM: what runs is cancelled, what finished is kept). */
  stop(): Promise<void>;
}

/** Starts the Lab in a child process and connects to it; rejects with the Lab's own words if it cannot start. */
export async function startLabProcess(o: LabProcessOptions = {}): Promise<LabProcess> {
  const args = [OPTLAB_ENTRY, 'serve', '--port', '0', '--quiet', '--no-renderer'];
  if (o.db !== undefined) args.push('--db', o.db);
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  const child = spawn(o.execPath ?? process.execPath, args, {
    env: { ...(o.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = o.log ?? (() => {});
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    for (const line of s.split('\n')) if (line.trim()) log(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const apiUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the Lab did not start within ${(o.startTimeoutMs ?? 60_000) / 1000} s: ${stderr.trim()}`));
    }, o.startTimeoutMs ?? 60_000);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      // "OptLab serves the Lab API at ws://127.0.0.1:PORT/api?token=…"
      const m = out.match(/serves the Lab API at (ws:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the Lab stopped before it listened (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  const lab = labClient({ url: apiUrl, socket: (u) => new WebSocket(u) as unknown as SocketLike });
  try {
    await lab.ready;
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  return {
    lab,
    child,
    apiUrl,
    async stop() {
      lab.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One call from the window: its arguments checked by the schema, then the Lab's answer as data. */
export async function answerCall(
  lab: LabApi,
  method: unknown,
  args: unknown[],
): Promise<{ result: unknown } | { error: ReturnType<typeof errorData> }> {
  try {
    if (!isLabMethod(method)) throw new OptLabError('E_BAD_FRAME', `no such Lab call: ${String(method)}`);
    const problems = argumentProblems(method, args);
    if (problems.length) throw OptLabError.withProblems('E_BAD_ARGS', `${method}: bad arguments`, problems);
    const fn = (lab as unknown as Record<LabMethod, (...a: unknown[]) => Promise<unknown>>)[method];
    const result = await fn.apply(lab, args);
    return { result: result ?? null };
  } catch (e) {
    return { error: errorData(e) };
  }
}
