/**
 * Webhook deliveries as queue jobs. One job per (endpoint, 图斑 event); its BullMQ job id and its
 * webhook-id both derive from that pair, so enqueueing twice (a re-run alert job, a restart) adds
 * nothing, and every attempt of a message carries the same webhook-id for receivers to de-duplicate.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertFeature } from '../alerts/alert-feature.js';
import { anyRegionCovers } from '../access/region-scope.js';
import { stableJson } from '../util/stable-json.js';
import { announcementId, isAnnounced } from '../alerts/alert-sink.js';
import type { WebhookEndpoint } from './endpoints.js';

/** tuban.created: a new 图斑 dispatched; tuban.updated: a later version announced (seen again, grown,
 *  sent again). Held (likely legal) and merely recorded versions are not delivered. */
export const WEBHOOK_EVENT_TYPES = ['tuban.created', 'tuban.updated'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WebhookDeliveryJob = z
  .object({
    endpointId: z.string().regex(/^ep_[0-9a-f]{16}$/),
    messageId: z.string().regex(/^msg_[0-9a-f]{32}$/),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    /** The exact body sent on every attempt (JSON text). */
    body: z.string().max(1 << 20),
  })
  .strict();
export type WebhookDeliveryJob = z.infer<typeof WebhookDeliveryJob>;

export function webhookMessageId(endpointId: string, eventType: string, subjectId: string): string {
  return `msg_${createHash('sha256').update(`${endpointId}\n${eventType}\n${subjectId}`).digest('hex').slice(0, 32)}`;
}

export function eventTypeOf(alert: AlertFeature): WebhookEventType {
  return (alert.properties.version ?? 1) === 1 ? 'tuban.created' : 'tuban.updated';
}

/** The Standard Webhooks payload shape: type, the event's own time, data. */
export function tubanEventBody(alert: AlertFeature): string {
  return stableJson({ type: eventTypeOf(alert), timestamp: `${alert.properties.afterDate}T00:00:00Z`, data: alert }).trimEnd();
}

/** Delivery jobs of one announced 图斑 version for every enabled endpoint whose regions cover it. */
export function deliveriesFor(alert: AlertFeature, endpoints: readonly WebhookEndpoint[]): { jobId: string; data: WebhookDeliveryJob }[] {
  if (!isAnnounced(alert)) return [];
  const body = tubanEventBody(alert);
  const eventType = eventTypeOf(alert);
  return endpoints
    .filter((e) => e.enabled && anyRegionCovers(e.regions, alert.properties.regionCode))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((e) => {
      const messageId = webhookMessageId(e.id, eventType, announcementId(alert));
      return { jobId: messageId, data: { endpointId: e.id, messageId, eventType, body } };
    });
}
