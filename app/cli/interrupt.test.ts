// Ctrl-C as a real process receives it: a first signal asks the command to stop cleanly; a
// second one, while that stop is still going on (a worker that does not answer), exits at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** A process whose clean stop never ends (the first signal only says so), and that says when it listens. */
const program = `
import { onInterrupt } from ${JSON.stringify(pathToFileURL(join(here, 'interrupt.ts')).href)};
const signal = onInterrupt(() => console.log('first: stopping cleanly'));
// Busy until killed: signal handlers alone do not keep a process alive.
setInterval(() => {}, 1000);
console.log('listening');
await signal.signalled;
console.log('signalled: ' + signal.interrupted);
`;

async function lines(signals: NodeJS.Signals[]): Promise<{ code: number | null; out: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const wait = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const end = Date.now() + 60_000;
      const check = () =>
        out.includes(line)
          ? resolve()
          : Date.now() > end || child.exitCode !== null
            ? reject(new Error(`no line "${line}" in:\n${out.join('\n')}`))
            : setTimeout(check, 20);
      check();
    });
  createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => out.push(l));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const t = setTimeout(() => child.kill('SIGKILL'), 90_000);
  try {
    await wait('listening');
    child.kill(signals[0]);
    // Each signal once the previous one was handled: two signals sent at once may arrive as one.
    await wait('signalled: true');
    for (const s of signals.slice(1)) child.kill(s);
    return { code: await closed, out };
  } finally {
    clearTimeout(t);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

test('a second Ctrl-C exits at once (130) while the first one is still stopping cleanly, and says so', async () => {
  const { code, out } = await lines(['SIGINT', 'SIGINT']);
  assert.equal(code, 130, out.join('\n'));
  assert.deepEqual(out, [
    'listening',
    'first: stopping cleanly',
    'signalled: true',
    'optlab: SIGINT again: stopping now; an unfinished run resumes with optlab resume',
  ]);
});

test('SIGTERM counts like Ctrl-C: the first stops cleanly, a second exits at once', async () => {
  const { code, out } = await lines(['SIGTERM', 'SIGTERM']);
  assert.equal(code, 130, out.join('\n'));
  assert.equal(out.at(-1), 'optlab: SIGTERM again: stopping now; an unfinished run resumes with optlab resume');
});
