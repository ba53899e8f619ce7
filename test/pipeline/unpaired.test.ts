/**
 * A scene whose bands are not its earlier epoch's (another sensor, or the bands listed otherwise) cannot be
 * compared band by band. Its tiles are then not examined — and the batch says so, with the reason, instead
 * of passing for a first epoch.
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

describe('a scene whose bands are not its earlier epoch', () => {
  it('is not compared, and the batch status and the ingest report say why', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // A stack declared in another order (its descriptions cleared, or ingest would refuse the contradiction).
    const bands = ['red', 'green', 'blue', 'nir', 'swir16', 'swir22'];
    const { ingest, finalize } = await runBatch(store, directorySource(await withBands(TAIZHOU_EPOCHS[1], bands, true)), demoParameters());
    expect(ingest.scenes).toHaveLength(1);
    expect(ingest.tiles).toEqual([]);
    expect(finalize.alerts).toEqual([]);
    const reason = "its bands (red,green,blue,nir,swir16,swir22) are not those of the earlier epoch's scene (blue,green,red,nir,swir16,swir22); scenes are compared band by band, in one order";
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
