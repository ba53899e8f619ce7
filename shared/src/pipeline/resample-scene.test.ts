import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { transformCoords } from '../geo/crs.js';
import { makeLattice } from '../grid/lattice.js';
import { mulberry32 } from '../kernels/test-random.js';
import { openGeoTiff } from '../raster/index.js';
import type { GeoTransform } from '../raster/geotransform.js';
import { TiledGeoTiffWriter } from '../raster/write-tiled-geotiff.js';
import { gridWindowOf, resampledNodata, resampleToFile } from './resample-scene.js';

const dir = mkdtempSync(join(tmpdir(), 'shoutu-resample-scene-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 200 × 150, 10 m UTM 51N source: three smooth uint16 bands with noise, nodata holes, and a class band (1..5). */
const W = 200, H = 150, BANDS = 4;
const GT: GeoTransform = [271_003, 10, 0, 3_467_007, 0, -10];
function sourceSamples(): Uint16Array {
  const random = mulberry32(31337);
  const n = W * H;
  const s = new Uint16Array(BANDS * n);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      for (let b = 0; b < 3; b++) s[b * n + i] = 1000 + Math.round(800 * Math.sin((x + 13 * b) / 9) * Math.cos(y / 7) + 200 * random());
      s[3 * n + i] = 1 + (((x >> 3) + 3 * (y >> 3)) % 5);
    }
  }
  for (let k = 0; k < 40; k++) s[Math.floor(random() * n)] = 0; // nodata in band 0
  return s;
}
const SOURCE = sourceSamples();

async function writeSource(path: string): Promise<void> {
  const writer = await TiledGeoTiffWriter.create(path, { width: W, height: H, bands: BANDS, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: GT, epsg: 32651, nodata: 0, tileSize: 32 });
  const T = writer.tileSize;
  for (let ty = 0; ty < writer.tilesDown; ty++) {
    for (let tx = 0; tx < writer.tilesAcross; tx++) {
      const tile = new Uint16Array(BANDS * T * T);
      for (let b = 0; b < BANDS; b++) {
        for (let y = 0; y < T && ty * T + y < H; y++) for (let x = 0; x < T && tx * T + x < W; x++) tile[b * T * T + y * T + x] = SOURCE[b * W * H + (ty * T + y) * W + tx * T + x]!;
      }
      await writer.writeTile(tx, ty, tile);
    }
  }
  await writer.finish();
}

/**
 * Reference resampling of the whole source held in memory, every grid pixel transformed exactly with
 * proj4: bilinear (tent of radii rx, ry) over usable pixels, nearest for the class band, validity from the
 * nearest pixel — the documented rules, written out directly.
 */
function reference(lattice: ReturnType<typeof makeLattice>, window: { col: number; row: number; width: number; height: number }, [rx, ry]: readonly number[]): Uint16Array {
  const n = W * H;
  const out = new Uint16Array(BANDS * window.width * window.height);
  const m = window.width * window.height;
  const p = new Float64Array(2);
  for (let y = 0; y < window.height; y++) {
    for (let x = 0; x < window.width; x++) {
      const k = y * window.width + x;
      p[0] = lattice.phaseX + (window.col + x + 0.5) * lattice.pixelWidth;
      p[1] = lattice.phaseY - (window.row + y + 0.5) * lattice.pixelHeight;
      transformCoords(lattice.epsg, 32651, p);
      const u = (p[0]! - GT[0]) / GT[1];
      const v = (p[1]! - GT[3]) / GT[5];
      const nx = Math.floor(u), ny = Math.floor(v);
      if (!(u >= 0 && u < W && v >= 0 && v < H) || SOURCE[ny * W + nx] === 0) continue; // fill 0
      const usable = (i: number, j: number) => SOURCE[j * W + i] !== 0;
      for (let b = 0; b < 3; b++) {
        let sum = 0, acc = 0;
        for (let j = Math.ceil(v - 0.5 - ry!); j <= Math.floor(v - 0.5 + ry!); j++) {
          for (let i = Math.ceil(u - 0.5 - rx!); i <= Math.floor(u - 0.5 + rx!); i++) {
            if (i < 0 || j < 0 || i >= W || j >= H || !usable(i, j)) continue;
            const w = Math.max(0, 1 - Math.abs(i - (u - 0.5)) / rx!) * Math.max(0, 1 - Math.abs(j - (v - 0.5)) / ry!);
            if (w <= 0) continue;
            sum += w;
            acc += w * SOURCE[b * n + j * W + i]!;
          }
        }
        out[b * m + k] = Math.floor(acc / sum + 0.5);
      }
      out[3 * m + k] = SOURCE[3 * n + ny * W + nx]!;
    }
  }
  return out;
}

describe('resampleToFile: window by window, the same as resampling the whole scene at once', () => {
  for (const [name, pixel] of [
    ['7 m Gauss–Krüger grid (bilinear)', 7],
    ['25 m Gauss–Krüger grid (kernel widened to about 2.5 source pixels)', 25],
  ] as const) {
    it(`${name}: identical to the whole-raster reference with the exact transform, however small the source windows`, async () => {
      const src = join(dir, `source-${pixel}.tif`);
      await writeSource(src);
      const lattice = makeLattice(4549, pixel, pixel, 3, 5, 512);
      const raster = await openGeoTiff({ path: src }, 'source.tif');
      const window = gridWindowOf('source.tif', raster.info, lattice, undefined);
      let ref: Uint16Array | null = null;
      for (const budget of [1 << 24, 3000]) {
        const out = join(dir, `out-${pixel}-${budget}.tif`);
        const result = await resampleToFile(out, { file: 'source.tif', raster, lattice, window, nodata: 0, saturation: 65535, imageBands: 3, nearestBands: [3], maxErrorPx: 0, sourceWindowSamples: budget });
        expect(result.method.scale[0]).toBeCloseTo(pixel / 10, 2);
        // the kernel radius: the recorded scale where the grid is coarser, else 1 (bilinear)
        ref ??= reference(lattice, window, pixel > 10 ? result.method.scale : [1, 1]);
        expect(result.nodata).toBe(0);
        const written = await openGeoTiff({ path: out }, 'out.tif');
        expect(written.info.epsg).toBe(4549);
        expect(written.info.geoTransform).toEqual([3 + window.col * pixel, pixel, 0, 5 - window.row * pixel, 0, -pixel]);
        const samples = await written.readWindowNative(0, 0, window.width, window.height);
        await written.close();
        expect(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).equals(Buffer.from(ref.buffer)), `budget ${budget}`).toBe(true);
        expect(result.validPixels).toBe(Array.from(ref.subarray(0, window.width * window.height)).filter((v) => v !== 0).length);
      }
      // with the default approximate transform (≤ 0.125 source pixel) values stay close and classes move only at class edges
      const approx = join(dir, `approx-${pixel}.tif`);
      await resampleToFile(approx, { file: 'source.tif', raster, lattice, window, nodata: 0, saturation: 65535, imageBands: 3, nearestBands: [3] });
      await raster.close();
      const a = await openGeoTiff({ path: approx }, 'approx.tif');
      const samples = await a.readWindowNative(0, 0, window.width, window.height);
      await a.close();
      const m = window.width * window.height;
      let sameClass = 0;
      for (let i = 0; i < m; i++) if (samples[3 * m + i] === ref![3 * m + i]) sameClass++;
      expect(sameClass / m).toBeGreaterThan(0.99);
    }, 60_000);
  }

  it('grid windows: the footprint, cut to the region of interest; a scene outside it is refused, naming the file', async () => {
    const src = join(dir, 'source-roi.tif');
    await writeSource(src);
    const raster = await openGeoTiff({ path: src }, 'source.tif');
    const lattice = makeLattice(4549, 10, 10, 0, 0, 512);
    const full = gridWindowOf('scene.tif', raster.info, lattice, undefined);
    // the UTM scene is about 2000 × 1500 m, turned by about 1.4°: its footprint is a little larger
    expect(full.width).toBeGreaterThan(200);
    expect(full.width).toBeLessThan(212);
    const x = full.col * 10, y = -full.row * 10;
    expect(gridWindowOf('scene.tif', raster.info, lattice, [x, y - 500, x + 300, y])).toEqual({ col: full.col, row: full.row, width: 30, height: 50 });
    expect(() => gridWindowOf('scene.tif', raster.info, lattice, [0, 0, 1000, 1000])).toThrow(/scene\.tif: the scene does not overlap the area grid's region of interest/);
    expect(() => gridWindowOf('scene.tif', raster.info, makeLattice(4549, 0.001, 0.001, 0, 0, 512), undefined)).toThrow(/over the limit/);
    await raster.close();
  });

  it('chooses a nodata value the type can hold', () => {
    expect(resampledNodata('uint', 16, 0)).toBe(0);
    expect(resampledNodata('uint', 16, null)).toBe(65535);
    expect(resampledNodata('uint', 8, -9999)).toBe(255);
    expect(resampledNodata('int', 16, null)).toBe(-32768);
    expect(resampledNodata('float', 32, -9999)).toBe(-9999);
    expect(resampledNodata('float', 32, 1e300)).toBeNaN();
    expect(resampledNodata('float', 64, null)).toBeNaN();
  });
});
