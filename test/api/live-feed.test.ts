/**
 * The live feed over a real Redis Stream: a client that drops the connection 50 times while 10,000
 * alerts are published, resuming each time with Last-Event-ID, receives every alert once, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { generateToken, redisStreamSink, tokenDigest, TokenRegistry, type AlertFeature } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { buildApiServer, type AlertSource } from '@shoutu/alert';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';
import { PassThrough } from 'node:stream';
import { drained } from '../../services/alert/src/http/live-feed.js';

const TOTAL = 10_000;
const DISCONNECTS = 50;

let handle: RedisHandle;
let redis: Redis;
let prefix: string;
let app: FastifyInstance;
let url: string;
const countyToken = generateToken();
const noAlerts: AlertSource = { all: async () => [] };

function alert(n: number, regionCode: string): AlertFeature {
  const id = `${regionCode}-live-${String(n).padStart(5, '0')}`;
  return { type: 'Feature', id, geometry: { type: 'Polygon', coordinates: [] }, bbox: [0, 0, 0, 0], properties: { tubanId: id, regionCode, n } } as unknown as AlertFeature;
}

beforeAll(async () => {
  handle = await ensureRedis();
  redis = createRedis(handle.url);
  prefix = uniquePrefix('live-feed');
  app = buildApiServer({ source: noAlerts, registry: null, liveFeed: { redis, streamKey: `${prefix}:alerts`, blockMs: 200 } });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length) await redis.del(...leftovers);
  redis.disconnect();
  await handle.stop();
});

interface FeedEvent {
  id: string;
  data: string;
}

/**
 * Reads events until `stopAfter` have arrived (then drops the connection) or `deadline` passes.
 * Parses the SSE wire format itself, as any client library would.
 */
async function readEvents(base: string, headers: Record<string, string>, stopAfter: number, deadline: number): Promise<FeedEvent[]> {
  const controller = new AbortController();
  const events: FeedEvent[] = [];
  const timer = setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()));
  try {
    const response = await fetch(base, { headers, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id = '';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (id) events.push({ id, data: data.join('\n') });
        if (events.length >= stopAfter) {
          controller.abort();
          return events;
        }
      }
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('live feed (Server-Sent Events over the alert stream)', () => {
  it('delivers 10,000 alerts in order without gaps to a client that disconnects 50 times', async () => {
    const sink = redisStreamSink(redis, prefix);
    let published = 0;
    const publisher = (async () => {
      while (published < TOTAL) {
        const chunk = Math.min(250, TOTAL - published);
        await Promise.all(Array.from({ length: chunk }, (_, i) => sink.publish(alert(published + i, '321202'))));
        published += chunk;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();

    const received: FeedEvent[] = [];
    let lastId: string | undefined;
    const deadline = Date.now() + 120_000;
    let connections = 0;
    // Start from the beginning of the stream, then resume from the last id after every drop.
    while (received.length < TOTAL && Date.now() < deadline) {
      const remaining = TOTAL - received.length;
      const stopAfter = connections < DISCONNECTS ? Math.min(remaining, 50 + ((connections * 37) % 250)) : remaining;
      const headers: Record<string, string> = lastId ? { 'last-event-id': lastId } : {};
      const events = await readEvents(lastId ? `${url}/alerts/stream` : `${url}/alerts/stream?from=start`, headers, stopAfter, deadline);
      connections++;
      received.push(...events);
      if (events.length) lastId = events[events.length - 1]!.id;
    }
    await publisher;

    expect(connections).toBeGreaterThan(DISCONNECTS);
    expect(received).toHaveLength(TOTAL);
    const ns = received.map((e) => (JSON.parse(e.data) as { properties: { n: number } }).properties.n);
    expect(ns).toEqual(Array.from({ length: TOTAL }, (_, i) => i));
    // Event ids are the stream's ids: strictly increasing.
    const stream = await redis.xrange(`${prefix}:alerts`, '-', '+');
    expect(received.map((e) => e.id)).toEqual(stream.map(([id]) => id));
  }, 150_000);

  it('applies the token’s region scope and refuses a malformed Last-Event-ID', async () => {
    const sink = redisStreamSink(redis, `${prefix}-scope`);
    const registry = new TokenRegistry([{ team: '海陵区', tokenSha256: tokenDigest(countyToken), roles: ['enforcer'], regions: ['321202'] }]);
    const scopedApp = buildApiServer({ source: noAlerts, registry, liveFeed: { redis, streamKey: `${prefix}-scope:alerts`, blockMs: 200 } });
    const base = await scopedApp.listen({ port: 0, host: '127.0.0.1' });
    try {
      for (let i = 0; i < 6; i++) await sink.publish(alert(i, i % 2 === 0 ? '321202' : '321203'));
      const events = await readEvents(`${base}/alerts/stream?from=start`, { authorization: `Bearer ${countyToken}` }, 3, Date.now() + 5_000);
      expect(events.map((e) => (JSON.parse(e.data) as { properties: { regionCode: string } }).properties.regionCode)).toEqual(['321202', '321202', '321202']);
      // the stream the client dropped no longer watches the tokens
      const watchers = () => (registry as unknown as { replaceListeners: Set<unknown> }).replaceListeners.size;
      for (const t = Date.now(); watchers() > 0 && Date.now() - t < 5_000; ) await new Promise((r) => setTimeout(r, 20));
      expect(watchers()).toBe(0);
      expect((await fetch(`${base}/alerts/stream`)).status).toBe(401);
      const bad = await fetch(`${base}/alerts/stream`, { headers: { authorization: `Bearer ${countyToken}`, 'last-event-id': 'yesterday' } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { description: string }).description).toMatch(/Last-Event-ID/);
    } finally {
      await scopedApp.close();
      const keys = await redis.keys(`${prefix}-scope:*`);
      if (keys.length) await redis.del(...keys);
    }
  });

  it('follows a reload of the tokens: a narrowed token gets its new scope, a revoked one is cut off at once', async () => {
    const sink = redisStreamSink(redis, `${prefix}-reload`);
    const tokenFor = (regions: string[]) => new TokenRegistry([{ team: '海陵区', tokenSha256: tokenDigest(countyToken), roles: ['enforcer'], regions }]);
    const registry = tokenFor(['321202']);
    // a long blocking read: the revocation must not wait for it to end
    const reloadApp = buildApiServer({ source: noAlerts, registry, liveFeed: { redis, streamKey: `${prefix}-reload:alerts`, blockMs: 60_000 } });
    const base = await reloadApp.listen({ port: 0, host: '127.0.0.1' });
    const watchers = () => (registry as unknown as { replaceListeners: Set<unknown> }).replaceListeners.size;
    try {
      const response = await fetch(`${base}/alerts/stream?from=start`, { headers: { authorization: `Bearer ${countyToken}` }, signal: AbortSignal.timeout(20_000) });
      expect(response.status).toBe(200);
      let text = '';
      const ended = (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
      })();
      const delivered = () => [...text.matchAll(/^event: alert\ndata: (.*)$/gm)].map((m) => (JSON.parse(m[1]!) as { properties: { n: number } }).properties.n);
      const until = async (done: () => boolean) => {
        for (let t = Date.now(); !done(); ) {
          if (Date.now() - t > 5_000) throw new Error(`feed so far: ${text}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await sink.publish(alert(0, '321202'));
      await until(() => delivered().length === 1);
      expect(watchers()).toBe(1);
      registry.replaceWith(tokenFor(['321203'])); // the team now covers another county
      await sink.publish(alert(1, '321202'));
      await sink.publish(alert(2, '321203'));
      await until(() => delivered().includes(2));
      expect(delivered()).toEqual([0, 2]);
      const revokedAt = Date.now();
      registry.replaceWith(new TokenRegistry([])); // revoked
      await ended;
      expect(Date.now() - revokedAt).toBeLessThan(5_000);
      expect(text).toMatch(/event: revoked\ndata: the token of this stream was revoked/);
      expect(delivered()).toEqual([0, 2]);
      expect(watchers()).toBe(0);
      expect((await fetch(`${base}/alerts/stream`, { headers: { authorization: `Bearer ${countyToken}` } })).status).toBe(401);
    } finally {
      await reloadApp.close();
      const keys = await redis.keys(`${prefix}-reload:*`);
      if (keys.length) await redis.del(...keys);
    }
  });

  it('waits for a slow client without gathering listeners on its response', async () => {
    const out = new PassThrough();
    for (let k = 0; k < 50; k++) {
      const waiting = drained(out);
      out.emit('drain');
      await waiting;
    }
    expect(out.listenerCount('close')).toBe(0);
    expect(out.listenerCount('drain')).toBe(0);
    const gone = drained(out);
    out.destroy();
    await gone;
    expect(out.listenerCount('drain')).toBe(0);
  });

  it('says the live feed needs queue mode when there is no stream', async () => {
    const embedded = buildApiServer({ source: noAlerts, registry: null });
    const base = await embedded.listen({ port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`${base}/alerts/stream`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { description: string }).description).toMatch(/REDIS_URL/);
    } finally {
      await embedded.close();
    }
  });
});
