// `serve-workers --lan` for real: a network namespace with a veth pair stands for another
// machine, and a worker in it reaches the Lab by a non-loopback address with the command the
// Lab printed. Needs root and `ip netns`; skipped, with the reason, where those are missing.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { exited } from './local.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });

/** A namespace joined to this one by a veth pair: host side `hostIp`, namespace side `nsIp`; or why it cannot be made. */
function makeNamespace(t: TestContext): { ns: string; hostIp: string; nsIp: string } | string {
  if (process.platform !== 'linux') return `network namespaces are Linux only (here: ${process.platform})`;
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  const id = process.pid % 100_000;
  const ns = `optlab-t${id}`;
  const host = `olh${id}`;
  const peer = `oln${id}`;
  const subnet = `10.231.${process.pid % 250}`;
  const add = ip('netns', 'add', ns);
  if (add.error) return `cannot run ip: ${add.error.message}`;
  if (add.status !== 0) return `ip netns add refused: ${add.stderr.trim()}`;
  t.after(() => {
    ip('netns', 'del', ns);
    ip('link', 'del', host);
  });
  const steps = [
    ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer],
    ['link', 'set', peer, 'netns', ns],
    ['addr', 'add', `${subnet}.1/30`, 'dev', host],
    ['link', 'set', host, 'up'],
    ['netns', 'exec', ns, 'ip', 'addr', 'add', `${subnet}.2/30`, 'dev', peer],
    ['netns', 'exec', ns, 'ip', 'link', 'set', peer, 'up'],
    ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) return `ip ${s.join(' ')} failed: ${r.stderr.trim()}`;
  }
  return { ns, hostIp: `${subnet}.1`, nsIp: `${subnet}.2` };
}

/** Lines of a process's output, and a bounded wait for one matching `re`. */
function lines(p: ChildProcess) {
  const all: string[] = [];
  for (const s of [p.stdout, p.stderr]) if (s) createInterface({ input: s }).on('line', (l) => all.push(l));
  const waitFor = async (re: RegExp, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!all.some((l) => re.test(l))) {
      assert.ok(Date.now() < end, `no line matching ${re} in:\n${all.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return all.find((l) => re.test(l))!;
  };
  return { all, waitFor };
}

test(
  '--lan: a worker in another network namespace joins by the printed command and runs the jobs',
  { timeout: 240_000 },
  async (t) => {
    const net = makeNamespace(t);
    if (typeof net === 'string') return t.skip(net);
    const tmp = mkdtempSync(join(tmpdir(), 'optlab-lan-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const db = join(tmp, 'lib.db');
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

    const lab = spawn(process.execPath, [bin, 'serve-workers', '--lan', '--db', db, '--poll-ms', '200'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(async () => {
      if (lab.exitCode === null) lab.kill('SIGINT');
      await exited(lab);
    });
    const labOut = lines(lab);
    await labOut.waitFor(/\(all interfaces\)/);
    // The Lab lists a command per address of this machine; the one on the veth is the other machine's way in.
    const cmd = (
      await labOut.waitFor(
        new RegExp(
          `OPTLAB_TOKEN=[0-9a-f]{64} node \\S+ worker --connect ws://${net.hostIp.replace(/\./g, '\\.')}:\\d+$`,
        ),
      )
    ).trim();
    const port = Number(/:(\d+)$/.exec(cmd)![1]);

    // The worker, inside the namespace, typed into a shell there (its own process group, stopped with it).
    const worker = spawn('ip', ['netns', 'exec', net.ns, 'sh'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env,
    });
    t.after(async () => {
      try {
        process.kill(-worker.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited(worker);
    });
    const workerOut = lines(worker);
    worker.stdin.end(`${cmd} --name in-netns --slots 1\n`);
    await labOut.waitFor(new RegExp(`workers: in-netns@${net.nsIp.replace(/\./g, '\\.')} \\(1 slots\\)`));
    await workerOut.waitFor(new RegExp(`connected to ws://${net.hostIp.replace(/\./g, '\\.')}:${port} as "in-netns"`));

    const spec = join(tmp, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        seed: 4,
        dataset: { name: 'moons', samples: 120 },
        model: { kind: 'logistic' },
        loss: { kind: 'cross_entropy' },
        optimizer: { name: 'sgd', lr: 0.1 },
        training: { epochs: 3, batchSize: 16 },
        evaluation: { kind: 'kfold', k: 3 },
      }),
    );
    const q = spawnSync(process.execPath, [bin, 'run', spec, '--queue', '--db', db], { encoding: 'utf8' });
    assert.equal(q.status, 0, q.stderr);
    await labOut.waitFor(/experiment 1: done/);
    const show = JSON.parse(
      spawnSync(process.execPath, [bin, 'show', '1', '--db', db, '--json', '--jobs'], { encoding: 'utf8' }).stdout,
    ) as { jobs: Array<{ worker: string }> };
    assert.equal(show.jobs.length, 3);
    assert.ok(
      show.jobs.every((j) => j.worker === 'in-netns'),
      JSON.stringify(show.jobs),
    );

    // From that other machine, 40 idle connections: 16 may wait to authenticate, the rest are refused at once.
    const flood = spawnSync(
      'ip',
      [
        'netns',
        'exec',
        net.ns,
        process.execPath,
        '-e',
        `const net = require('net'); let cut = 0; const all = [];
       for (let i = 0; i < 40; i++) { const s = net.connect(${port}, '${net.hostIp}'); s.on('error', () => {}); s.resume(); s.on('close', () => cut++); all.push(s); }
       setTimeout(() => { console.log(cut); for (const s of all) s.destroy(); }, 3000);`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(flood.status, 0, flood.stderr);
    assert.equal(Number(flood.stdout.trim()), 24, `connections refused at once: ${flood.stdout}`);
    await labOut.waitFor(
      new RegExp(
        `refused a connection from ${net.nsIp.replace(/\./g, '\\.')}: 16 connections from that address are waiting to authenticate \\(at most 16\\)`,
      ),
    );
    // The worker there was never disturbed.
    assert.ok(!workerOut.all.some((l) => /lost the Lab|reconnecting/.test(l)), workerOut.all.join('\n'));
  },
);
