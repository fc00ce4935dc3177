// rediss://: the BullMQ engine over TLS, against a real redis-server serving TLS with a
// certificate signed by a certificate authority made here (openssl). Without that authority
// the run is refused with the reason; with it (NODE_EXTRA_CA_CERTS, as docs/deploy say) the
// Lab and its queue worker train over TLS to the same report as in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, redisMissing, TestRedis } from './redis-server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'bin/optlab.mjs');

function opensslMissing(): string | undefined {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return r.error || r.status !== 0
    ? 'openssl is not installed (apt-get install openssl; .ci/run installs it)'
    : undefined;
}
const missing = redisMissing() ?? opensslMissing();
if (missing) console.log(`# skipped: ${missing}`);

/** A CA, and a server certificate it signs for 127.0.0.1 (its subjectAltName), in `dir`. */
function certificates(dir: string): { ca: string; cert: string; key: string } {
  const run = (...args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  };
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=OptLab test CA',
  );
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  return { ca: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

test(
  'rediss://: refused with the reason without the certificate authority; with it, a run over TLS gives the in-process report',
  { skip: missing, timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'optlab-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const { ca, cert, key } = certificates(dir);
    const tlsPort = await freePort();
    const redis = await TestRedis.start({
      config: {
        'tls-port': String(tlsPort),
        'tls-cert-file': cert,
        'tls-key-file': key,
        'tls-ca-cert-file': ca,
        'tls-auth-clients': 'no',
      },
    });
    t.after(() => redis.close());
    const url = `rediss://:${redis.password}@127.0.0.1:${tlsPort}`;
    const specFile = join(dir, 'spec.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        seed: 1,
        dataset: { name: 'moons', samples: 80, noise: 0.2 },
        model: { kind: 'logistic' },
        loss: { kind: 'cross_entropy' },
        optimizer: { name: 'sgd', lr: 0.1 },
        training: { epochs: 3, batchSize: 16 },
        evaluation: { kind: 'kfold', k: 2 },
      }),
    );
    const optlab = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [bin, 'run', specFile, '--json', '--quiet', ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...env },
        timeout: 150_000,
      });

    const refused = optlab(['--engine', url, '--workers', '1', '--db', join(dir, 'a.db')]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`cannot reach Redis at rediss://127\\.0\\.0\\.1:${tlsPort}: self-signed certificate`),
    );
    assert.doesNotMatch(refused.stderr, new RegExp(redis.password), 'the password is never printed');

    const overTls = optlab(['--engine', url, '--workers', '1', '--db', join(dir, 'b.db')], { NODE_EXTRA_CA_CERTS: ca });
    assert.equal(overTls.status, 0, overTls.stderr);
    // SNI is not sent for an address (Node would warn that RFC 6066 forbids it).
    assert.doesNotMatch(overTls.stderr, /DEP0123|ServerName to an IP/);
    const inProcess = optlab(['--workers', '0', '--db', join(dir, 'c.db')]);
    assert.equal(inProcess.status, 0, inProcess.stderr);
    assert.deepEqual(JSON.parse(overTls.stdout), JSON.parse(inProcess.stdout));
  },
);
