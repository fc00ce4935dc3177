// `optlab serve-workers` as a user runs it: a Lab that prints the worker command and runs the
// experiments queued in its library by another `optlab` process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');
let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'optlab-serve-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('serve-workers prints the worker command, runs a queued experiment on a worker started with it, and stops on SIGINT', async () => {
  const db = join(tmp, 'lib.db');
  const server = spawn(process.execPath, [bin, 'serve-workers', '--db', db, '--poll-ms', '200'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: server.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: server.stderr }).on('line', (l) => lines.push(l));
  const waitFor = async (re: RegExp, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!lines.some((l) => re.test(l))) {
      assert.ok(Date.now() < end, `no line matching ${re} in:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return lines.find((l) => re.test(l))!;
  };
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    // This installation's optlab under node, the token in the environment, never in argv.
    const cmd = (
      await waitFor(new RegExp(`^  OPTLAB_TOKEN=[0-9a-f]{64} node ${bin} worker --connect ws://127\\.0\\.0\\.1:\\d+$`))
    ).trim();
    const token = /^OPTLAB_TOKEN=([0-9a-f]{64}) /.exec(cmd)![1];
    // As a user would paste it into a shell (read from its input, so in no process's argv), from
    // another folder, where `npx optlab` would ask the npm registry. In its own process group,
    // so that the shell and the worker stop together.
    worker = spawn('sh', [], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
      cwd: tmp,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    });
    worker.stdin!.end(`${cmd} --name by-hand --slots 1\n`);
    await waitFor(/workers: by-hand@127\.0\.0\.1/);
    if (existsSync('/proc/self/cmdline')) {
      const argvWithToken = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(token);
          } catch {
            return false;
          }
        });
      assert.deepEqual(argvWithToken, [], 'no process has the token in its command line');
    }
    const spec = join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        seed: 1,
        dataset: { name: 'moons', samples: 100 },
        model: { kind: 'logistic' },
        loss: { kind: 'cross_entropy' },
        optimizer: { name: 'sgd', lr: 0.1 },
        training: { epochs: 3, batchSize: 16 },
        evaluation: { kind: 'kfold', k: 3 },
      }),
    );
    const q = spawnSync(process.execPath, [bin, 'run', spec, '--queue', '--db', db], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    assert.match(q.stdout, /queued experiment 1/);
    await waitFor(/experiment 1: done/);
    const show = JSON.parse(
      spawnSync(process.execPath, [bin, 'show', '1', '--db', db, '--json', '--jobs'], { encoding: 'utf8' }).stdout,
    );
    assert.equal(show.experiment.status, 'done');
    assert.ok(
      show.jobs.every((j: { worker: string }) => j.worker === 'by-hand'),
      'the jobs ran on the worker started by hand',
    );
  } finally {
    if (worker?.pid) process.kill(-worker.pid, 'SIGTERM');
    server.kill('SIGINT');
    const code = await new Promise((r) => server.once('exit', r));
    assert.equal(code, 0);
  }
});
