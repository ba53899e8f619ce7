import { FlowProducer } from 'bullmq';
import type { Logger } from 'pino';
import { createStore, QUEUES, storeConfigFromEnv } from '@shoutu/shared';
import { createCatalogWorker, createRedis } from '@shoutu/shared/queue/index.js';
import type { IngestEnv } from './env.js';
import { handleIngestBatch } from './handle-ingest-batch.js';

/** Starts the ingest worker; returns a function that drains and closes it. */
export function startIngestWorker(env: IngestEnv, logger: Logger): { close(): Promise<void> } {
  const connection = createRedis(env.REDIS_URL);
  const store = createStore(storeConfigFromEnv(env));
  const flows = new FlowProducer({ connection, prefix: env.SHOUTU_QUEUE_PREFIX });
  // While Redis is unreachable every reconnect attempt fails; log it rather than print it raw.
  flows.on('error', (err) => logger.warn({ err }, 'flow producer connection error'));
  const deps = { store, flows, prefix: env.SHOUTU_QUEUE_PREFIX, runSide: env.DETECT_RUN_SIDE };
  const worker = createCatalogWorker(
    QUEUES.ingest,
    { 'ingest-batch': (data, job, log) => handleIngestBatch(deps, data, job, log) },
    {
      connection,
      prefix: env.SHOUTU_QUEUE_PREFIX,
      concurrency: env.INGEST_CONCURRENCY,
      logFor: (job) => logger.child({ queue: QUEUES.ingest, jobId: job.id, job: job.name }),
    },
  );
  worker.on('failed', (job, err) => logger.error({ queue: QUEUES.ingest, jobId: job?.id, err }, 'job failed'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  logger.info({ queue: QUEUES.ingest, store: store.kind }, 'ingest worker started');
  return {
    async close() {
      await worker.close();
      await flows.close();
      connection.disconnect();
    },
  };
}
