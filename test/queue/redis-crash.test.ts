/**
 * Redis is the fast index and the queue; storage is the record of truth. A private Redis (AOF, an
 * fsync per write) is killed with SIGKILL twice while real ingest, detect and alert workers run a
 * batch, and restarted on its own data each time: the run finishes with exactly the 图斑 of embedded
 * mode, every alert event on the stream once, and an index that matches storage. Then cases move on,
 * Redis is flushed, and `shoutu alerts rebuild` restores the index, statuses, verdicts, deadlines,
 * histories and the stream byte for byte. Ids, counts and events are read from the data, never assumed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { alertIndexKey, collectAlerts, createStore, defaultParameters, directorySource, generateToken, keys, QUEUES, readBatchStatus, redisStreamSink, runBatch, stableJson, submitBatch, tokenDigest, TokenRegistry, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { buildApiServer, redisIndexedAlerts } from '@shoutu/alert';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.js';
import { startS3Server } from '../support/s3-server.js';
import { queueEnv, startQueueWorkers } from '../support/queue-workers.js';
import { loadDemoMasks, REPO_ROOT, TAIZHOU_AFTER_BATCH, TAIZHOU_EPOCHS } from '../support/fixtures.js';

// Smaller tiles than the default, and a job per tile (runs of one tile): more alert jobs, so the crashes
// land among them.
const parameters = defaultParameters({ tileSize: 256 });
const PREFIX = 'crash';
const STREAM = `${PREFIX}:alerts`;
const OUTAGE_MS = 1500;

let redisServer: PrivateRedis;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let redis: Redis;
let store: BlobStore;
let ingestQueue: Queue;
let alertQueue: Queue;
let referenceDir: string;
let reference: BlobStore;
/** The stream entries (their fields) announced by the same batches in embedded mode. */
let referenceEvents: string[][];
let app: FastifyInstance;
let url: string;
const enforcer = generateToken();
const workers: Array<{ close(): Promise<void> }> = [];

/** The 图斑 an alert stream entry carries (whichever field holds it). */
function featureIn(fields: string[]): AlertFeature {
  const parse = (value: string) => {
    try {
      return JSON.parse(value) as { type?: string };
    } catch {
      return null;
    }
  };
  const feature = fields.map(parse).find((value) => value?.type === 'Feature');
  if (!feature) throw new Error(`stream entry without a 图斑: ${fields.join(' ').slice(0, 200)}`);
  return feature as AlertFeature;
}

/** The stream's entries without their ids (ids are arrival times), in a canonical order. */
const eventsOf = (entries: [string, string[]][]) => entries.map(([, fields]) => JSON.stringify(fields)).sort();

beforeAll(async () => {
  redisServer = await startPrivateRedis();
  s3 = await startS3Server();
  redis = createRedis(redisServer.url);

  // The reference: the same batches in embedded mode, announcing to a stream of their own.
  referenceDir = await mkdtemp(join(tmpdir(), 'shoutu-crash-ref-'));
  reference = createStore({ kind: 'local', dir: referenceDir });
  await loadDemoMasks(reference);
  const referenceSink = redisStreamSink(redis, 'reference');
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(reference, directorySource(epoch), parameters, { sink: referenceSink });
  referenceEvents = (await redis.xrange('reference:alerts', '-', '+')).map(([, fields]) => fields);
  await redis.flushall();

  const env = queueEnv(redisServer.url, PREFIX, s3);
  workers.push(...startQueueWorkers({ ...env, DETECT_RUN_SIDE: '1' }));
  store = createStore({ kind: 's3', ...s3.config });
  ingestQueue = new Queue(QUEUES.ingest, { connection: redis, prefix: PREFIX });
  alertQueue = new Queue(QUEUES.alert, { connection: redis, prefix: PREFIX });
  for (const queue of [ingestQueue, alertQueue]) queue.on('error', () => {}); // refused connections while Redis is down

  const registry = new TokenRegistry([{ team: '海陵区', tokenSha256: tokenDigest(enforcer), roles: ['enforcer'], regions: ['321200'] }]);
  app = buildApiServer({ source: redisIndexedAlerts(redis, PREFIX, store), registry, store });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
}, 180_000);

afterAll(async () => {
  await app?.close();
  for (const w of workers) await w.close();
  await ingestQueue?.close();
  await alertQueue?.close();
  redis?.disconnect();
  await s3?.close();
  await redisServer?.stop();
  if (referenceDir) await rm(referenceDir, { recursive: true, force: true });
});

async function until<T>(probe: () => Promise<T | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function finished(queue: Queue, id: string, timeoutMs: number): Promise<Job> {
  return until(
    async () => {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : null;
      return state === 'completed' || state === 'failed' ? job! : null;
    },
    timeoutMs,
    `job ${id} on ${queue.name}`,
  );
}

const call = async (method: string, path: string, options: { body?: unknown; signal?: AbortSignal } = {}) => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${enforcer}`, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { status: response.status, text: await response.text() };
};

let finalizeId: string | undefined;

describe('Redis killed with SIGKILL mid-run and restarted', () => {
  it('loses and repeats no 图斑: storage equals embedded mode, the stream holds each event once, the index matches storage', async () => {
    await loadDemoMasks(store);
    const baseline = await submitBatch(store, ingestQueue, TAIZHOU_EPOCHS[0], parameters);
    await finished(ingestQueue, baseline.jobId, 60_000);
    await finished(alertQueue, `finalize.${baseline.jobId}`, 60_000);
    const completedBefore = (await alertQueue.getJobCounts('completed')).completed;

    const run = await submitBatch(store, ingestQueue, TAIZHOU_EPOCHS[1], parameters);
    finalizeId = `finalize.${run.jobId}`;
    const crash = async () => {
      await redisServer.kill();
      const outage = new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      // Meanwhile the API answers from storage instead of waiting for Redis.
      const items = await call('GET', '/collections/alerts/items?limit=10000', { signal: AbortSignal.timeout(OUTAGE_MS) });
      expect(items.status).toBe(200);
      await outage;
      await redisServer.restart();
    };
    const finalizeDone = async () => (await alertQueue.getJob(finalizeId!))?.finishedOn !== undefined;
    // First crash: some alert-tiles jobs are done, the batch is not.
    await until(async () => (await alertQueue.getJobCounts('completed')).completed > completedBefore, 120_000, 'a first completed alert-tiles job');
    expect(await finalizeDone()).toBe(false);
    await crash();
    // Second crash: about half of the batch's 图斑 events are on the stream.
    const half = Math.ceil(referenceEvents.length / 2);
    await until(async () => (await redis.xlen(STREAM)) >= half, 120_000, `${half} events on the stream`);
    expect(await finalizeDone()).toBe(false);
    await crash();

    const finalize = await finished(alertQueue, finalizeId, 180_000);
    expect(await finalize.getState(), finalize.failedReason).toBe('completed');
    const status = await readBatchStatus(store, TAIZHOU_AFTER_BATCH);
    expect(status).toMatchObject({ state: 'done', tiles: { failed: [] } });

    // Storage: exactly the 图斑 of embedded mode, byte for byte.
    const stored = await collectAlerts(store);
    const expected = await collectAlerts(reference);
    expect(expected.length).toBeGreaterThan(20);
    expect(stored.map((a) => stableJson(a))).toEqual(expected.map((a) => stableJson(a)));
    expect(Buffer.from(await store.get(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toString('utf8')).toBe(Buffer.from(await reference.get(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toString('utf8'));

    // The stream: the embedded run's events, each once.
    const entries = await redis.xrange(STREAM, '-', '+');
    const events = eventsOf(entries);
    expect(new Set(events).size).toBe(events.length);
    expect(events).toEqual(eventsOf(referenceEvents.map((fields) => ['', fields])));
    const streamedIds = new Set(entries.map(([, fields]) => featureIn(fields).id));
    expect([...streamedIds].sort()).toEqual(stored.map((a) => a.id));

    // The index: every stored 图斑, as stored, with its case.
    const index = await redis.hgetall(alertIndexKey(PREFIX));
    expect(Object.keys(index).sort()).toEqual(stored.map((a) => a.id));
    for (const alert of stored) {
      const indexed = JSON.parse(index[alert.id]!) as AlertFeature & { properties: { status?: string; deadline?: string } };
      expect(indexed).toMatchObject(JSON.parse(stableJson(alert)) as object);
      expect(indexed.properties.status).toBe('dispatched');
      expect(indexed.properties.deadline).toMatch(/^\d{4}-\d{2}-10$/);
    }
  }, 420_000);

  it('after cases moved on and Redis was flushed, `shoutu alerts rebuild` restores index, statuses, verdicts, deadlines, histories and stream', async () => {
    if (!finalizeId) throw new Error('needs the crashed run of the previous test');
    const ids = (await collectAlerts(store)).map((a) => a.id);
    const steps: Array<[number, Record<string, string>]> = [
      [0, { to: 'in_review', user: 'li.si' }],
      [0, { to: 'judged', verdict: 'false_alarm', reason: 'seasonal_farming', note: '冬小麦收割后翻耕', user: 'li.si' }],
      [0, { to: 'closed', user: 'wang.wu' }],
      [1, { to: 'in_review', user: 'li.si' }],
      [1, { to: 'judged', verdict: 'illegal', reason: 'confirmed_violation', user: 'li.si' }],
      [1, { to: 'rectifying', user: 'zhao.liu' }],
      [2, { to: 'in_review', user: 'li.si' }],
      [3, { to: 'in_review', user: 'li.si' }],
      [3, { to: 'judged', verdict: 'legal', reason: 'approved', note: '苏国土资发〔2002〕118号', user: 'li.si' }],
    ];
    for (const [n, body] of steps) expect((await call('POST', `/collections/alerts/items/${ids[n]}/transitions`, { body })).status).toBe(201);

    const snapshot = async () => ({
      index: await redis.hgetall(alertIndexKey(PREFIX)),
      events: eventsOf(await redis.xrange(STREAM, '-', '+')),
      items: await call('GET', '/collections/alerts/items?limit=10000'),
      overdue: await call('GET', '/overdue?today=2099-01-01'),
      falseAlarms: await call('GET', '/stats/false-alarms'),
      histories: await Promise.all(ids.map((id) => call('GET', `/collections/alerts/items/${id}/history`))),
    });
    const before = await snapshot();
    expect(Object.keys(before.index)).toHaveLength(ids.length);
    const statuses = Object.values(before.index).map((json) => (JSON.parse(json) as { properties: { status: string } }).properties.status);
    expect(statuses.filter((s) => s !== 'dispatched').sort()).toEqual(['closed', 'in_review', 'judged', 'rectifying']);
    for (const history of before.histories) expect(history.status).toBe(200);

    await redis.flushall();
    expect(await redis.hlen(alertIndexKey(PREFIX))).toBe(0);
    // Meanwhile the API answers from storage.
    expect(await call('GET', '/collections/alerts/items?limit=10000')).toEqual(before.items);

    const rebuild = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/shoutu.mjs'), 'alerts', 'rebuild'], {
      env: { ...process.env, ...queueEnv(redisServer.url, PREFIX, s3) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(new RegExp(`rebuilt the index of ${ids.length} 图斑`));

    const after = await snapshot();
    expect(after.index).toEqual(before.index); // every entry, byte for byte
    expect(after.events).toEqual(before.events);
    expect(after.items).toEqual(before.items);
    expect(after.overdue).toEqual(before.overdue);
    expect(after.falseAlarms).toEqual(before.falseAlarms);
    expect(after.histories).toEqual(before.histories);
  }, 180_000);
});
