// deploy/: the worker's container image and the Kubernetes manifests. Every manifest is
// checked against the Kubernetes API's own schemas (the OpenAPI definitions, as compiled by the
// kubernetes-models package: offline, nothing downloaded), then for what OptLab needs of it.
// The Dockerfile is read instruction by instruction; it is built only where a Docker engine
// runs, and linted only where hadolint is installed (each skipped with the reason otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { parseEngineUrl } from '../worker/queue/layout.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const k8s = join(root, 'deploy/k8s');

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string } };

/** The models whose validate() runs the Kubernetes schema of their kind. */
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
};

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate();
}

/** Every YAML document of a folder (kustomization files apart), with the file it came from. */
function manifests(dir: string): { file: string; obj: Obj }[] {
  const out: { file: string; obj: Obj }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.yaml') || name === 'kustomization.yaml') continue;
    for (const doc of parseAllDocuments(readFileSync(join(dir, name), 'utf8'))) {
      assert.deepEqual(doc.errors, [], `${name}: YAML errors`);
      out.push({ file: name, obj: doc.toJS() as Obj });
    }
  }
  return out;
}

const all = () => [...manifests(k8s), ...manifests(join(k8s, 'redis'))];
const find = <T = Obj>(kind: string, name: string): T => {
  const hit = all().find((m) => m.obj.kind === kind && m.obj.metadata.name === name);
  assert.ok(hit, `a ${kind} named ${name}`);
  return hit.obj as T;
};

interface Container {
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  resources: { requests: { cpu: string }; limits: { memory: string } };
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
  args?: string[];
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes: { name: string; emptyDir?: object; secret?: { secretName: string }; configMap?: { name: string } }[];
}
const podOf = (o: Obj) => (o as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;

const cpuCores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
const bytes = (q: string) => {
  const m = /^(\d+)(Mi|Gi|mb|gb)$/i.exec(q);
  assert.ok(m, `a size: ${q}`);
  return Number(m[1]) * (/^g/i.test(m[2]) ? 1024 ** 3 : 1024 ** 2);
};

test('every manifest under deploy/k8s passes the Kubernetes API schema of its kind, and each is listed in its kustomization', () => {
  const found = all();
  assert.ok(found.length >= 7, `${found.length} objects`);
  for (const { file, obj } of found) {
    assert.doesNotThrow(() => validate(obj), `${file}: ${obj.kind} ${obj.metadata?.name}`);
    assert.equal((obj.metadata as { namespace?: string }).namespace ?? 'optlab', 'optlab', `${file}: namespace`);
  }
  for (const dir of [k8s, join(k8s, 'redis')]) {
    const kust = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0].toJS() as {
      resources: string[];
    };
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    assert.deepEqual([...kust.resources].sort(), files.sort(), `${dir}: kustomization lists every file`);
  }
  // The check can fail: a wrong type or a missing required field is refused.
  const broken = structuredClone(find('Deployment', 'optlab-worker'));
  podOf(broken).containers[0].resources.requests.cpu = true as unknown as string;
  assert.throws(() => validate(broken), /requests\/cpu must be/);
  const noSelector = structuredClone(find<Obj & { spec: Record<string, unknown> }>('StatefulSet', 'optlab-redis'));
  delete noSelector.spec.selector;
  assert.throws(() => validate(noSelector), /selector/);
});

test('the worker Deployment: one core per slot, a grace period longer than a job, the Redis URL from the Secret, not root', () => {
  const d = find('Deployment', 'optlab-worker');
  const pod = podOf(d);
  const [c] = pod.containers;
  const env = new Map(c.env.map((e) => [e.name, e]));
  const slots = Number(env.get('OPTLAB_SLOTS')?.value);
  assert.ok(slots >= 1);
  assert.equal(cpuCores(c.resources.requests.cpu), slots, 'one core requested per slot');
  const grace = Number(env.get('OPTLAB_GRACE')?.value);
  assert.ok(pod.terminationGracePeriodSeconds > grace, 'Kubernetes waits longer than the worker lets a job finish');
  const ref = env.get('OPTLAB_ENGINE')?.valueFrom?.secretKeyRef;
  assert.ok(ref, 'the URL comes from a Secret, never a plain value');
  const secret = find<{ stringData: Record<string, string> }>('Secret', ref.name);
  const url = secret.stringData[ref.key];
  assert.ok(url, `the Secret has ${ref.key}`);
  const target = parseEngineUrl(url);
  const service = find<{ spec: { ports: { port: number }[] } }>('Service', 'optlab-redis');
  assert.equal(target.host, 'optlab-redis', 'the placeholder points at the optional Redis');
  assert.equal(target.port, service.spec.ports[0].port);
  assert.equal(target.username, 'optlab', 'as the ACL user of the optional Redis');
  // Every OPTLAB_ variable the manifest sets is one the worker reads.
  const command = readFileSync(join(root, 'worker/queue/command.ts'), 'utf8');
  for (const name of env.keys()) assert.ok(command.includes(`env.${name}`), `the worker reads ${name}`);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.notEqual(pod.securityContext.runAsUser, 0);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  if (c.securityContext.readOnlyRootFilesystem) {
    const tmp = c.volumeMounts.find((m) => m.mountPath === '/tmp');
    assert.ok(tmp && pod.volumes.find((v) => v.name === tmp.name)?.emptyDir, 'a writable /tmp');
  }
});

test('the optional Redis: append-only, no eviction, the ACL file mounted where redis.conf reads it, the optlab user limited to the prefix', () => {
  const conf = find<{ data: Record<string, string> }>('ConfigMap', 'optlab-redis-config').data['redis.conf'];
  const settings = new Map(
    conf
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.split(/\s+/)[0], l.split(/\s+/).slice(1).join(' ')]),
  );
  assert.equal(settings.get('appendonly'), 'yes');
  assert.equal(settings.get('maxmemory-policy'), 'noeviction');
  const s = find('StatefulSet', 'optlab-redis');
  const pod = podOf(s);
  const [c] = pod.containers;
  assert.ok(bytes(settings.get('maxmemory')!) < bytes(c.resources.limits.memory), 'maxmemory below the pod limit');
  const aclFile = settings.get('aclfile')!;
  const aclMount = c.volumeMounts.find((m) => aclFile.startsWith(`${m.mountPath}/`));
  assert.ok(aclMount, `a volume mounted above ${aclFile}`);
  const aclSecret = pod.volumes.find((v) => v.name === aclMount.name)?.secret?.secretName;
  assert.ok(aclSecret);
  const users = find<{ stringData: Record<string, string> }>('Secret', aclSecret).stringData[
    aclFile.slice(aclMount.mountPath.length + 1)
  ];
  assert.ok(users, 'the Secret holds the ACL file redis.conf names');
  const lines = users.trim().split('\n');
  assert.ok(lines.includes('user default off'), 'the default user is off');
  const optlab = lines.find((l) => l.startsWith('user optlab '))!.split(/\s+/);
  assert.ok(optlab.includes('~optlab:*'), 'keys limited to the prefix');
  assert.ok(!optlab.some((r) => r === '~*' || r === 'allkeys' || r === '%RW~*'), 'and no wider');
  assert.ok(optlab.includes('-@dangerous') && optlab.includes('-@admin'));
  const configVolume = c.volumeMounts.find((m) => m.mountPath === '/etc/redis/redis.conf');
  assert.ok(configVolume && c.args?.includes('/etc/redis/redis.conf'), 'redis-server reads the mounted config');
  assert.equal(pod.securityContext.runAsNonRoot, true);
});

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!cur && (line === '' || line.startsWith('#'))) continue;
    cur += (cur ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(cur)!;
    out.push({ op: m[1].toUpperCase(), args: m[2] });
    cur = '';
  }
  return out;
}

const dockerfile = join(root, 'deploy/worker.Dockerfile');

test('worker.Dockerfile: slim Node 20, npm ci --omit=dev, not root, optlab worker as the entry point, no secret inside, every copied path there', () => {
  const ins = instructions(readFileSync(dockerfile, 'utf8'));
  const arg = ins.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
  assert.match(arg?.args ?? '', /^NODE_IMAGE=node:20-[a-z]+-slim$/, 'a slim Node 20 base');
  const stages = ins.map((i, n) => (i.op === 'FROM' ? n : -1)).filter((n) => n >= 0);
  const final = ins.slice(stages.at(-1));
  assert.match(final[0].args, /^\$\{NODE_IMAGE\}$/);
  assert.ok(
    ins.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args)),
    'dependencies installed with npm ci --omit=dev',
  );
  const user = final.findIndex((i) => i.op === 'USER');
  const entry = final.findIndex((i) => i.op === 'ENTRYPOINT');
  assert.ok(user >= 0 && user < entry, 'USER before ENTRYPOINT in the final stage');
  assert.ok(!/^(root|0)(:|$)/.test(final[user].args), `not root: ${final[user].args}`);
  const argv = JSON.parse(final[entry].args) as string[];
  assert.deepEqual(argv.slice(-2), ['/opt/optlab/bin/optlab.mjs', 'worker']);
  for (const i of ins)
    assert.ok(!/redis(s)?:\/\/[^'"\s]*:[^@'"\s]+@/.test(i.args), `no credentials in the image: ${i.op} ${i.args}`);
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.ok(ignored.includes('node_modules') && ignored.includes('.git'));
  for (const i of ins.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
    const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
    for (const src of parts.slice(0, -1)) {
      assert.ok(existsSync(join(root, src)), `COPY ${src}: in the repository`);
      assert.ok(!ignored.includes(src), `COPY ${src}: not excluded by .dockerignore`);
    }
  }
});

test('worker.Dockerfile: the stage that runs npm ci has every script npm runs at install (package.json prepare and install hooks)', () => {
  const ins = instructions(readFileSync(dockerfile, 'utf8'));
  const ci = ins.findIndex((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args));
  assert.ok(ci >= 0, 'npm ci runs');
  assert.ok(!/--ignore-scripts/.test(ins[ci].args), 'npm ci runs the install scripts (better-sqlite3 builds in one)');
  const from = Math.max(...ins.slice(0, ci).map((i, n) => (i.op === 'FROM' ? n : -1)));
  const copied = ins
    .slice(from, ci)
    .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((p) => !p.startsWith('--'))
        .slice(0, -1),
    );
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const hooks = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'].map((h) => scripts[h]);
  const files = hooks.flatMap((h) => [...(h ?? '').matchAll(/\bnode\s+(\S+\.[cm]?[jt]s)\b/g)].map((m) => m[1]));
  assert.ok(files.length > 0, `install scripts found in package.json: ${hooks.filter(Boolean).join('; ')}`);
  for (const f of files)
    assert.ok(
      copied.some((src) => src === f || f.startsWith(src.replace(/\/?$/, '/'))),
      `${f} (run by npm ci) is copied before npm ci; copied: ${copied.join(' ')}`,
    );
});

test('worker.Dockerfile builds (where a Docker engine runs) and passes hadolint (where it is installed)', (t) => {
  const lint = spawnSync('hadolint', ['--version'], { encoding: 'utf8' });
  if (lint.error) console.log('# hadolint skipped: not installed here (no Debian package; CI has none either)');
  else {
    const r = spawnSync('hadolint', [dockerfile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (info.error || info.status !== 0) {
    const why = info.error ? 'no docker command' : (info.stderr.trim().split('\n').at(-1) ?? `exit ${info.status}`);
    t.skip(`no Docker engine runs here (${why}): the image is not built`);
    return;
  }
  const r = spawnSync('docker', ['build', '-f', dockerfile, '-t', 'optlab-worker:test', root], {
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  assert.equal(r.status, 0, r.stdout.slice(-4000) + r.stderr.slice(-4000));
});
