import { spawn } from 'node:child_process';
import { parse, UsageError } from './args.ts';
import { parseWorkers, workersWarning } from './run.ts';
import { RENDERER_DIR, rendererBuilt } from '../web/static.ts';
import { serveWindow } from '../web/serve-window.ts';

/** The port browser mode tries first when none is given (a teacher's links to the Playground keep working). */
export const DEFAULT_PORT = 5170;

/**
 * `optlab serve [--port P] [--db PATH] [--workers N] [--open] [--no-renderer]`: browser mode.
 * One HTTP server on 127.0.0.1 serves the built renderer (with its CSP) and the Lab API on
 * its WebSocket. Prints the page's address with this start's session token in the fragment
 * (which never reaches a server log); `--open` opens it in the default browser. Ctrl-C (or
 * SIGTERM) cancels what runs (what finished is kept) and stops.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    {
      port: { type: 'string' },
      db: { type: 'string' },
      workers: { type: 'string' },
      open: { type: 'boolean', default: false },
      'no-renderer': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    false,
  );
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: 0..65535, got "${values.port}"`);
  const workers = parseWorkers(values.workers);
  const warning = workersWarning(workers);
  if (warning) console.error(`optlab serve: ${warning}`);
  const log = values.quiet ? () => {} : (l: string) => console.error(l);
  const withRenderer = !values['no-renderer'] && (await rendererBuilt());
  // Served: fits never run on the event loop that answers the clients (workers 0: a worker thread).
  const window = await serveWindow({
    db: values.db,
    lab: { defaultWorkers: workers, fitsInThread: true, logger: { info: log, warn: (l) => console.error(l) } },
    port,
    // Without --port, a taken default port is no reason to fail: any free one will do.
    fallback: values.port === undefined,
    root: withRenderer ? RENDERER_DIR : null,
    log: (l) => console.error(l),
  });
  const { libraryPath } = await window.lab.about();
  // The Library is the home of a window with a Lab; the token rides in the fragment's query.
  const url = `${window.served.origin}/#/library?token=${window.served.token}`;
  console.log(`OptLab serves the Lab API at ${window.served.apiUrl}`);
  if (withRenderer) console.log(`Open ${url}  (this start's session token; this machine only)`);
  else if (!values['no-renderer'])
    console.log(`The window is not built (${RENDERER_DIR}): npm run build builds it; the API is served alone.`);
  console.log(`Library ${libraryPath}`);
  console.log(
    `Runs use ${workers ? `${workers} local worker${workers === 1 ? '' : 's'}` : 'a worker thread of this process'} unless a client says otherwise; Ctrl-C stops.`,
  );
  if (values.open && withRenderer) openBrowser(url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await window.close();
  return 0;
}

/** Opens `url` in the default browser; says so in one line when there is none. */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  const say = (why: string) => console.error(`Could not open a browser (${why}); open the address above yourself.`);
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.once('error', (e) => say(e.message));
    child.once('exit', (code) => code && say(`${cmd} exited with ${code}`));
    child.unref();
  } catch (e) {
    say(e instanceof Error ? e.message : String(e));
  }
}
