/**
 * Webhook endpoints (subscriptions), kept in storage next to the data they announce:
 * `webhooks/endpoints/<id>.json`. Each has its own signing secret, the team that registered it and the
 * regions it may receive (never wider than the team's token). An endpoint answering 410 Gone is
 * disabled, with the reason kept.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BlobStore } from '../storage/index.js';
import { RegionCode } from '../schemas/manifest.js';
import { stableJson } from '../util/stable-json.js';
import { generateWebhookSecret } from './standard-webhooks.js';

export const WebhookEndpoint = z
  .object({
    id: z.string().regex(/^ep_[0-9a-f]{16}$/),
    url: z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL'),
    secret: z.string().startsWith('whsec_'),
    team: z.string().min(1),
    regions: z.array(RegionCode).min(1),
    enabled: z.boolean(),
    disabledReason: z.string().optional(),
  })
  .strict();
export type WebhookEndpoint = z.infer<typeof WebhookEndpoint>;

const PREFIX = 'webhooks/endpoints/';
const keyOf = (id: string) => `${PREFIX}${id}.json`;

export async function createWebhookEndpoint(store: BlobStore, input: { url: string; team: string; regions: string[] }): Promise<WebhookEndpoint> {
  const id = `ep_${createHash('sha256').update(`${input.team}\n${input.url}\n${input.regions.join(',')}`).digest('hex').slice(0, 16)}`;
  const existing = await getWebhookEndpoint(store, id);
  if (existing) return existing;
  const endpoint = WebhookEndpoint.parse({ id, url: input.url, secret: generateWebhookSecret(), team: input.team, regions: input.regions, enabled: true });
  await store.put(keyOf(id), stableJson(endpoint, 2), { contentType: 'application/json' });
  return endpoint;
}

export async function getWebhookEndpoint(store: BlobStore, id: string): Promise<WebhookEndpoint | null> {
  const bytes = await store.getOrNull(keyOf(id));
  return bytes ? WebhookEndpoint.parse(JSON.parse(Buffer.from(bytes).toString('utf8'))) : null;
}

export async function listWebhookEndpoints(store: BlobStore): Promise<WebhookEndpoint[]> {
  const out: WebhookEndpoint[] = [];
  for (const key of await store.list(PREFIX)) {
    if (key.endsWith('.json')) out.push(WebhookEndpoint.parse(JSON.parse(Buffer.from(await store.get(key)).toString('utf8'))));
  }
  return out;
}

export async function disableWebhookEndpoint(store: BlobStore, id: string, reason: string): Promise<void> {
  const endpoint = await getWebhookEndpoint(store, id);
  if (!endpoint || !endpoint.enabled) return;
  await store.put(keyOf(id), stableJson({ ...endpoint, enabled: false, disabledReason: reason }, 2), { contentType: 'application/json' });
}
