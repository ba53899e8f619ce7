/**
 * Which bands an epoch is compared on with its earlier epoch. The same kinds of band in another order: all
 * of them, the earlier scene read in the new one's order. Epochs of two sensors (a 4-band product after
 * Landsat, a drone's RGB orthophoto after a multispectral epoch): the kinds both hold, recorded on the batch,
 * in the ingest report and on each 图斑. Epochs sharing no band that shows the land are not compared — and
 * the batch says so, with the reason, instead of passing for a first epoch.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertsToTable, createStore, directorySource, readBatchStatus, runBatch, type BlobStore } from '@shoutu/shared';
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

/** Writes the scene with its bands in `order` (1-based, as gdal_translate -b takes them), descriptions kept. */
const REORDER = `
import sys
from osgeo import gdal
gdal.Translate(sys.argv[2], sys.argv[1], bandList=[int(b) for b in sys.argv[3].split(',')])
`;

/** Writes the scene's red, green and blue bands as a 10 m orthophoto in EPSG:4549 (cubic). */
const WARP_RGB = `
import sys
from osgeo import gdal
rgb = gdal.Translate('/vsimem/rgb.tif', sys.argv[1], bandList=[3, 2, 1])
gdal.Warp(sys.argv[2], rgb, dstSRS='EPSG:4549', xRes=10, yRes=10, resampleAlg='cubic', creationOptions=['TILED=YES', 'COMPRESS=DEFLATE'])
`;

/** The epoch's folder with only the given bands of its scene (1-based, in that order), named `bands`. */
async function epochOf(epoch: string, name: string, order: number[], bands: string[], sensor?: string): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder);
  runGdalScript(REORDER, [join(epoch, 'scene.tif'), join(folder, 'scene.tif'), order.join(',')]);
  const manifest = JSON.parse(await readFile(join(epoch, 'batch.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands, ...(sensor ? { sensor } : {}) }));
  return folder;
}

describe('a scene that shares no band that shows the land with its earlier epoch', () => {
  it('is not compared, and the batch status and the ingest report say why', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // A panchromatic epoch against a multispectral one: no band of one kind in both.
    const folder = await epochOf(TAIZHOU_EPOCHS[1], 'pan', [3], ['pan']);
    runGdalScript(CLEAR_DESCRIPTIONS, [join(folder, 'scene.tif')]);
    const { ingest, finalize } = await runBatch(store, directorySource(folder), demoParameters());
    expect(ingest.scenes).toHaveLength(1);
    expect(ingest.tiles).toEqual([]);
    expect(finalize.alerts).toEqual([]);
    const reason = "its bands (pan) share no kind of band that shows the land with the earlier epoch's scene (blue,green,red,nir,swir16,swir22); scenes are compared band by band";
    expect(ingest.unpaired).toEqual([{ sceneId: 'taizhou-2003-02.scene', baselineSceneId: 'taizhou-2000-03.scene', tiles: 4, reason }]);
    expect(ingest.sharedBands).toEqual([]);
    const status = await readBatchStatus(store, 'taizhou-2003-02');
    expect(status?.unpaired).toEqual(ingest.unpaired);
    expect(status).not.toHaveProperty('sharedBands');
    const report = ingestReport(ingest, { files: 1, bytes: 0 });
    expect(report).toContain(`  not compared with an earlier epoch\n    scene.tif against taizhou-2000-03.scene, 4 tile(s): ${reason}\n`);
  });

  it('a scene compared with its earlier epoch records nothing of the kind (nir and nir08 are one kind)', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // The same Landsat bands, the fourth named nir08 (as STAC's Landsat collections name it) instead of nir.
    const bands = ['blue', 'green', 'red', 'nir08', 'swir16', 'swir22'];
    const { ingest } = await runBatch(store, directorySource(await epochOf(TAIZHOU_EPOCHS[1], 'nir08', [1, 2, 3, 4, 5, 6], bands)), demoParameters());
    expect(ingest.tiles.length).toBe(4);
    expect(ingest.unpaired).toEqual([]);
    expect(ingest.sharedBands).toEqual([]);
    const status = await readBatchStatus(store, 'taizhou-2003-02');
    expect(status).not.toHaveProperty('unpaired');
    expect(status).not.toHaveProperty('sharedBands');
    const report = ingestReport(ingest, { files: 1, bytes: 0 });
    expect(report).not.toContain('not compared');
    expect(report).not.toContain('another sensor');
  });
});

describe('a scene holding the same kinds of band in another order', () => {
  it('is compared with the earlier scene read in its order: the same 图斑 as when both share one order', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const folder = await epochOf(TAIZHOU_EPOCHS[1], 'reordered', [3, 2, 1, 4, 6, 5], ['red', 'green', 'blue', 'nir', 'swir22', 'swir16']);
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

/** The 图斑 of the two epochs in a store of their own, the second epoch detected with `threads` threads. */
async function alertsOf(name: string, first: string, second: string, threads = 1) {
  const storeConfig = { kind: 'local' as const, dir: join(dir, name) };
  const own = createStore(storeConfig);
  await loadDemoMasks(own);
  await runBatch(own, directorySource(first), demoParameters());
  return (await runBatch(own, directorySource(second), demoParameters(), { threads, storeConfig })).finalize.alerts;
}

const BGRN = ['blue', 'green', 'red', 'nir'];
const summary = (alerts: Awaited<ReturnType<typeof alertsOf>>) => alerts.map((a) => [a.properties.changeType, a.properties.severity, a.properties.areaMu, a.bbox.map((v) => v.toFixed(5))]);

describe('epochs of two sensors that share some kinds of band', () => {
  it('a 4-band scene against a 6-band earlier epoch is compared on the four: the same 图斑 as two 4-band epochs', async () => {
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    // Delivered as a 4-band product of another sensor.
    const after4 = await epochOf(TAIZHOU_EPOCHS[1], 'after-bgrn', [1, 2, 3, 4], BGRN, 'GF-1 PMS');
    const { ingest, finalize } = await runBatch(store, directorySource(after4), demoParameters());
    expect(ingest.unpaired).toEqual([]);
    expect(ingest.tiles.length).toBe(4);
    const shared = { sceneId: 'taizhou-2003-02.scene', baselineSceneId: 'taizhou-2000-03.scene', tiles: 4, compared: BGRN, sceneOnly: [], baselineOnly: ['swir16', 'swir22'] };
    expect(ingest.sharedBands).toEqual([shared]);
    expect((await readBatchStatus(store, 'taizhou-2003-02'))?.sharedBands).toEqual([shared]);
    expect(ingestReport(ingest, { files: 1, bytes: 0 })).toContain(
      "  compared with an earlier epoch of another sensor on the bands both hold\n    scene.tif against taizhou-2000-03.scene, 4 tile(s): compared blue,green,red,nir; left out: this scene's none, the earlier scene's swir16,swir22\n",
    );

    const both4 = await alertsOf('both-bgrn', await epochOf(TAIZHOU_EPOCHS[0], 'before-bgrn', [1, 2, 3, 4], BGRN), after4);
    expect(finalize.alerts.length).toBeGreaterThan(0);
    expect(summary(finalize.alerts)).toEqual(summary(both4));
    // Each 图斑 says what its detection rests on: the two sensors and the bands compared.
    for (const a of finalize.alerts) {
      expect([a.properties.sensor, a.properties.beforeSensor, a.properties.comparedBands]).toEqual(['GF-1 PMS', 'Landsat 7 ETM+', BGRN]);
    }
    for (const a of both4) expect(a.properties).not.toHaveProperty('comparedBands');
    // The exports carry both: the sensors of the two epochs, the bands compared (empty: all of them).
    const row = (alerts: typeof both4) => alertsToTable(alerts).rows[0]!.values;
    expect([row(finalize.alerts).sensor, row(finalize.alerts).beforeSensor, row(finalize.alerts).comparedBands]).toEqual(['GF-1 PMS', 'Landsat 7 ETM+', 'blue,green,red,nir']);
    expect([row(both4).beforeSensor, row(both4).comparedBands]).toEqual(['Landsat 7 ETM+', '']);
    // Byte for byte the same with the tiles detected in two threads.
    const twoThreads = await alertsOf('two-threads', TAIZHOU_EPOCHS[0], after4, 2);
    expect(JSON.stringify(twoThreads)).toBe(JSON.stringify(finalize.alerts));
  });

  it('a 6-band scene against a 3-band RGB earlier epoch in another order is compared on red, green and blue', async () => {
    const rgb = ['red', 'green', 'blue'];
    const before3 = await epochOf(TAIZHOU_EPOCHS[0], 'before-rgb', [3, 2, 1], rgb);
    await runBatch(store, directorySource(before3), demoParameters());
    const { ingest, finalize } = await runBatch(store, directorySource(TAIZHOU_EPOCHS[1]), demoParameters());
    expect(ingest.sharedBands).toEqual([
      { sceneId: 'taizhou-2003-02.scene', baselineSceneId: 'taizhou-2000-03.scene', tiles: 4, compared: ['blue', 'green', 'red'], sceneOnly: ['nir', 'swir16', 'swir22'], baselineOnly: [] },
    ]);
    // The same pixels as two blue, green, red epochs: the earlier one is read in the scene's order.
    const bgr = ['blue', 'green', 'red'];
    const both3 = await alertsOf('both-bgr', await epochOf(TAIZHOU_EPOCHS[0], 'before-bgr', [1, 2, 3], bgr), await epochOf(TAIZHOU_EPOCHS[1], 'after-bgr', [1, 2, 3], bgr));
    expect(finalize.alerts.length).toBeGreaterThan(0);
    expect(summary(finalize.alerts)).toEqual(summary(both3));
  });

  it("a drone's RGB orthophoto in another CRS and pixel size is resampled onto the grid and compared on red, green, blue", async () => {
    // The second epoch's visible bands as a 10 m orthophoto in CGCS2000 / 3-degree Gauss-Kruger (EPSG:4549).
    const folder = join(dir, 'drone');
    await mkdir(folder);
    runGdalScript(WARP_RGB, [join(TAIZHOU_EPOCHS[1], 'scene.tif'), join(folder, 'scene.tif')]);
    const manifest = JSON.parse(await readFile(join(TAIZHOU_EPOCHS[1], 'batch.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'batch.json'), JSON.stringify({ ...manifest, bands: ['red', 'green', 'blue'], platform: 'drone', sensor: 'RGB orthophoto' }));
    await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), demoParameters());
    const { ingest, finalize } = await runBatch(store, directorySource(folder), demoParameters());
    expect(ingest.scenes[0]!.source?.resampling.scale[0]).toBeCloseTo(3, 1);
    expect(ingest.sharedBands.map((s) => s.compared)).toEqual([['red', 'green', 'blue']]);
    // Against the same bands on the grid as delivered: resampling changes the pixels, not the sites.
    const onGrid = await alertsOf('rgb-on-grid', TAIZHOU_EPOCHS[0], await epochOf(TAIZHOU_EPOCHS[1], 'rgb-on-grid-after', [3, 2, 1], ['red', 'green', 'blue']));
    const mu = (alerts: typeof onGrid) => alerts.reduce((sum, a) => sum + a.properties.areaMu, 0);
    expect(finalize.alerts.length).toBeGreaterThan(0.8 * onGrid.length);
    expect(mu(finalize.alerts) / mu(onGrid)).toBeGreaterThan(0.9);
    expect(mu(finalize.alerts) / mu(onGrid)).toBeLessThan(1.1);
    for (const a of finalize.alerts) expect([a.properties.platform, a.properties.comparedBands]).toEqual(['drone', ['red', 'green', 'blue']]);
  });
});
