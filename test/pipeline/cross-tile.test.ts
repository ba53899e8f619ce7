/**
 * One change patch that spans four tiles must come out of the batch pipeline as one 图斑 with the
 * area of the whole patch. The scenes are generated with GDAL (installed by .ci/run): a 192×192
 * 4-band uint16 pair in UTM 51N, 10 m pixels, textured ground, and a 60×60 pixel square of new
 * "built" surface centred on the corner where four 64-pixel tiles meet.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, keys, runBatch, setCurrentMask, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { runGdalScript } from '../support/gdal.js';

const SIZE = 192;
const TILE = 64;
// The square covers columns and rows [SQUARE_START, SQUARE_END), centred on (64, 64): it lies in the
// four tiles that meet there.
const SQUARE_START = 34;
const SQUARE_END = 94;
const PIXEL_M = 10;
// A multiple of the tile size in metres on both axes, so the analysis lattice's tiles start at the scene's corner.
const ORIGIN = [499840, 3600000] as const;

const MAKE_SCENE = `
import sys
import numpy as np
from osgeo import gdal, osr
path, changed = sys.argv[1], sys.argv[2] == '1'
size, start, end = ${SIZE}, ${SQUARE_START}, ${SQUARE_END}
rng = np.random.default_rng(20261129)
base = np.array([600, 900, 800, 3000], dtype=np.float64)  # vegetated field: blue, green, red, nir
texture = rng.normal(0.0, 1.0, (size, size))
ds = gdal.GetDriverByName('GTiff').Create(path, size, size, 4, gdal.GDT_UInt16, ['TILED=YES', 'BLOCKXSIZE=64', 'BLOCKYSIZE=64', 'COMPRESS=DEFLATE', 'PREDICTOR=2'])
ds.SetGeoTransform((${ORIGIN[0]}, ${PIXEL_M}, 0, ${ORIGIN[1]}, 0, -${PIXEL_M}))
srs = osr.SpatialReference(); srs.ImportFromEPSG(32651); ds.SetProjection(srs.ExportToWkt())
noise = np.random.default_rng(7 if changed else 3)
for b in range(4):
    band = base[b] * (1.0 + 0.05 * texture) + noise.normal(0.0, 15.0, (size, size))
    if changed:
        band[start:end, start:end] = [2600, 2700, 2800, 2900][b] + noise.normal(0.0, 30.0, (end - start, end - start))
    ds.GetRasterBand(b + 1).WriteArray(np.clip(band, 1, 65535).astype(np.uint16))
ds = None
`;

const FARMLAND = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: 'whole test area' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [ORIGIN[0], ORIGIN[1]],
            [ORIGIN[0] + SIZE * PIXEL_M, ORIGIN[1]],
            [ORIGIN[0] + SIZE * PIXEL_M, ORIGIN[1] - SIZE * PIXEL_M],
            [ORIGIN[0], ORIGIN[1] - SIZE * PIXEL_M],
            [ORIGIN[0], ORIGIN[1]],
          ],
        ],
      },
    },
  ],
  crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32651' } },
};

let dir: string;
let store: BlobStore;

async function makeBatch(name: string, date: string, changed: boolean): Promise<string> {
  const batchDir = join(dir, name);
  await mkdir(batchDir, { recursive: true });
  runGdalScript(MAKE_SCENE, [join(batchDir, 'scene.tif'), changed ? '1' : '0']);
  const manifest = { batchId: name, acquiredAt: date, platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' };
  await writeFile(join(batchDir, 'batch.json'), JSON.stringify(manifest));
  return batchDir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-cross-tile-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  await setCurrentMask(store, 'farmland', new TextEncoder().encode(JSON.stringify(FARMLAND)), 'farmland.geojson');
  const parameters = defaultParameters({ tileSize: TILE });
  const first = await runBatch(store, directorySource(await makeBatch('cross-2024-01', '2024-01-15', false)), parameters);
  expect(first.ingest.tiles).toHaveLength(0);
  const second = await runBatch(store, directorySource(await makeBatch('cross-2024-02', '2024-02-15', true)), parameters);
  expect(second.ingest.tiles).toHaveLength((SIZE / TILE) ** 2);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a patch across four tiles', () => {
  it('is one 图斑 with the area of the whole square', async () => {
    const collection = JSON.parse(Buffer.from(await store.get(keys.batchAlerts('cross-2024-02'))).toString('utf8')) as { features: AlertFeature[] };
    expect(collection.features).toHaveLength(1);
    const alert = collection.features[0]!;
    const side = SQUARE_END - SQUARE_START;
    const trueAreaM2 = side * side * PIXEL_M * PIXEL_M;
    // The square's edge may gain or lose at most one pixel ring to the 3×3 neighbourhood steps.
    expect(alert.properties.areaM2).toBeGreaterThanOrEqual((side - 2) ** 2 * PIXEL_M * PIXEL_M);
    expect(alert.properties.areaM2).toBeLessThanOrEqual((side + 2) ** 2 * PIXEL_M * PIXEL_M);
    expect(Math.abs(alert.properties.areaM2 - trueAreaM2) / trueAreaM2).toBeLessThan(0.07);
    expect(alert.properties.overlap.farmland.areaM2).toBeCloseTo(alert.properties.areaM2, 6);
    // Its outline is one ring (no holes, not four pieces) around the tile corner at (64, 64).
    expect(alert.geometry.type).toBe('Polygon');
    expect(alert.geometry.coordinates).toHaveLength(1);
  });
});
