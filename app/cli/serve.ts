import { parse, UsageError } from './args.ts';
import { parseWorkers, workersWarning } from './run.ts';
import { openLab } from '../lab.ts';
import { serveLab } from '../api/server.ts';
import { rendererHandler } from '../web/static.ts';

/**
 * `optlab serve [--port P] [--db PATH] [--workers N]`: the Lab API over a WebSocket on
 * 127.0.0.1, for browser mode and other programs. Prints the URL with this start's session
 * token; Ctrl-C (or SIGTERM) cancels what runs (what finished is kept) and stops.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      db: { type: 'string' },
      workers: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    false,
  );
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: 0..65535, got "${values.port}"`);
  const workers = parseWorkers(values.workers);
  const warning = workersWarning(workers);
  if (warning) console.error(`optlab serve: ${warning}`);
  const log = values.quiet ? () => {} : (l: string) => console.error(l);
  // Served: fits never run on the event loop that answers the clients (workers 0: a worker thread).
  const lab = openLab(values.db, {
    defaultWorkers: workers,
    fitsInThread: true,
    logger: { info: log, warn: (l) => console.error(l) },
  });
  let served;
  try {
    // The built renderer (dist/renderer) is served beside the API: browser mode.
    served = await serveLab(lab, { port, log: (l) => console.error(l), http: rendererHandler() });
  } catch (e) {
    await lab.close();
    throw e;
  }
  const { libraryPath } = await lab.about();
  console.log(`OptLab serves the Lab API at ${served.apiUrl}`);
  console.log(
    `Open ${served.origin}/#/library?token=${served.token} (this start's session token; this machine only); library ${libraryPath}`,
  );
  console.log(
    `Runs use ${workers ? `${workers} local worker${workers === 1 ? '' : 's'}` : 'a worker thread of this process'} unless a client says otherwise; Ctrl-C stops.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await served.close();
  await lab.close();
  return 0;
}
