import type { Logger } from 'pino';
import { Queue } from 'bullmq';
import { createStore, OpenSceneCache, QUEUES, redisStreamSink, storeConfigFromEnv, withAlertIndex, withCaseOpening, withWebhookDeliveries } from '@shoutu/shared';
import { createCatalogWorker, createRedis } from '@shoutu/shared/queue/index.js';
import type { AlertEnv } from './env.js';
import { handleAlertTiles, handleFinalizeBatch } from './handlers.js';

/** Starts the alert worker; returns a function that drains and closes it. */
export function startAlertWorker(env: AlertEnv, logger: Logger): { close(): Promise<void> } {
  const connection = createRedis(env.REDIS_URL);
  const store = createStore(storeConfigFromEnv(env));
  const stream = redisStreamSink(connection, env.SHOUTU_QUEUE_PREFIX);
  const webhooks = new Queue(QUEUES.webhook, { connection, prefix: env.SHOUTU_QUEUE_PREFIX });
  // While Redis is unreachable every reconnect attempt fails; log it rather than print it raw.
  webhooks.on('error', (err) => logger.warn({ err, queue: QUEUES.webhook }, 'queue connection error'));
  // Each new 图斑: case opened, indexed, webhook deliveries queued, then announced on the stream. Every
  // step is idempotent, so a job re-run after a crash completes what is missing and repeats nothing.
  const announce = withWebhookDeliveries(stream, webhooks, store);
  const deps = { store, sink: withCaseOpening(withAlertIndex(announce, connection, env.SHOUTU_QUEUE_PREFIX, store), store), scenes: new OpenSceneCache(store) };
  const worker = createCatalogWorker(
    QUEUES.alert,
    {
      'alert-tiles': (data, job, log) => handleAlertTiles(deps, data, job, log),
      'finalize-batch': (data, _job, log) => handleFinalizeBatch(deps, data, log),
    },
    {
      connection,
      prefix: env.SHOUTU_QUEUE_PREFIX,
      concurrency: env.ALERT_CONCURRENCY,
      logFor: (job) => logger.child({ queue: QUEUES.alert, jobId: job.id, batchId: job.data?.batchId }),
    },
  );
  worker.on('failed', (job, err) => logger.error({ queue: QUEUES.alert, jobId: job?.id, err }, 'job failed'));
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  logger.info({ queue: QUEUES.alert, store: deps.store.kind, stream: stream.streamKey }, 'alert worker started');
  return {
    async close() {
      await worker.close();
      await deps.scenes.close();
      await webhooks.close();
      connection.disconnect();
    },
  };
}
