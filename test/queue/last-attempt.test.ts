/**
 * isLastAttempt against BullMQ itself: a run job records a tile's fault on the tile only on its last attempt
 * (pipeline/tile-run-stage.ts), so the count of attempts must be read as BullMQ keeps it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedis, isLastAttempt } from '@shoutu/shared/queue/index.js';
import { ensureRedis, uniquePrefix } from '../support/redis.js';

let redisHandle: Awaited<ReturnType<typeof ensureRedis>>;
let redis: Redis;
const prefix = uniquePrefix('last-attempt');

beforeAll(async () => {
  redisHandle = await ensureRedis();
  redis = createRedis(redisHandle.url);
});

afterAll(async () => {
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  redis?.disconnect();
  await redisHandle?.stop();
});

it('is false on every attempt but the last of a job that keeps failing, and true on a job of one attempt', async () => {
  const queue = new Queue('attempts', { connection: redis, prefix });
  const events = new QueueEvents('attempts', { connection: createRedis(redisHandle.url), prefix });
  const seen: Record<string, boolean[]> = { three: [], one: [] };
  const worker = new Worker(
    'attempts',
    async (job) => {
      seen[job.name]!.push(isLastAttempt(job));
      throw new Error('a fault that does not go away');
    },
    { connection: createRedis(redisHandle.url), prefix },
  );
  try {
    await events.waitUntilReady();
    const three = await queue.add('three', {}, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    await expect(three.waitUntilFinished(events, 20_000)).rejects.toThrow(/does not go away/);
    const one = await queue.add('one', {});
    await expect(one.waitUntilFinished(events, 20_000)).rejects.toThrow(/does not go away/);
    expect(seen).toEqual({ three: [false, false, true], one: [true] });
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}, 30_000);
