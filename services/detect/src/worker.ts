import type { Logger } from 'pino';
import { createStore, MaskCache, OpenSceneCache, QUEUES, storeConfigFromEnv } from '@shoutu/shared';
import { createCatalogWorker, createRedis } from '@shoutu/shared/queue/index.js';
import type { DetectEnv } from './env.js';
import { handleDetectTiles } from './handle-detect-tiles.js';

/** Starts the detect worker; returns a function that drains and closes it. */
export function startDetectWorker(env: DetectEnv, logger: Logger): { close(): Promise<void> } {
  const connection = createRedis(env.REDIS_URL);
  const store = createStore(storeConfigFromEnv(env));
  const deps = { store, masks: new MaskCache(), scenes: new OpenSceneCache(store) };
  const worker = createCatalogWorker(
    QUEUES.detect,
    { 'detect-tiles': (data, job, log) => handleDetectTiles(deps, data, job, log) },
    {
      connection,
      prefix: env.SHOUTU_QUEUE_PREFIX,
      concurrency: env.DETECT_CONCURRENCY,
      logFor: (job) => logger.child({ queue: QUEUES.detect, jobId: job.id, batchId: job.data?.batchId, tiles: job.data?.tiles?.length }),
    },
  );
  worker.on('failed', (job, err) => logger.error({ queue: QUEUES.detect, jobId: job?.id, err }, 'job failed'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  logger.info({ queue: QUEUES.detect, store: deps.store.kind }, 'detect worker started');
  return {
    async close() {
      await worker.close();
      await deps.scenes.close();
      connection.disconnect();
    },
  };
}
