import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';

import { ensureRedis, findRedisServer, pingRedis, startRedisServer, uniquePrefix } from '../support/redis.js';

describe('test support: Redis', () => {
  it('ensureRedis returns a URL that answers PING', async () => {
    const redis = await ensureRedis();
    try {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.disconnect();
      }
      // A second caller shares the same server.
      const again = await ensureRedis();
      expect(again.url).toBe(redis.url);
      await again.stop();
      expect((await pingRedis(redis.url)).ok).toBe(true);
    } finally {
      await redis.stop();
    }
  });

  it('starts and stops a private redis-server (needs the redis-server binary, as the README says)', async () => {
    if (findRedisServer() === null) throw new Error('redis-server is not on PATH: install it (apt-get install -y redis-server)');
    const server = await startRedisServer();
    expect(server.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toBe('redis://127.0.0.1:6379');
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.ping()).toBe('PONG');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      client.disconnect();
    }
    await server.stop();
    expect((await pingRedis(server.url, 300)).ok).toBe(false);
  });

  it('uniquePrefix gives distinct, colon-free prefixes', () => {
    const a = uniquePrefix('detect queue:test');
    const b = uniquePrefix('detect queue:test');
    expect(a).not.toBe(b);
    expect(a).not.toContain(':');
    expect(a.startsWith('detect-queue-test-')).toBe(true);
  });
});
