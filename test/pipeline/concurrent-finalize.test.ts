/**
 * Finalisations that run at the same time (two alert workers, or ALERT_CONCURRENCY > 1) must not lose or
 * duplicate 图斑. Two areas of one county get a new epoch in the same month; both batches are ingested and
 * detected, then finalised at once. Both read the same last sequence number of `321202-202402`, so without
 * an order between them they would issue the same 图斑编号 and one batch would never be announced.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertTile,
  createStore,
  defaultParameters,
  detectTile,
  directorySource,
  finalizeBatch,
  ingestBatch,
  keys,
  MaskCache,
  runBatch,
  setCurrentMask,
  tubanHistory,
  type AlertFeature,
  type AlertSink,
  type BlobStore,
  type PutOptions,
} from '@shoutu/shared';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';

const SIZE = 128;
const PIXEL = 10;
const CROP = [10, 18, 12, 88];
const CONCRETE = [50, 52, 55, 60];
/** Two areas of county 321202, 5 km apart; each gets sites in the new epoch. */
const AREAS = {
  east: { origin: [505_000, 3_600_000], sites: [[20, 20, 40, 40], [70, 70, 90, 90]] },
  west: { origin: [500_000, 3_600_000], sites: [[30, 60, 50, 80], [80, 20, 100, 36], [90, 90, 110, 110]] },
} as const;
type AreaName = keyof typeof AREAS;

function scene(area: AreaName, date: string, built: boolean): Uint8Array {
  const { origin, sites } = AREAS[area];
  const random = mulberry32(Number(date.replace(/-/g, '')) + origin[0]);
  const n = SIZE * SIZE;
  const planes = new Uint8Array(4 * n);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inSite = built && sites.some(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1);
      for (let b = 0; b < 4; b++) planes[b * n + y * SIZE + x] = Math.round((inSite ? CONCRETE : CROP)[b]! + (random() - 0.5) * 4);
    }
  }
  return encodeMultiBandGeoTiff({ width: SIZE, height: SIZE, bands: 4, planes, originX: origin[0], originY: origin[1], pixelSize: PIXEL });
}

let dir: string;

async function batchDir(batchId: string, area: AreaName, date: string, built: boolean): Promise<string> {
  const path = join(dir, batchId);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'scene.tif'), scene(area, date, built));
  await writeFile(join(path, 'batch.json'), JSON.stringify({ batchId, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' }));
  return path;
}

/** Ingest, detect and alert every tile of a batch: everything but the finalisation. */
async function detectBatch(store: BlobStore, path: string): Promise<string> {
  const masks = new MaskCache();
  const { batchId, tiles } = await ingestBatch(store, directorySource(path), defaultParameters({ tileSize: 64 }));
  for (const job of tiles) {
    await detectTile(store, job, masks);
    await alertTile(store, { batchId, tileKey: job.tileKey });
  }
  return batchId;
}

/** A fresh store with both areas' baselines (January) and both February batches detected, not finalised. */
async function twoPendingBatches(name: string): Promise<{ store: BlobStore; east: string; west: string }> {
  const store = createStore({ kind: 'local', dir: join(dir, name) });
  // Farmland over both areas, so every site is alerted.
  const corner = (x: number, y: number) => [x, y];
  const [x0, y1, x1, y0] = [500_000, 3_600_000, 505_000 + SIZE * PIXEL, 3_600_000 - SIZE * PIXEL];
  const farmland = {
    type: 'FeatureCollection',
    crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32651' } },
    features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[corner(x0, y1), corner(x1, y1), corner(x1, y0), corner(x0, y0), corner(x0, y1)]] } }],
  };
  await setCurrentMask(store, 'farmland', new TextEncoder().encode(JSON.stringify(farmland)), 'farmland.geojson');
  for (const area of ['east', 'west'] as const) {
    await runBatch(store, directorySource(await batchDir(`${name}-${area}-2024-01`, area, '2024-01-15', false)), defaultParameters({ tileSize: 64 }));
  }
  const east = await detectBatch(store, await batchDir(`${name}-east-2024-02`, 'east', '2024-02-10', true));
  const west = await detectBatch(store, await batchDir(`${name}-west-2024-02`, 'west', '2024-02-20', true));
  return { store, east, west };
}

/** Announcements in order, as a stream consumer would see them. */
function recordingSink(): AlertSink & { announced: AlertFeature[] } {
  const announced: AlertFeature[] = [];
  return { announced, async publish(feature) { announced.push(feature); return true; } };
}

/** The store with every write under tuban/ taking 50 ms longer. */
function slowTubanWrites(store: BlobStore): BlobStore {
  const delayed = async (key: string) => {
    if (key.startsWith('tuban/')) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  return Object.create(store, {
    putIfAbsent: { value: async (key: string, bytes: Uint8Array | string, options?: PutOptions) => (await delayed(key), store.putIfAbsent(key, bytes, options)) },
    put: { value: async (key: string, bytes: Uint8Array | string, options?: PutOptions) => (await delayed(key), store.put(key, bytes, options)) },
  }) as BlobStore;
}

/** Every current 图斑 number in the store. */
async function tubanNumbers(store: BlobStore): Promise<string[]> {
  return (await store.list('alerts/')).map((key) => key.slice('alerts/'.length, -'.json'.length)).sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-finalize-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('finalisations at the same time', () => {
  it('number every 图斑 of both batches once, without gaps, and announce each once', async () => {
    const { store, east, west } = await twoPendingBatches('together');
    const sink = recordingSink();
    // Slow 图斑 writes (a loaded object store): each finalisation is still writing when the other decides.
    const slow = slowTubanWrites(store);
    const [a, b] = await Promise.all([finalizeBatch(slow, east, sink), finalizeBatch(slow, west, sink)]);
    expect(a.alerts).toHaveLength(AREAS.east.sites.length);
    expect(b.alerts).toHaveLength(AREAS.west.sites.length);
    const numbers = [...a.alerts, ...b.alerts].map((f) => f.id).sort();
    const total = AREAS.east.sites.length + AREAS.west.sites.length;
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => `321202-202402-${String(i + 1).padStart(4, '0')}`));
    expect(await tubanNumbers(store)).toEqual(numbers);
    expect(sink.announced.map((f) => f.id).sort()).toEqual(numbers);
    for (const id of numbers) expect((await tubanHistory(store, id)).map((v) => v.version)).toEqual([1]);

    // A re-run of either finalisation (a retried job) replays its record: same versions, nothing new.
    const again = await finalizeBatch(store, west, recordingSink());
    expect(again.alerts).toEqual(b.alerts);
    expect(await tubanNumbers(store)).toEqual(numbers);
  }, 120_000);

  it('give the same 图斑 as finalising the batches one after the other, in the order they committed', async () => {
    const together = await twoPendingBatches('order-a');
    const slow = slowTubanWrites(together.store);
    const [a, b] = await Promise.all([finalizeBatch(slow, together.east, recordingSink()), finalizeBatch(slow, together.west, recordingSink())]);
    // Which batch commits first is a race; whichever it is, the result is the sequential one in that order.
    const eastFirst = a.alerts.some((f) => f.id.endsWith('-0001'));
    const sequential = await twoPendingBatches('order-b');
    const first = eastFirst ? sequential.east : sequential.west;
    const second = eastFirst ? sequential.west : sequential.east;
    const s1 = await finalizeBatch(sequential.store, first, recordingSink());
    const s2 = await finalizeBatch(sequential.store, second, recordingSink());
    const strip = (features: AlertFeature[]) => features.map((f) => ({ id: f.id, area: f.properties.areaM2, bbox: f.bbox }));
    expect(strip(eastFirst ? a.alerts : b.alerts)).toEqual(strip(s1.alerts));
    expect(strip(eastFirst ? b.alerts : a.alerts)).toEqual(strip(s2.alerts));
  }, 180_000);

  it.each([
    { stop: 'after committing to the log', at: 'record', westFirst: true },
    { stop: 'after writing its record', at: 'versions', westFirst: true },
    { stop: 'after committing to the log', at: 'record', westFirst: false },
  ] as const)('complete a finalisation that stopped $stop from its log entry, and never resolve it twice (west first: $westFirst)', async ({ at, westFirst }) => {
    const { store, east, west } = await twoPendingBatches(`crash-${at}-${westFirst}`);
    // The east finalisation commits its resolution, then its process dies.
    const dies = (key: string) => (at === 'record' ? key === keys.batchResolution(east) : key.startsWith('tuban/'));
    const crashing: BlobStore = Object.create(store, {
      putIfAbsent: {
        value: async (key: string, bytes: Uint8Array | string, options?: PutOptions) => {
          if (dies(key)) throw new Error('process killed');
          return store.putIfAbsent(key, bytes, options);
        },
      },
    });
    await expect(finalizeBatch(crashing, east, recordingSink())).rejects.toThrow('process killed');
    expect(await tubanNumbers(store)).toEqual([]);
    // Entries 1 and 2 are the two baselines' (empty) resolutions.
    const [, , eastEntry] = await store.list(keys.resolutionLog);
    expect(eastEntry).toBe(keys.resolutionLogEntry(3));
    expect(await store.exists(keys.batchResolution(east))).toBe(at === 'versions');

    // The west batch, finalised meanwhile, builds on the east batch's committed 图斑.
    const finalizeWest = async () => {
      const result = await finalizeBatch(store, west, recordingSink());
      expect(result.alerts.map((f) => f.id).sort()).toEqual(['321202-202402-0003', '321202-202402-0004', '321202-202402-0005']);
    };
    if (westFirst) await finalizeWest();

    // The east job's retry announces what its log entry says.
    const sink = recordingSink();
    const east1 = await finalizeBatch(store, east, sink);
    expect(east1.alerts.map((f) => f.id).sort()).toEqual(['321202-202402-0001', '321202-202402-0002']);
    expect(sink.announced.map((f) => f.id).sort()).toEqual(['321202-202402-0001', '321202-202402-0002']);
    if (!westFirst) await finalizeWest();

    expect(await tubanNumbers(store)).toHaveLength(5);
    const record = await store.get(keys.batchResolution(east));
    expect(Buffer.from(record).equals(Buffer.from(await store.get(keys.resolutionLogEntry(3))))).toBe(true);
    expect(JSON.parse(Buffer.from(await store.get(keys.resolutionLogEntry(4))).toString('utf8'))).toMatchObject({ batchId: west, logEntry: 4 });
    expect(await store.list(keys.resolutionLog)).toHaveLength(4);
  }, 120_000);
});
