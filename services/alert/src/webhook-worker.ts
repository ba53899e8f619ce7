import type { Logger } from 'pino';
import { createStore, QUEUES, storeConfigFromEnv, webhookBackoffMs } from '@shoutu/shared';
import { createCatalogWorker, createRedis } from '@shoutu/shared/queue/index.js';
import type { WebhookEnv } from './webhook-env.js';
import { handleDeliverWebhook } from './webhook-handler.js';

/** Starts the webhook delivery worker; returns a function that drains and closes it. */
export function startWebhookWorker(env: WebhookEnv, logger: Logger): { close(): Promise<void> } {
  const connection = createRedis(env.REDIS_URL);
  const deps = {
    store: createStore(storeConfigFromEnv(env)),
    redis: connection,
    deadLetterKey: `${env.SHOUTU_QUEUE_PREFIX}:webhooks:dead`,
    delivery: { policy: { allow: env.WEBHOOK_ALLOW }, timeoutMs: env.WEBHOOK_TIMEOUT_MS },
  };
  const worker = createCatalogWorker(
    QUEUES.webhook,
    { 'deliver-webhook': (data, job, log) => handleDeliverWebhook(deps, data, job, log) },
    {
      connection,
      prefix: env.SHOUTU_QUEUE_PREFIX,
      concurrency: env.WEBHOOK_CONCURRENCY,
      logFor: (job) => logger.child({ queue: QUEUES.webhook, jobId: job.id, endpointId: job.data?.endpointId }),
      lockDuration: env.WEBHOOK_LOCK_MS,
      stalledInterval: env.WEBHOOK_LOCK_MS,
      // A delivery held by a killed worker goes back to the queue however often that happens.
      maxStalledCount: 1000,
      backoffStrategy: (attemptsMade) => webhookBackoffMs(attemptsMade, env.WEBHOOK_BACKOFF_BASE_MS, env.WEBHOOK_BACKOFF_CAP_MS),
    },
  );
  worker.on('error', (err) => logger.error({ err }, 'worker error'));
  logger.info({ queue: QUEUES.webhook, allow: env.WEBHOOK_ALLOW }, 'webhook worker started');
  return {
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}
