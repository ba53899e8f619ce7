import type { Queue } from 'bullmq';
import type { AlertSink } from '../alerts/alert-sink.js';
import type { BlobStore } from '../storage/index.js';
import { jobCatalog } from '../queue/job-catalog.js';
import { listWebhookEndpoints, type WebhookEndpoint } from './endpoints.js';
import { deliveriesFor } from './delivery-job.js';
import type { AlertFeature } from '../alerts/alert-feature.js';

/** How long the endpoint list is reused before storage is read again. */
const ENDPOINTS_TTL_MS = 10_000;

/** Adds the delivery jobs of one 图斑 (idempotent: job ids are the message ids). */
export async function enqueueDeliveries(queue: Queue, alert: AlertFeature, endpoints: readonly WebhookEndpoint[]): Promise<number> {
  const jobs = deliveriesFor(alert, endpoints);
  if (jobs.length === 0) return 0;
  await queue.addBulk(jobs.map((j) => ({ name: 'deliver-webhook', data: j.data, opts: { ...jobCatalog['deliver-webhook'].options, jobId: j.jobId } })));
  return jobs.length;
}

/**
 * Wraps an alert sink so that every alert it announces is also queued for webhook delivery. The
 * deliveries are queued before the announcement: a crash in between re-runs the alert job, whose
 * re-queueing adds nothing (same job ids), so no subscriber misses a 图斑.
 */
export function withWebhookDeliveries(inner: AlertSink, queue: Queue, store: BlobStore): AlertSink {
  let cached: { at: number; endpoints: WebhookEndpoint[] } | null = null;
  const endpoints = async () => {
    const now = Date.now();
    if (!cached || now - cached.at > ENDPOINTS_TTL_MS) cached = { at: now, endpoints: await listWebhookEndpoints(store) };
    return cached.endpoints;
  };
  return {
    prepare: async (alerts) => inner.prepare?.(alerts),
    async publish(alert) {
      await enqueueDeliveries(queue, alert, await endpoints());
      return inner.publish(alert);
    },
  };
}
