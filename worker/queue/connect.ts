/**
 * Connections to Redis, for the Lab and the workers alike: options from a parsed URL (TLS for
 * rediss://; a private CA comes from NODE_EXTRA_CA_CERTS), and a first probe that tells a
 * refusal (wrong password, an ACL user without the rights: retrying cannot help) from a
 * server that cannot be reached yet (retrying can).
 */
import { isIP } from 'node:net';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'bullmq';
import type { RedisTarget } from './layout.ts';

/** ioredis options for `target`; `blocking` connections (BullMQ workers, events) never give up on a command. */
export function redisOptions(target: RedisTarget, name: string): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    username: target.username,
    password: target.password,
    db: target.db,
    // SNI names a host, never an address (RFC 6066; Node warns): a certificate for an IP is
    // checked against its subjectAltName IP entries without it.
    ...(target.tls ? { tls: isIP(target.host) ? {} : { servername: target.host } } : {}),
    connectionName: name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60),
    // BullMQ requires null: a command waits for the connection to come back instead of failing.
    maxRetriesPerRequest: null,
    // Reconnect forever, backing off to 2 s: a restarted Redis is found again.
    retryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

/** Retrying cannot help: the server refused these credentials or rights. */
export class RedisRefused extends Error {}

/** The server is not there (yet): retrying may help. */
export class RedisUnreachable extends Error {}

const REFUSALS = /WRONGPASS|NOAUTH|NOPERM|invalid username-password|Authentication required|ERR AUTH|no permissions/i;

/** One connection, one PING: resolves when the server takes these credentials, else says why. */
export async function probe(target: RedisTarget, timeoutMs = 10_000): Promise<void> {
  let last: Error | undefined;
  const r = new Redis({
    ...redisOptions(target, 'optlab-probe'),
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    // The probe reads INFO itself, and says clearly when that right is missing.
    enableReadyCheck: false,
    connectTimeout: timeoutMs,
  });
  r.on('error', (e: Error) => (last = e));
  try {
    await r.connect();
    await r.ping();
    // BullMQ reads INFO (the server's version) and runs its Lua scripts on the prefix's keys: an
    // ACL user without those rights would fail later, inside BullMQ, with less clear words.
    await r.info('server');
  } catch (e) {
    const err = last ?? (e instanceof Error ? e : new Error(String(e)));
    if (REFUSALS.test(err.message) || (e instanceof Error && REFUSALS.test(e.message))) {
      const why = (REFUSALS.test(err.message) ? err : (e as Error)).message.replace(/^ReplyError: /, '');
      const what = /NOPERM|no permissions/i.test(why)
        ? `${target.username ? `user "${target.username}"` : 'this user'} lacks a right OptLab needs (see deploy/README.md for the ACL)`
        : `refused ${target.username ? `user "${target.username}"` : 'the password'}`;
      throw new RedisRefused(`the Redis server at ${target.display} ${what}: ${why}`);
    }
    throw new RedisUnreachable(`cannot reach Redis at ${target.display}: ${err.message}`);
  } finally {
    r.disconnect();
  }
}
