/**
 * The area's analysis grid at ingest: declared or fixed by the first scene, never changed afterwards;
 * scenes outside its region of interest or without georeferencing are quarantined with their reason; a
 * cloud mask file is resampled with its scene (nearest neighbour) and both originals stay recorded.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, ingestBatch, keys, readBatchStatus, runBatch, RunRecord, type BlobStore } from '@shoutu/shared';
import { sha256Hex } from '@shoutu/shared/util/sha256.js';
import { encodeUint8GeoTiff, openGeoTiff } from '../../shared/src/raster/index.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';
import { fixture } from '../support/fixtures.js';
import { reprojectBatch, REPROJECT } from '../support/reproject-fixtures.js';

let dir: string;
let store: BlobStore;
const json = async <T>(key: string) => JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T;

/** A small 4-band uint8 scene far from the fixtures (Heilongjiang), on the given CRS and 10 m grid. */
const farScene = (epsg: number, originX: number, originY: number) =>
  encodeMultiBandGeoTiff({ width: 16, height: 16, bands: 4, planes: new Uint8Array(4 * 256).fill(80), epsg, originX, originY, pixelSize: 10 });

/** The GK fixture's 10 m lattice, with a region of interest around the fixture's ground. */
const GRID = { epsg: 4549, pixelSize: 10, origin: [0, 0], extent: [555_000, 3_462_000, 560_000, 3_467_000] };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-area-grid-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the area grid at ingest', () => {
  it('quarantines scenes outside the region of interest, without georeferencing or in an unknown CRS, naming file and field', async () => {
    const folder = await reprojectBatch(dir, 'roi-1', '2023-10-01', REPROJECT.gk, { grid: GRID });
    // on the grid's own lattice but 100 km east (placed as is, then refused)
    await writeFile(join(folder, 'far-gk.tif'), farScene(4549, 656_000, 3_466_000));
    // in UTM, 100 km north (refused before resampling)
    await writeFile(join(folder, 'far-utm.tif'), farScene(32651, 271_003, 3_568_007));
    await copyFile(fixture('bad', 'ungeoreferenced', 'scene.tif'), join(folder, 'nogeo.tif'));
    // New Zealand Transverse Mercator: a CRS shoutu cannot transform
    await writeFile(join(folder, 'nztm.tif'), farScene(2193, 1_750_000, 5_900_000));
    const { scenes } = await ingestBatch(store, directorySource(folder), defaultParameters());
    expect(scenes.map((s) => s.file.name)).toEqual(['scene.tif']);
    const status = await readBatchStatus(store, 'roi-1');
    expect(status?.fileCounts).toEqual({ accepted: 1, rejected: 4 });
    const expected = {
      'far-gk.tif': { code: 'outside_area', field: 'geoTransform', message: /^far-gk\.tif: the scene does not overlap the area grid's region of interest \(extent \[555000, 3462000, 560000, 3467000\] in EPSG:4549\)$/ },
      'far-utm.tif': { code: 'outside_area', field: 'geoTransform', message: /^far-utm\.tif: the scene does not overlap the area grid's region of interest/ },
      'nogeo.tif': { code: 'not_georeferenced', field: 'ModelTiepointTag', message: /^nogeo\.tif: / },
      'nztm.tif': { code: 'crs_unknown', field: 'epsg', message: /^nztm\.tif: EPSG:2193 is not supported/ },
    } as const;
    for (const [name, e] of Object.entries(expected)) {
      const outcome = status!.files.find((f) => f.name === name)!;
      expect(outcome).toMatchObject({ status: 'rejected', error: { code: e.code, field: e.field, file: name } });
      expect(outcome.error?.message).toMatch(e.message);
      const bytes = await readFile(join(folder, name));
      expect(await json(keys.batchRejectedReason('roi-1', name))).toMatchObject({ name, error: { code: e.code, file: name }, file: { sha256: sha256Hex(bytes) } });
      expect(Buffer.from(await store.get(keys.batchRejectedFile('roi-1', name))).equals(bytes)).toBe(true);
    }
    // nothing of the refused files was stored as accepted or resampled
    expect(await store.list('batches/roi-1/files/')).toEqual([keys.batchFile('roi-1', 'scene.tif')]);
    expect(await store.list('batches/roi-1/resampled/')).toEqual([]);
    // the declared grid is the area's grid; the GK scene lies on it and is kept as delivered
    expect(await json(keys.area('320505'))).toEqual({
      schema: 'shoutu.area/1',
      regionCode: '320505',
      lattice: { gridId: 'epsg4549-10x10-p0_0-t512', epsg: 4549, pixelWidth: 10, pixelHeight: 10, phaseX: 0, phaseY: 0, tileSize: 512 },
      extent: GRID.extent,
      fixedBy: { how: 'declared', batchId: 'roi-1' },
    });
    expect(scenes[0]!.source).toBeUndefined();
  }, 60_000);

  it('refuses a batch that declares another grid or asks for other tiles, and keeps the area as it was', async () => {
    const area = await store.get(keys.area('320505'));
    const other = await reprojectBatch(dir, 'roi-2', '2024-04-01', REPROJECT.utm, { grid: { ...GRID, pixelSize: 8 } });
    await expect(ingestBatch(store, directorySource(other), defaultParameters())).rejects.toMatchObject({
      code: 'grid_conflict',
      file: 'batch.json',
      field: 'grid',
      message: expect.stringMatching(/^batch\.json: "grid" declares EPSG:4549, 8 × 8 pixels, .* but region 320505 already has EPSG:4549, 10 × 10 pixels, .*areas\/320505\.json, fixed by batch roi-1\); an area's grid never changes$/),
    });
    expect((await readBatchStatus(store, 'roi-2'))?.state).toBe('rejected');
    const tiles = await reprojectBatch(dir, 'roi-3', '2024-04-01', REPROJECT.utm);
    await expect(ingestBatch(store, directorySource(tiles), defaultParameters({ tileSize: 256 }))).rejects.toMatchObject({ code: 'grid_conflict', field: 'tileSize' });
    const unknown = await reprojectBatch(dir, 'roi-4', '2024-04-01', REPROJECT.utm, { regionCode: '320506', grid: { epsg: 2193, pixelSize: 10 } });
    await expect(ingestBatch(store, directorySource(unknown), defaultParameters())).rejects.toMatchObject({ code: 'crs_unknown', file: 'batch.json', field: 'grid.epsg' });
    expect(Buffer.from(await store.get(keys.area('320505'))).equals(Buffer.from(area))).toBe(true);
    expect(await store.exists(keys.area('320506'))).toBe(false);
    // repeating the same declaration is fine
    const same = await reprojectBatch(dir, 'roi-5', '2024-04-01', REPROJECT.utm, { grid: GRID });
    const { scenes } = await ingestBatch(store, directorySource(same), defaultParameters());
    expect(scenes[0]!.placement.lattice.gridId).toBe('epsg4549-10x10-p0_0-t512');
  }, 60_000);

  it('resamples a cloud mask file with its scene by nearest neighbour, and records both originals', async () => {
    await runBatch(store, directorySource(await reprojectBatch(dir, 'mask-1', '2023-10-01', REPROJECT.gk, { regionCode: '320507' })), defaultParameters());
    // a cloud mask on the UTM delivery's grid: a 40 × 30 pixel block of 1s
    const utm = await openGeoTiff({ path: REPROJECT.utm }, 'utm.tif');
    const { width, height, geoTransform, epsg } = utm.info;
    await utm.close();
    const mask = new Uint8Array(width * height);
    for (let y = 100; y < 130; y++) for (let x = 60; x < 100; x++) mask[y * width + x] = 1;
    const folder = await reprojectBatch(dir, 'mask-2', '2024-04-01', REPROJECT.utm, { regionCode: '320507', cloudMask: { files: { 'scene.tif': 'clouds.tif' } } });
    await writeFile(join(folder, 'clouds.tif'), encodeUint8GeoTiff({ width, height, data: mask, geoTransform, epsg }));
    const { ingest } = await runBatch(store, directorySource(folder), defaultParameters({ alertOn: 'all' }));
    const scene = ingest.scenes[0]!;
    expect(scene.validity?.cloudMask?.file?.key).toBe('batches/mask-2/resampled/clouds.tif');
    expect(scene.source?.cloudMaskFile?.key).toBe('batches/mask-2/files/clouds.tif');
    expect(scene.source?.file.key).toBe('batches/mask-2/files/scene.tif');

    // nearest neighbour: only the mask's own values (0, 1) inside the scene, its nodata fill (255) outside
    const resampled = await openGeoTiff({ path: store.localPath(scene.validity!.cloudMask!.file!.key)! }, 'clouds');
    expect([resampled.info.width, resampled.info.height, resampled.info.geoTransform]).toEqual([scene.raster.width, scene.raster.height, scene.raster.geoTransform]);
    const values = await resampled.readWindowNative(0, 0, resampled.info.width, resampled.info.height);
    await resampled.close();
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([0, 1, 255]);
    // same 10 m pixel size: the block keeps its area (1200 pixels) within a row or column of pixels
    expect(Math.abs(counts.get(1)! - 1200)).toBeLessThan(70);

    const record = await json<RunRecord>(keys.runRecord('mask-2'));
    const inputs = record.inputs.map((i) => `${i.role} ${i.key}`);
    expect(inputs).toEqual(expect.arrayContaining(['scene batches/mask-2/files/scene.tif', 'scene batches/mask-2/files/clouds.tif', 'area areas/320507.json']));
    expect(record.outputs.map((o) => o.key)).toEqual(expect.arrayContaining(['batches/mask-2/resampled/scene.tif', 'batches/mask-2/resampled/clouds.tif']));
  }, 120_000);
});
