/**
 * Region scope and roles on every route of the API. 图斑 in two counties of one city — A (海陵区
 * 321202: the Taizhou demo) and B (高港区 321203: a synthetic pair elsewhere) — and tokens scoped to A
 * in each role, to B, and to the city. The list of routes comes from fastify itself: a route added
 * later without a case here fails the test. For each route, tokens scoped to A never see, export,
 * stream, subscribe to or change B's 图斑 (while B's and the city's tokens do: the data is there), no
 * response to them carries any of B's ids or batch ids, a request without a token is refused, and
 * each role gets only what docs/api.md grants it. Ids and counts are read from the stored data.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { anyRegionCovers, collectAlerts, createStore, defaultParameters, directorySource, generateToken, listUploadedFiles, QUEUES, redisStreamSink, runBatch, tokenDigest, TokenRegistry, withAlertIndex, withCaseOpening, withWebhookDeliveries, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { buildApiServer, redisIndexedAlerts, storedAlerts, type IngestLauncher } from '@shoutu/alert';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';
import { demoParameters, loadDemoMasks, TAIZHOU_AFTER_BATCH, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { BANDS6, REFLECTANCE_SCALE, syntheticPair } from '../support/synthetic-pair.js';

const A = '321202';
const B = '321203';
const CITY = '321200';
const B_BATCHES = ['gaogang-2024-01', 'gaogang-2024-03'] as const;

const tokens = {
  aEnforcer: generateToken(),
  aAuditor: generateToken(),
  aOperator: generateToken(),
  aAdmin: generateToken(),
  bEnforcer: generateToken(),
  bOperator: generateToken(),
  city: generateToken(),
};
/** Every token scoped to county A, by role: none of them may reach B. */
const A_TOKENS = { enforcer: tokens.aEnforcer, auditor: tokens.aAuditor, operator: tokens.aOperator, admin: tokens.aAdmin } as const;
type Role = keyof typeof A_TOKENS;
const registry = new TokenRegistry([
  { team: '海陵区执法中队', tokenSha256: tokenDigest(tokens.aEnforcer), roles: ['enforcer'], regions: [A] },
  { team: '海陵区审计', tokenSha256: tokenDigest(tokens.aAuditor), roles: ['auditor'], regions: [A] },
  { team: '海陵区数据组', tokenSha256: tokenDigest(tokens.aOperator), roles: ['operator'], regions: [A] },
  { team: '海陵区管理员', tokenSha256: tokenDigest(tokens.aAdmin), roles: ['admin'], regions: [A] },
  { team: '高港区执法中队', tokenSha256: tokenDigest(tokens.bEnforcer), roles: ['enforcer'], regions: [B] },
  { team: '高港区数据组', tokenSha256: tokenDigest(tokens.bOperator), roles: ['operator'], regions: [B] },
  { team: '泰州市执法支队', tokenSha256: tokenDigest(tokens.city), roles: ['enforcer'], regions: [CITY] },
]);

let dir: string;
let store: BlobStore;
let handle: RedisHandle;
let redis: Redis;
let prefix: string;
let webhookQueue: Queue;
let app: FastifyInstance;
let base: string;
const started: string[] = [];
const launcher: IngestLauncher = { start: async (uploadId) => (started.push(uploadId), {}) };

let alerts: AlertFeature[];
let aIds: string[];
let bIds: string[];
/** Strings that must never appear in a response to a token scoped to A. */
let bMarkers: string[];
/** The webhook endpoints subscribed by A's enforcers, B's, and the city's. */
let endpoints: Record<'a' | 'b' | 'city', { id: string }>;
let bUpload: string;

/** County B's two epochs: the synthetic pair (far from Taizhou) as batch folders. */
async function writeCountyB(root: string): Promise<string[]> {
  const pair = syntheticPair();
  const folders: string[] = [];
  for (const [i, batchId] of B_BATCHES.entries()) {
    const folder = join(root, batchId);
    await mkdir(folder, { recursive: true });
    const manifest = { batchId, acquiredAt: i === 0 ? '2024-01-15' : '2024-03-15', platform: 'satellite', sensor: 'GF-1 WFV', bands: [...BANDS6], regionCode: B, reflectance: { scale: REFLECTANCE_SCALE, offset: 0 } };
    await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest));
    await writeFile(join(folder, 'scene.tif'), i === 0 ? pair.before : pair.after);
    folders.push(folder);
  }
  return folders;
}

interface Reply {
  status: number;
  text: string;
  json: any;
}

async function request(method: string, path: string, token: string | null, body?: unknown): Promise<Reply> {
  const isJson = body !== undefined && !(body instanceof Uint8Array) && !(body instanceof FormData);
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(isJson ? { 'content-type': 'application/json' } : body instanceof Uint8Array ? { 'content-type': 'application/octet-stream' } : {}),
    },
    ...(body === undefined ? {} : { body: isJson ? JSON.stringify(body) : (body as Uint8Array | FormData) }),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (CSV, KML, zip, an empty HEAD answer)
  }
  return { status: response.status, text, json };
}
const get = (path: string, token: string | null) => request('GET', path, token);

/** Whether `text` names `id` (as a whole id: not as part of a longer one). */
function mentions(text: string, id: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(text);
}

/** The reply carries nothing of county B. */
function expectNothingOfB(reply: { text: string }, what: string): void {
  for (const marker of bMarkers) expect(mentions(reply.text, marker), `${what} leaks ${marker}`).toBe(false);
}

const idsOf = (reply: Reply): string[] => (reply.json.features as { id: string }[]).map((f) => f.id).sort();

/** Server-Sent Events from `path` until the first keep-alive (the backlog is then drained). */
async function feedEvents(path: string, token: string, headers: Record<string, string> = {}): Promise<{ id: string; data: string }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 20_000);
  const events: { id: string; data: string }[] = [];
  try {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: controller.signal });
    expect(response.status).toBe(200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block === ': keep-alive') return events;
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
        if (id) events.push({ id, data });
      }
    }
    throw new Error('the feed ended before its first keep-alive');
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Routes as fastify registered them: "METHOD /path" (HEAD, added for every GET, is listed apart). */
function registeredRoutes(server: FastifyInstance): { routes: string[]; head: Set<string> } {
  const routes: string[] = [];
  const head = new Set<string>();
  const stack: string[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1]!) + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of match[3]?.split(', ') ?? []) {
      if (method === 'HEAD') head.add(path);
      else routes.push(`${method} ${path}`);
    }
  }
  return { routes: routes.sort(), head };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-scope-'));
  store = createStore({ kind: 'local', dir });
  await loadDemoMasks(store);
  handle = await ensureRedis();
  redis = createRedis(handle.url);
  prefix = uniquePrefix('scope');
  webhookQueue = new Queue(QUEUES.webhook, { connection: redis, prefix });
  app = buildApiServer({
    source: redisIndexedAlerts(redis, prefix, store),
    registry,
    store,
    liveFeed: { redis, streamKey: `${prefix}:alerts`, blockMs: 300 },
    uploads: { store, limits: { maxFileBytes: 1 << 20, maxBatchBytes: 4 << 20, maxFiles: 5 }, launcher },
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });

  // Subscriptions first, so the batches' 图斑 are queued for delivery to them.
  const subscribe = async (token: string, regions: string[]) => {
    const created = await request('POST', '/webhooks', token, { url: `https://hooks.example.org/${regions.join('-')}`, regions });
    expect(created.status).toBe(201);
    return { id: created.json.id as string };
  };
  endpoints = { a: await subscribe(tokens.aEnforcer, [A]), b: await subscribe(tokens.bEnforcer, [B]), city: await subscribe(tokens.city, [CITY]) };

  // The alert worker's announcement chain: case opened, indexed, deliveries queued, stream.
  const sink = withCaseOpening(
    withAlertIndex(withWebhookDeliveries(redisStreamSink(redis, prefix), webhookQueue, store), redis, prefix, store),
    store,
    () => new Date('2026-11-29T03:00:00Z'),
  );
  for (const epoch of TAIZHOU_EPOCHS) await runBatch(store, directorySource(epoch), demoParameters(), { sink });
  for (const folder of await writeCountyB(join(dir, 'incoming'))) await runBatch(store, directorySource(folder), defaultParameters({ alertOn: 'all' }), { sink });

  alerts = await collectAlerts(store);
  aIds = alerts.filter((a) => a.properties.regionCode === A).map((a) => a.id);
  bIds = alerts.filter((a) => a.properties.regionCode === B).map((a) => a.id);
  bMarkers = [...bIds, ...B_BATCHES];

  // Some case work in both counties, each by its own team.
  const steps: Array<[string, string, Record<string, string>]> = [
    [tokens.bEnforcer, bIds[0]!, { to: 'in_review', user: 'chen.qi' }],
    [tokens.bEnforcer, bIds[0]!, { to: 'judged', verdict: 'false_alarm', reason: 'cloud_or_shadow', user: 'chen.qi' }],
    [tokens.aEnforcer, aIds[0]!, { to: 'in_review', user: 'li.si' }],
    [tokens.aEnforcer, aIds[0]!, { to: 'judged', verdict: 'false_alarm', reason: 'seasonal_farming', user: 'li.si' }],
  ];
  for (const [token, id, body] of steps) expect((await request('POST', `/collections/alerts/items/${id}/transitions`, token, body)).status).toBe(201);

  const upload = await request('POST', '/uploads', tokens.bOperator);
  expect(upload.status).toBe(201);
  bUpload = upload.json.uploadId;
  expect((await request('PUT', `/uploads/${bUpload}/files/batch.json`, tokens.bOperator, new TextEncoder().encode('{"batchId":"gaogang-2024-05"}'))).status).toBe(201);
}, 180_000);

afterAll(async () => {
  await app?.close();
  await webhookQueue?.obliterate({ force: true }).catch(() => {});
  await webhookQueue?.close();
  const leftovers = redis ? await redis.keys(`${prefix}:*`) : [];
  if (leftovers.length) await redis.del(...leftovers);
  redis?.disconnect();
  await handle?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What the route does with county scope, checked with the data above. */
interface ScopeCase {
  /** A concrete request on the route, aimed at county B's data where the route names something. */
  path: () => string;
  body?: () => unknown;
  /** Roles docs/api.md grants the route; `null`: public (landing page, conformance), no token needed. */
  roles: readonly Role[] | null;
  /** The route answers with an endless event stream (200) instead of a document. */
  streams?: boolean;
  /** The route's own checks: A-scoped tokens never reach B, B's and the city's tokens do. */
  check: () => Promise<void>;
}

const READERS: readonly Role[] = ['enforcer', 'auditor', 'operator', 'admin'];
const ENFORCERS: readonly Role[] = ['enforcer', 'admin'];
const OPERATORS: readonly Role[] = ['operator', 'admin'];

/** The collection's extent as the A, B and city tokens see it. */
async function checkExtent(path: string): Promise<void> {
  const extent = async (token: string) => {
    const reply = await get(path, token);
    expect(reply.status).toBe(200);
    const collection = reply.json.collections ? reply.json.collections[0] : reply.json;
    return { bbox: collection.extent.spatial.bbox[0] as number[], interval: collection.extent.temporal.interval[0] as string[] };
  };
  const expected = (ids: string[]) => {
    const of = alerts.filter((a) => ids.includes(a.id));
    const dates = of.map((a) => a.properties.afterDate).sort();
    return {
      bbox: [Math.min(...of.map((a) => a.bbox[0])), Math.min(...of.map((a) => a.bbox[1])), Math.max(...of.map((a) => a.bbox[2])), Math.max(...of.map((a) => a.bbox[3]))],
      interval: [dates[0], dates[dates.length - 1]],
    };
  };
  for (const token of Object.values(A_TOKENS)) {
    expect(await extent(token)).toEqual(expected(aIds));
    expectNothingOfB(await get(path, token), path);
  }
  expect(await extent(tokens.bEnforcer)).toEqual(expected(bIds));
  expect(await extent(tokens.city)).toEqual(expected([...aIds, ...bIds]));
}

/** A request naming one of B's 图斑 answers like one naming no 图斑 at all. */
async function checkNotFoundLikeNothing(method: string, pathOf: (id: string) => string, token: string, body?: unknown): Promise<void> {
  const nothing = await request(method, pathOf('321202-no-such-tuban'), token, body);
  expect(nothing.status).toBe(404);
  for (const id of bIds) {
    const reply = await request(method, pathOf(id), token, body);
    expect(reply.status, `${method} ${pathOf(id)}`).toBe(404);
    expect(reply.text.replaceAll(id, '321202-no-such-tuban')).toBe(nothing.text);
  }
}

/** Path ids that cannot name a 图斑 (a parent step, a slash, a NUL, a way around to B's case). */
const hostileIds = () => ['..%2F..%2Fcases', 'a%00b', `${A}%2F..%2F${bIds[0]}`, `..%2F${bIds[0]}`];

const historyOf = async (id: string) => (await get(`/collections/alerts/items/${id}/history`, tokens.bEnforcer)).text;

/** An export's reply, and which stored 图斑 it names. */
async function exported(query: string, token: string): Promise<{ status: number; text: string; ids: string[] }> {
  const response = await fetch(`${base}/collections/alerts/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text = new TextDecoder().decode(bytes);
  if (response.status === 200 && query.includes('format=shp')) {
    // The zip is compressed: read it back with GDAL, as a county's GIS would.
    const path = join(dir, `export-${exportCount++}.zip`);
    await writeFile(path, bytes);
    const read = spawnSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', `/vsizip/${path}`], { encoding: 'utf8' });
    expect(read.status, read.stderr).toBe(0);
    text = read.stdout;
  }
  // Every format names each 图斑 by its id: see which stored ids it names.
  return { status: response.status, text, ids: alerts.map((a) => a.id).filter((id) => mentions(text, id)).sort() };
}
let exportCount = 0;

const EXPORTS = ['format=geojson', 'format=csv&lang=zh', 'format=csv&lang=en', 'format=kml', 'format=shp'];

/** Approval layers of A and B, each set by its own operators over the API (once, by the first case that needs them). */
const A_APPROVAL = '海陵〔2024〕A号';
const B_APPROVAL = '高港〔2024〕B号';
const approvalLayer = (number: string, kind = 'land_supply') => ({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: { number, kind, validFrom: '2024-01-01' }, geometry: { type: 'Polygon', coordinates: [[[119.9, 32.4], [119.91, 32.4], [119.91, 32.41], [119.9, 32.41], [119.9, 32.4]]] } }],
});
let approvalLayersSet: Promise<void> | null = null;
function ensureApprovalLayers(): Promise<void> {
  approvalLayersSet ??= (async () => {
    expect((await request('PUT', `/approvals/${A}`, tokens.aOperator, approvalLayer(A_APPROVAL))).status).toBe(200);
    expect((await request('PUT', `/approvals/${B}`, tokens.bOperator, approvalLayer(B_APPROVAL))).status).toBe(200);
  })();
  return approvalLayersSet;
}
const layerRegions = async (token: string) => ((await get('/approvals', token)).json.layers as { region: string }[]).map((l) => l.region);

/** Farmland layers of A and B, each set by its own operators over the API (once, by the first case that needs them). */
const A_PARCEL = '海陵区永久基本农田';
const B_PARCEL = '高港区永久基本农田';
const maskLayer = (name: string, geometry: unknown = { type: 'Polygon', coordinates: [[[119.9, 32.4], [119.91, 32.4], [119.91, 32.41], [119.9, 32.41], [119.9, 32.4]]] }) => ({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: { name }, geometry }],
});
let maskLayersSet: Promise<void> | null = null;
function ensureMaskLayers(): Promise<void> {
  maskLayersSet ??= (async () => {
    expect((await request('PUT', `/masks/farmland/${A}`, tokens.aOperator, maskLayer(A_PARCEL))).status).toBe(200);
    expect((await request('PUT', `/masks/farmland/${B}`, tokens.bOperator, maskLayer(B_PARCEL))).status).toBe(200);
  })();
  return maskLayersSet;
}
const maskRegions = async (token: string) => ((await get('/masks', token)).json.layers as { layer: string; region: string }[]).map((l) => `${l.layer} ${l.region}`);

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const CASES: Record<string, ScopeCase> = {
  'GET /': {
    path: () => '/',
    roles: null,
    check: async () => {
      const reply = await get('/', null);
      expect(reply.status).toBe(200);
      for (const id of [...aIds, ...bIds]) expect(reply.text.includes(id)).toBe(false);
    },
  },
  'GET /conformance': {
    path: () => '/conformance',
    roles: null,
    check: async () => {
      const reply = await get('/conformance', null);
      expect(reply.status).toBe(200);
      for (const id of [...aIds, ...bIds]) expect(reply.text.includes(id)).toBe(false);
    },
  },
  'GET /collections': { path: () => '/collections', roles: READERS, check: () => checkExtent('/collections') },
  'GET /collections/alerts': { path: () => '/collections/alerts', roles: READERS, check: () => checkExtent('/collections/alerts') },
  'GET /collections/alerts/items': {
    path: () => `/collections/alerts/items?county=${B}`,
    roles: READERS,
    check: async () => {
      const all = 'limit=10000';
      for (const token of Object.values(A_TOKENS)) {
        const reply = await get(`/collections/alerts/items?${all}`, token);
        expect(idsOf(reply)).toEqual(aIds);
        expectNothingOfB(reply, 'items');
        // Asking for B by name, place or paging gets nothing of it.
        const [w, s, e, n] = alerts.find((a) => a.id === bIds[0])!.bbox;
        for (const query of [`county=${B}`, `county=${A},${B}`, `bbox=${w},${s},${e},${n}`, `offset=${aIds.length}`, 'datetime=2024-01-01/..']) {
          const filtered = await get(`/collections/alerts/items?${all}&${query}`, token);
          expect(filtered.status).toBe(200);
          expect(idsOf(filtered).filter((id) => bIds.includes(id)), query).toEqual([]);
          expectNothingOfB(filtered, `items?${query}`);
        }
      }
      expect(idsOf(await get(`/collections/alerts/items?${all}`, tokens.bEnforcer))).toEqual(bIds);
      expect(idsOf(await get(`/collections/alerts/items?${all}`, tokens.city))).toEqual([...aIds, ...bIds].sort());
    },
  },
  'GET /collections/alerts/items/:id': {
    path: () => `/collections/alerts/items/${bIds[0]}`,
    roles: READERS,
    check: async () => {
      for (const token of Object.values(A_TOKENS)) await checkNotFoundLikeNothing('GET', (id) => `/collections/alerts/items/${id}`, token);
      for (const token of [tokens.bEnforcer, tokens.city]) expect((await get(`/collections/alerts/items/${bIds[0]}`, token)).status).toBe(200);
      expect((await get(`/collections/alerts/items/${aIds[0]}`, tokens.aAuditor)).status).toBe(200);
    },
  },
  'POST /collections/alerts/items/:id/transitions': {
    path: () => `/collections/alerts/items/${bIds[1]}/transitions`,
    body: () => ({ to: 'in_review', user: 'x' }),
    roles: ENFORCERS,
    check: async () => {
      const histories = await Promise.all(bIds.map(historyOf));
      for (const token of [tokens.aEnforcer, tokens.aAdmin]) {
        await checkNotFoundLikeNothing('POST', (id) => `/collections/alerts/items/${id}/transitions`, token, { to: 'in_review', user: 'wang.wu' });
        // Even a well-formed next step of B's judged case.
        expect((await request('POST', `/collections/alerts/items/${bIds[0]}/transitions`, token, { to: 'closed', user: 'wang.wu' })).status).toBe(404);
      }
      for (const id of hostileIds()) expect((await request('POST', `/collections/alerts/items/${id}/transitions`, tokens.city, { to: 'in_review', user: 'x' })).status, id).toBe(404);
      expect(await Promise.all(bIds.map(historyOf))).toEqual(histories);
      // The owners can: B's team on B, the city on both; A's enforcer and admin on A.
      expect((await request('POST', `/collections/alerts/items/${bIds[1]}/transitions`, tokens.bEnforcer, { to: 'in_review', user: 'chen.qi' })).status).toBe(201);
      expect((await request('POST', `/collections/alerts/items/${bIds[2]}/transitions`, tokens.city, { to: 'in_review', user: 'zhou.ba' })).status).toBe(201);
      expect((await request('POST', `/collections/alerts/items/${aIds[1]}/transitions`, tokens.aEnforcer, { to: 'in_review', user: 'li.si' })).status).toBe(201);
      expect((await request('POST', `/collections/alerts/items/${aIds[2]}/transitions`, tokens.aAdmin, { to: 'in_review', user: 'admin' })).status).toBe(201);
      // Roles: auditors and operators change nothing, in their own county either.
      for (const token of [tokens.aAuditor, tokens.aOperator]) {
        expect((await request('POST', `/collections/alerts/items/${aIds[3]}/transitions`, token, { to: 'in_review', user: 'x' })).status).toBe(403);
      }
      expect((await get(`/collections/alerts/items/${aIds[3]}/history`, tokens.aAuditor)).json.history).toEqual([]);
    },
  },
  'GET /collections/alerts/items/:id/history': {
    path: () => `/collections/alerts/items/${bIds[0]}/history`,
    roles: READERS,
    check: async () => {
      for (const token of Object.values(A_TOKENS)) await checkNotFoundLikeNothing('GET', (id) => `/collections/alerts/items/${id}/history`, token);
      for (const id of hostileIds()) expect((await get(`/collections/alerts/items/${id}/history`, tokens.city)).status, id).toBe(404);
      for (const token of [tokens.bEnforcer, tokens.city]) {
        const history = await get(`/collections/alerts/items/${bIds[0]}/history`, token);
        expect(history.status).toBe(200);
        expect(history.json.history.length).toBeGreaterThan(0);
      }
    },
  },
  'GET /collections/alerts/export': {
    path: () => `/collections/alerts/export?format=geojson&county=${B}`,
    roles: READERS,
    check: async () => {
      for (const query of EXPORTS) {
        for (const token of Object.values(A_TOKENS)) {
          const all = await exported(query, token);
          expect(all.status, query).toBe(200);
          expect(all.ids, query).toEqual(aIds);
          expectNothingOfB(all, `export ${query}`);
          const onlyB = await exported(`${query}&county=${B}`, token);
          expect(onlyB.status, query).toBe(200);
          expect(onlyB.ids, `${query}&county=${B}`).toEqual([]);
          expectNothingOfB(onlyB, `export ${query}&county=${B}`);
        }
        expect((await exported(query, tokens.bEnforcer)).ids, query).toEqual(bIds);
        expect((await exported(query, tokens.city)).ids, query).toEqual([...aIds, ...bIds].sort());
      }
    },
  },
  'GET /alerts/stream': {
    path: () => '/alerts/stream?from=start',
    roles: READERS,
    streams: true,
    check: async () => {
      const entries = await redis.xrange(`${prefix}:alerts`, '-', '+');
      const regionOf = (data: string) => (JSON.parse(data) as AlertFeature).properties.regionCode;
      const streamedIn = (regions: string[]) => entries.filter(([, fields]) => fields.some((f) => f.startsWith('{') && anyRegionCovers(regions, regionOf(f)))).map(([id]) => id);
      expect(streamedIn([A]).length).toBeGreaterThanOrEqual(aIds.length);
      expect(streamedIn([B]).length).toBeGreaterThanOrEqual(bIds.length);
      for (const token of Object.values(A_TOKENS)) {
        const events = await feedEvents('/alerts/stream?from=start', token);
        expect(events.map((e) => e.id)).toEqual(streamedIn([A]));
        for (const event of events) for (const marker of bMarkers) expect(event.data.includes(marker)).toBe(false);
        // Resuming from one of B's events, or from the start by id, still skips B.
        const bEvent = streamedIn([B])[0]!;
        const resumed = await feedEvents('/alerts/stream', token, { 'last-event-id': bEvent });
        expect(resumed.map((e) => e.id)).toEqual(streamedIn([A]).filter((id) => entries.findIndex(([e]) => e === id) > entries.findIndex(([e]) => e === bEvent)));
        expect((await feedEvents('/alerts/stream?from=0-0', token)).map((e) => e.id)).toEqual(streamedIn([A]));
      }
      expect((await feedEvents('/alerts/stream?from=start', tokens.bEnforcer)).map((e) => e.id)).toEqual(streamedIn([B]));
      expect((await feedEvents('/alerts/stream?from=start', tokens.city)).map((e) => e.id)).toEqual(entries.map(([id]) => id));
    },
  },
  'GET /masks': {
    path: () => '/masks',
    roles: READERS,
    check: async () => {
      await ensureMaskLayers();
      for (const token of Object.values(A_TOKENS)) {
        expect(await maskRegions(token)).toEqual([`farmland ${A}`]);
        expect((await get('/masks', token)).text).not.toContain(B);
      }
      expect(await maskRegions(tokens.bOperator)).toEqual([`farmland ${B}`]);
      expect(await maskRegions(tokens.city)).toEqual([`farmland ${A}`, `farmland ${B}`]);
      // The deployment-wide layers apply to every county: every reader sees their versions, not where they are stored.
      const demo = await Promise.all((['farmland', 'redline'] as const).map(async (layer) => ({ layer, sha256: sha256Hex(await readFile(join('fixtures', 'masks', `${layer}.geojson`))) })));
      for (const token of [...Object.values(A_TOKENS), tokens.bOperator, tokens.city]) {
        const deployment = (await get('/masks', token)).json.deployment as Record<string, unknown>[];
        expect(deployment.map(({ layer, sha256 }) => ({ layer, sha256 }))).toEqual(demo);
        expect(deployment[0]).toMatchObject({ source: 'fixtures/masks/farmland.geojson', features: expect.any(Number) });
        expect(deployment.every((m) => m.key === undefined && m.href === undefined)).toBe(true);
      }
    },
  },
  'GET /masks/:layer': {
    path: () => '/masks/farmland',
    roles: READERS,
    check: async () => {
      // Its polygons span every county: a scoped team reads its own region's layers, not this one.
      for (const token of [...Object.values(A_TOKENS), tokens.city]) {
        const reply = await get('/masks/farmland', token);
        expect(reply.status).toBe(404);
        expect(reply.json.description).toMatch(/spans regions outside its scope; read \/masks\/farmland\/\{region\}/);
        expect((await get('/masks/orchards', token)).status).toBe(400);
      }
      // Without team tokens (a read-only deployment on loopback) the reader's scope is the deployment.
      const open = buildApiServer({ source: storedAlerts(store), registry: null, store });
      try {
        const listed = (await open.inject({ method: 'GET', url: '/masks' })).json() as { deployment: { layer: string; href: string }[] };
        expect(listed.deployment.map((m) => m.href)).toEqual(['/masks/farmland', '/masks/redline']);
        const layer = await open.inject({ method: 'GET', url: '/masks/redline' });
        expect(layer.statusCode).toBe(200);
        expect(layer.headers['content-type']).toMatch(/^application\/geo\+json/);
        expect(layer.rawPayload.equals(await readFile(join('fixtures', 'masks', 'redline.geojson')))).toBe(true);
        expect(layer.headers.etag).toBe(`"${sha256Hex(layer.rawPayload)}"`);
      } finally {
        await open.close();
      }
    },
  },
  'GET /masks/:layer/:region': {
    path: () => `/masks/farmland/${B}`,
    roles: READERS,
    check: async () => {
      await ensureMaskLayers();
      for (const token of Object.values(A_TOKENS)) {
        // B's layer answers like a region without one.
        const none = await get('/masks/farmland/321299', token);
        expect(none.status).toBe(404);
        const b = await get(`/masks/farmland/${B}`, token);
        expect(b.status).toBe(404);
        expect(b.text.replaceAll(B, '321299')).toBe(none.text);
        expect(b.text).not.toContain(B_PARCEL);
        const a = await get(`/masks/farmland/${A}`, token);
        expect(a.status).toBe(200);
        expect(a.json.features[0].properties.name).toBe(A_PARCEL);
        expect((await get(`/masks/redline/${A}`, token)).status).toBe(404);
        expect((await get(`/masks/orchards/${A}`, token)).status).toBe(400);
      }
      expect((await get(`/masks/farmland/${B}`, tokens.bOperator)).json.features[0].properties.name).toBe(B_PARCEL);
      expect((await get(`/masks/farmland/${B}`, tokens.city)).json.features[0].properties.name).toBe(B_PARCEL);
    },
  },
  'PUT /masks/:layer/:region': {
    path: () => `/masks/farmland/${B}`,
    body: () => maskLayer('forged'),
    roles: OPERATORS,
    check: async () => {
      await ensureMaskLayers();
      for (const token of [tokens.aOperator, tokens.aAdmin]) {
        for (const region of [B, CITY, '320000']) {
          const refused = await request('PUT', `/masks/redline/${region}`, token, maskLayer('forged'));
          expect(refused.status, region).toBe(403);
          expect(refused.json.description).toMatch(/outside team .*'s scope/);
        }
      }
      expect((await get(`/masks/farmland/${B}`, tokens.bOperator)).json.features[0].properties.name).toBe(B_PARCEL);
      // A bad layer is refused naming the field, and the current one stays.
      const bad = await request('PUT', `/masks/farmland/${A}`, tokens.aOperator, maskLayer('x', { type: 'Point', coordinates: [119.9, 32.4] }));
      expect(bad.status).toBe(400);
      expect(bad.json.description).toContain('features[0].geometry: Point geometries are not allowed');
      expect((await get(`/masks/farmland/${A}`, tokens.aOperator)).json.features[0].properties.name).toBe(A_PARCEL);
      expect((await request('PUT', '/masks/farmland/32120', tokens.aOperator, maskLayer('x'))).status).toBe(400);
      expect((await request('PUT', `/masks/orchards/${A}`, tokens.aOperator, maskLayer('x'))).status).toBe(400);
      expect(await maskRegions(tokens.city)).toEqual([`farmland ${A}`, `farmland ${B}`]);
    },
  },
  'DELETE /masks/:layer/:region': {
    path: () => `/masks/farmland/${B}`,
    roles: OPERATORS,
    check: async () => {
      await ensureMaskLayers();
      for (const token of [tokens.aOperator, tokens.aAdmin]) expect((await request('DELETE', `/masks/farmland/${B}`, token)).status).toBe(403);
      expect(await maskRegions(tokens.bOperator)).toEqual([`farmland ${B}`]);
      // A's operators withdraw their own layer, and set it again.
      expect((await request('DELETE', `/masks/farmland/${A}`, tokens.aOperator)).status).toBe(204);
      expect((await get(`/masks/farmland/${A}`, tokens.aOperator)).status).toBe(404);
      expect((await request('DELETE', `/masks/farmland/${A}`, tokens.aOperator)).status).toBe(404);
      expect((await request('PUT', `/masks/farmland/${A}`, tokens.aOperator, maskLayer(A_PARCEL))).status).toBe(200);
      expect(await maskRegions(tokens.city)).toEqual([`farmland ${A}`, `farmland ${B}`]);
    },
  },
  'GET /approvals': {
    path: () => '/approvals',
    roles: READERS,
    check: async () => {
      await ensureApprovalLayers();
      for (const token of Object.values(A_TOKENS)) {
        expect(await layerRegions(token)).toEqual([A]);
        expect((await get('/approvals', token)).text).not.toContain(B);
      }
      expect(await layerRegions(tokens.bOperator)).toEqual([B]);
      expect(await layerRegions(tokens.city)).toEqual([A, B]);
    },
  },
  'GET /approvals/:region': {
    path: () => `/approvals/${B}`,
    roles: READERS,
    check: async () => {
      await ensureApprovalLayers();
      for (const token of Object.values(A_TOKENS)) {
        // B's layer answers like a region without one.
        const none = await get('/approvals/321299', token);
        expect(none.status).toBe(404);
        const b = await get(`/approvals/${B}`, token);
        expect(b.status).toBe(404);
        expect(b.text.replaceAll(B, '321299')).toBe(none.text);
        expect(b.text).not.toContain(B_APPROVAL);
        const a = await get(`/approvals/${A}`, token);
        expect(a.status).toBe(200);
        expect(a.json.features[0].properties.number).toBe(A_APPROVAL);
      }
      expect((await get(`/approvals/${B}`, tokens.bOperator)).json.features[0].properties.number).toBe(B_APPROVAL);
      expect((await get(`/approvals/${B}`, tokens.city)).json.features[0].properties.number).toBe(B_APPROVAL);
    },
  },
  'PUT /approvals/:region': {
    path: () => `/approvals/${B}`,
    body: () => approvalLayer('forged'),
    roles: OPERATORS,
    check: async () => {
      await ensureApprovalLayers();
      for (const token of [tokens.aOperator, tokens.aAdmin]) {
        for (const region of [B, CITY, '320000']) {
          const refused = await request('PUT', `/approvals/${region}`, token, approvalLayer('forged'));
          expect(refused.status, region).toBe(403);
          expect(refused.json.description).toMatch(/outside team .*'s scope/);
        }
      }
      expect((await get(`/approvals/${B}`, tokens.bOperator)).json.features[0].properties.number).toBe(B_APPROVAL);
      expect(await layerRegions(tokens.city)).toEqual([A, B]);
      // A bad layer is refused naming the field, and the current one stays.
      const bad = await request('PUT', `/approvals/${A}`, tokens.aOperator, approvalLayer('x', 'land_grab'));
      expect(bad.status).toBe(400);
      expect(bad.json.description).toContain('features[0].properties.kind');
      expect((await get(`/approvals/${A}`, tokens.aOperator)).json.features[0].properties.number).toBe(A_APPROVAL);
      expect((await request('PUT', '/approvals/32120', tokens.aOperator, approvalLayer('x'))).status).toBe(400);
    },
  },
  'DELETE /approvals/:region': {
    path: () => `/approvals/${B}`,
    roles: OPERATORS,
    check: async () => {
      await ensureApprovalLayers();
      for (const token of [tokens.aOperator, tokens.aAdmin]) expect((await request('DELETE', `/approvals/${B}`, token)).status).toBe(403);
      expect(await layerRegions(tokens.bOperator)).toEqual([B]);
      // A's operators withdraw their own layer, and set it again.
      expect((await request('DELETE', `/approvals/${A}`, tokens.aOperator)).status).toBe(204);
      expect((await get(`/approvals/${A}`, tokens.aOperator)).status).toBe(404);
      expect((await request('DELETE', `/approvals/${A}`, tokens.aOperator)).status).toBe(404);
      expect((await request('PUT', `/approvals/${A}`, tokens.aOperator, approvalLayer(A_APPROVAL))).status).toBe(200);
      expect(await layerRegions(tokens.city)).toEqual([A, B]);
    },
  },
  'POST /webhooks': {
    path: () => '/webhooks',
    body: () => ({ url: 'https://hooks.example.org/b', regions: [B] }),
    roles: ENFORCERS,
    check: async () => {
      // Subscribing to B, to the city around both, or to the province is refused to A's tokens.
      for (const token of [tokens.aEnforcer, tokens.aAdmin]) {
        for (const regions of [[B], [A, B], [CITY], ['320000']]) {
          const refused = await request('POST', '/webhooks', token, { url: 'https://hooks.example.org/x', regions });
          expect(refused.status, regions.join(',')).toBe(403);
          expect(refused.json.description).toMatch(/outside team .*'s scope/);
        }
      }
      expect((await request('POST', '/webhooks', tokens.aAdmin, { url: 'https://hooks.example.org/admin', regions: [A] })).status).toBe(201);
      // Deliveries queued for each endpoint cover exactly the 图斑 of its regions.
      const jobs = await webhookQueue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
      const delivered = (endpoint: { id: string }) =>
        [...new Set(jobs.filter((j) => j.data.endpointId === endpoint.id).map((j) => (JSON.parse(j.data.body) as { data: AlertFeature }).data.id))].sort();
      expect(delivered(endpoints.a)).toEqual(aIds);
      expect(delivered(endpoints.b)).toEqual(bIds);
      expect(delivered(endpoints.city)).toEqual([...aIds, ...bIds].sort());
    },
  },
  'GET /webhooks': {
    path: () => '/webhooks',
    roles: ENFORCERS,
    check: async () => {
      const listed = async (token: string) => ((await get('/webhooks', token)).json.endpoints as { id: string }[]).map((e) => e.id);
      expect(await listed(tokens.aEnforcer)).toEqual([endpoints.a.id]);
      expect(await listed(tokens.bEnforcer)).toEqual([endpoints.b.id]);
      expect(await listed(tokens.city)).toEqual([endpoints.city.id]);
      for (const token of [tokens.aEnforcer, tokens.aAdmin]) {
        const reply = await get('/webhooks', token);
        for (const other of [endpoints.b.id, endpoints.city.id]) expect(reply.text.includes(other)).toBe(false);
        expect(reply.text).not.toMatch(/whsec_/);
      }
    },
  },
  'DELETE /webhooks/:id': {
    path: () => `/webhooks/${endpoints.b.id}`,
    roles: ENFORCERS,
    check: async () => {
      for (const token of [tokens.aEnforcer, tokens.aAdmin]) {
        for (const other of [endpoints.b.id, endpoints.city.id]) expect((await request('DELETE', `/webhooks/${other}`, token)).status).toBe(404);
      }
      const b = (await get('/webhooks', tokens.bEnforcer)).json.endpoints as { id: string; enabled: boolean }[];
      expect(b).toEqual([expect.objectContaining({ id: endpoints.b.id, enabled: true })]);
    },
  },
  'GET /overdue': {
    path: () => `/overdue?today=2099-01-01&county=${B}`,
    roles: READERS,
    check: async () => {
      for (const token of Object.values(A_TOKENS)) {
        const all = await get('/overdue?today=2099-01-01', token);
        expect(all.status).toBe(200);
        expect(all.json.count).toBeGreaterThan(0);
        expect(Object.keys(all.json.byCounty)).toEqual([A]);
        expect((all.json.items as { tubanId: string }[]).every((i) => aIds.includes(i.tubanId))).toBe(true);
        expectNothingOfB(all, 'overdue');
        const b = await get(`/overdue?today=2099-01-01&county=${B}`, token);
        expect(b.json.count).toBe(0);
        expectNothingOfB(b, 'overdue?county=B');
      }
      expect(Object.keys((await get('/overdue?today=2099-01-01', tokens.city)).json.byCounty).sort()).toEqual([A, B]);
      expect(Object.keys((await get('/overdue?today=2099-01-01', tokens.bEnforcer)).json.byCounty)).toEqual([B]);
    },
  },
  'GET /stats/false-alarms': {
    path: () => '/stats/false-alarms',
    roles: READERS,
    check: async () => {
      const stats = async (token: string) => (await get('/stats/false-alarms', token)).json as { judged: number; falseAlarmsByChangeType: Record<string, Record<string, number>> };
      const reasons = (s: Awaited<ReturnType<typeof stats>>) => Object.values(s.falseAlarmsByChangeType).flatMap((r) => Object.keys(r));
      const a = await stats(tokens.aAuditor);
      const b = await stats(tokens.bEnforcer);
      const city = await stats(tokens.city);
      expect(reasons(b)).toContain('cloud_or_shadow'); // only B judged one so
      expect(a.judged).toBeGreaterThan(0);
      expect(city.judged).toBe(a.judged + b.judged);
      for (const token of Object.values(A_TOKENS)) {
        const mine = await stats(token);
        expect(mine).toEqual(a);
        expect(reasons(mine)).not.toContain('cloud_or_shadow');
      }
    },
  },
  'POST /uploads': {
    path: () => '/uploads',
    roles: OPERATORS,
    check: async () => {
      for (const token of [tokens.aOperator, tokens.aAdmin]) expect((await request('POST', '/uploads', token)).status).toBe(201);
    },
  },
  'GET /uploads/:id': {
    path: () => `/uploads/${bUpload}`,
    roles: OPERATORS,
    check: async () => {
      for (const token of [tokens.aOperator, tokens.aAdmin]) {
        const reply = await get(`/uploads/${bUpload}`, token);
        expect(reply.status).toBe(404);
        expect(reply.text).not.toMatch(/batch\.json/);
      }
      expect((await get(`/uploads/${bUpload}`, tokens.bOperator)).json.files).toHaveLength(1);
    },
  },
  'PUT /uploads/:id/files/:name': {
    path: () => `/uploads/${bUpload}/files/scene.tif`,
    body: () => new Uint8Array(16),
    roles: OPERATORS,
    check: async () => {
      const files = await listUploadedFiles(store, bUpload);
      for (const token of [tokens.aOperator, tokens.aAdmin]) {
        for (const name of ['scene.tif', 'batch.json']) expect((await request('PUT', `/uploads/${bUpload}/files/${name}`, token, new Uint8Array(16))).status).toBe(404);
      }
      expect(await listUploadedFiles(store, bUpload)).toEqual(files);
    },
  },
  'POST /uploads/:id/files': {
    path: () => `/uploads/${bUpload}/files`,
    roles: OPERATORS,
    check: async () => {
      for (const token of [tokens.aOperator, tokens.aAdmin]) {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(16)]), 'scene.tif');
        expect((await request('POST', `/uploads/${bUpload}/files`, token, form)).status).toBe(404);
      }
      expect((await listUploadedFiles(store, bUpload)).map((f) => f.name)).toEqual(['batch.json']);
    },
  },
  'POST /uploads/:id/presign': {
    path: () => `/uploads/${bUpload}/presign`,
    body: () => ({ name: 'scene.tif' }),
    roles: OPERATORS,
    check: async () => {
      for (const token of [tokens.aOperator, tokens.aAdmin]) expect((await request('POST', `/uploads/${bUpload}/presign`, token, { name: 'scene.tif' })).status).toBe(404);
      // B's own operator reaches the route (this store is local, so it is told to send the file instead).
      expect((await request('POST', `/uploads/${bUpload}/presign`, tokens.bOperator, { name: 'scene.tif' })).status).toBe(409);
    },
  },
  'POST /uploads/:id/commit': {
    path: () => `/uploads/${bUpload}/commit`,
    roles: OPERATORS,
    check: async () => {
      for (const token of [tokens.aOperator, tokens.aAdmin]) expect((await request('POST', `/uploads/${bUpload}/commit`, token)).status).toBe(404);
      // A's operator cannot bring in a batch for B through an upload of its own.
      const own = (await request('POST', '/uploads', tokens.aOperator)).json.uploadId as string;
      const manifest = { batchId: 'gaogang-2024-07', acquiredAt: '2024-07-01', platform: 'satellite', sensor: 'GF-1 WFV', bands: [...BANDS6], regionCode: B };
      expect((await request('PUT', `/uploads/${own}/files/batch.json`, tokens.aOperator, new TextEncoder().encode(JSON.stringify(manifest)))).status).toBe(201);
      expect((await request('PUT', `/uploads/${own}/files/scene.tif`, tokens.aOperator, new Uint8Array(16))).status).toBe(201);
      const refused = await request('POST', `/uploads/${own}/commit`, tokens.aOperator);
      expect(refused.status).toBe(403);
      expect(refused.json.description).toMatch(new RegExp(`${B} is outside`));
      expect(started).toEqual([]);
    },
  },
  'GET /batches/:batchId': {
    path: () => `/batches/${B_BATCHES[1]}`,
    roles: READERS,
    check: async () => {
      for (const token of Object.values(A_TOKENS)) {
        const nothing = await get('/batches/no-such-batch', token);
        for (const batchId of B_BATCHES) {
          const reply = await get(`/batches/${batchId}`, token);
          expect(reply.status).toBe(404);
          expect(reply.text.replaceAll(batchId, 'no-such-batch')).toBe(nothing.text);
        }
        expect((await get(`/batches/${TAIZHOU_AFTER_BATCH}`, token)).status).toBe(200);
      }
      for (const token of [tokens.bEnforcer, tokens.city]) expect((await get(`/batches/${B_BATCHES[1]}`, token)).json.state).toBe('done');
    },
  },
  'GET /batches/:batchId/coverage': {
    path: () => `/batches/${B_BATCHES[1]}/coverage`,
    roles: READERS,
    check: async () => {
      for (const token of Object.values(A_TOKENS)) {
        const nothing = await get('/batches/no-such-batch/coverage', token);
        for (const batchId of B_BATCHES) {
          const reply = await get(`/batches/${batchId}/coverage`, token);
          expect(reply.status).toBe(404);
          expect(reply.text.replaceAll(batchId, 'no-such-batch')).toBe(nothing.text);
        }
        const own = await get(`/batches/${TAIZHOU_AFTER_BATCH}/coverage`, token);
        expect(own.status).toBe(200);
        expect((JSON.parse(own.text) as { features: unknown[] }).features.length).toBeGreaterThan(0);
      }
      for (const token of [tokens.bEnforcer, tokens.city]) expect((await get(`/batches/${B_BATCHES[1]}/coverage`, token)).status).toBe(200);
    },
  },
};

describe('region scope and roles on every route', () => {
  it('has data in both counties, and a scope case for every route the server registers', () => {
    expect(aIds.length).toBeGreaterThan(10);
    expect(bIds.length).toBeGreaterThanOrEqual(3);
    const { routes } = registeredRoutes(app);
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(CASES).length);
    const missing = routes.filter((r) => !CASES[r]);
    expect(missing, 'routes without a scope case: add one to CASES in test/api/scope.test.ts').toEqual([]);
    expect(Object.keys(CASES).filter((r) => !routes.includes(r)), 'cases for routes that no longer exist').toEqual([]);
  });

  it('refuses requests without a valid token on every route but the landing page and conformance', async () => {
    for (const [route, scope] of Object.entries(CASES)) {
      const method = route.split(' ')[0]!;
      for (const token of [null, generateToken()]) {
        const reply = await request(method, scope.path(), token, scope.body?.());
        if (scope.roles === null) expect(reply.status, route).toBe(200);
        else expect(reply.status, `${route} with ${token ? 'an unknown token' : 'no token'}`).toBe(401);
      }
    }
  });

  it('gives each role only what docs/api.md grants it, on every route', async () => {
    for (const [route, scope] of Object.entries(CASES)) {
      if (scope.roles === null) continue;
      const method = route.split(' ')[0]!;
      for (const [role, token] of Object.entries(A_TOKENS) as [Role, string][]) {
        if (scope.roles.includes(role)) continue;
        const reply = await request(method, scope.path(), token, scope.body?.());
        expect(reply.status, `${role} on ${route}`).toBe(403);
        expectNothingOfB(reply, `${role} on ${route}`);
      }
    }
  });

  it('answers HEAD like GET, with nothing of B', async () => {
    const { head } = registeredRoutes(app);
    for (const [route, scope] of Object.entries(CASES)) {
      const [method, path] = route.split(' ') as [string, string];
      if (method !== 'GET' || !head.has(path)) continue;
      for (const token of Object.values(A_TOKENS)) {
        const got = scope.streams ? { status: 200 } : await request('GET', scope.path(), scope.roles === null ? null : token);
        const headed = await request('HEAD', scope.path(), scope.roles === null ? null : token);
        expect(headed.status, `HEAD ${route}`).toBe(got.status);
        expect(headed.text).toBe('');
      }
    }
  });

  for (const route of Object.keys(CASES)) {
    it(`${route}: county A's tokens never reach county B's 图斑`, async () => {
      await CASES[route]!.check();
    }, 120_000);
  }
});
