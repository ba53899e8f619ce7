import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import type { GeoTransform } from '../raster/geotransform.js';
import { openGeoTiff } from '../raster/index.js';
import { type MaskLayer, parseMaskLayer, rasterizeMaskLayer } from './index.js';

const fixture = (rel: string) => fileURLToPath(new URL(`../../../fixtures/${rel}`, import.meta.url));
const load = (rel: string) => parseMaskLayer(new Uint8Array(readFileSync(fixture(rel))), rel);

const GRID = { epsg: 32651, geoTransform: [203325, 30, 0, 3604935, 0, -30] as GeoTransform, width: 400, height: 400 };

function burn(layer: MaskLayer, grid = GRID, value = 1): Uint8Array {
  const out = new Uint8Array(grid.width * grid.height);
  rasterizeMaskLayer(layer, grid, value, out);
  return out;
}

/** Layer restricted to the polygons of one feature (by index range). */
function subset(layer: MaskLayer, from: number, to: number): MaskLayer {
  return { ...layer, polygons: layer.polygons.slice(from, to) };
}

let truth: Float32Array;
beforeAll(async () => {
  const r = await openGeoTiff({ path: fixture('taizhou/truth.tif') }, 'truth.tif');
  truth = await r.readWindow(0, 0, 400, 400);
  await r.close();
});

function counts(mask: Uint8Array): { pixels: number; change: number; nochange: number } {
  let pixels = 0;
  let change = 0;
  let nochange = 0;
  mask.forEach((m, i) => {
    if (!m) return;
    pixels++;
    if (truth[i] === 1) change++;
    else if (truth[i] === 0) nochange++;
  });
  return { pixels, change, nochange };
}

describe('rasterizeMaskLayer on the Taizhou grid', () => {
  // expected numbers: gdal.RasterizeLayer on the same grid (fixtures/masks/README.md)
  it('red line (EPSG:32651, same CRS as the grid)', () => {
    const layer = load('masks/redline.geojson');
    expect(counts(burn(subset(layer, 0, 1)))).toEqual({ pixels: 8400, change: 127, nochange: 1067 });
    expect(counts(burn(subset(layer, 1, 2)))).toEqual({ pixels: 4140, change: 224, nochange: 100 });
    expect(counts(burn(layer))).toEqual({ pixels: 12540, change: 351, nochange: 1167 });
  });

  it('farmland (EPSG:4490 reprojected onto the UTM grid)', () => {
    const layer = load('masks/farmland.geojson');
    expect(counts(burn(subset(layer, 0, 1)))).toEqual({ pixels: 3395, change: 501, nochange: 452 });
    expect(counts(burn(subset(layer, 1, 2)))).toEqual({ pixels: 5424, change: 501, nochange: 260 });
    expect(counts(burn(subset(layer, 2, 4)))).toEqual({ pixels: 8026, change: 87, nochange: 1973 });
    expect(counts(burn(layer))).toEqual({ pixels: 16845, change: 1089, nochange: 2685 });
  });

  it('keeps the hole of the south-west farmland polygon empty', () => {
    const mask = burn(load('masks/farmland.geojson'));
    // hole drawn at columns ~127-148, rows ~292-311 of the scene grid; the exterior spans ~102-178 x 250-336
    expect(mask[300 * 400 + 137]).toBe(0);
    expect(mask[300 * 400 + 131]).toBe(0);
    expect(mask[260 * 400 + 110]).toBe(1);
    expect(mask[320 * 400 + 160]).toBe(1);
    // a labelled change block lies inside the hole (columns 131-139, rows 298-305)
    expect(truth[300 * 400 + 135]).toBe(1);
  });

  it('the two layers do not overlap; OR-ing keeps both bits', () => {
    const out = new Uint8Array(400 * 400);
    rasterizeMaskLayer(load('masks/farmland.geojson'), GRID, 1, out);
    rasterizeMaskLayer(load('masks/redline.geojson'), GRID, 2, out);
    const histogram = [0, 0, 0, 0];
    out.forEach((v) => histogram[v]!++);
    expect(histogram).toEqual([160000 - 16845 - 12540, 16845, 12540, 0]);
  });

  it('tiles of the grid give the same result as the whole grid', () => {
    for (const layer of [load('masks/farmland.geojson'), load('masks/redline.geojson')]) {
      const whole = burn(layer);
      const tile = 128;
      for (let row0 = 0; row0 < 400; row0 += tile) {
        for (let col0 = 0; col0 < 400; col0 += tile) {
          const w = Math.min(tile, 400 - col0);
          const h = Math.min(tile, 400 - row0);
          const grid = { epsg: 32651, geoTransform: [203325 + 30 * col0, 30, 0, 3604935 - 30 * row0, 0, -30] as GeoTransform, width: w, height: h };
          const out = burn(layer, grid, 1);
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              if (out[y * w + x] !== whole[(row0 + y) * 400 + col0 + x]) throw new Error(`${layer.name}: tile ${col0},${row0} differs at ${x},${y}`);
            }
          }
        }
      }
    }
  });

  it('rasterises onto a grid in another CRS (CGCS2000 3-degree GK, CM 120E)', () => {
    // the whole red line onto a 30 m EPSG:4549 grid around the scene: both corridors are parallelograms of
    // 28 x 310 and 18 x 230 pixels of the UTM grid (12820 pixels); the two projections' scales differ by < 0.1 %
    const layer = load('masks/redline.geojson');
    const grid = { epsg: 4549, geoTransform: [484500, 30, 0, 3603000, 0, -30] as GeoTransform, width: 500, height: 500 };
    const n = burn(layer, grid).reduce((s, v) => s + v, 0);
    expect(Math.abs(n - 12820) / 12820).toBeLessThan(0.01);
  });

  it('skips polygons outside the window and validates its arguments', () => {
    const layer = load('masks/redline.geojson');
    const far = { epsg: 32651, geoTransform: [900000, 30, 0, 5000000, 0, -30] as GeoTransform, width: 10, height: 10 };
    expect(burn(layer, far).every((v) => v === 0)).toBe(true);
    expect(() => rasterizeMaskLayer(layer, GRID, 1, new Uint8Array(10))).toThrow(RangeError);
    expect(() => rasterizeMaskLayer(layer, GRID, 256, new Uint8Array(160000))).toThrow(RangeError);
    expect(() => rasterizeMaskLayer(layer, { ...GRID, epsg: 2193 }, 1, new Uint8Array(160000))).toThrow(InvalidInputError);
  });
});

const hasGdalRasterize = spawnSync('gdal_rasterize', ['--version']).status === 0 && spawnSync('ogr2ogr', ['--version']).status === 0;

// GDAL is the reference for GeoTIFF and CRS correctness; the README and .ci/run install it.
describe('rasterizeMaskLayer agrees with gdal_rasterize', () => {
  beforeAll(() => {
    if (!hasGdalRasterize) throw new Error('GDAL command-line tools are required for this cross-check: apt-get install -y gdal-bin python3-gdal');
  });
  const dir = mkdtempSync(join(tmpdir(), 'shoutu-rasterize-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function gdalBurn(rel: string): Promise<Float32Array> {
    const base = join(dir, rel.replace(/\W/g, '_'));
    // gdal_rasterize does not reproject into a new raster: reproject the vertices with ogr2ogr first
    execFileSync('ogr2ogr', ['-t_srs', 'EPSG:32651', '-f', 'GeoJSON', `${base}.utm.geojson`, fixture(rel)]);
    const out = `${base}.tif`;
    execFileSync('gdal_rasterize', ['-q', '-burn', '1', '-init', '0', '-ot', 'Byte', '-a_srs', 'EPSG:32651', '-te', '203325', '3592935', '215325', '3604935', '-tr', '30', '30', `${base}.utm.geojson`, out]);
    const r = await openGeoTiff({ path: out }, out);
    try {
      expect(r.info.geoTransform).toEqual(GRID.geoTransform);
      return await r.readWindow(0, 0, 400, 400);
    } finally {
      await r.close();
    }
  }

  for (const rel of ['masks/farmland.geojson', 'masks/redline.geojson']) {
    it(rel, async () => {
      const ours = burn(load(rel));
      const theirs = await gdalBurn(rel);
      let differ = 0;
      ours.forEach((v, i) => {
        if (v !== theirs[i]) differ++;
      });
      expect(differ).toBe(0);
      // and a few pixels by position: inside / outside / in the hole
      for (const [x, y] of [[80, 80], [137, 300], [110, 260], [60, 300], [200, 90], [390, 390]] as const) {
        expect(ours[y * 400 + x], `${rel} ${x},${y}`).toBe(theirs[y * 400 + x]);
      }
    });
  }
});
