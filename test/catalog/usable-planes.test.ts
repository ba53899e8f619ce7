/**
 * Some planes of a usable window (OpenScene.readUsableWindow's `planes`, what a tile job of a many-band pair
 * reads) are those planes of the whole usable window: each pixel's usability is still decided on every band.
 * The scene is a real ingested file, 4 bands of uint16 in 32-pixel Deflate tiles, holding pixels saturated in
 * every band (unusable), saturated in its first band only (usable) and fill in every band (unusable), so
 * that windows with and without them are read, with the file's blocks keeping some planes or all.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, type BlobStore, type SceneRecord } from '@shoutu/shared';
import { openScene } from '@shoutu/shared/catalog/open-scene.js';
import { Workspace } from '@shoutu/shared/detection/classify-change.js';
import { pickBands } from '@shoutu/shared/detection/evidence-bands.js';
import { runGdalScript } from '../support/gdal.js';

const SIZE = 96;

const MAKE_SCENE = `
import sys
import numpy as np
from osgeo import gdal, osr
rng = np.random.default_rng(11)
x = rng.integers(100, 4000, (4, ${SIZE}, ${SIZE})).astype(np.uint16)
x[:, 10:12, 40:45] = 65535   # saturated in every band: unusable
x[0, 50:53, 5:9] = 65535     # saturated in the first band only: usable
x[:, 70:72, 60:70] = 0       # fill in every band: unusable
ds = gdal.GetDriverByName('GTiff').Create(sys.argv[1], ${SIZE}, ${SIZE}, 4, gdal.GDT_UInt16, ['TILED=YES', 'BLOCKXSIZE=32', 'BLOCKYSIZE=32', 'COMPRESS=DEFLATE', 'PREDICTOR=2', 'INTERLEAVE=PIXEL'])
ds.SetGeoTransform((500000, 10, 0, 3600000, 0, -10))
srs = osr.SpatialReference(); srs.ImportFromEPSG(32650); ds.SetProjection(srs.ExportToWkt())
for b in range(4):
    ds.GetRasterBand(b + 1).WriteArray(x[b])
ds = None
`;

let dir: string;
let store: BlobStore;
let record: SceneRecord;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-usable-planes-'));
  const batch = join(dir, 'batch');
  await mkdir(batch);
  runGdalScript(MAKE_SCENE, [join(batch, 'scene.tif')]);
  const manifest = { batchId: 'planes-2025-01', acquiredAt: '2025-01-10', platform: 'satellite', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' };
  await writeFile(join(batch, 'batch.json'), JSON.stringify(manifest));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  record = (await ingestBatch(store, directorySource(batch), defaultParameters())).scenes[0]!;
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('some planes of a usable window', () => {
  it('are those planes of the whole window, saturated and fill pixels decided on every band, whatever the blocks keep', async () => {
    const { col0, row0 } = record.placement;
    // 20-pixel windows in raster order (they cut the 32-pixel blocks), and windows over each special region
    const windows = [];
    for (let r = 0; r < SIZE; r += 20) for (let c = 0; c < SIZE; c += 20) windows.push({ col: col0 + c, row: row0 + r, width: Math.min(20, SIZE - c), height: Math.min(20, SIZE - r) });
    windows.push({ col: col0 + 38, row: row0 + 8, width: 10, height: 6 }, { col: col0 + 3, row: row0 + 48, width: 9, height: 7 }, { col: col0 + 58, row: row0 + 68, width: 14, height: 6 });
    const seen = { native: 0, float: 0 };
    for (const kept of [null, [1, 3], [2]] as const) {
      const whole = await openScene(store, record);
      const some = await openScene(store, record);
      const work = new Workspace();
      try {
        some.keepPlanes(kept === null ? null : [...kept]);
        for (const [k, w] of windows.entries()) {
          const all = await whole.readUsableWindow(w);
          for (const planes of [[1, 3], [0, 2], [2], [0, 1, 2, 3]]) {
            const want = pickBands(all, w.width * w.height, planes);
            const label = `kept ${kept}, window ${w.col - col0},${w.row - row0} ${w.width}x${w.height}, planes ${planes}`;
            expect(await some.readUsableWindow(w, false, undefined, planes), label).toEqual(want);
            expect(await some.readUsableWindow(w, k % 4 === 3, work.windowBuffers('after'), planes), `${label}, into a workspace`).toEqual(want);
          }
          seen[all instanceof Float32Array ? 'float' : 'native']++;
        }
      } finally {
        await Promise.all([whole.close(), some.close()]);
      }
    }
    // both kinds of window were read: as the file's samples, and as float32 with the unusable pixels NaN
    expect(seen.float).toBeGreaterThanOrEqual(3 * 4);
    expect(seen.native).toBeGreaterThan(3 * 20);
  }, 60_000);
});
