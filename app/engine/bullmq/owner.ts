/**
 * Which Lab drives a run: a mark `PREFIX:owner:<run>` holding `host:pid`, refreshed while the
 * run lasts and expiring a few seconds after its Lab stops refreshing it. Two Labs on one
 * library and one Redis must not both drive an experiment (each would take results the other
 * waits for), and a Lab reconciling at start leaves a run that another Lab drives alone. A
 * mark left by a dead Lab on this host (its pid is gone) is taken over at once.
 */
import { hostname } from 'node:os';
import type { RedisCommands } from './engine.ts';

const ME = `${hostname()}:${process.pid}`;

/** Whether a mark names a Lab that may still be alive. */
function alive(mark: string): boolean {
  const i = mark.lastIndexOf(':');
  const host = mark.slice(0, i);
  const pid = Number(mark.slice(i + 1));
  if (mark === ME) return false;
  if (host !== hostname() || !Number.isInteger(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunOwner {
  #timer?: NodeJS.Timeout;

  private constructor(
    readonly cmd: RedisCommands,
    readonly key: string,
    ttlS: number,
  ) {
    this.#timer = setInterval(
      () => void cmd.redis.set(key, ME, 'EX', ttlS).catch(() => {}),
      Math.max(500, (ttlS * 1000) / 3),
    );
    this.#timer.unref();
  }

  /** Claims the run for this Lab, or names the live Lab that holds it. */
  static async claim(cmd: RedisCommands, run: string, ttlS: number): Promise<RunOwner | string> {
    const key = cmd.keys.owner(run);
    if ((await cmd.redis.set(key, ME, 'EX', ttlS, 'NX')) === null) {
      const mark = await cmd.redis.get(key);
      if (mark !== null && alive(mark)) return mark;
      await cmd.redis.set(key, ME, 'EX', ttlS);
    }
    return new RunOwner(cmd, key, ttlS);
  }

  /** The live Lab driving `run`, other than this one; undefined when none. */
  static async holder(cmd: RedisCommands, run: string): Promise<string | undefined> {
    const mark = await cmd.redis.get(cmd.keys.owner(run));
    return mark !== null && alive(mark) ? mark : undefined;
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    try {
      if ((await this.cmd.redis.get(this.key)) === ME) await this.cmd.redis.del(this.key);
    } catch {
      // The mark expires by itself.
    }
  }
}
