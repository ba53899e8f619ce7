/**
 * Webhook subscriptions of a team: register an endpoint (its secret is shown once, in the answer),
 * list and delete them. An endpoint's regions must lie within the caller's token scope.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createWebhookEndpoint, disableWebhookEndpoint, listWebhookEndpoints, RegionCode, regionWithin, type BlobStore, type TokenRegistry } from '@shoutu/shared';
import { ogcError, regionsOf, requireAction } from './auth.js';

const Subscription = z.object({ url: z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'), regions: z.array(RegionCode).min(1).max(100) }).strict();

export function registerWebhookRoutes(app: FastifyInstance, store: BlobStore | null, registry: TokenRegistry | null): void {
  const manage = requireAction(registry, 'webhooks:manage');

  app.post('/webhooks', { preHandler: manage }, async (request, reply) => {
    if (!store || !registry) return ogcError(reply, 403, 'Forbidden', 'webhook subscriptions need team tokens (SHOUTU_TOKENS_FILE)');
    const parsed = Subscription.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return ogcError(reply, 400, 'InvalidParameterValue', `body ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const scope = regionsOf(request) ?? [];
    const outside = parsed.data.regions.filter((r) => !scope.some((s) => regionWithin(r, s)));
    if (outside.length) return ogcError(reply, 403, 'Forbidden', `regions ${outside.join(', ')} are outside team ${request.principal!.team}'s scope`);
    const endpoint = await createWebhookEndpoint(store, { url: parsed.data.url, team: request.principal!.team, regions: parsed.data.regions });
    return reply.code(201).send(endpoint);
  });

  app.get('/webhooks', { preHandler: manage }, async (request, reply) => {
    if (!store) return reply.send({ endpoints: [] });
    const team = request.principal!.team;
    const endpoints = (await listWebhookEndpoints(store)).filter((e) => e.team === team).map(({ secret: _secret, ...rest }) => rest);
    return reply.send({ endpoints });
  });

  app.delete<{ Params: { id: string } }>('/webhooks/:id', { preHandler: manage }, async (request, reply) => {
    const endpoint = store ? (await listWebhookEndpoints(store)).find((e) => e.id === request.params.id && e.team === request.principal!.team) : undefined;
    if (!store || !endpoint) return ogcError(reply, 404, 'NotFound', `no endpoint ${request.params.id}`);
    await disableWebhookEndpoint(store, endpoint.id, `deleted by ${request.principal!.team}`);
    return reply.code(204).send();
  });
}
