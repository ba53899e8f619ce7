/**
 * 图斑 identity across epochs (issue 5, acceptance 5) on four synthetic monthly epochs of one county:
 *   G  a construction site that grows every month → one 图斑 with three observations, dispatched once
 *      and then updated;
 *   A  a site inside a valid approval (农转用) → likely_legal, held, never announced;
 *   L  a site judged 合法 after its first dispatch, seen again slightly larger → recorded, not sent again;
 *      much larger a month later → sent again (regrowth) with a new deadline;
 *   V  a site judged 违法, seen again → updated with severity one level higher.
 * Announcements go through the real Redis stream sink, so "not dispatched" is checked on the feed itself.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import proj4 from 'proj4';
import { createStore, defaultParameters, directorySource, keys, readCase, redisStreamSink, runBatch, setCurrentApprovals, setCurrentMask, transitionCase, tubanHistory, withCaseOpening, type AlertFeature, type AlertSink, type BlobStore, type ResolutionRecord, type TubanVersion, restoreCurrentViews, rebuildAlertIndex, alertIndexKey } from '@shoutu/shared';
import { createRedis } from '@shoutu/shared/queue/index.js';
import { rectangle, mapXYOf as lonLatOf, siteScene, SITE_SCENE_SIZE as SIZE, SITES_CRS as CRS, type Rect } from '../support/synthetic-sites.js';
import { ensureRedis, uniquePrefix, type RedisHandle } from '../support/redis.js';

/** Concrete rectangles present in each epoch (pixels, end exclusive). */
const SITES: Record<string, Rect[]> = {
  '2024-01-15': [],
  '2024-02-15': [[20, 20, 36, 36], [20, 70, 36, 86], [70, 70, 86, 86], [20, 100, 36, 116]],
  '2024-03-15': [[20, 20, 52, 36], [20, 70, 36, 86], [70, 70, 90, 86], [20, 100, 40, 116]],
  '2024-04-15': [[20, 20, 52, 52], [20, 70, 36, 86], [70, 70, 120, 86], [20, 100, 40, 116]],
};
const BATCHES = Object.keys(SITES).map((date) => ({ date, batchId: `epoch-${date.slice(0, 7)}` }));

const scene = (date: string) => siteScene(date, SITES[date]!);

let dir: string;
let store: BlobStore;
let redisHandle: RedisHandle;
let redis: Redis;
let prefix: string;
let streamKey: string;
const versionsOf: Record<string, AlertFeature[]> = {};
let clock = new Date('2024-02-20T02:00:00Z');

const toLonLat = proj4('+proj=utm +zone=51 +datum=WGS84 +units=m +no_defs', 'EPSG:4326');

/** The 图斑 (WGS84 bbox) that holds the centre of scene pixel (x, y). */
function tubanAt(features: AlertFeature[], x: number, y: number): AlertFeature {
  const [lon, lat] = toLonLat.forward(lonLatOf(x + 0.5, y + 0.5)) as [number, number];
  const found = features.filter(({ bbox: [west, south, east, north] }) => lon >= west && lon <= east && lat >= south && lat <= north);
  expect(found, `one 图斑 at pixel (${x}, ${y})`).toHaveLength(1);
  return found[0]!;
}

async function runEpoch(batchId: string, date: string, sink: AlertSink): Promise<AlertFeature[]> {
  const batchDir = join(dir, batchId);
  await mkdir(batchDir, { recursive: true });
  await writeFile(join(batchDir, 'scene.tif'), scene(date));
  await writeFile(join(batchDir, 'batch.json'), JSON.stringify({ batchId, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' }));
  const { finalize } = await runBatch(store, directorySource(batchDir), defaultParameters({ tileSize: 64 }), { sink });
  return finalize.alerts;
}

async function streamEntries(): Promise<AlertFeature[]> {
  const entries = (await redis.xrange(streamKey, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('alert') + 1]!) as AlertFeature);
}

async function judge(id: string, verdict: 'legal' | 'illegal', reason: 'approved' | 'confirmed_violation') {
  const by = { team: 'county-321202', user: 'inspector' };
  const at = (minutes: number) => new Date(clock.getTime() + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await transitionCase(store, id, { to: 'in_review', at: at(1), by });
  await transitionCase(store, id, { to: 'judged', verdict, reason, at: at(2), by });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-epochs-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  redisHandle = await ensureRedis();
  redis = createRedis(redisHandle.url);
  prefix = uniquePrefix('epochs');
  const stream = redisStreamSink(redis, prefix);
  streamKey = stream.streamKey;
  const sink = withCaseOpening(stream, store, () => clock);
  const farmland = { type: 'FeatureCollection', crs: CRS, features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rectangle(0, 0, SIZE, SIZE) } }] };
  await setCurrentMask(store, 'farmland', new TextEncoder().encode(JSON.stringify(farmland)), 'farmland.geojson');
  const approvals = {
    type: 'FeatureCollection',
    crs: CRS,
    features: [
      // Site A, with a margin: covered whole.
      { type: 'Feature', properties: { number: '苏政地〔2024〕17号', kind: 'land_conversion', validFrom: '2024-01-01', validTo: '2025-12-31' }, geometry: { type: 'Polygon', coordinates: rectangle(17, 67, 39, 89) } },
      // Over site G, but expired before the site appeared: no effect.
      { type: 'Feature', properties: { number: '苏政地〔2019〕3号', kind: 'land_supply', validFrom: '2019-01-01', validTo: '2020-12-31' }, geometry: { type: 'Polygon', coordinates: rectangle(17, 17, 55, 55) } },
    ],
  };
  await setCurrentApprovals(store, new TextEncoder().encode(JSON.stringify(approvals)), 'approvals.geojson');
  for (const { batchId, date } of BATCHES) {
    clock = new Date(`${date}T10:00:00Z`);
    versionsOf[batchId] = await runEpoch(batchId, date, sink);
    if (batchId === 'epoch-2024-02') {
      // County teams judge two of the new sites before the next epoch arrives.
      await judge(tubanAt(versionsOf[batchId]!, 75, 75).id, 'legal', 'approved');
      await judge(tubanAt(versionsOf[batchId]!, 25, 105).id, 'illegal', 'confirmed_violation');
    }
  }
}, 240_000);

afterAll(async () => {
  await redis?.del(streamKey, `${prefix}:alerts:seen`, alertIndexKey(prefix));
  redis?.disconnect();
  await redisHandle?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('图斑 across four epochs', () => {
  it('numbers new 图斑 by county, month and sequence, and keeps the number for later observations', () => {
    const first = versionsOf['epoch-2024-02']!;
    expect(first.map((f) => f.id)).toEqual(['321202-202402-0001', '321202-202402-0002', '321202-202402-0003', '321202-202402-0004']);
    const later = [...versionsOf['epoch-2024-03']!, ...versionsOf['epoch-2024-04']!];
    expect(later.length).toBeGreaterThan(0);
    for (const f of later) expect(f.id).toMatch(/^321202-202402-000[1-4]$/); // nothing new was found: no new numbers
  });

  it('makes the growing construction site one 图斑 with three observations and the union area', async () => {
    const site = tubanAt(versionsOf['epoch-2024-04']!, 25, 25);
    const history = await tubanHistory(store, site.id);
    expect(history.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(history.map((v) => v.action)).toEqual(['dispatch', 'update', 'update']);
    const p = site.properties;
    expect(p.observations!.map((o) => o.afterDate)).toEqual(['2024-02-15', '2024-03-15', '2024-04-15']);
    expect(p.firstObserved).toBe('2024-02-15');
    expect(p.lastObserved).toBe('2024-04-15');
    expect(p.changeType).toBe('construction');
    // 32 × 32 pixels of 100 m² (UTM grid; true ground area differs by the scale factor, < 0.1 %), ±1 pixel ring.
    expect(p.areaM2).toBeGreaterThan(30 * 30 * 100 * 0.99);
    expect(p.areaM2).toBeLessThan(34 * 34 * 100 * 1.01);
    expect(p.areaM2).toBeGreaterThan(p.observations!.reduce((m, o) => Math.max(m, o.areaM2), 0));
    expect(p.overlap.farmland.areaM2).toBeCloseTo(p.areaM2, 2);
    expect(site.geometry.type).toBe('Polygon');
    // The expired approval over it does not count.
    expect(p.likelyLegal).toBe(false);
    expect(p.approvals).toEqual([]);
    // alerts/<id>.json is the newest version; a lost or stale view is restored from the versions.
    expect(JSON.parse(Buffer.from(await store.get(keys.alert(site.id))).toString('utf8'))).toEqual(site);
    const v1 = await store.get(keys.tubanVersion(site.id, 1));
    await store.put(keys.alert(site.id), JSON.stringify((JSON.parse(Buffer.from(v1).toString('utf8')) as TubanVersion).feature));
    await store.delete(keys.alert(tubanAt(versionsOf['epoch-2024-02']!, 25, 75).id));
    expect(await restoreCurrentViews(store)).toBe(2);
    expect(JSON.parse(Buffer.from(await store.get(keys.alert(site.id))).toString('utf8'))).toEqual(site);
    expect(await restoreCurrentViews(store)).toBe(0);
  });

  it('holds a site covered by a valid approval as likely legal and never announces it', async () => {
    const site = tubanAt(versionsOf['epoch-2024-02']!, 25, 75);
    expect(site.properties.likelyLegal).toBe(true);
    expect(site.properties.dispatch).toBe('hold');
    expect(site.properties.approvals).toEqual([{ number: '苏政地〔2024〕17号', kind: 'land_conversion', validFrom: '2024-01-01', validTo: '2025-12-31' }]);
    expect(site.properties.approvalCover).toBe(1);
    expect((await readCase(store, site.id))?.status).toBe('likely_legal');
    expect((await streamEntries()).filter((f) => f.id === site.id)).toEqual([]);
  });

  it('does not send a site judged 合法 again when it has not grown beyond the regrowth factor', async () => {
    const v2 = tubanAt(versionsOf['epoch-2024-03']!, 75, 75);
    expect(v2.properties.version).toBe(2);
    expect(v2.properties.dispatch).toBe('record');
    expect(v2.properties.areaM2 / v2.properties.observations![0]!.areaM2).toBeLessThan(1.5);
    const announced = (await streamEntries()).filter((f) => f.id === v2.id).map((f) => f.properties.version);
    expect(announced).not.toContain(2);
    const record = await readCase(store, v2.id);
    expect(record?.status).toBe('dispatched'); // sent again only in the fourth epoch (next test)
    expect(record?.history.filter((e) => e.redispatch).map((e) => e.redispatch!.version)).toEqual([3]);
  });

  it('sends a 合法 site again, with a new deadline, once it grows beyond the factor', async () => {
    const v3 = tubanAt(versionsOf['epoch-2024-04']!, 75, 75);
    expect(v3.properties.dispatch).toBe('redispatch');
    expect(v3.properties.redispatchCause).toBe('regrowth');
    const record = (await readCase(store, v3.id))!;
    const judged = record.history.find((e) => e.to === 'judged')!;
    expect(judged.judged).toEqual({ version: 1, areaM2: v3.properties.observations![0]!.areaM2 });
    expect(record.verdict).toBeNull();
    expect(record.deadline).toBe('2024-05-10');
    expect(record.opening.deadline).toBe('2024-03-10');
    expect((await streamEntries()).filter((f) => f.id === v3.id).map((f) => f.properties.version)).toEqual([1, 3]);
  });

  it('raises the severity of a 违法 site seen again and sends the update', async () => {
    const first = tubanAt(versionsOf['epoch-2024-02']!, 25, 105);
    const again = tubanAt(versionsOf['epoch-2024-03']!, 25, 105);
    expect(again.id).toBe(first.id);
    expect(again.properties.repeatViolation).toBe(true);
    expect(again.properties.dispatch).toBe('update');
    const levels = ['low', 'medium', 'high', 'critical'];
    expect(levels.indexOf(again.properties.severity)).toBeGreaterThan(levels.indexOf(first.properties.severity));
    expect((await streamEntries()).filter((f) => f.id === first.id).map((f) => f.properties.version)).toEqual([1, 2]);
  });

  it('records every input of each resolution, and the stream holds each announced version once', async () => {
    const resolution = JSON.parse(Buffer.from(await store.get(keys.batchResolution('epoch-2024-03'))).toString('utf8')) as ResolutionRecord;
    const updated = versionsOf['epoch-2024-03']!;
    expect(updated).toHaveLength(3); // G, L and V changed; A did not
    expect(resolution.prior.map((p) => p.key)).toEqual(updated.map((f) => keys.tubanVersion(f.id, 1)));
    expect(resolution.cases[tubanAt(updated, 75, 75).id]).toMatchObject({ status: 'judged', verdict: 'legal' });
    expect(resolution.cases[tubanAt(updated, 25, 105).id]).toMatchObject({ status: 'judged', verdict: 'illegal' });
    expect(resolution.lastSequence).toEqual({});
    expect((await streamEntries()).filter((f) => f.id === tubanAt(updated, 25, 25).id).map((f) => f.properties.version)).toEqual([1, 2, 3]);
    const announced = (await streamEntries()).map((f) => `${f.id}@${f.properties.version}`);
    expect(new Set(announced).size).toBe(announced.length);
  });

  it('after Redis lost the stream, rebuild puts back every announced version, in epoch order, once', async () => {
    const before = (await redis.xrange(streamKey, '-', '+')).map(([, fields]) => fields);
    expect(before.length).toBeGreaterThan(versionsOf['epoch-2024-02']!.length); // later versions were announced too
    await redis.del(streamKey, `${prefix}:alerts:seen`, alertIndexKey(prefix));
    const report = await rebuildAlertIndex(redis, prefix, store);
    expect(report).toEqual({ alerts: 4, restreamed: before.length });
    expect((await redis.xrange(streamKey, '-', '+')).map(([, fields]) => fields)).toEqual(before);
    expect((await rebuildAlertIndex(redis, prefix, store)).restreamed).toBe(0);
  });
});
