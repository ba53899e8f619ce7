/**
 * Live alert feed as Server-Sent Events (HTML Living Standard, "Server-sent events"), read from the
 * Redis Stream the alert stage appends to (`<prefix>:alerts`). Each event's `id` is the stream entry
 * id, so a client that reconnects with `Last-Event-ID` (browsers do it by themselves) continues right
 * after the last event it saw: nothing lost, nothing repeated, in stream order. Without it the feed
 * starts with new alerts, or from the beginning with `?from=start`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { anyRegionCovers, authorize, type TokenRegistry } from '@shoutu/shared';
import { ogcError, regionsOf, requireAction } from './auth.js';

export interface LiveFeedOptions {
  redis: Redis;
  streamKey: string;
  /** Longest wait for new entries before a keep-alive comment (ms). */
  blockMs?: number;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
const BATCH = 500;

/** Where to start: after Last-Event-ID, from the beginning, or only new entries. */
function startId(request: FastifyRequest): string | { error: string } {
  const last = request.headers['last-event-id'];
  const from = (request.query as { from?: string }).from;
  if (typeof last === 'string' && last.length > 0) return STREAM_ID.test(last) ? last : { error: `Last-Event-ID "${last}" is not a feed event id` };
  if (from === undefined || from === 'now') return '$';
  if (from === 'start') return '0-0';
  return STREAM_ID.test(from) ? from : { error: 'query parameter from must be "start", "now" or an event id' };
}

/** One SSE event; data lines are split so a payload with line breaks stays one event. */
function sseEvent(id: string, data: string): string {
  return `id: ${id}\nevent: alert\n${data.split('\n').map((line) => `data: ${line}`).join('\n')}\n\n`;
}

/**
 * Resolves when a slow client has taken the buffered events, or has gone. Whichever comes first removes
 * the other listener: a stream that waits for a slow client thousands of times must not gather them.
 */
export function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.removeListener('drain', done);
      out.removeListener('close', done);
      resolve();
    };
    out.once('drain', done);
    out.once('close', done);
  });
}

/** The regions a stream's token may read now, or null when the token no longer reads alerts. */
function stillAllowed(registry: TokenRegistry, authorization: string | undefined): readonly string[] | null {
  const auth = registry.authenticate(authorization);
  if (!auth.ok || !authorize(auth.principal, 'alerts:read').ok) return null;
  return auth.principal.regions;
}

export function registerLiveFeed(app: FastifyInstance, registry: TokenRegistry | null, feed: LiveFeedOptions | null): void {
  app.get('/alerts/stream', { preHandler: requireAction(registry, 'alerts:read') }, async (request, reply) => {
    if (!feed) return ogcError(reply, 503, 'Unavailable', 'the live feed needs queue mode (REDIS_URL); embedded mode has no alert stream');
    const start = startId(request);
    if (typeof start !== 'string') return ogcError(reply, 400, 'InvalidParameterValue', start.error);
    let regions = regionsOf(request);
    // HEAD gets the stream's headers only; streaming to it would hold a Redis reader for nothing.
    if (request.method === 'HEAD') return reply.code(200).header('cache-control', 'no-cache').type('text/event-stream; charset=utf-8').send();

    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    out.write(': shoutu alert feed\n\n');

    // A blocking XREAD holds its connection, so every client reads on its own.
    const reader = feed.redis.duplicate();
    let open = true;
    let revoked = false;
    request.raw.on('close', () => {
      open = false;
      reader.disconnect();
    });
    // When the tokens are reloaded the stream goes on only for a token that still reads alerts, in its scope
    // now; a revoked one is cut off at once (its blocking read is interrupted).
    const stopWatching = registry?.onReplace(() => {
      const now = stillAllowed(registry, request.headers.authorization);
      if (now !== null) {
        regions = now;
        return;
      }
      revoked = true;
      open = false;
      reader.disconnect();
    });
    try {
      // "$" would skip entries appended between two reads: pin it to the newest id now.
      let lastId = start === '$' ? ((await reader.xrevrange(feed.streamKey, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0') : start;
      while (open) {
        const reply = (await reader.xread('COUNT', BATCH, 'BLOCK', feed.blockMs ?? 15_000, 'STREAMS', feed.streamKey, lastId)) as [string, [string, string[]][]][] | null;
        if (!open) break;
        if (!reply) {
          out.write(': keep-alive\n\n');
          continue;
        }
        for (const [id, fields] of reply[0]![1]) {
          lastId = id;
          const json = fields[fields.indexOf('alert') + 1] ?? '{}';
          if (regions !== null) {
            const region = (JSON.parse(json) as { properties?: { regionCode?: string } }).properties?.regionCode;
            if (!region || !anyRegionCovers(regions, region)) continue;
          }
          if (!out.write(sseEvent(id, json))) await drained(out);
          if (!open) break;
        }
      }
    } catch (error) {
      if (open) request.log.error({ err: error }, 'live feed failed');
    } finally {
      stopWatching?.();
      reader.disconnect();
      if (revoked) out.write('event: revoked\ndata: the token of this stream was revoked or no longer reads alerts\n\n');
      out.end();
    }
  });
}
