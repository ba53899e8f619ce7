import Fastify, { type FastifyInstance } from 'fastify';
import type { BlobStore, TokenRegistry } from '@shoutu/shared';
import type { Logger } from 'pino';
import type { AlertSource } from './alert-source.js';
import { registerOgcFeatures } from './ogc-features.js';
import { registerLiveFeed, type LiveFeedOptions } from './live-feed.js';
import { registerExports } from './exports.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { registerCaseRoutes } from './case-routes.js';
import { registerUploadRoutes, type UploadOptions } from './upload-routes.js';
import { registerApprovalRoutes } from './approval-routes.js';
import { registerMaskRoutes } from './mask-routes.js';
import { ogcError } from './auth.js';

export interface ApiOptions {
  source: AlertSource;
  /** null: open read-only API (loopback only; checked by the caller). */
  registry: TokenRegistry | null;
  logger?: Logger;
  /** The Redis Stream behind the live feed (queue mode); null or absent: no live feed (503). */
  liveFeed?: LiveFeedOptions | null;
  /** Where webhook subscriptions and 图斑 cases are kept; absent: read-only feed without them. */
  store?: BlobStore;
  /** Batch uploads (limits and how a commit starts ingest); absent: no upload API. */
  uploads?: UploadOptions;
}

/** The HTTP API of the alert service. Routes are added here by area (OGC features, feed, exports …). */
export function buildApiServer(options: ApiOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: 1 << 20,
    // Unknown and repeated query parameters reach the route and are refused by name there.
    routerOptions: { ignoreTrailingSlash: true },
  }) as unknown as FastifyInstance;
  registerOgcFeatures(app, options.source, options.registry);
  registerLiveFeed(app, options.registry, options.liveFeed ?? null);
  registerExports(app, options.source, options.registry);
  registerWebhookRoutes(app, options.store ?? null, options.registry);
  registerCaseRoutes(app, options.source, options.store ?? null, options.registry);
  registerUploadRoutes(app, options.registry, options.uploads ?? null);
  registerApprovalRoutes(app, options.store ?? null, options.registry);
  registerMaskRoutes(app, options.store ?? null, options.registry);
  app.setNotFoundHandler((request, reply) => ogcError(reply, 404, 'NotFound', `no route ${request.method} ${request.url.split('?')[0]}`));
  app.setErrorHandler((error, request, reply) => {
    request.log.error({ err: error }, 'request failed');
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return ogcError(reply, status, status >= 500 ? 'ServerError' : 'BadRequest', status >= 500 ? 'internal error' : (error as Error).message);
  });
  return app;
}
