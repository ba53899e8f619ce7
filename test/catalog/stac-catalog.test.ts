/**
 * STAC Items of ingested scenes and the catalog query (`shoutu scenes`).
 *
 * The STAC JSON schemas cannot be fetched offline, so the Items are checked field by field against
 * STAC Item 1.0.0 (required fields and their types) and the fields of the projection v1.1.0, eo v1.1.0
 * and raster v1.1.0 extensions they use.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMON_BAND_NAMES,
  createStore,
  directorySource,
  ingestBatch,
  InvalidInputError,
  keys,
  parseBbox,
  platformOfSensor,
  queryScenes,
  stableJson,
  stacItemOf,
  STAC_EXTENSIONS,
  type BlobStore,
  type SceneRecord,
  type StacItem,
} from '@shoutu/shared';
import { getScene } from '@shoutu/shared/catalog/scene-catalog.js';
import { polygonIntersectsBox } from '@shoutu/shared/catalog/scene-query.js';
import { demoParameters, fixture, REPO_ROOT, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { REPROJECT, reprojectBatch } from '../support/reproject-fixtures.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const RASTER_DATA_TYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64', 'cint16', 'cint32', 'cfloat32', 'cfloat64', 'other'];
const EXTENSION_OF_PREFIX: Record<string, string> = {
  proj: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
};
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Field prefixes ("proj", "eo", …) used anywhere in an object tree. */
function prefixesIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => prefixesIn(v, out));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(':')) out.add(k.split(':')[0]!);
      prefixesIn(v, out);
    }
  }
  return out;
}

/** Asserts that `item` is a structurally valid STAC 1.0.0 Item with valid proj / eo / raster fields. */
function expectValidItem(item: StacItem): void {
  // STAC Item 1.0.0: required fields
  expect(item.type).toBe('Feature');
  expect(item.stac_version).toBe('1.0.0');
  expect(typeof item.id).toBe('string');
  expect(item.id.length).toBeGreaterThan(0);
  expect(Array.isArray(item.stac_extensions)).toBe(true);
  for (const url of item.stac_extensions) expect(url).toMatch(/^https:\/\/stac-extensions\.github\.io\/[a-z]+\/v\d+\.\d+\.\d+\/schema\.json$/);
  expect(item.geometry.type).toBe('Polygon');
  for (const ring of item.geometry.coordinates) {
    expect(ring.length).toBeGreaterThanOrEqual(4);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    for (const [lon, lat] of ring) {
      expect(lon).toBeGreaterThanOrEqual(item.bbox[0]);
      expect(lat).toBeGreaterThanOrEqual(item.bbox[1]);
      expect(lon).toBeLessThanOrEqual(item.bbox[2]);
      expect(lat).toBeLessThanOrEqual(item.bbox[3]);
    }
  }
  expect(item.bbox).toHaveLength(4);
  expect(item.bbox[0]).toBeGreaterThanOrEqual(-180);
  expect(item.bbox[3]).toBeLessThanOrEqual(90);
  expect(typeof item.properties).toBe('object');
  expect(item.properties.datetime).toMatch(RFC3339);
  for (const k of ['start_datetime', 'end_datetime']) if (k in item.properties) expect(item.properties[k]).toMatch(RFC3339);
  expect(Array.isArray(item.links)).toBe(true);
  for (const link of item.links) {
    expect(typeof link.rel).toBe('string');
    expect(typeof link.href).toBe('string');
  }
  expect(Object.keys(item.assets).length).toBeGreaterThan(0);
  for (const asset of Object.values(item.assets)) {
    expect(typeof asset.href).toBe('string');
    if (asset.roles !== undefined) expect(asset.roles.every((r) => typeof r === 'string')).toBe(true);
  }
  // common metadata
  expect(typeof item.properties['platform']).toBe('string');
  if ('instruments' in item.properties) expect((item.properties['instruments'] as unknown[]).every((i) => typeof i === 'string')).toBe(true);
  // every extension whose fields are used is declared
  for (const prefix of prefixesIn({ properties: item.properties, assets: item.assets })) {
    if (EXTENSION_OF_PREFIX[prefix]) expect(item.stac_extensions).toContain(EXTENSION_OF_PREFIX[prefix]);
  }
  // projection v1.1.0
  const p = item.properties;
  expect(Number.isInteger(p['proj:epsg'])).toBe(true);
  const shape = p['proj:shape'] as number[];
  expect(shape).toHaveLength(2);
  expect(shape.every((v) => Number.isInteger(v) && v > 0)).toBe(true);
  const transform = p['proj:transform'] as number[];
  expect([6, 9]).toContain(transform.length);
  expect(transform.every(Number.isFinite)).toBe(true);
  // eo v1.1.0 and raster v1.1.0 on the image asset
  const image = item.assets['image']!;
  const eoBands = image['eo:bands'] as Array<{ name?: string; common_name?: string }>;
  const rasterBands = image['raster:bands'] as Array<{ data_type: string; nodata?: number | string; scale?: number; offset?: number }>;
  expect(eoBands).toHaveLength(shape.length === 2 ? rasterBands.length : 0);
  for (const band of eoBands) {
    if (band.common_name !== undefined) expect(COMMON_BAND_NAMES).toContain(band.common_name);
    expect(typeof band.name).toBe('string');
  }
  for (const band of rasterBands) {
    expect(RASTER_DATA_TYPES).toContain(band.data_type);
    if (band.nodata !== undefined) expect(typeof band.nodata === 'number' || ['nan', 'inf', '-inf'].includes(band.nodata)).toBe(true);
    if (band.scale !== undefined) expect(Number.isFinite(band.scale)).toBe(true);
  }
  // plain JSON: survives a round trip unchanged
  expect(JSON.parse(JSON.stringify(item))).toEqual(item);
}

/** The key an item's asset href points to (hrefs are relative to the item). */
const resolveHref = (itemKey: string, href: string) => posix.normalize(posix.join(posix.dirname(itemKey), href));

let work: string;
let store: BlobStore;
let scenes: SceneRecord[];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'shoutu-stac-'));
  store = createStore({ kind: 'local', dir: join(work, 'data') });
  scenes = [];
  for (const dir of [...TAIZHOU_EPOCHS, fixture('bad', 'mixed')]) {
    scenes.push(...(await ingestBatch(store, directorySource(dir), demoParameters())).scenes);
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('STAC Items of ingested scenes', () => {
  it('are stored beside each scene record, valid, deterministic, and match the scene', async () => {
    expect(scenes.map((s) => s.sceneId)).toEqual(['taizhou-2000-03.scene', 'taizhou-2003-02.scene', 'bad-mixed.good']);
    for (const scene of scenes) {
      const itemKey = keys.stacItem(scene.sceneId);
      const stored = Buffer.from(await store.get(itemKey)).toString('utf8');
      const item = JSON.parse(stored) as StacItem;
      expectValidItem(item);
      expect(stored).toBe(stableJson(stacItemOf(await getScene(store, scene.sceneId)), 2));
      expect(item.id).toBe(scene.sceneId);
      expect(item.properties.datetime).toBe(`${scene.acquiredAt}T00:00:00Z`);
      expect(item.properties['proj:epsg']).toBe(32651);
      expect(item.properties['proj:shape']).toEqual([scene.raster.height, scene.raster.width]);
      const [x0, pw, , y0, , nph] = scene.raster.geoTransform;
      expect(item.properties['proj:transform']).toEqual([pw, 0, x0, 0, nph, y0]);
      expect(resolveHref(itemKey, item.assets['image']!.href)).toBe(scene.file.key);
      expect(await store.exists(resolveHref(itemKey, item.assets['image']!.href))).toBe(true);
      expect((item.assets['image']!['eo:bands'] as Array<{ common_name: string }>).map((b) => b.common_name)).toEqual(scene.bands);
      expect(item.assets['image']!['raster:bands']).toEqual(scene.bands.map(() => ({ data_type: 'uint8' })));
      expect(resolveHref(itemKey, item.links[0]!.href)).toBe(keys.scene(scene.sceneId));
    }
    const landsat = JSON.parse(Buffer.from(await store.get(keys.stacItem('taizhou-2000-03.scene'))).toString('utf8')) as StacItem;
    expect(landsat.properties).toMatchObject({ platform: 'landsat-7', constellation: 'landsat', instruments: ['etm+'], 'shoutu:sensor': 'Landsat 7 ETM+', 'shoutu:platform_type': 'satellite', 'shoutu:region_code': '321202' });
  });

  it('carry nodata, the reflectance scale and a cloud-mask band when the batch gives them', () => {
    const scene = { ...scenes[0]!, raster: { ...scenes[0]!.raster, bands: 7, nodata: Number.NaN, sampleFormat: 'float' as const, bitsPerSample: 32 }, validity: { reflectance: { scale: 0.0001, offset: -0.1 }, cloudMask: { band: 6 } } };
    const item = stacItemOf(scene);
    expectValidItem(JSON.parse(stableJson(item)) as StacItem);
    const rasterBands = item.assets['image']!['raster:bands'] as Array<Record<string, unknown>>;
    expect(rasterBands[0]).toEqual({ data_type: 'float32', nodata: 'nan', scale: 0.0001, offset: -0.1 });
    expect(rasterBands[6]).toEqual({ data_type: 'float32', nodata: 'nan' });
    expect((item.assets['image']!['eo:bands'] as Array<Record<string, unknown>>)[6]).toMatchObject({ name: 'cloud_mask' });
  });

  it('of a scene resampled onto its area\'s grid describe the resampled file and list the delivery as the original', async () => {
    const area = createStore({ kind: 'local', dir: join(work, 'area') });
    await ingestBatch(area, directorySource(await reprojectBatch(join(work, 'batches'), 'gk-2024-03', '2024-03-01', REPROJECT.gk)), demoParameters());
    const [scene] = (await ingestBatch(area, directorySource(await reprojectBatch(join(work, 'batches'), 'utm-2024-04', '2024-04-01', REPROJECT.utm)), demoParameters())).scenes;
    expect(scene!.source).toBeDefined(); // UTM delivery, Gauss–Krüger area grid
    const itemKey = keys.stacItem(scene!.sceneId);
    const item = JSON.parse(Buffer.from(await area.get(itemKey)).toString('utf8')) as StacItem;
    expectValidItem(item);
    expect(item.properties['proj:epsg']).toBe(4549);
    expect(resolveHref(itemKey, item.assets['image']!.href)).toBe(scene!.file.key);
    expect(item.assets['original']).toMatchObject({ roles: ['source'], 'proj:epsg': 32651, 'proj:shape': [scene!.source!.raster.height, scene!.source!.raster.width] });
    expect(resolveHref(itemKey, item.assets['original']!.href)).toBe(scene!.source!.file.key);
    expect(await area.exists(scene!.source!.file.key)).toBe(true);
  });

  it('read platform, constellation and instruments from the sensor name', () => {
    expect(platformOfSensor('GF-2 PMS')).toEqual({ platform: 'gf-2', constellation: 'gaofen', instruments: ['pms'] });
    expect(platformOfSensor('GF-1 WFV')).toEqual({ platform: 'gf-1', constellation: 'gaofen', instruments: ['wfv'] });
    expect(platformOfSensor('ZY-3 MUX')).toEqual({ platform: 'zy-3', constellation: 'ziyuan', instruments: ['mux'] });
    expect(platformOfSensor('Sentinel-2A MSI')).toEqual({ platform: 'sentinel-2a', constellation: 'sentinel-2', instruments: ['msi'] });
    expect(platformOfSensor('Landsat 8 OLI/TIRS')).toEqual({ platform: 'landsat-8', constellation: 'landsat', instruments: ['oli', 'tirs'] });
    expect(platformOfSensor('DJI Phantom 4 RTK')).toEqual({ platform: 'dji-phantom-4-rtk' });
  });

  it('are the same bytes on S3 as on the local data directory', async () => {
    let s3: S3TestServer | undefined;
    try {
      s3 = await startS3Server();
      const remote = createStore({ kind: 's3', ...s3.config });
      await ingestBatch(remote, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
      const key = keys.stacItem('taizhou-2000-03.scene');
      expect(Buffer.from(await remote.get(key)).equals(Buffer.from(await store.get(key)))).toBe(true);
    } finally {
      await s3?.close();
    }
  });
});

describe('the catalog query by area and time', () => {
  // the Taizhou scenes cover about 119.84–119.97 °E, 32.43–32.55 °N; the mixed batch's 2003 crop (about
  // 119.877–119.898 °E, 32.457–32.474 °N) lies inside
  it('finds the scenes whose footprint meets the box and whose date is in range, oldest first', async () => {
    const ids = async (q: Parameters<typeof queryScenes>[1]) => (await queryScenes(store, q)).map((i) => i.id);
    expect(await ids({})).toEqual(['taizhou-2000-03.scene', 'bad-mixed.good', 'taizhou-2003-02.scene']);
    expect(await ids({ bbox: [119.88, 32.46, 119.89, 32.47] })).toHaveLength(3);
    expect(await ids({ bbox: [119.85, 32.5, 119.86, 32.52] })).toEqual(['taizhou-2000-03.scene', 'taizhou-2003-02.scene']);
    expect(await ids({ bbox: [120.5, 32.5, 121, 33] })).toEqual([]);
    expect(await ids({ from: '2000-03-17', to: '2000-03-17' })).toEqual(['taizhou-2000-03.scene']);
    expect(await ids({ from: '2001-01-01' })).toEqual(['bad-mixed.good', 'taizhou-2003-02.scene']);
    expect(await ids({ to: '1999-12-31' })).toEqual([]);
    await expect(queryScenes(store, { from: '2003-01-01', to: '2000-01-01' })).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('scenes stored before items existed are found through their records', async () => {
    await store.delete(keys.stacItem('taizhou-2003-02.scene'));
    try {
      const items = await queryScenes(store, { from: '2003-02-06' });
      expect(items.map((i) => i.id)).toEqual(['bad-mixed.good', 'taizhou-2003-02.scene']);
      expect(stableJson(items[1], 2)).toBe(stableJson(stacItemOf(await getScene(store, 'taizhou-2003-02.scene')), 2));
    } finally {
      await store.put(keys.stacItem('taizhou-2003-02.scene'), stableJson(stacItemOf(await getScene(store, 'taizhou-2003-02.scene')), 2));
    }
  });

  it('intersects the footprint itself, not only its bbox', () => {
    const diamond: Array<[number, number]> = [[0, -1], [1, 0], [0, 1], [-1, 0], [0, -1]];
    expect(polygonIntersectsBox(diamond, [0.8, 0.8, 2, 2])).toBe(false); // inside the bbox, outside the diamond
    expect(polygonIntersectsBox(diamond, [0.4, 0.4, 2, 2])).toBe(true); // a corner of the box inside
    expect(polygonIntersectsBox(diamond, [-0.1, -0.1, 0.1, 0.1])).toBe(true); // box inside the polygon
    expect(polygonIntersectsBox(diamond, [-5, -0.1, 5, 0.1])).toBe(true); // edges cross, no vertex inside the other
    expect(polygonIntersectsBox(diamond, [1, 0, 2, 1])).toBe(true); // touching at a vertex
  });

  it('parses and checks --bbox', () => {
    expect(parseBbox('119.8, 32.5,119.85,32.55')).toEqual([119.8, 32.5, 119.85, 32.55]);
    for (const bad of ['1,2,3', '1,2,3,x', '10,0,5,1', '0,-91,1,1', '']) expect(() => parseBbox(bad)).toThrow(InvalidInputError);
  });

  it('npx shoutu scenes prints a table, or a FeatureCollection of the Items with --json', () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'shoutu.mjs'), 'scenes', ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHOUTU_DATA_DIR: join(work, 'data') },
      });
    const table = run(['--bbox', '119.88,32.46,119.89,32.47', '--from', '2000-01-01', '--to', '2003-12-31']);
    expect(table.stderr).toBe('');
    expect(table.status).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^scene\s+date\s+platform\s+sensor\s+bands\s+size\s+CRS\s+bbox \(lon\/lat\)$/);
    expect(lines[1]).toMatch(/^taizhou-2000-03\.scene\s+2000-03-17\s+landsat-7\s+Landsat 7 ETM\+\s+blue,green,red,nir,swir16,swir22\s+400 × 400\s+EPSG:32651\s+119\.\d{4},32\.\d{4},119\.\d{4},32\.\d{4}$/);
    expect(lines[2]).toMatch(/^bad-mixed\.good\s+2003-02-06\s+landsat-7\s+Landsat 7 ETM\+\s+blue,green,red,nir,swir16,swir22\s+64 × 64\s+EPSG:32651/);
    expect(lines[3]).toMatch(/^taizhou-2003-02\.scene\s+2003-02-06/);
    expect(lines[4]).toBe('3 scene(s)');

    const json = run(['--from', '2003-01-01', '--json']);
    expect(json.status).toBe(0);
    const collection = JSON.parse(json.stdout) as { type: string; features: StacItem[] };
    expect(collection.type).toBe('FeatureCollection');
    expect(collection.features.map((f) => f.id)).toEqual(['bad-mixed.good', 'taizhou-2003-02.scene']);
    collection.features.forEach(expectValidItem);

    const bad = run(['--bbox', '1,2,3']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--bbox');
    const badDate = run(['--from', '2003-02-30']);
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toContain('--from');
  });

  it('declares the three extensions it uses', () => {
    expect([...STAC_EXTENSIONS].sort()).toEqual(Object.values(EXTENSION_OF_PREFIX).sort());
  });
});
