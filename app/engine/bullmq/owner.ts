/**
 * Which Lab drives a run: a mark `PREFIX:owner:<run>` holding `host:pid`, refreshed while the
 * run lasts and expiring a few seconds after its Lab stops refreshing it. Two Labs on one
 * library and one Redis must not both drive an experiment (each would take results the other
 * waits for), and a Lab reconciling at start leaves a run that another Lab drives alone. A
 * mark left by a dead Lab on this host (its pid is gone) is taken over at once. A mark is
 * `host:pid:instance`: two engines in one process are two Labs.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisCommands } from './commands.ts';

/** Whether a mark (`host:pid:instance`) names a Lab, other than `me`, that may still be alive. */
function alive(mark: string, me: string): boolean {
  if (mark === me) return false;
  const [host, pidText] = mark.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One engine's name in marks: two engines in one process are two Labs. */
export function ownerName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class RunOwner {
  #timer?: NodeJS.Timeout;

  private constructor(
    readonly cmd: RedisCommands,
    readonly key: string,
    readonly me: string,
    ttlS: number,
  ) {
    this.#timer = setInterval(
      () => void cmd.redis.set(key, me, 'EX', ttlS).catch(() => {}),
      Math.max(500, (ttlS * 1000) / 3),
    );
    this.#timer.unref();
  }

  /** Claims the run for this Lab, or names the live Lab that holds it. */
  static async claim(cmd: RedisCommands, run: string, me: string, ttlS: number): Promise<RunOwner | string> {
    const key = cmd.keys.owner(run);
    if ((await cmd.redis.set(key, me, 'EX', ttlS, 'NX')) === null) {
      const mark = await cmd.redis.get(key);
      if (mark !== null && alive(mark, me)) return mark;
      await cmd.redis.set(key, me, 'EX', ttlS);
    }
    return new RunOwner(cmd, key, me, ttlS);
  }

  /** The live Lab driving `run`, other than `me`; undefined when none. */
  static async holder(cmd: RedisCommands, run: string, me: string): Promise<string | undefined> {
    const mark = await cmd.redis.get(cmd.keys.owner(run));
    return mark !== null && alive(mark, me) ? mark : undefined;
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    try {
      if ((await this.cmd.redis.get(this.key)) === this.me) await this.cmd.redis.del(this.key);
    } catch {
      // The mark expires by itself.
    }
  }
}
