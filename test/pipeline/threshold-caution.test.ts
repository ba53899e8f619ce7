/**
 * A pair in which nothing changed: the Taizhou fixture's 2000 scene against itself plus sensor noise (15 %
 * of each band's deviation, seeded). Otsu's rule splits its scores through the middle, so the threshold is
 * Rosin's split of their tail instead (detection/pair-threshold.ts), which flags a fraction of a percent
 * where Otsu's flagged nearly half; detection says so (detection/threshold-caution.ts) in `shoutu detect`'s
 * warnings and in the batch status, and says nothing of the kind for the fixture's real pair, whose
 * threshold (Otsu's) lies above its unchanged ground.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, defaultParameters, detectPair, directorySource, ingestBatch } from '@shoutu/shared';
import { openGeoTiff } from '@shoutu/shared/raster/index.js';
import { BULK_THRESHOLD } from '@shoutu/shared/detection/threshold-caution.js';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';

const NOISY = `
import sys
import numpy as np
from osgeo import gdal
src, out = sys.argv[1], sys.argv[2]
ds = gdal.Open(src)
o = gdal.GetDriverByName('GTiff').CreateCopy(out, ds)
rng = np.random.default_rng(20261202)
for b in range(1, ds.RasterCount + 1):
    a = ds.GetRasterBand(b).ReadAsArray().astype(np.float64)
    a += rng.normal(0.0, 0.15 * a.std(), a.shape)
    o.GetRasterBand(b).WriteArray(np.clip(np.rint(a), 1, 255).astype(np.uint8))
o = None
`;

/**
 * The noisy scene with three 8 × 8 surfaces made 4 DN brighter in every band (rows, columns of their corners):
 * real change too rare and too faint to form a class of its own (a brighter one lifts Otsu's split out of the
 * bulk itself: from 6 DN on, here).
 */
const BLOCKS = [
  [60, 60],
  [200, 300],
  [320, 120],
] as const;
const WITH_BLOCKS = `
import sys
from osgeo import gdal
src, out = sys.argv[1], sys.argv[2]
o = gdal.GetDriverByName('GTiff').CreateCopy(out, gdal.Open(src))
for b in range(1, o.RasterCount + 1):
    a = o.GetRasterBand(b).ReadAsArray()
    for r, c in ${JSON.stringify(BLOCKS)}:
        a[r:r + 8, c:c + 8] = (a[r:r + 8, c:c + 8].astype('int32') + 4).clip(0, 255)
    o.GetRasterBand(b).WriteArray(a)
o = None
`;

const before = fixture('taizhou', '2000-03-17', 'scene.tif');
const after = fixture('taizhou', '2003-02-06', 'scene.tif');
let dir: string;
let noisy: string;
let withBlocks: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-threshold-caution-'));
  noisy = join(dir, 'noisy.tif');
  runGdalScript(NOISY, [before, noisy]);
  withBlocks = join(dir, 'noisy-blocks.tif');
  runGdalScript(WITH_BLOCKS, [noisy, withBlocks]);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bulkWarnings = (warnings: string[]) => warnings.filter((w) => w.includes('lies in the bulk'));

describe("a change threshold in the bulk of the pair's scores", () => {
  it("takes the start of the scores' tail on a pair without change and says so with the share flagged, and not on a pair with change", async () => {
    const warnings: string[] = [];
    const result = await detectPair({ before: { path: before }, after: { path: noisy }, parameters: defaultParameters(), warn: (m) => warnings.push(m) });
    const { threshold, otsuSplit } = result.summary.pairStats;
    expect(otsuSplit).toBeLessThan(BULK_THRESHOLD);
    expect(threshold).toBeGreaterThan(otsuSplit!);
    const share = result.summary.changedPixels / result.summary.validPixels;
    expect(share).toBeLessThan(0.05); // Otsu's split flagged 47 % of this unchanged ground
    expect(result.summary.patches).toBeLessThan(5);
    expect(bulkWarnings(warnings)).toEqual([
      `Otsu's split ${otsuSplit!.toFixed(4)} lies in the bulk of this pair's scores (below ${BULK_THRESHOLD} times their median), so the change threshold is the start of their tail, ` +
        `${threshold.toFixed(4)} (Rosin's unimodal rule, ${(100 * share).toFixed(1)} % of the examined pixels flagged): ` +
        'the pair may hold no distinct change, as when the same date is delivered twice or only noise differs; check the pair before sending field teams',
    ]);

    const real: string[] = [];
    const changed = await detectPair({ before: { path: before }, after: { path: after }, parameters: defaultParameters(), warn: (m) => real.push(m) });
    expect(changed.summary.pairStats.threshold).toBeGreaterThan(BULK_THRESHOLD);
    expect(changed.summary.pairStats.otsuSplit).toBeUndefined();
    expect(bulkWarnings(real)).toEqual([]);
  });

  it('keeps rare real change among the noise: the new surfaces are found whole, and little else', async () => {
    const result = await detectPair({ before: { path: before }, after: { path: withBlocks }, parameters: defaultParameters() });
    const { threshold, otsuSplit } = result.summary.pairStats;
    expect(otsuSplit).toBeLessThan(BULK_THRESHOLD); // Otsu's split alone flagged 47 % of the ground here
    const raster = await openGeoTiff({ bytes: result.changeTif }, 'change.tif');
    try {
      for (const [row, col] of BLOCKS) {
        const inner = await raster.readWindow(col + 1, row + 1, 6, 6);
        expect([...inner].every((v) => v === 1), `block at ${row}, ${col}; threshold ${threshold}`).toBe(true);
      }
    } finally {
      await raster.close();
    }
    // one patch for each surface (8 × 8 = 64 pixels, give or take its rim), and little else
    const sizes = result.patches.map((p) => p.pixelCount).sort((a, b) => b - a);
    expect(sizes.slice(0, BLOCKS.length).every((n) => n >= 49 && n <= 100), `patch sizes ${sizes.join(', ')}`).toBe(true);
    expect(result.patches.length).toBeLessThan(BLOCKS.length + 3);
    expect(result.summary.changedPixels / result.summary.validPixels).toBeLessThan(0.05);
  });

  it("is listed in the batch status of the epoch compared, with its tiles, Otsu's split and the threshold taken", async () => {
    const store = createStore({ kind: 'local', dir: join(dir, 'data') });
    await ingestBatch(store, directorySource(fixture('taizhou', '2000-03-17')), defaultParameters());
    const epoch = join(dir, 'noisy-epoch');
    mkdirSync(epoch);
    copyFileSync(noisy, join(epoch, 'scene.tif'));
    const manifest = JSON.parse(readFileSync(fixture('taizhou', '2003-02-06', 'batch.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(epoch, 'batch.json'), JSON.stringify({ ...manifest, batchId: 'taizhou-noise' }));
    const ingested = await ingestBatch(store, directorySource(epoch), defaultParameters());
    expect(ingested.thresholdInBulk).toHaveLength(1);
    const [entry] = ingested.thresholdInBulk;
    expect(entry!.sceneId).toBe(ingested.scenes[0]!.sceneId);
    expect(entry!.tiles).toBe(ingested.tiles.length);
    expect(entry!.otsuSplit).toBeLessThan(BULK_THRESHOLD);
    expect(entry!.threshold).toBeGreaterThan(entry!.otsuSplit!);
    const status = JSON.parse(Buffer.from(await store.get('batches/taizhou-noise/status.json')).toString('utf8')) as { thresholdInBulk?: unknown };
    expect(status.thresholdInBulk).toEqual(ingested.thresholdInBulk);
  });
});
