/**
 * Bands the detect pass does not read change nothing: a Taizhou pair stacked with a coastal, a red-edge and a
 * cirrus band (the red-edge band pixel-replicated, as a 20 m band on a 10 m grid, so the statistics leave it
 * out of the evidence) gives the bytes of the Taizhou pair itself, with one thread or two. The halo caches of
 * the stack keep only the six planes the pass reads (HaloWindowCache.keepPlanes), the evidence bands
 * renumbered for them, and read only those planes of the file (of a band-interleaved stack, only their blocks
 * are decoded); so do the tile jobs of batch and queue mode, which read only those planes of their
 * windows (OpenScene.readUsableWindow's planes) and keep only those of the file blocks between tiles.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { createStore, defaultParameters, detectPair, directorySource, keys, runBatch, type AlertFeature, type BlobStore } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';

const TAIZHOU_BANDS = ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'] as const;
const STACK_BANDS = ['coastal', 'blue', 'green', 'red', 'rededge', 'nir', 'swir16', 'cirrus', 'swir22'] as const;

/** Writes the nine-band stack of a Taizhou epoch: its six bands and three more, none at 0 or 255, pixel- or band-interleaved. */
const STACK = `
import sys
import numpy as np
from osgeo import gdal
src, out, seed, interleave = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
ds = gdal.Open(src)
x = ds.ReadAsArray().astype(np.float64)
h, w = x.shape[1:]
rng = np.random.default_rng(seed)
def replicate(a, k):
    return np.repeat(np.repeat(a[::k, ::k], k, axis=0), k, axis=1)[:h, :w]
coastal = replicate(x[0], 6)
rededge = replicate(0.5 * x[2] + 0.5 * x[3], 2)
cirrus = replicate(rng.integers(1, 20, (h, w)).astype(np.float64), 6)
stack = [coastal, x[0], x[1], x[2], rededge, x[3], x[4], cirrus, x[5]]
o = gdal.GetDriverByName('GTiff').Create(out, w, h, len(stack), gdal.GDT_Byte, ['TILED=YES', 'BLOCKXSIZE=64', 'BLOCKYSIZE=64', 'COMPRESS=DEFLATE', 'INTERLEAVE=' + interleave])
o.SetGeoTransform(ds.GetGeoTransform())
o.SetProjection(ds.GetProjection())
for b, band in enumerate(stack):
    o.GetRasterBand(b + 1).WriteArray(np.clip(np.rint(band), 1, 254).astype(np.uint8))
o = None
`;

let dir: string;
/** The stacks of both epochs, pixel-interleaved (`PIXEL`) and band-interleaved (`BAND`: the pass decodes only the planes it reads). */
const stacks: Record<'PIXEL' | 'BAND', { before: string; after: string }> = {} as never;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-pass-planes-'));
  for (const interleave of ['PIXEL', 'BAND'] as const) {
    const stack = (epoch: string, seed: number) => {
      const out = join(dir, `${epoch}-${interleave}.tif`);
      runGdalScript(STACK, [fixture('taizhou', epoch, 'scene.tif'), out, String(seed), interleave]);
      return out;
    };
    stacks[interleave] = { before: stack('2000-03-17', 1), after: stack('2003-02-06', 2) };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bands the detect pass does not read', () => {
  it('change nothing: the stack gives the Taizhou pair\'s change.tif, patches and statistics, with one thread or two, with and without the prefetch', async () => {
    // 64-pixel tiles: several rows of tiles, so both threads get rows and chunks are cut between them
    const parameters = defaultParameters({ tileSize: 64 });
    const taizhou = await detectPair({
      before: { path: fixture('taizhou', '2000-03-17', 'scene.tif') },
      after: { path: fixture('taizhou', '2003-02-06', 'scene.tif') },
      bands: [...TAIZHOU_BANDS],
      parameters,
    });
    expect(taizhou.patches.length).toBeGreaterThan(10);
    // two threads with the worker's prefetch and without it (it holds every band while the statistics run, so a
    // pair whose chunks are large skips it, PREFETCH_MAX_BYTES): the worker's caches are then made by its
    // sampled blocks, and cut down to the planes when its detect task starts
    for (const [interleave, threads, prefetchMaxBytes] of [['PIXEL', 1, undefined], ['PIXEL', 2, undefined], ['PIXEL', 2, 0], ['BAND', 1, undefined], ['BAND', 2, 0]] as const) {
      const stack = stacks[interleave];
      const stacked = await detectPair({ before: { path: stack.before }, after: { path: stack.after }, bands: [...STACK_BANDS], parameters, threads, prefetchMaxBytes });
      // the statistics chose the Taizhou bands (the red-edge band replicated, coastal and cirrus never evidence)
      expect(stacked.summary.pairStats.evidenceBands).toEqual([1, 2, 3, 5, 6, 8]);
      expect({ ...stacked.summary.pairStats, evidenceBands: [] }).toEqual({ ...taizhou.summary.pairStats, evidenceBands: [] });
      expect(Buffer.from(stacked.changeTif).equals(Buffer.from(taizhou.changeTif)), `${interleave}, ${threads} thread(s), prefetch ≤ ${prefetchMaxBytes}`).toBe(true);
      expect(JSON.stringify(stacked.patches)).toBe(JSON.stringify(taizhou.patches));
      expect(stacked.summary.validPixels).toBe(taizhou.summary.validPixels);
    }
  }, 120_000);
});

describe('bands the tile jobs do not read', () => {
  /** The batches of both epochs run in embedded batch mode (tile jobs), in a store of their own: its after batch and tiles. */
  async function batchesOf(name: string, epochs: { before: string; after: string }, bands: readonly string[], threads: number): Promise<{ store: BlobStore; batchId: string; tileKeys: string[] }> {
    const data = join(dir, `data-${name}-${threads}`);
    const store = createStore({ kind: 'local', dir: data });
    const batchId = `${name}-after`;
    let tileKeys: string[] = [];
    for (const [epoch, date] of [['before', '2000-03-17'], ['after', '2003-02-06']] as const) {
      const folder = join(dir, `batch-${name}-${threads}-${epoch}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'scene.tif'), readFileSync(epochs[epoch]));
      const manifest = { batchId: `${name}-${epoch}`, acquiredAt: date, platform: 'satellite', sensor: 'Landsat 7 ETM+', bands, regionCode: '321202' };
      await writeFile(join(folder, 'batch.json'), JSON.stringify(manifest));
      const run = await runBatch(store, directorySource(folder), defaultParameters({ tileSize: 64, alertOn: 'all' }), { threads, storeConfig: { kind: 'local', dir: data } });
      tileKeys = run.ingest.tiles.map((t) => t.tileKey);
    }
    return { store, batchId, tileKeys };
  }

  /** What a batch's tile jobs found, tile by tile (their job aside: it names the batch and the evidence bands), and what its alerts say of each 图斑. */
  async function findings({ store, batchId, tileKeys }: { store: BlobStore; batchId: string; tileKeys: string[] }): Promise<{ tiles: string[]; alerts: unknown[] }> {
    const tiles: string[] = [];
    for (const tileKey of tileKeys) {
      const { job: _job, ...found } = JSON.parse(Buffer.from(await store.get(keys.detectResult(batchId, tileKey))).toString('utf8')) as Record<string, unknown>;
      tiles.push(JSON.stringify(found));
    }
    const features = (JSON.parse(Buffer.from(await store.get(keys.batchAlerts(batchId))).toString('utf8')) as { features: AlertFeature[] }).features;
    const alerts = features.map(({ geometry, properties: p }) => ({ geometry, areaM2: p.areaM2, changeType: p.changeType, changeScore: p.changeScore, cloudFreeFraction: p.cloudFreeFraction, indices: p.indices, severity: p.severity }));
    return { tiles, alerts };
  }

  it('change nothing: the stack\'s tile results and alerts are the Taizhou pair\'s, with one thread or two', async () => {
    const taizhou = await findings(
      await batchesOf('taizhou', { before: fixture('taizhou', '2000-03-17', 'scene.tif'), after: fixture('taizhou', '2003-02-06', 'scene.tif') }, TAIZHOU_BANDS, 1),
    );
    expect(taizhou.tiles.length).toBeGreaterThan(20);
    expect(taizhou.alerts.length).toBeGreaterThan(10);
    for (const [interleave, threads] of [['PIXEL', 1], ['PIXEL', 2], ['BAND', 2]] as const) {
      const stacked = await findings(await batchesOf(`stack-${interleave}`, stacks[interleave], STACK_BANDS, threads));
      expect(stacked.tiles, `${interleave}, ${threads} thread(s)`).toEqual(taizhou.tiles);
      expect(stacked.alerts, `${interleave}, ${threads} thread(s)`).toEqual(taizhou.alerts);
    }
  }, 180_000);
});
