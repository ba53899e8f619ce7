import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliverWebhook, disableWebhookEndpoint, getWebhookEndpoint, type BlobStore, type DeliveryOptions, type WebhookDeliveryJob } from '@shoutu/shared';
import { type JobLogger } from '@shoutu/shared/queue/index.js';

export interface WebhookDeps {
  store: BlobStore;
  redis: Redis;
  /** Redis hash of undeliverable messages: message id → JSON with endpoint, reason and attempts. */
  deadLetterKey: string;
  delivery: DeliveryOptions;
}

async function deadLetter(deps: WebhookDeps, data: WebhookDeliveryJob, reason: string, attempts: number): Promise<void> {
  // Keyed by message id: a worker killed after writing and before finishing cannot make a duplicate.
  await deps.redis.hset(deps.deadLetterKey, data.messageId, JSON.stringify({ messageId: data.messageId, endpointId: data.endpointId, eventType: data.eventType, reason, attempts }));
}

/** One attempt of one delivery; throws to have BullMQ retry it on the backoff schedule. */
export async function handleDeliverWebhook(deps: WebhookDeps, data: WebhookDeliveryJob, job: Job, log: JobLogger): Promise<{ status: number } | { skipped: string }> {
  const attempt = job.attemptsMade + 1;
  const endpoint = await getWebhookEndpoint(deps.store, data.endpointId);
  if (!endpoint || !endpoint.enabled) {
    const reason = endpoint ? `endpoint disabled: ${endpoint.disabledReason ?? 'by an operator'}` : 'endpoint removed';
    await deadLetter(deps, data, reason, attempt - 1);
    log.warn({ messageId: data.messageId, reason }, 'webhook not delivered');
    return { skipped: reason };
  }
  const outcome = await deliverWebhook({ url: endpoint.url, secret: endpoint.secret, messageId: data.messageId, body: data.body, timestamp: Math.floor(Date.now() / 1000) }, deps.delivery);
  switch (outcome.kind) {
    case 'delivered':
      log.info({ messageId: data.messageId, attempt, status: outcome.status }, 'webhook delivered');
      return { status: outcome.status };
    case 'gone':
      await disableWebhookEndpoint(deps.store, endpoint.id, 'receiver answered 410 Gone');
      await deadLetter(deps, data, 'receiver answered 410 Gone; endpoint disabled', attempt);
      log.warn({ messageId: data.messageId, endpointId: endpoint.id }, 'endpoint gone; disabled');
      return { skipped: '410 Gone' };
    case 'refused':
      await deadLetter(deps, data, outcome.reason, attempt);
      throw new UnrecoverableError(outcome.reason);
    case 'failed':
      if (attempt >= (job.opts.attempts ?? 1)) await deadLetter(deps, data, `gave up after ${attempt} attempts: ${outcome.reason}`, attempt);
      throw new Error(`webhook ${data.messageId} attempt ${attempt}: ${outcome.reason}`);
  }
}
