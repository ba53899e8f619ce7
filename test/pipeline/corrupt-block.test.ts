/**
 * A scene already on the area's grid is stored as delivered, so ingest decodes every block of it (and of
 * its cloud mask file) before storing anything: a file with a block that cannot be decoded is rejected
 * (corrupt_raster, naming the block) and quarantined at ingest, while the batch's good scenes go on —
 * instead of surfacing as failed tiles at detect time.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore, directorySource, ingestBatch, keys, readBatchStatus, runBatch, type BlobStore, type StoreConfig } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { TiledGeoTiffWriter, type TiledSampleArray } from '@shoutu/shared/raster/write-tiled-geotiff.js';
import { sha256Hex } from '@shoutu/shared/util/sha256.js';
import { verifyInParts } from '@shoutu/shared/pipeline/verify-in-parts.js';
import { InvalidInputError } from '@shoutu/shared/errors.js';
import { demoParameters, fixture } from '../support/fixtures.js';
import { garbleBlock } from '../support/garble-block.js';

const GOOD = fixture('bad', 'mixed', 'good.tif');
const TILE = 16;

let dir: string;
let storeConfig: StoreConfig;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-corrupt-block-'));
  storeConfig = { kind: 'local', dir: join(dir, 'data') };
  store = createStore(storeConfig);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * good.tif (64 x 64, 6 bands, on the Taizhou grid) rewritten as 16 x 16 DEFLATE tiles, band-separate:
 * 16 tiles per band, 96 blocks. `bands: 1` keeps only a zero-valued band (a clear cloud mask).
 */
async function retiled(path: string, bands?: 1): Promise<void> {
  const source = await openGeoTiff({ path: GOOD }, 'good.tif');
  const { width, height, geoTransform, epsg } = source.info;
  const writer = await TiledGeoTiffWriter.create(path, { width, height, bands: bands ?? source.info.bands, sampleFormat: 'uint', bitsPerSample: 8, geoTransform, epsg, nodata: null, tileSize: TILE });
  for (let ty = 0; ty < height / TILE; ty++) {
    for (let tx = 0; tx < width / TILE; tx++) {
      const planes = bands === 1 ? new Uint8Array(TILE * TILE) : await source.readWindowNative(tx * TILE, ty * TILE, TILE, TILE);
      await writer.writeTile(tx, ty, planes as TiledSampleArray);
    }
  }
  await writer.finish();
  await source.close();
}

async function manifestOf(batchId: string, extra: object = {}): Promise<string> {
  const manifest = JSON.parse(await readFile(fixture('bad', 'mixed', 'batch.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...manifest, batchId, ...extra }, null, 2);
}

async function reasonOf(batchId: string, name: string): Promise<Record<string, unknown>> {
  return JSON.parse(Buffer.from(await store.get(keys.batchRejectedReason(batchId, name))).toString('utf8')) as Record<string, unknown>;
}

describe('a scene on the grid with a block that cannot be decoded', () => {
  it('is rejected at ingest naming the block and quarantined; the good scene is accepted', async () => {
    const batch = join(dir, 'batch');
    await mkdir(batch);
    await writeFile(join(batch, 'batch.json'), await manifestOf('corrupt-tile'));
    await retiled(join(batch, 'good.tif'));
    await retiled(join(batch, 'damaged.tif'));
    // block 17: band 2 (blocks 16..31), its tile at x 16, y 0
    const damaged = await garbleBlock(join(batch, 'damaged.tif'), 17);

    const result = await ingestBatch(store, directorySource(batch), demoParameters());

    expect(result.scenes.map((s) => s.file.name)).toEqual(['good.tif']);
    expect(result.scenes[0]!.source).toBeUndefined(); // on the grid: stored as delivered, not resampled
    const error = { code: 'corrupt_raster', file: 'damaged.tif', field: 'TileOffsets[17]' };
    const message = /^damaged\.tif: block 17 \(tile at x 16, y 0, band 2\) cannot be decoded: Deflate data is corrupt/;
    expect(result.rejected).toEqual([{ name: 'damaged.tif', status: 'rejected', error: expect.objectContaining({ ...error, message: expect.stringMatching(message) }) }]);

    const status = await readBatchStatus(store, 'corrupt-tile');
    expect(status?.fileCounts).toEqual({ accepted: 1, rejected: 1 });
    expect(status?.files.find((f) => f.name === 'damaged.tif')).toMatchObject({ status: 'rejected', error });

    // quarantined byte for byte, with its reason
    expect(Buffer.from(await store.get(keys.batchRejectedFile('corrupt-tile', 'damaged.tif'))).equals(Buffer.from(damaged))).toBe(true);
    expect(await reasonOf('corrupt-tile', 'damaged.tif')).toMatchObject({
      error,
      file: { bytes: damaged.byteLength, sha256: sha256Hex(damaged) },
      quarantined: keys.batchRejectedFile('corrupt-tile', 'damaged.tif'),
    });
    // nothing of it was stored as an accepted file or registered as a scene
    expect(await store.list('batches/corrupt-tile/files/')).toEqual([keys.batchFile('corrupt-tile', 'good.tif')]);
    expect(await store.exists(keys.scene('corrupt-tile.good'))).toBe(true);
    expect(await store.exists(keys.scene('corrupt-tile.damaged'))).toBe(false);
  }, 60_000);

  it('checked in parts by two threads (embedded mode), the rejection names the first bad block in file order, as one thread does', async () => {
    // 96 blocks in two parts: 0–47 in the calling thread, 48–95 in the worker
    for (const [batchId, bad] of [['worker-part', [80]], ['both-parts', [80, 20]]] as const) {
      const batch = join(dir, batchId);
      await mkdir(batch);
      await writeFile(join(batch, 'batch.json'), await manifestOf(batchId));
      await retiled(join(batch, 'good.tif'));
      await retiled(join(batch, 'damaged.tif'));
      for (const block of bad) await garbleBlock(join(batch, 'damaged.tif'), block);
      const first = Math.min(...bad);

      const { ingest } = await runBatch(store, directorySource(batch), demoParameters(), { threads: 2, storeConfig });

      expect(ingest.scenes.map((s) => s.file.name)).toEqual(['good.tif']);
      expect(ingest.rejected).toEqual([
        {
          name: 'damaged.tif',
          status: 'rejected',
          error: expect.objectContaining({ code: 'corrupt_raster', file: 'damaged.tif', field: `TileOffsets[${first}]`, message: expect.stringMatching(new RegExp(`^damaged\\.tif: block ${first} \\(`)) }),
        },
      ]);
      expect(await reasonOf(batchId, 'damaged.tif')).toMatchObject({ error: { code: 'corrupt_raster', field: `TileOffsets[${first}]` } });
    }
  }, 60_000);

  it('verifyInParts: the other parts go to the other threads, their file errors surface, a part whose thread failed is checked here', async () => {
    const path = join(dir, 'tiled.tif');
    await retiled(path);
    const asked: string[] = [];
    await verifyInParts(3, async (part) => {
      asked.push(`${part.index}/${part.of}`);
    })(path, 'tiled.tif');
    expect(asked.sort()).toEqual(['1/3', '2/3']);
    const corrupt = new InvalidInputError('corrupt_raster', 'tiled.tif: block 70 (…) cannot be decoded', { file: 'tiled.tif', field: 'TileOffsets[70]' });
    await expect(verifyInParts(2, () => Promise.reject(corrupt))(path, 'tiled.tif')).rejects.toBe(corrupt);
    // the thread died: its part is checked in this thread (the file is good)
    await expect(verifyInParts(2, () => Promise.reject(new Error('worker thread exited with code 1')))(path, 'tiled.tif')).resolves.toBeUndefined();
    await garbleBlock(path, 70);
    await expect(verifyInParts(2, () => Promise.reject(new Error('worker thread exited with code 1')))(path, 'tiled.tif')).rejects.toMatchObject({ code: 'corrupt_raster', field: 'TileOffsets[70]' });
  }, 60_000);

  it('a damaged cloud mask file rejects its scene before the scene or the mask is stored', async () => {
    const batch = join(dir, 'masked');
    await mkdir(batch);
    await writeFile(join(batch, 'batch.json'), await manifestOf('corrupt-mask', { cloudMask: { files: { 'a.tif': 'a-clouds.tif', 'b.tif': 'b-clouds.tif' }, values: [1] } }));
    await copyFile(GOOD, join(batch, 'a.tif'));
    await copyFile(GOOD, join(batch, 'b.tif'));
    await retiled(join(batch, 'a-clouds.tif'), 1);
    await retiled(join(batch, 'b-clouds.tif'), 1);
    await garbleBlock(join(batch, 'b-clouds.tif'), 5); // x 16, y 16

    const result = await ingestBatch(store, directorySource(batch), demoParameters());

    expect(result.scenes.map((s) => s.file.name)).toEqual(['a.tif']);
    const status = await readBatchStatus(store, 'corrupt-mask');
    expect(status?.files.find((f) => f.name === 'b.tif')).toMatchObject({
      status: 'rejected',
      error: { code: 'corrupt_raster', file: 'b-clouds.tif', field: 'TileOffsets[5]', message: expect.stringMatching(/^b-clouds\.tif: block 5 \(tile at x 16, y 16\) cannot be decoded: /) },
    });
    expect(await reasonOf('corrupt-mask', 'b.tif')).toMatchObject({ error: { code: 'corrupt_raster', field: 'TileOffsets[5]' } });
    expect((await store.list('batches/corrupt-mask/files/')).sort()).toEqual([keys.batchFile('corrupt-mask', 'a-clouds.tif'), keys.batchFile('corrupt-mask', 'a.tif')]);
  }, 60_000);
});
