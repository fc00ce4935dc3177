/**
 * The queue workers alive now, from the entries they refresh every few seconds (layout.ts):
 * an entry that expired is a worker that stopped, and its id is dropped from the set.
 */
import { Redis } from 'ioredis';
import type { WorkerView } from '../../../shared/lab-api.ts';
import { probe, RedisRefused, redisOptions } from '../../../worker/queue/connect.ts';
import { redisKeys, type QueueWorkerInfo, type RedisTarget } from '../../../worker/queue/layout.ts';
import { OptLabError } from '../../../shared/lab-errors.ts';

export async function liveWorkers(redis: Redis, keys: ReturnType<typeof redisKeys>): Promise<WorkerView[]> {
  const ids = await redis.smembers(keys.workers);
  if (!ids.length) return [];
  const entries = await redis.mget(ids.map((id) => keys.worker(id)));
  const gone = ids.filter((_, i) => entries[i] === null);
  if (gone.length) await redis.srem(keys.workers, ...gone);
  const now = Date.now();
  const out: WorkerView[] = [];
  for (const raw of entries) {
    if (raw === null) continue;
    let w: QueueWorkerInfo;
    try {
      w = JSON.parse(raw) as QueueWorkerInfo;
    } catch {
      continue;
    }
    out.push({
      id: w.id,
      name: w.name,
      host: w.host,
      slots: w.slots,
      jobs: w.jobs,
      heartbeatAgeMs: Math.max(0, now - w.seenAt),
      done: w.done,
      failed: w.failed,
      draining: w.draining,
      joinedAt: w.joinedAt,
      ...(w.backend.name === 'cpu' ? {} : { backend: w.backend }),
      queue: w.queue,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

/** The live workers of the Redis at `target`, on a connection of its own (`optlab workers`). */
export async function listQueueWorkers(target: RedisTarget): Promise<WorkerView[]> {
  try {
    await probe(target);
  } catch (e) {
    if (e instanceof RedisRefused) throw new OptLabError('E_BAD_ARGS', `--engine: ${e.message}`);
    throw e;
  }
  const redis = new Redis(redisOptions(target, 'optlab-list'));
  redis.on('error', () => {});
  try {
    return await liveWorkers(redis, redisKeys(target.prefix));
  } finally {
    redis.disconnect();
  }
}
