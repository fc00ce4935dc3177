/**
 * `npm start` for now: builds the renderer when it is missing and serves it on 127.0.0.1,
 * printing the address. The Playground and Optimizer Paths run entirely in the page; the
 * screens that need the Lab arrive with `optlab serve`, which then takes this over.
 *
 *   npm start -- [--port P] [--host H]
 */
import { parseArgs } from 'node:util';
import { ensureRendererBuilt } from './build.ts';
import { serveRenderer } from './static.ts';

/** The port tried first; a teacher's bookmarks keep working while it is free. */
export const DEFAULT_PORT = 5170;

export async function start(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } },
    strict: true,
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    console.error(`npm start: --port must be an integer in [0, 65535], got ${values.port}`);
    return 2;
  }
  const root = await ensureRendererBuilt((line) => console.log(line));
  const s = await serveRenderer({ root, host: values.host, port, fallback: values.port === undefined });
  console.log(`OptLab is at ${s.url}  (Ctrl+C stops it)`);
  const stop = () => {
    void s.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}
