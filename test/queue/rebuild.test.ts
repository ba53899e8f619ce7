/**
 * Storage is the record of truth: after Redis loses everything under the prefix, `shoutu alerts
 * rebuild` restores the index (every 图斑 with its status), the alert stream and its seen-set from
 * storage alone, and running it again changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { alertIndexKey, collectAlerts, createStore, directorySource, redisStreamSink, runBatch, transitionCase, withAlertIndex, withCaseOpening, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { buildApiServer, redisIndexedAlerts } from '@shoutu/alert';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';
import { demoParameters, loadDemoMasks, REPO_ROOT, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let handle: RedisHandle;
let redis: Redis;
let prefix: string;
let dir: string;
let store: BlobStore;
let app: FastifyInstance;
let url: string;

beforeAll(async () => {
  handle = await ensureRedis();
  redis = createRedis(handle.url);
  prefix = uniquePrefix('rebuild');
  dir = await mkdtemp(join(tmpdir(), 'shoutu-rebuild-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  const sink = withCaseOpening(withAlertIndex(redisStreamSink(redis, prefix), redis, prefix, store), store, () => new Date('2026-11-29T03:00:00Z'));
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(store, directorySource(epoch), demoParameters(), { sink });
  app = buildApiServer({ source: redisIndexedAlerts(redis, prefix, store), registry: null, store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);

afterAll(async () => {
  await app?.close();
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length) await redis.del(...leftovers);
  redis.disconnect();
  await handle.stop();
  await rm(dir, { recursive: true, force: true });
});

const items = async () => (await (await fetch(`${url}/collections/alerts/items?limit=1000`)).json()) as { features: { id: string; properties: Record<string, unknown> }[] };

const rebuild = () =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'alerts', 'rebuild'], {
    env: { ...process.env, REDIS_URL: handle.url, SHOUTU_QUEUE_PREFIX: prefix, SHOUTU_DATA_DIR: dir, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('shoutu alerts rebuild', () => {
  it('restores every 图斑, its status, the stream and the seen-set after Redis lost them', async () => {
    const alerts = await collectAlerts(store);
    expect(alerts.length).toBeGreaterThan(10);
    // One case moves on (as an enforcer's request does through the case store), and the index follows.
    await transitionCase(store, alerts[0]!.id, { to: 'in_review', at: '2026-11-30T01:00:00Z', by: { team: '海陵区', user: 'li.si' } });
    await redisIndexedAlerts(redis, prefix, store).changed!(alerts[0]!.id);

    const before = await items();
    expect(before.features.find((f) => f.id === alerts[0]!.id)!.properties.status).toBe('in_review');
    const indexBefore = await redis.hgetall(alertIndexKey(prefix));
    expect(Object.keys(indexBefore)).toHaveLength(alerts.length);
    expect(await redis.xlen(`${prefix}:alerts`)).toBe(alerts.length);

    // Redis loses everything under the prefix.
    await redis.del(...(await redis.keys(`${prefix}:*`)));
    expect(await redis.hlen(alertIndexKey(prefix))).toBe(0);
    // The API keeps answering from storage meanwhile.
    expect(await items()).toEqual(before);

    const run = rebuild();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`rebuilt the index of ${alerts.length} 图斑 .*; ${alerts.length} put back on the alert stream`));
    expect(await redis.hgetall(alertIndexKey(prefix))).toEqual(indexBefore);
    const stream = await redis.xrange(`${prefix}:alerts`, '-', '+');
    expect(stream.map(([, fields]) => fields[1])).toEqual(alerts.map((a) => `${a.id}@${a.properties.version}`));
    expect(await redis.scard(`${prefix}:alerts:seen`)).toBe(alerts.length);
    expect(await items()).toEqual(before);

    // Idempotent.
    const again = rebuild();
    expect(again.stdout).toMatch(/; 0 put back on the alert stream/);
    expect(await redis.xlen(`${prefix}:alerts`)).toBe(alerts.length);
  }, 120_000);

  it('needs REDIS_URL, naming it', () => {
    const { REDIS_URL: _unset, ...env } = process.env;
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'alerts', 'rebuild'], { env: { ...env, SHOUTU_DATA_DIR: dir }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/REDIS_URL/);
  });
});
