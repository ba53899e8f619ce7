/**
 * Visible-light imagery fine enough to resolve buildings is scored by structure (docs/detection.md,
 * step 5a): new buildings are change, new open ground is not, and the result does not depend on tile
 * cuts, thread count or pipeline mode. The pair is generated with GDAL (installed by .ci/run): 256×256
 * RGB uint8 at 0.5 m in UTM 50N, grass; the after epoch has another exposure, two 20 m × 24 m grey
 * roofs with their shadows (one across the corner where four 64-pixel tiles meet) and a 60 m × 60 m
 * bare field.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, detectPair, directorySource, keys, runBatch, setCurrentMask, type AlertFeature } from '@shoutu/shared';
import { PooledStructure } from '../../shared/src/detection/pooled-structure.js';
import { openGeoTiff } from '../../shared/src/raster/index.js';
import { runGdalScript } from '../support/gdal.js';

const SIZE = 256;
const PIXEL_M = 0.5;
const ORIGIN = [500000, 3500000] as const;
/** [row, col, rows, cols] of each roof. */
const ROOFS = [
  [40, 44, 40, 48],
  [150, 170, 40, 48],
] as const;
const FIELD = [136, 0, 120, 120] as const;

const MAKE_SCENE = `
import sys
import numpy as np
from osgeo import gdal, osr
path, changed = sys.argv[1], sys.argv[2] == '1'
size = ${SIZE}
rng = np.random.default_rng(20261129)
texture = rng.normal(0.0, 1.0, (size, size))
noise = np.random.default_rng(7 if changed else 3)
grass = np.array([70.0, 100.0, 50.0])
img = np.empty((3, size, size))
for b in range(3):
    img[b] = grass[b] * (1.0 + 0.08 * texture) + noise.normal(0.0, 3.0, (size, size))
if changed:
    r0, c0, h, w = ${FIELD.join(', ')}
    img[:, r0:r0 + h, c0:c0 + w] = np.array([150.0, 135.0, 110.0])[:, None, None] + noise.normal(0.0, 4.0, (3, h, w))
    for (r0, c0, h, w) in ${JSON.stringify(ROOFS)}:
        img[:, r0:r0 + h, c0:c0 + w] = np.array([125.0, 125.0, 130.0])[:, None, None] + noise.normal(0.0, 3.0, (3, h, w))
        img[:, r0 + 2:r0 + h + 2, c0 + w:c0 + w + 6] = np.array([25.0, 30.0, 30.0])[:, None, None]
    img = img * 1.08 + 4.0
ds = gdal.GetDriverByName('GTiff').Create(path, size, size, 3, gdal.GDT_Byte, ['TILED=YES', 'BLOCKXSIZE=64', 'BLOCKYSIZE=64', 'COMPRESS=DEFLATE', 'PREDICTOR=2'])
ds.SetGeoTransform((${ORIGIN[0]}, ${PIXEL_M}, 0, ${ORIGIN[1]}, 0, -${PIXEL_M}))
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650); ds.SetProjection(srs.ExportToWkt())
for b in range(3):
    ds.GetRasterBand(b + 1).WriteArray(np.clip(np.round(img[b]), 0, 255).astype(np.uint8))
ds = None
`;

let dir: string;
const scene = (epoch: 'before' | 'after') => join(dir, epoch, 'scene.tif');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-structural-'));
  for (const epoch of ['before', 'after'] as const) {
    await mkdir(join(dir, epoch));
    runGdalScript(MAKE_SCENE, [scene(epoch), epoch === 'after' ? '1' : '0']);
  }
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const detect = (tileSize: number, threads = 1) =>
  detectPair({ before: { path: scene('before') }, after: { path: scene('after') }, bands: ['red', 'green', 'blue'], parameters: defaultParameters({ tileSize }), threads });

/** Share of change.tif pixels that are 1 in a [row, col, rows, cols] box. */
async function changedShare(changeTif: Uint8Array, [r0, c0, h, w]: readonly [number, number, number, number]): Promise<number> {
  const raster = await openGeoTiff({ bytes: changeTif }, 'change.tif');
  const planar = await raster.readWindow(c0, r0, w, h);
  await raster.close();
  return planar.reduce((s, v) => s + (v === 1 ? 1 : 0), 0) / (w * h);
}

describe('structural change on 0.5 m RGB imagery', () => {
  it('flags the new roofs, not the new open field nor the unchanged grass under another exposure', async () => {
    const result = await detect(512);
    // 3.5 m and 30 m in ground pixels (0.5 m of grid over UTM's scale factor 0.9996 is 0.5002 m)
    expect(result.summary.pairStats.structure).toEqual({ short: 7, long: 59, pool: 1 });
    for (const [r0, c0, h, w] of ROOFS) expect(await changedShare(result.changeTif, [r0 + 2, c0 + 2, h - 4, w - 4])).toBeGreaterThan(0.95);
    expect(await changedShare(result.changeTif, FIELD)).toBeLessThan(0.01);
    expect(await changedShare(result.changeTif, [0, 120, 36, 136])).toBe(0); // grass only
    expect(result.patches.map((p) => p.changeType)).toEqual(['construction', 'construction']);
    for (const p of result.patches) expect(p.areaM2).toBeGreaterThan(0.9 * 40 * 48 * PIXEL_M ** 2);
  }, 60_000);

  it('gives the same bytes with 64-pixel tiles, with 2 threads and with one 512-pixel tile', async () => {
    const [whole, tiled, threaded] = [await detect(512), await detect(64), await detect(64, 2)];
    for (const other of [tiled, threaded]) {
      expect(Buffer.from(other.changeTif).equals(Buffer.from(whole.changeTif))).toBe(true);
      expect(other.patches.map((p) => [p.pixelCount, p.areaM2, p.outline])).toEqual(whole.patches.map((p) => [p.pixelCount, p.areaM2, p.outline]));
      expect(other.summary.pairStats).toEqual(whole.summary.pairStats);
    }
    // the first roof lies across a corner where four 64-pixel tiles meet (pixelBbox is in lattice pixels)
    const tile = (v: number) => Math.floor(v / 64);
    expect(whole.patches.some((p) => tile(p.pixelBbox[0]) !== tile(p.pixelBbox[2] - 1) && tile(p.pixelBbox[1]) !== tile(p.pixelBbox[3] - 1))).toBe(true);
  }, 120_000);

  it('the batch pipeline (64-pixel tile jobs) raises the same two 图斑 as detectPair', async () => {
    const store = createStore({ kind: 'local', dir: join(dir, 'data') });
    const side = SIZE * PIXEL_M;
    const farmland = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32650' } },
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[ORIGIN[0], ORIGIN[1]], [ORIGIN[0] + side, ORIGIN[1]], [ORIGIN[0] + side, ORIGIN[1] - side], [ORIGIN[0], ORIGIN[1] - side], [ORIGIN[0], ORIGIN[1]]]] } }],
    };
    await setCurrentMask(store, 'farmland', new TextEncoder().encode(JSON.stringify(farmland)), 'farmland.geojson');
    const parameters = defaultParameters({ tileSize: 64 });
    for (const [epoch, batchId, date] of [
      ['before', 'roofs-2025-01', '2025-01-10'],
      ['after', 'roofs-2025-06', '2025-06-10'],
    ] as const) {
      const manifest = { batchId, acquiredAt: date, platform: 'drone', sensor: 'synthetic RGB', bands: ['red', 'green', 'blue'], regionCode: '321202' };
      await writeFile(join(dir, epoch, 'batch.json'), JSON.stringify(manifest));
      await runBatch(store, directorySource(join(dir, epoch)), parameters);
    }
    const alerts = (JSON.parse(Buffer.from(await store.get(keys.batchAlerts('roofs-2025-06'))).toString('utf8')) as { features: AlertFeature[] }).features;
    const pair = await detect(64);
    const areas = (xs: number[]) => xs.sort((a, b) => a - b);
    expect(areas(alerts.map((a) => a.properties.areaM2))).toEqual(areas(pair.patches.map((p) => p.areaM2)));
    expect(alerts.map((a) => a.properties.changeType)).toEqual(['construction', 'construction']);
    expect(alerts.every((a) => a.properties.detector === pair.summary.detector)).toBe(true);
  }, 120_000);

  it('keeps the spectral score for the same imagery at 10 m, and for imagery with near infrared', async () => {
    const coarse = join(dir, 'coarse.tif');
    const raster = await readFile(scene('after'));
    await writeFile(coarse, raster);
    runGdalScript(`import sys\nfrom osgeo import gdal\nds = gdal.Open(sys.argv[1], gdal.GA_Update)\nds.SetGeoTransform((${ORIGIN[0]}, 10, 0, ${ORIGIN[1]}, 0, -10))\nds = None`, [coarse]);
    const tenMetre = await detectPair({ before: { path: coarse }, after: { path: coarse }, bands: ['red', 'green', 'blue'], parameters: defaultParameters() });
    expect(tenMetre.summary.pairStats.structure).toBeNull();
    const withNir = await detectPair({ before: { path: scene('before') }, after: { path: scene('after') }, bands: ['red', 'green', 'nir'], parameters: defaultParameters() });
    expect(withNir.summary.pairStats.structure).toBeNull();
  }, 60_000);
});

describe('structural change on drone imagery (0.125 m: scored on 2 × 2 blocks)', () => {
  const drone = (epoch: 'before' | 'after') => join(dir, epoch, 'drone.tif');
  const UPSAMPLE = `import sys\nfrom osgeo import gdal\ngdal.Translate(sys.argv[2], sys.argv[1], width=${4 * SIZE}, height=${4 * SIZE}, resampleAlg='near', creationOptions=['TILED=YES', 'BLOCKXSIZE=256', 'BLOCKYSIZE=256', 'COMPRESS=DEFLATE'])`;
  const detectDrone = (tileSize: number) =>
    detectPair({ before: { path: drone('before') }, after: { path: drone('after') }, bands: ['red', 'green', 'blue'], parameters: defaultParameters({ tileSize }) });

  beforeAll(() => {
    // the 0.5 m scenes, each pixel as 4 × 4 pixels of 0.125 m
    for (const epoch of ['before', 'after'] as const) runGdalScript(UPSAMPLE, [scene(epoch), drone(epoch)]);
  }, 60_000);

  it('flags the roofs and not the field, and gives the same bytes with 256-pixel tiles as with one 1024-pixel tile', async () => {
    const [whole, tiled] = [await detectDrone(1024), await detectDrone(256)];
    expect(whole.summary.pairStats.structure).toEqual({ short: 13, long: 119, pool: 2 });
    expect(Buffer.from(tiled.changeTif).equals(Buffer.from(whole.changeTif))).toBe(true);
    expect(tiled.patches.map((p) => [p.pixelCount, p.outline])).toEqual(whole.patches.map((p) => [p.pixelCount, p.outline]));
    const up = ([r0, c0, h, w]: readonly [number, number, number, number]) => [4 * r0, 4 * c0, 4 * h, 4 * w] as const;
    for (const [r0, c0, h, w] of ROOFS) expect(await changedShare(whole.changeTif, up([r0 + 2, c0 + 2, h - 4, w - 4]))).toBeGreaterThan(0.95);
    expect(await changedShare(whole.changeTif, up(FIELD))).toBeLessThan(0.01);
    expect(whole.patches.map((p) => p.changeType)).toEqual(['construction', 'construction']);
  }, 120_000);

  it('scores from blocks computed once per tile (tiles a multiple of the block) as from each tile\'s own structural halo', async () => {
    // 256-pixel tiles take the blocks of PooledStructure; 255-pixel ones cannot (blocks of 2 would straddle
    // tiles) and read each tile's whole structural halo, as queue mode's tile jobs do
    expect(PooledStructure.fits({ short: 13, long: 119, pool: 2 }, 256)).toBe(true);
    expect(PooledStructure.fits({ short: 13, long: 119, pool: 2 }, 255)).toBe(false);
    const pooled = await detectDrone(256);
    const twoThreads = await detectPair({ before: { path: drone('before') }, after: { path: drone('after') }, bands: ['red', 'green', 'blue'], parameters: defaultParameters({ tileSize: 256 }), threads: 2 });
    const haloes = await detectDrone(255);
    for (const other of [twoThreads, haloes]) {
      expect(Buffer.from(other.changeTif).equals(Buffer.from(pooled.changeTif))).toBe(true);
      expect(other.patches.map((p) => [p.pixelCount, p.outline])).toEqual(pooled.patches.map((p) => [p.pixelCount, p.outline]));
    }
  }, 120_000);

  it('the batch pipeline (64-pixel tile jobs, each scored from the blocks its thread keeps) raises the 图斑 of detectPair', async () => {
    const store = createStore({ kind: 'local', dir: join(dir, 'drone-data') });
    for (const [epoch, batchId, date] of [
      ['before', 'drone-2025-01', '2025-01-10'],
      ['after', 'drone-2025-06', '2025-06-10'],
    ] as const) {
      const folder = join(dir, `drone-${epoch}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'drone.tif'), await readFile(drone(epoch)));
      const manifest = { batchId, acquiredAt: date, platform: 'drone', sensor: 'synthetic RGB', bands: ['red', 'green', 'blue'], regionCode: '321202' };
      await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest));
      await runBatch(store, directorySource(folder), defaultParameters({ tileSize: 64, alertOn: 'all' }));
    }
    const alerts = (JSON.parse(Buffer.from(await store.get(keys.batchAlerts('drone-2025-06'))).toString('utf8')) as { features: AlertFeature[] }).features;
    const pair = await detectDrone(256);
    const areas = (xs: number[]) => xs.sort((a, b) => a - b);
    expect(alerts).toHaveLength(2);
    expect(areas(alerts.map((a) => a.properties.areaM2))).toEqual(areas(pair.patches.map((p) => p.areaM2)));
  }, 120_000);
});
