import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDuration } from './main.ts';

const BIN = fileURLToPath(new URL('../bin/optlab.mjs', import.meta.url));

function worker(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, 'worker', ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, OPTLAB_TOKEN: '', ...env },
  });
}

test('optlab worker: bad arguments are refused with the usage and exit code 2, before any connection', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /missing --connect/],
    [['--connect', 'http://127.0.0.1:1', '--token', 't'], /must be ws:\/\/HOST:PORT/],
    [['--connect', 'ws://127.0.0.1:1'], /missing --token/],
    [['--connect', 'ws://127.0.0.1:1', '--token', 't', '--slots', '0'], /--slots: must be an integer in 1\.\.1024/],
    [['--connect', 'ws://127.0.0.1:1', '--token', 't', '--grace', '-1'], /--grace/],
    [['--connect', 'ws://127.0.0.1:1', '--token', 't', '--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, pattern] of cases) {
    const r = worker(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /Usage: optlab worker --connect ws:\/\/HOST:PORT \[--token TOKEN\]/);
  }
});

test('optlab worker with --exit-on-disconnect and no Lab to reach exits 1 after saying so', () => {
  // Port 1 on 127.0.0.1 is refused at once on any normal machine.
  const r = worker(['--connect', 'ws://127.0.0.1:1', '--exit-on-disconnect', '--slots', '1'], {
    OPTLAB_TOKEN: 'secret',
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /cannot reach the Lab at ws:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
});

test('parseDuration: seconds by default, s/m/h and their sums; anything else refused', () => {
  assert.equal(parseDuration('90'), 90_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5m'), 90_000);
  for (const bad of ['', 'm', 'soon', '10 minutes', '-5s']) assert.throws(() => parseDuration(bad), /not a duration/);
});
