import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createStore, defaultParameters, directorySource, keys, QUEUES, readBatchStatus, runBatch, submitBatch, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { ensureRedis, uniquePrefix } from '../support/redis.js';
import { startS3Server } from '../support/s3-server.js';
import { queueEnv, startQueueWorkers } from '../support/queue-workers.js';
import { fixture, loadDemoMasks, TAIZHOU_AFTER_BATCH, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';


let redisHandle: Awaited<ReturnType<typeof ensureRedis>>;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let redis: Redis;
let prefix: string;
let store: BlobStore;
let ingestQueue: Queue;
let alertQueue: Queue;
let detectQueue: Queue;
let embeddedDir: string;
let embeddedAlerts: string;
/** Tiles of 64 pixels: the two-sensor county's grid has 7 × 7 of them, which queue mode takes in runs. */
const SMALL_TILES = defaultParameters({ tileSize: 64 });
/** Two epochs of another county, the second a 4-band product of another sensor, and their embedded-mode alerts. */
let twoSensors: { folders: [string, string]; batchId: string; alerts: string };
const workers: Array<{ close(): Promise<void> }> = [];

async function waitForJob(queue: Queue, id: string, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(id);
    if (job) {
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return (await queue.getJob(id))!;
    }
    if (Date.now() > deadline) throw new Error(`job ${id} on ${queue.name} did not finish in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Submits a batch folder and waits for its ingest job, then for its finalize job when it has one. */
async function processBatch(path: string, rerun?: string, parameters = defaultParameters()): Promise<{ ingest: Job; finalize: Job | null }> {
  const { jobId } = await submitBatch(store, ingestQueue, path, parameters, rerun ? { rerun } : {});
  const ingest = await waitForJob(ingestQueue, jobId);
  if ((await ingest.getState()) === 'failed') return { ingest, finalize: null };
  return { ingest, finalize: await waitForJob(alertQueue, `finalize.${jobId}`) };
}

beforeAll(async () => {
  redisHandle = await ensureRedis();
  s3 = await startS3Server();
  prefix = uniquePrefix('queue-mode');
  redis = createRedis(redisHandle.url);
  const env = queueEnv(redisHandle.url, prefix, s3);
  // Runs of up to 3 × 3 tiles: the two-sensor batches' 64-pixel tiles make several runs of several tiles.
  workers.push(...startQueueWorkers({ ...env, DETECT_RUN_SIDE: '3' }));
  store = createStore({ kind: "s3", ...s3.config });
  ingestQueue = new Queue(QUEUES.ingest, { connection: redis, prefix });
  alertQueue = new Queue(QUEUES.alert, { connection: redis, prefix });
  detectQueue = new Queue(QUEUES.detect, { connection: redis, prefix });

  // The same batch in embedded mode, for the byte-for-byte comparison.
  embeddedDir = await mkdtemp(join(tmpdir(), 'shoutu-embedded-ref-'));
  const local = createStore({ kind: 'local', dir: embeddedDir });
  await loadDemoMasks(local);
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(local, directorySource(epoch), defaultParameters());
  embeddedAlerts = Buffer.from(await local.get(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toString('utf8');
  const folders = await twoSensorEpochs(embeddedDir);
  for (const folder of folders) await runBatch(local, directorySource(folder), SMALL_TILES);
  twoSensors = { folders, batchId: 'taizhou-gf-2003-02', alerts: Buffer.from(await local.get(keys.batchAlerts('taizhou-gf-2003-02'))).toString('utf8') };
}, 120_000);

/** The Taizhou epochs as batches of county 321203, the second cut to blue, green, red, nir as if from GF-1. */
async function twoSensorEpochs(dir: string): Promise<[string, string]> {
  const [first, second] = [join(dir, 'two-sensors-1'), join(dir, 'two-sensors-2')];
  await Promise.all([mkdir(first), mkdir(second)]);
  const manifest = async (epoch: string) => JSON.parse(await readFile(join(epoch, 'batch.json'), 'utf8')) as Record<string, unknown>;
  await copyFile(join(TAIZHOU_EPOCHS[0], 'scene.tif'), join(first, 'scene.tif'));
  await writeFile(join(first, 'batch.json'), JSON.stringify({ ...(await manifest(TAIZHOU_EPOCHS[0])), batchId: 'taizhou-gf-2000-03', regionCode: '321203' }));
  runGdalScript("import sys\nfrom osgeo import gdal\ngdal.Translate(sys.argv[2], sys.argv[1], bandList=[1, 2, 3, 4])", [join(TAIZHOU_EPOCHS[1], 'scene.tif'), join(second, 'scene.tif')]);
  const bands = ['blue', 'green', 'red', 'nir'];
  await writeFile(join(second, 'batch.json'), JSON.stringify({ ...(await manifest(TAIZHOU_EPOCHS[1])), batchId: 'taizhou-gf-2003-02', regionCode: '321203', sensor: 'GF-1 PMS', bands }));
  return [first, second];
}

afterAll(async () => {
  for (const w of workers) await w.close();
  await ingestQueue?.obliterate({ force: true }).catch(() => {});
  await ingestQueue?.close();
  await alertQueue?.close();
  await detectQueue?.close();
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  redis?.disconnect();
  await s3?.close();
  await redisHandle?.stop();
  if (embeddedDir) await rm(embeddedDir, { recursive: true, force: true });
});

describe('queue mode: BullMQ workers on Redis, storage on S3', () => {
  it('gives alerts byte-identical to embedded mode and streams each once', async () => {
    await loadDemoMasks(store);
    const first = await processBatch(TAIZHOU_EPOCHS[0]);
    expect(first.finalize?.returnvalue).toMatchObject({ alerts: 0 });
    const second = await processBatch(TAIZHOU_EPOCHS[1]);
    expect(await second.finalize!.getState()).toBe('completed');
    const queued = Buffer.from(await store.get(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toString('utf8');
    expect(queued).toBe(embeddedAlerts);

    const count = (JSON.parse(queued) as { features: unknown[] }).features.length;
    expect(count).toBeGreaterThan(0);
    const stream = await redis.xrange(`${prefix}:alerts`, '-', '+');
    expect(stream).toHaveLength(count);

    // A deliberate re-run of the same batch: same alerts, nothing new on the stream.
    const again = await processBatch(TAIZHOU_EPOCHS[1], 'again');
    expect(await again.finalize!.getState()).toBe('completed');
    expect(Buffer.from(await store.get(keys.batchAlerts(TAIZHOU_AFTER_BATCH))).toString('utf8')).toBe(embeddedAlerts);
    expect(await redis.xlen(`${prefix}:alerts`)).toBe(count);
  });

  it('compares epochs of two sensors on the bands both hold, byte for byte as embedded mode does, in runs of tiles', async () => {
    await processBatch(twoSensors.folders[0], undefined, SMALL_TILES);
    const second = await processBatch(twoSensors.folders[1], undefined, SMALL_TILES);
    expect(await second.finalize!.getState()).toBe('completed');
    // every tile detected and alerted, in several runs of several tiles
    const status = await readBatchStatus(store, twoSensors.batchId);
    expect(status?.tiles).toMatchObject({ failed: [] });
    expect(status!.tiles!.done).toBe(status!.tiles!.planned);
    const runs = await detectQueue.getJobs(['completed']);
    const sizes = runs.filter((job) => job.data.batchId === twoSensors.batchId).map((job) => (job.data as { tiles: unknown[] }).tiles.length);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBe(9);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(status!.tiles!.planned);
    const queued = Buffer.from(await store.get(keys.batchAlerts(twoSensors.batchId))).toString('utf8');
    expect(queued).toBe(twoSensors.alerts);
    const features = (JSON.parse(queued) as { features: Array<{ properties: { comparedBands?: string[] } }> }).features;
    expect(features.length).toBeGreaterThan(0);
    expect(features.every((f) => f.properties.comparedBands?.join(',') === 'blue,green,red,nir')).toBe(true);
  });

  it('fails a batch with a broken manifest once, without retry, and records the reason', async () => {
    const { ingest, finalize } = await processBatch(fixture('bad', 'broken-manifest'));
    expect(finalize).toBeNull();
    expect(await ingest.getState()).toBe('failed');
    expect(ingest.attemptsMade).toBe(1);
    expect(ingest.failedReason).toMatch(/batch\.json/);
  });
});
