/**
 * What both worker commands (`optlab worker --connect` and `--engine`) do before they serve:
 * read their options, where a usage problem exits 2 with the problem and the usage, then open
 * the back end, where one that cannot be had exits 2 with the reason.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BackendUnavailable, chooseBackend, type BackendChoice, type WorkerBackend } from './backend.ts';

/** A wrong or missing option: printed with the command's usage, exit code 2. */
export class UsageProblem extends Error {}

/** A worker command's options, strictly parsed (no positionals); a bad one is a UsageProblem. */
export function parseOptions<const O extends ParseArgsConfig['options']>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: false, strict: true, options }).values;
  } catch (e) {
    throw new UsageProblem(e instanceof Error ? e.message : String(e));
  }
}

/** The options parsed and the back end chosen, or the exit code when either failed (printed). */
export async function startWorker<O extends { backend: BackendChoice; software: boolean }>(
  parse: () => O,
  usage: string,
): Promise<{ opts: O; backend: WorkerBackend } | number> {
  let opts: O;
  try {
    opts = parse();
  } catch (e) {
    if (!(e instanceof UsageProblem)) throw e;
    console.error(`optlab worker: ${e.message}`);
    console.error(`Usage: ${usage}`);
    return 2;
  }
  try {
    return { opts, backend: await chooseBackend(opts.backend, opts.software, (line) => console.log(line)) };
  } catch (e) {
    if (!(e instanceof BackendUnavailable)) throw e;
    console.error(`optlab worker: ${e.message}`);
    return 2;
  }
}
