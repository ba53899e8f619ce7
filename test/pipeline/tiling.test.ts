import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseMaskLayer } from '@shoutu/shared/masks/index.js';
import { defaultParameters, detectPair } from '@shoutu/shared';
import { encodeUint8GeoTiff, openGeoTiff } from '../../shared/src/raster/index.js';
import { fixture } from '../support/fixtures.js';

const BEFORE = fixture('taizhou', '2000-03-17', 'scene.tif');
const AFTER = fixture('taizhou', '2003-02-06', 'scene.tif');

/** An operator cloud mask on the after scene's grid: scattered 8×8 blocks that straddle 64-pixel tile cuts. */
async function cloudMask(): Promise<Uint8Array> {
  const raster = await openGeoTiff({ path: AFTER }, 'after');
  const { width, height, geoTransform, epsg } = raster.info;
  await raster.close();
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (((x + 4) >> 3) * 7 + ((y + 4) >> 3) * 13) % 11 === 0 ? 1 : 0;
  return encodeUint8GeoTiff({ width, height, data, geoTransform, epsg });
}

async function run(tileSize: number, mask: Uint8Array) {
  return detectPair({
    before: { path: BEFORE },
    after: { path: AFTER },
    bands: ['blue', 'green', 'red', 'nir', 'swir16', 'swir22'],
    masks: {
      farmland: parseMaskLayer(new Uint8Array(await readFile(fixture('masks', 'farmland.geojson'))), 'farmland.geojson'),
      redline: parseMaskLayer(new Uint8Array(await readFile(fixture('masks', 'redline.geojson'))), 'redline.geojson'),
    },
    validity: { cloudMask: { after: { bytes: mask, name: 'clouds.tif' } } },
    parameters: defaultParameters({ tileSize }),
  });
}

describe('detection does not depend on where tiles are cut', () => {
  it('gives the same change map and the same patches, types and cloud-free fractions with 64-pixel tiles as with one 512-pixel tile', async () => {
    const mask = await cloudMask();
    const [small, large] = await Promise.all([run(64, mask), run(512, mask)]);
    expect(Buffer.from(small.changeTif).equals(Buffer.from(large.changeTif))).toBe(true);
    const shape = (ps: typeof small.patches) =>
      ps.map((p) => ({
        outline: p.outline,
        areaM2: p.areaM2,
        overlap: p.overlap,
        pixelCount: p.pixelCount,
        centroid: p.centroid,
        changeType: p.changeType,
        indices: p.indices,
        indexSums: p.sums.index,
        cloudFreeFraction: p.cloudFreeFraction,
        footprint: [p.footprint.pixels, p.footprint.clear],
      }));
    expect(small.patches.length).toBeGreaterThan(10);
    expect(shape(small.patches)).toEqual(shape(large.patches));
    expect(small.summary.changeTypes).toEqual(large.summary.changeTypes);
    expect(small.summary.pairStats.threshold).toBe(large.summary.pairStats.threshold);
    // the mask does hide parts of footprints, and some patches were joined across 64-pixel tiles
    expect(small.patches.filter((p) => p.cloudFreeFraction < 1).length).toBeGreaterThan(3);
    expect(small.patches.some((p) => Math.floor(p.pixelBbox[0] / 64) !== Math.floor((p.pixelBbox[2] - 1) / 64))).toBe(true);
  }, 60_000);
});
