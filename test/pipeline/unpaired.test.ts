/**
 * A scene holding other kinds of band than its earlier epoch (another sensor) cannot be compared band by
 * band. Its tiles are then not examined — and the batch says so, with the reason, instead of passing for a
 * first epoch. A scene holding the same kinds in another order is compared, the earlier scene read in its
 * order.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, directorySource, readBatchStatus, runBatch, type BlobStore } from '@shoutu/shared';
import { ingestReport } from '../../cli/ingest-report.js';
import { demoParameters, loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';

let dir: string;
let store: BlobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-unpaired-'));
  store = createStore({ kind: 'local', dir: join(dir, 'store') });
  await loadDemoMasks(store);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Clears a GeoTIFF's band descriptions (so that any band order may be declared for it). */
const CLEAR_DESCRIPTIONS = `
import sys
from osgeo import gdal
ds = gdal.Open(sys.argv[1], gdal.GA_Update)
for b in range(ds.RasterCount):
    ds.GetRasterBand(b + 1).SetDescription('')
ds = None
`;

/** The epoch's folder with its manifest's bands replaced (and, with `clear`, its scene's band descriptions). */
async function withBands(epoch: string, bands: string[], clear = false): Promise<string> {
  const folder = join(dir, `batch-${bands.join('-')}`);
  await mkdir(folder);
  await copyFile(join(epoch, 'scene.tif'), join(folder, 'scene.tif'));
  if (clear) runGdalScript(CLEAR_DESCRIPTIONS, [join(folder, 'scene.tif')]);
  const manifest = JSON.parse(await readFile(join(epoch, 'batch.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands }));
  return folder;
}

describe('a scene whose bands are not those of its earlier epoch', () => {
  it('is not compared, and the batch status and the ingest report say why', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // Another sensor's kinds of band (the descriptions cleared, or ingest would refuse the contradiction).
    const bands = ['blue', 'green', 'red', 'nir', 'swir16', 'lwir'];
    const { ingest, finalize } = await runBatch(store, directorySource(await withBands(TAIZHOU_EPOCHS[1], bands, true)), demoParameters());
    expect(ingest.scenes).toHaveLength(1);
    expect(ingest.tiles).toEqual([]);
    expect(finalize.alerts).toEqual([]);
    const reason = "its bands (blue,green,red,nir,swir16,lwir) are not the kinds of band of the earlier epoch's scene (blue,green,red,nir,swir16,swir22); scenes are compared band by band";
    expect(ingest.unpaired).toEqual([{ sceneId: 'taizhou-2003-02.scene', baselineSceneId: 'taizhou-2000-03.scene', tiles: 4, reason }]);
    const status = await readBatchStatus(store, 'taizhou-2003-02');
    expect(status?.unpaired).toEqual(ingest.unpaired);
    const report = ingestReport(ingest, { files: 1, bytes: 0 });
    expect(report).toContain(`  not compared with an earlier epoch\n    scene.tif against taizhou-2000-03.scene, 4 tile(s): ${reason}\n`);
  });

  it('a scene compared with its earlier epoch records nothing of the kind (nir and nir08 are one kind)', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // The same Landsat bands, the fourth named nir08 (as STAC's Landsat collections name it) instead of nir.
    const bands = ['blue', 'green', 'red', 'nir08', 'swir16', 'swir22'];
    const { ingest } = await runBatch(store, directorySource(await withBands(TAIZHOU_EPOCHS[1], bands)), demoParameters());
    expect(ingest.tiles.length).toBe(4);
    expect(ingest.unpaired).toEqual([]);
    expect(await readBatchStatus(store, 'taizhou-2003-02')).not.toHaveProperty('unpaired');
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).not.toContain('not compared');
  });
});

/** Writes the scene with its bands in `order` (1-based, as gdal_translate -b takes them), descriptions kept. */
const REORDER = `
import sys
from osgeo import gdal
gdal.Translate(sys.argv[2], sys.argv[1], bandList=[int(b) for b in sys.argv[3].split(',')])
`;

describe('a scene holding the same kinds of band in another order', () => {
  it('is compared with the earlier scene read in its order: the same 图斑 as when both share one order', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const folder = join(dir, 'reordered');
    await mkdir(folder);
    runGdalScript(REORDER, [join(TAIZHOU_EPOCHS[1], 'scene.tif'), join(folder, 'scene.tif'), '3,2,1,4,6,5']);
    const manifest = JSON.parse(await readFile(join(TAIZHOU_EPOCHS[1], 'batch.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands: ['red', 'green', 'blue', 'nir', 'swir22', 'swir16'] }));
    const reordered = await runBatch(store, directorySource(folder), demoParameters());
    expect(reordered.ingest.unpaired).toEqual([]);
    expect(reordered.ingest.tiles.length).toBe(4);

    const plainStore = createStore({ kind: 'local', dir: join(dir, 'plain') });
    await loadDemoMasks(plainStore);
    await runBatch(plainStore, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const plain = await runBatch(plainStore, directorySource(TAIZHOU_EPOCHS[1]), demoParameters());
    // Band sums run in another order, so scores may differ in their last bits; the 图斑 are the same.
    const summary = (alerts: typeof plain.finalize.alerts) => alerts.map((a) => [a.properties.changeType, a.properties.areaMu, a.bbox.map((v) => v.toFixed(5))]);
    expect(reordered.finalize.alerts.length).toBe(plain.finalize.alerts.length);
    expect(summary(reordered.finalize.alerts)).toEqual(summary(plain.finalize.alerts));
  });
});
