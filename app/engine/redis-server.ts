/**
 * A real redis-server for tests and the benchmark: started on 127.0.0.1 with a password and
 * its own temporary folder (append-only file on when asked), stopped by its PID, its folder
 * removed. Where redis-server is not installed, `redisMissing()` says so and tests skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why Redis tests cannot run here (redis-server not found), or undefined when they can. */
export function redisMissing(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    return 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)';
  return undefined;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisOptions {
  /** Append-only file with fsync every write (what survives a restart in the tests). */
  aof?: boolean;
  /** Port (default: a free one). A restart reuses the same port and folder. */
  port?: number;
  /** Extra `--name value` settings. */
  config?: Record<string, string>;
}

export class TestRedis {
  readonly password = randomBytes(12).toString('hex');
  readonly dir = mkdtempSync(join(tmpdir(), 'optlab-redis-'));
  port = 0;
  #proc?: ChildProcess;
  readonly #o: RedisOptions;
  #log = '';

  private constructor(o: RedisOptions) {
    this.#o = o;
  }

  /** Starts a server and resolves once it accepts connections. */
  static async start(o: RedisOptions = {}): Promise<TestRedis> {
    const r = new TestRedis(o);
    r.port = o.port ?? (await freePort());
    try {
      await r.#spawn();
    } catch (e) {
      r.remove();
      throw e;
    }
    return r;
  }

  /** `redis://:PASSWORD@127.0.0.1:PORT` (with `user`, that ACL user's URL instead). */
  url(user?: { name: string; password: string }): string {
    return user
      ? `redis://${user.name}:${user.password}@127.0.0.1:${this.port}`
      : `redis://:${this.password}@127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  async #spawn(): Promise<void> {
    const args = [
      '--bind',
      '127.0.0.1',
      '--port',
      String(this.port),
      '--requirepass',
      this.password,
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      this.#o.aof ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ];
    for (const [k, v] of Object.entries(this.#o.config ?? {})) args.push(`--${k}`, v);
    const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc = proc;
    this.#log = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        this.#log += b.toString();
        if (this.#log.includes('Ready to accept connections')) resolve();
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${this.#log}`)),
      );
      proc.once('error', reject);
    });
    let t: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        ready,
        new Promise<never>((_, reject) => {
          t = setTimeout(() => reject(new Error(`redis-server not ready within 20 s:\n${this.#log}`)), 20_000);
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  /** Stops the server by its PID: SIGTERM (it writes its append-only file), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const p = this.#proc;
    this.#proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    process.kill(p.pid!, 'SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(t);
  }

  /** Stops and starts it again on the same port and folder (its data comes back from the append-only file). */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.#spawn();
  }

  /** Runs redis-cli against the server (authenticated); returns its output. */
  cli(...args: string[]): string {
    const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), '--no-auth-warning', ...args], {
      encoding: 'utf8',
      env: { ...process.env, REDISCLI_AUTH: this.password },
    });
    if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Stops the server and removes its folder. */
  async close(): Promise<void> {
    await this.stop();
    this.remove();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
