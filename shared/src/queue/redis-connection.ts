import { Redis } from 'ioredis';

/**
 * The one place Redis clients are made. BullMQ workers need `maxRetriesPerRequest: null` so a blocked
 * command waits through a Redis restart instead of failing the job.
 */
export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}
