import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { fixture } from '../support/fixtures.js';

async function run(tileSize: number) {
  return detectPair({
    before: { path: fixture('taizhou', '2000-03-17', 'scene.tif') },
    after: { path: fixture('taizhou', '2003-02-06', 'scene.tif') },
    bands: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'],
    masks: {
      farmland: { bytes: new Uint8Array(await readFile(fixture('masks', 'farmland.geojson'))), name: 'farmland.geojson' },
      redline: { bytes: new Uint8Array(await readFile(fixture('masks', 'redline.geojson'))), name: 'redline.geojson' },
    },
    parameters: defaultParameters({ tileSize }),
  });
}

describe('detection does not depend on where tiles are cut', () => {
  it('gives the same change map and the same patches with 64-pixel tiles as with one 512-pixel tile', async () => {
    const [small, large] = await Promise.all([run(64), run(512)]);
    expect(Buffer.from(small.changeTif).equals(Buffer.from(large.changeTif))).toBe(true);
    const shape = (ps: typeof small.patches) => ps.map((p) => ({ outline: p.outline, areaM2: p.areaM2, overlap: p.overlap, pixelCount: p.pixelCount, centroid: p.centroid }));
    expect(small.patches.length).toBeGreaterThan(10);
    expect(shape(small.patches)).toEqual(shape(large.patches));
    expect(small.summary.pairStats.threshold).toBe(large.summary.pairStats.threshold);
  }, 60_000);
});
