/**
 * A batch's 图斑 are announced one by one in order, but their cases are opened and read for the index
 * beforehand, many at a time (AlertSink.prepare): after the prepare step the publish loop makes no
 * request to storage for cases, and every 图斑 is indexed with its case and announced in order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { alertIndexKey, createStore, directorySource, runBatch, withAlertIndex, withCaseOpening, type AlertFeature, type AlertSink, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';
import { demoParameters, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';

let handle: RedisHandle;
let redis: Redis;
let prefix: string;
let dir: string;

/** The innermost sink: records what it is given, and from its prepare on, the store's case requests. */
function recordingSink(): AlertSink & { prepared: number[]; announced: string[]; preparedAll: boolean } {
  return {
    prepared: [],
    announced: [],
    preparedAll: false,
    async prepare(alerts) {
      this.prepared.push(alerts.length);
      this.preparedAll = true;
    },
    async publish(alert) {
      this.announced.push(`${alert.id}@${alert.properties.version ?? 1}`);
      return true;
    },
  };
}

beforeAll(async () => {
  handle = await ensureRedis();
  redis = createRedis(handle.url);
  prefix = uniquePrefix('sink-prepare');
  dir = await mkdtemp(join(tmpdir(), 'shoutu-sink-prepare-'));
});

afterAll(async () => {
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length) await redis.del(...leftovers);
  redis.disconnect();
  await handle.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('announcing a batch', () => {
  it('opens and reads the cases before the announcements, which then touch no case in storage', async () => {
    const local = createStore({ kind: 'local', dir });
    const inner = recordingSink();
    // Case requests made once the innermost sink was prepared (the announcements).
    const lateCaseRequests: string[] = [];
    const store = new Proxy(local, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (inner.preparedAll && typeof args[0] === 'string' && args[0].startsWith('cases/')) lateCaseRequests.push(`${String(name)} ${args[0]}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as BlobStore;
    await loadDemoMasks(store);
    const sink = withCaseOpening(withAlertIndex(inner, redis, prefix, store), store, () => new Date('2026-12-01T03:00:00Z'));
    const announced: AlertFeature[] = [];
    for (const epoch of TAIZHOU_EPOCHS) {
      inner.preparedAll = false;
      const { finalize } = await runBatch(store, directorySource(epoch), demoParameters(), { sink });
      announced.push(...finalize.alerts);
    }

    expect(announced.length).toBeGreaterThan(0);
    // every version reached the innermost sink, prepared in one call per batch, announced in the batch's order
    expect(inner.prepared.reduce((a, b) => a + b, 0)).toBe(announced.length);
    expect(inner.announced).toEqual(announced.map((a) => `${a.id}@${a.properties.version ?? 1}`));
    expect(lateCaseRequests).toEqual([]);
    // each 图斑 indexed with its case, opened on the sink's clock
    const indexed = await redis.hgetall(alertIndexKey(prefix));
    for (const alert of announced) {
      const entry = JSON.parse(indexed[alert.id]!) as AlertFeature;
      expect(entry.properties).toMatchObject({ dispatchedAt: '2026-12-01T03:00:00Z' });
      expect(await store.exists(`cases/${alert.id}/opened.json`)).toBe(true);
    }
  }, 120_000);
});
