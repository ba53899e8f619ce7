/**
 * The committed hostile set (fixtures/hostile, built by scripts/fixtures/make-hostile.ts): each file is
 * rejected with a clear error naming it and the forged field, within 1 s of CPU and 256 MB of RSS
 * (measured in a child process per file); and a batch of 99 good tiles plus one hostile file gives the 99
 * tiles' results and one quarantined file.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, directorySource, keys, readBatchStatus, runBatch, setCurrentMask, type BlobStore } from '@shoutu/shared';
import { mulberry32 } from '../../shared/src/kernels/test-random.js';
import { encodeMultiBandGeoTiff } from '../support/synthetic-geotiff.js';
import { fixture, REPO_ROOT } from '../support/fixtures.js';

const expected = JSON.parse(await readFile(fixture('hostile/expected.json'), 'utf8')) as Record<string, { code: string; field: string; forged: string }>;
const PROBE = join(REPO_ROOT, 'test/support/hostile-probe.ts');

describe('hostile GeoTIFF fixtures', () => {
  it('covers every forgery the ingest issue names', () => {
    expect(Object.keys(expected).sort()).toEqual(
      [
        'decompression-bomb.tif',
        'forged-dimensions.tif',
        'forged-strip-count.tif',
        'ifd-loop.tif',
        'jpeg-truncated-tile.tif',
        'offsets-past-eof.tif',
        'tag-flood.tif',
        'truncated.tif',
        'wrong-magic.tif',
        'zstd-bomb.tif',
      ],
    );
  });

  it.each(Object.entries(expected))('%s is rejected with a clear error, within 1 s CPU and 256 MB RSS', (name, want) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', PROBE, fixture('hostile', name)], { encoding: 'utf8', cwd: REPO_ROOT });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ok: boolean; code?: string; field?: string; message?: string; crash?: string; cpuMs: number; maxRssMb: number };
    expect(result.crash).toBeUndefined();
    expect(result).toMatchObject({ ok: false, code: want.code, field: want.field });
    expect(result.message).toMatch(new RegExp(`^${name.replace('.', '\\.')}: `));
    expect(result.cpuMs).toBeLessThan(1000);
    expect(result.maxRssMb).toBeLessThan(256);
  });
});

describe('a batch of 99 good tiles and one hostile file', () => {
  const SIDE = 64;
  const GRID = 10; // a 10×10 mosaic of tiles, one left out
  // A multiple of the tile size in metres (64 px × 10 m), so every file is exactly one lattice tile.
  const ORIGIN_X = 499_840;
  let dir: string;
  let store: BlobStore;

  const tile = (tx: number, ty: number, changed: boolean) => {
    const random = mulberry32(1 + tx * 31 + ty * 97 + (changed ? 5000 : 0));
    const n = SIDE * SIDE;
    const planes = new Uint8Array(4 * n);
    for (let i = 0; i < n; i++) {
      const built = changed && i % SIDE >= 20 && i % SIDE < 44 && ((i / SIDE) | 0) >= 20 && ((i / SIDE) | 0) < 44;
      [10, 18, 12, 88].forEach((v, b) => (planes[b * n + i] = Math.round((built ? [50, 52, 55, 60][b]! : v) + (random() - 0.5) * 4)));
    }
    return encodeMultiBandGeoTiff({ width: SIDE, height: SIDE, bands: 4, planes, originX: ORIGIN_X + tx * SIDE * 10, originY: 3_600_000 - ty * SIDE * 10, pixelSize: 10 });
  };

  const batch = async (batchId: string, date: string, changed: boolean) => {
    const batchDir = join(dir, batchId);
    await mkdir(batchDir, { recursive: true });
    let count = 0;
    for (let ty = 0; ty < GRID; ty++) {
      for (let tx = 0; tx < GRID; tx++) {
        if (tx === GRID - 1 && ty === GRID - 1) continue;
        await writeFile(join(batchDir, `tile-${ty}-${tx}.tif`), tile(tx, ty, changed));
        count++;
      }
    }
    if (changed) await copyFile(fixture('hostile/ifd-loop.tif'), join(batchDir, 'tile-9-9.tif'));
    await writeFile(join(batchDir, 'batch.json'), JSON.stringify({ batchId, acquiredAt: date, platform: 'drone', sensor: 'synthetic', bands: ['blue', 'green', 'red', 'nir'], regionCode: '321202' }));
    expect(count).toBe(99);
    return runBatch(store, directorySource(batchDir), defaultParameters({ tileSize: SIDE }));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoutu-hostile-batch-'));
    store = createStore({ kind: 'local', dir: join(dir, 'data') });
    const farmland = { type: 'FeatureCollection', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32651' } }, features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [[[499_840, 3_600_000], [506_240, 3_600_000], [506_240, 3_593_600], [499_840, 3_593_600], [499_840, 3_600_000]]] } }] };
    await setCurrentMask(store, 'farmland', new TextEncoder().encode(JSON.stringify(farmland)), 'farmland.geojson');
    await batch('mosaic-2024-01', '2024-01-10', false);
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('detects all 99 tiles and quarantines the hostile file with its reason', async () => {
    const { ingest, finalize } = await batch('mosaic-2024-02', '2024-02-10', true);
    expect(ingest.scenes).toHaveLength(99);
    expect(ingest.tiles).toHaveLength(99);
    expect(finalize.tilesDone).toBe(99);
    expect(finalize.tilesFailed).toEqual([]);
    expect(finalize.alerts).toHaveLength(99); // one planted building per tile
    const status = await readBatchStatus(store, 'mosaic-2024-02');
    expect(status?.fileCounts).toEqual({ accepted: 99, rejected: 1 });
    const reason = JSON.parse(Buffer.from(await store.get(keys.batchRejectedReason('mosaic-2024-02', 'tile-9-9.tif'))).toString('utf8')) as { error: { code: string; field: string; message: string } };
    expect(reason.error).toMatchObject({ code: 'not_geotiff', field: 'IFD' });
    expect(reason.error.message).toMatch(/^tile-9-9\.tif: .*loops/);
    expect(await store.getOrNull(keys.batchRejectedFile('mosaic-2024-02', 'tile-9-9.tif'))).not.toBeNull();
  }, 300_000);
});
