/**
 * Webhook endpoints (subscriptions), kept in storage next to the data they announce:
 * `webhooks/endpoints/<id>.json`. Each has its own signing secret, the team that registered it and the
 * regions it may receive (never wider than the team's token; when the team's scope narrows, so do its
 * endpoints: fitEndpointsToScopes). An endpoint answering 410 Gone is disabled, with the reason kept.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BlobStore } from '../storage/index.js';
import { RegionCode } from '../schemas/manifest.js';
import { narrowRegions } from '../access/region-scope.js';
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

/** What fitEndpointsToScopes did to one endpoint. */
export type EndpointScopeChange =
  | { id: string; team: string; change: 'narrowed'; from: string[]; to: string[] }
  | { id: string; team: string; change: 'disabled'; reason: string };

/**
 * Brings every enabled endpoint within its team's current scope (`alertScopeOf`: the token registry's, null
 * when the team may no longer read alerts). An endpoint keeps the part of its regions still in scope
 * (narrowRegions); one with nothing left, or whose team may no longer read alerts, is disabled with the
 * reason. Why: an endpoint made when the team covered a whole city must not go on receiving that city's 图斑
 * after the team's token is cut to one county. Returns the changes, in id order; unchanged endpoints are
 * not rewritten.
 */
export async function fitEndpointsToScopes(store: BlobStore, alertScopeOf: (team: string) => readonly string[] | null): Promise<EndpointScopeChange[]> {
  const changes: EndpointScopeChange[] = [];
  const endpoints = (await listWebhookEndpoints(store)).filter((e) => e.enabled).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const endpoint of endpoints) {
    const scope = alertScopeOf(endpoint.team);
    const regions = scope === null ? [] : narrowRegions(endpoint.regions, scope);
    if (regions.length === 0) {
      const reason = scope === null ? `team ${endpoint.team} no longer has a token that may read alerts` : `none of its regions (${endpoint.regions.join(', ')}) is within team ${endpoint.team}'s regions (${scope.join(', ')}) any more`;
      await disableWebhookEndpoint(store, endpoint.id, reason);
      changes.push({ id: endpoint.id, team: endpoint.team, change: 'disabled', reason });
    } else if (regions.join() !== narrowRegions(endpoint.regions, endpoint.regions).join()) {
      await store.put(keyOf(endpoint.id), stableJson({ ...endpoint, regions }, 2), { contentType: 'application/json' });
      changes.push({ id: endpoint.id, team: endpoint.team, change: 'narrowed', from: endpoint.regions, to: regions });
    }
  }
  return changes;
}
