/**
 * Queue mode's runs of tiles (pipeline/tile-run-stage.ts), on a real store: a run detects its tiles one after
 * the other; a tile whose stored file cannot be decoded is recorded failed with the reason and the run goes
 * on; any other fault fails the run while attempts remain and is recorded on each tile on the last attempt;
 * the run's alert job records each failure with its reason. The queue services only hand BullMQ's view of
 * these over (a job's attempts, its ignored child failures and children's return values).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertTileRun, createStore, defaultParameters, detectTileRun, directorySource, ingestBatch, keys, MaskCache, runBatch, runFailures, type BlobStore, type DetectRunResult, type IngestResult } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { getScene, sceneLookup } from '@shoutu/shared/catalog/scene-catalog.js';
import { TiledGeoTiffWriter, type TiledSampleArray } from '@shoutu/shared/raster/write-tiled-geotiff.js';
import { HALO_PX } from '@shoutu/shared/detection/classify-change.js';
import { loadDemoMasks, TAIZHOU_EPOCHS } from '../support/fixtures.js';
import { garbleBlock } from '../support/garble-block.js';

const BLOCK = 64;
const parameters = defaultParameters({ tileSize: 64 });

let dir: string;
let store: BlobStore;
let ingest: IngestResult;
/** The garbled block: its index in the file and its pixels in lattice coordinates. */
let garbled: { index: number; col: number; row: number };

/** The Taizhou after epoch rewritten as DEFLATE tiles of BLOCK pixels (band-separate), as a delivered file. */
async function retiledAfterEpoch(path: string): Promise<void> {
  const source = await openGeoTiff({ path: join(TAIZHOU_EPOCHS[1], 'scene.tif') }, 'scene.tif');
  const { width, height, bands, geoTransform, epsg } = source.info;
  const writer = await TiledGeoTiffWriter.create(path, { width, height, bands, sampleFormat: 'uint', bitsPerSample: 8, geoTransform, epsg, nodata: null, tileSize: BLOCK });
  for (let ty = 0; ty < Math.ceil(height / BLOCK); ty++) {
    for (let tx = 0; tx < Math.ceil(width / BLOCK); tx++) {
      const [w, h] = [Math.min(BLOCK, width - tx * BLOCK), Math.min(BLOCK, height - ty * BLOCK)];
      const window = (await source.readWindowNative(tx * BLOCK, ty * BLOCK, w, h)) as Uint8Array;
      // a full BLOCK² tile, the part beyond the image zero
      const tile = new Uint8Array(bands * BLOCK * BLOCK);
      for (let b = 0; b < bands; b++) for (let y = 0; y < h; y++) tile.set(window.subarray((b * h + y) * w, (b * h + y) * w + w), (b * BLOCK + y) * BLOCK);
      await writer.writeTile(tx, ty, tile as TiledSampleArray);
    }
  }
  await writer.finish();
  await source.close();
}

/** `store` with its `get` replaced (to count reads, or to fail one). */
function withGet(store: BlobStore, get: (key: string) => Promise<Uint8Array>): BlobStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      if (name === 'get') return get;
      const value = Reflect.get(target, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-tile-runs-'));
  store = createStore({ kind: 'local', dir: join(dir, 'data') });
  await loadDemoMasks(store);
  await runBatch(store, directorySource(TAIZHOU_EPOCHS[0]), parameters);
  const after = join(dir, 'after');
  await mkdir(after);
  await copyFile(join(TAIZHOU_EPOCHS[1], 'batch.json'), join(after, 'batch.json'));
  await retiledAfterEpoch(join(after, 'scene.tif'));
  ingest = await ingestBatch(store, directorySource(after), parameters);
  // Storage damaged after ingest checked the file: block 3 of row 2 of the first band.
  const scene = ingest.scenes[0]!;
  const across = Math.ceil(scene.raster.width / BLOCK);
  const [tx, ty] = [3, 2];
  garbled = { index: ty * across + tx, col: scene.placement.col0 + tx * BLOCK, row: scene.placement.row0 + ty * BLOCK };
  await garbleBlock(store.localPath(scene.file.key)!, garbled.index);
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a run of tiles', () => {
  let result: DetectRunResult;

  it('records the tiles that cut an undecodable block failed, with the block named, and detects the others', async () => {
    const tiles = ingest.tiles;
    expect(tiles.length).toBeGreaterThan(20);
    result = await detectTileRun(store, tiles, new MaskCache(), undefined, { lastAttempt: false });
    // the tiles whose window with its halo reaches into the block
    const cuts = (t: (typeof tiles)[number]) =>
      t.window.col - HALO_PX < garbled.col + BLOCK && garbled.col < t.window.col + t.window.width + HALO_PX && t.window.row - HALO_PX < garbled.row + BLOCK && garbled.row < t.window.row + t.window.height + HALO_PX;
    const expected = tiles.filter(cuts).map((t) => t.tileKey);
    expect(expected.length).toBeGreaterThan(0);
    expect(Object.keys(result.failed).sort()).toEqual([...expected].sort());
    for (const reason of Object.values(result.failed)) expect(reason).toMatch(new RegExp(`^corrupt_raster: .*block ${garbled.index}: Deflate data is corrupt`));
    expect(result.tiles).toBe(tiles.length);
    let patches = 0;
    for (const tile of tiles) {
      const stored = await store.getOrNull(keys.detectResult(tile.batchId, tile.tileKey));
      expect(stored !== null, tile.tileKey).toBe(!expected.includes(tile.tileKey));
      if (stored) patches += (JSON.parse(Buffer.from(stored).toString('utf8')) as { patches: unknown[] }).patches.length;
    }
    expect(result.patches).toBe(patches);
    expect(patches).toBeGreaterThan(0);
  }, 120_000);

  it('reads the scene records of its pair once for the whole run, in detect and in alert', async () => {
    const reads: string[] = [];
    const counting = withGet(store, (key) => (reads.push(key), store.get(key)));
    const tiles = ingest.tiles.filter((t) => !(t.tileKey in result.failed)).slice(0, 12);
    await detectTileRun(counting, tiles, new MaskCache(), undefined, { lastAttempt: false });
    const sceneReads = () => reads.filter((key) => key.startsWith('catalog/scenes/')).sort();
    expect(sceneReads()).toEqual([keys.scene(tiles[0]!.baselineSceneId), keys.scene(tiles[0]!.sceneId)].sort());
    reads.length = 0;
    const outcomes = await alertTileRun(counting, ingest.batchId, tiles.map((t) => t.tileKey), runFailures({}, {}), undefined, { lastAttempt: false });
    expect(outcomes.some((o) => o.observationIds.length > 0)).toBe(true);
    expect(sceneReads()).toEqual([keys.scene(tiles[0]!.baselineSceneId), keys.scene(tiles[0]!.sceneId)].sort());
  }, 120_000);

  it('has its alert job record each tile detect failed with the run\'s reason, and alert the others', async () => {
    const tileKeys = ingest.tiles.map((t) => t.tileKey);
    const outcomes = await alertTileRun(store, ingest.batchId, tileKeys, runFailures({}, { 'bull:detect:detect.x': result }), undefined, { lastAttempt: false });
    expect(outcomes.map((o) => o.tileKey)).toEqual(tileKeys);
    let done = 0;
    for (const outcome of outcomes) {
      const reason = result.failed[outcome.tileKey];
      if (reason !== undefined) expect(outcome).toMatchObject({ status: 'failed', reason });
      // a detected tile whose evidence windows reach the block fails in its own alert step, the run goes on
      else if (outcome.status === 'failed') expect(outcome.reason).toMatch(new RegExp(`^corrupt_raster: .*block ${garbled.index}: Deflate data is corrupt`));
      else done++;
      expect(JSON.parse(Buffer.from(await store.get(keys.batchTileResult(ingest.batchId, outcome.tileKey))).toString('utf8'))).toEqual(outcome);
    }
    expect(done).toBeGreaterThan(tileKeys.length / 2);
    expect(outcomes.some((o) => o.observationIds.length > 0)).toBe(true);
  }, 120_000);

  it('fails on any other fault while attempts remain, and on the last attempt records it on every tile', async () => {
    const tiles = ingest.tiles.slice(0, 3);
    const baseline = tiles[0]!.baselineSceneId;
    // the baseline's stored file is gone: a fault of the store, not of the input
    const record = JSON.parse(Buffer.from(await store.get(keys.scene(baseline))).toString('utf8')) as { file: { key: string } };
    await store.delete(record.file.key);
    await expect(detectTileRun(store, tiles, new MaskCache(), undefined, { lastAttempt: false })).rejects.toMatchObject({ name: 'NotFoundError' });
    const last = await detectTileRun(store, tiles, new MaskCache(), undefined, { lastAttempt: true });
    expect(last).toMatchObject({ tiles: 3, patches: 0 });
    expect(Object.keys(last.failed)).toEqual(tiles.map((t) => t.tileKey));
    for (const reason of Object.values(last.failed)) expect(reason).toMatch(/^NotFoundError: /);
  }, 60_000);
});

describe('sceneLookup', () => {
  it('reads a record once and gives each caller its own copy; a read that failed is tried again', async () => {
    const id = ingest.tiles[0]!.sceneId;
    let reads = 0;
    let failNext = true;
    const flaky = withGet(store, async (key) => {
      reads++;
      if (failNext) {
        failNext = false;
        throw new Error('connection reset');
      }
      return store.get(key);
    });
    const sceneOf = sceneLookup(flaky);
    await expect(sceneOf(id)).rejects.toThrow('connection reset');
    const [a, b] = await Promise.all([sceneOf(id), sceneOf(id)]);
    expect(reads).toBe(2);
    expect(a).toEqual(await getScene(store, id));
    expect(a).not.toBe(b);
  });
});

describe('runFailures', () => {
  it('takes a failed run as every tile\'s reason, and the tiles a run recorded from its return value', () => {
    const value = { tiles: 3, patches: 1, failed: { t2: 'corrupt_raster: block 4' } };
    expect(runFailures({}, { 'bull:detect:a': value })).toEqual({ tiles: { t2: 'corrupt_raster: block 4' } });
    expect(runFailures({ 'bull:detect:b': 'job stalled more than allowable limit', 'bull:detect:a': 'timeout' }, {})).toEqual({ run: 'timeout; job stalled more than allowable limit', tiles: {} });
    // a value of another shape names no tile
    expect(runFailures({}, { 'bull:detect:a': { failed: 'everything' }, 'bull:detect:b': null })).toEqual({ tiles: {} });
  });
});
