/** The Lab's command connection to Redis and the key names, as the engine's parts share them. */
import type { Redis } from 'ioredis';
import type { redisKeys } from '../../../worker/queue/layout.ts';

export interface RedisCommands {
  redis: Redis;
  keys: ReturnType<typeof redisKeys>;
}
