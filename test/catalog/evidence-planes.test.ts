/**
 * The evidence images read only the planes they show (readReduced's `planes`, evidence.ts): those planes of a
 * window, reduced or not, and its validity, are those of a read of every plane. Validity is decided on every
 * band, and the narrowed read takes what that needs of it: the first band (a pixel at the fill value in every
 * band is at it there; where one is, the window is decoded whole) and the alpha band. Real ingested files:
 * 4-band uint16 with fill pixels and pixels 0 in their first band only, and 8-bit RGB + alpha with a
 * transparent region and fill pixels. A file that declares a nodata value is pictured by the planes shown:
 * some planes of it read as a file holding only those planes would (its other bands' gaps do not show).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, type BlobStore, type SceneRecord } from '@shoutu/shared';
import { openScene } from '@shoutu/shared/catalog/open-scene.js';
import { pickBands } from '@shoutu/shared/detection/evidence-bands.js';
import { readReduced } from '@shoutu/shared/alerts/read-reduced.js';
import { runGdalScript } from '../support/gdal.js';

const SIZE = 96;

const MAKE_SCENES = `
import sys
import numpy as np
from osgeo import gdal, osr
rng = np.random.default_rng(5)
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650)
def write(path, x, dtype, options):
    ds = gdal.GetDriverByName('GTiff').Create(path, ${SIZE}, ${SIZE}, x.shape[0], dtype, options)
    ds.SetGeoTransform((500000, 10, 0, 3600000, 0, -10))
    ds.SetProjection(srs.ExportToWkt())
    for b in range(x.shape[0]):
        ds.GetRasterBand(b + 1).WriteArray(x[b])
x = rng.integers(100, 4000, (4, ${SIZE}, ${SIZE})).astype(np.uint16)
x[:, 70:72, 60:70] = 0       # fill in every band: not covered
x[0, 20:23, 5:30] = 0        # 0 in the first band only: covered
write(sys.argv[1], x, gdal.GDT_UInt16, ['TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'INTERLEAVE=PIXEL'])
y = rng.integers(1, 255, (4, ${SIZE}, ${SIZE})).astype(np.uint8)
y[3] = 255
y[3, 30:60, 0:25] = 0        # transparent
y[:3, 80:84, 40:50] = 0      # fill in every image band: not covered
y[0, 5:9, 60:90] = 0         # 0 in the first band only: covered
write(sys.argv[2], y, gdal.GDT_Byte, ['PHOTOMETRIC=RGB', 'ALPHA=YES', 'TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32', 'COMPRESS=DEFLATE'])
z = rng.integers(100, 4000, (4, ${SIZE}, ${SIZE})).astype(np.uint16)
z[:, 70:72, 60:70] = 0       # nodata in every band
z[3, 10:20, 5:40] = 0        # nodata in nir only (a 60 m band's wider gap at a swath edge)
z[1, 40:44, 50:90] = 0       # nodata in green only
chunky = ['TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'INTERLEAVE=PIXEL', 'PHOTOMETRIC=MINISBLACK']
for path, bands in ((sys.argv[3], [0, 1, 2, 3]), (sys.argv[4], [0, 1, 2]), (sys.argv[5], [3])):
    write(path, z[bands], gdal.GDT_UInt16, chunky)
    ds = gdal.Open(path, gdal.GA_Update)
    for b in range(len(bands)):
        ds.GetRasterBand(b + 1).SetNoDataValue(0)
    ds = None
`;

let dir: string;
let store: BlobStore;
const records: Record<'uint16' | 'rgba' | 'nodata' | 'nodata012' | 'nodata3', SceneRecord> = {} as never;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-evidence-planes-'));
  const batches = { uint16: join(dir, 'uint16'), rgba: join(dir, 'rgba'), nodata: join(dir, 'nodata'), nodata012: join(dir, 'nodata012'), nodata3: join(dir, 'nodata3') };
  await Promise.all(Object.values(batches).map((b) => mkdir(b)));
  runGdalScript(MAKE_SCENES, [batches.uint16, batches.rgba, batches.nodata, batches.nodata012, batches.nodata3].map((b) => join(b, 'scene.tif')));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  const manifests = {
    uint16: { batchId: 'uint16-2025-01', acquiredAt: '2025-01-10', platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' },
    rgba: { batchId: 'rgba-2025-01', acquiredAt: '2025-01-10', platform: 'drone', sensor: 'synthetic', bands: ['red', 'green', 'blue'], regionCode: '321202' },
    nodata: { batchId: 'nodata-2025-01', acquiredAt: '2025-01-10', platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' },
    nodata012: { batchId: 'nodata012-2025-01', acquiredAt: '2025-01-10', platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red'], regionCode: '321202' },
    nodata3: { batchId: 'nodata3-2025-01', acquiredAt: '2025-01-10', platform: 'satellite', sensor: 'synthetic', bands: ['nir'], regionCode: '321202' },
  };
  for (const kind of ['uint16', 'rgba', 'nodata', 'nodata012', 'nodata3'] as const) {
    await writeFile(join(batches[kind], 'batch.json'), JSON.stringify(manifests[kind]));
    records[kind] = (await ingestBatch(store, directorySource(batches[kind]), defaultParameters())).scenes[0]!;
  }
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Windows in raster order (they cut the 32-pixel blocks), the whole scene, and windows over each region. */
function windowsOf(record: SceneRecord): Array<{ col: number; row: number; width: number; height: number }> {
  const { col0, row0 } = record.placement;
  const windows = [{ col: col0, row: row0, width: SIZE, height: SIZE }];
  for (let r = 0; r < SIZE; r += 40) for (let c = 0; c < SIZE; c += 40) windows.push({ col: col0 + c, row: row0 + r, width: Math.min(40, SIZE - c), height: Math.min(40, SIZE - r) });
  windows.push({ col: col0 + 55, row: row0 + 66, width: 20, height: 10 }, { col: col0 + 2, row: row0 + 18, width: 30, height: 8 }, { col: col0 + 35, row: row0 + 78, width: 20, height: 9 });
  windows.push({ col: col0 + 0, row: row0 + 6, width: 50, height: 20 }, { col: col0 + 45, row: row0 + 36, width: 50, height: 12 });
  return windows;
}

describe('the planes an evidence image shows', () => {
  it('read alone, reduced or not, are those planes of a read of every plane, with its validity', async () => {
    expect(records.rgba.validity).toEqual({ alphaBand: 3, fill: 0 });
    expect(records.uint16.validity).toEqual({ fill: 0 });
    for (const [kind, planesList] of [
      ['uint16', [[0, 1, 2], [1, 2, 3], [2], [3]]],
      ['rgba', [[0, 1, 2], [1], [0, 2]]],
    ] as const) {
      const record = records[kind];
      const { col0, row0 } = record.placement;
      const windows = windowsOf(record);
      let uncovered = 0;
      const whole = await openScene(store, record);
      const some = await openScene(store, record);
      try {
        for (const w of windows) {
          for (const factor of [1, 3]) {
            const all = await readReduced(whole, w, factor);
            uncovered += all.valid.length - all.valid.reduce((s, v) => s + v, 0);
            for (const planes of planesList) {
              const got = await readReduced(some, w, factor, undefined, planes);
              const label = `${kind}, window ${w.col - col0},${w.row - row0} ${w.width}x${w.height}, factor ${factor}, planes ${planes}`;
              expect({ ...got, planar: Array.from(got.planar) }, label).toEqual({ ...all, planar: Array.from(pickBands(all.planar, all.width * all.height, planes)) });
            }
          }
        }
      } finally {
        await Promise.all([whole.close(), some.close()]);
      }
      // the fill pixels (and the transparent region) were among the windows
      expect(uncovered, kind).toBeGreaterThan(0);
    }
  }, 60_000);

  it('of a file that declares nodata, are pictured as a file of only those planes is: the other bands\' gaps do not show', async () => {
    expect(records.nodata.raster.nodata).toBe(0);
    expect(records.nodata.placement).toEqual(records.nodata012.placement);
    expect(records.nodata.placement).toEqual(records.nodata3.placement);
    const whole = await openScene(store, records.nodata);
    const some = await openScene(store, records.nodata);
    const [only012, only3] = await Promise.all([openScene(store, records.nodata012), openScene(store, records.nodata3)]);
    let shownHere = 0;
    try {
      for (const w of windowsOf(records.nodata)) {
        for (const factor of [1, 3]) {
          const all = await readReduced(whole, w, factor);
          for (const [planes, alone] of [
            [[0, 1, 2], only012],
            [[3], only3],
          ] as const) {
            const got = await readReduced(some, w, factor, undefined, planes);
            const want = await readReduced(alone, w, factor);
            const label = `window ${w.col},${w.row} ${w.width}x${w.height}, factor ${factor}, planes ${planes}`;
            expect({ ...got, planar: Array.from(got.planar) }, label).toEqual({ ...want, planar: Array.from(want.planar) });
            for (let i = 0; i < got.valid.length; i++) if (got.valid[i] === 1 && all.valid[i] === 0) shownHere++;
          }
        }
      }
    } finally {
      await Promise.all([whole, some, only012, only3].map((s) => s.close()));
    }
    // pixels a read of every band leaves out (nir's or green's gap) are shown by the planes that hold them
    expect(shownHere).toBeGreaterThan(0);
  }, 60_000);
});
