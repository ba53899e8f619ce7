import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TiledGeoTiffWriter } from '../raster/write-tiled-geotiff.js';
import { openGeoTiff, type GeoTiffRaster } from '../raster/index.js';
import { placeRaster } from '../grid/lattice.js';
import { maskedChunkReader, maskedSide } from './pair-work.js';
import { pickBands } from '../detection/evidence-bands.js';

const W = 64;
const H = 64;
const BANDS = 3;
let dir: string;
let raster: GeoTiffRaster;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoutu-chunks-'));
  const path = join(dir, 'scene.tif');
  const writer = await TiledGeoTiffWriter.create(path, { width: W, height: H, bands: BANDS, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: [500000, 10, 0, 3600000, 0, -10], epsg: 32651, nodata: 0, tileSize: 32 });
  const T = writer.tileSize;
  for (let ty = 0; ty < writer.tilesDown; ty++) {
    for (let tx = 0; tx < writer.tilesAcross; tx++) {
      const tile = new Uint16Array(BANDS * T * T);
      for (let b = 0; b < BANDS; b++) for (let i = 0; i < T * T; i++) tile[b * T * T + i] = 100 + b * 1000 + ((i * 7 + tx * 13 + ty * 29) % 500);
      // the tile at (1, 1): one pixel saturated in every band, one in the first band only
      if (tx === 1 && ty === 1) {
        for (let b = 0; b < BANDS; b++) tile[b * T * T + 5] = 65535;
        tile[9] = 65535;
      }
      await writer.writeTile(tx, ty, tile);
    }
  }
  await writer.finish();
  raster = await openGeoTiff({ path }, 'scene.tif');
});

afterAll(async () => {
  await raster.close();
  await rm(dir, { recursive: true, force: true });
});

describe('maskedChunkReader', () => {
  const bands = ['red', 'green', 'blue'] as const;

  it('reads chunks with nothing to mask in the file\'s 16 bits, others as float32 with the unusable pixels NaN, both with maskedSide\'s values', async () => {
    const placement = placeRaster(raster.info.epsg, raster.info.geoTransform, W, H, 32);
    const side = maskedSide(raster, placement, [...bands], {}, null);
    const read = maskedChunkReader(raster, placement, side, {}, null, [...bands]);
    const at = (col: number, row: number) => ({ col: placement.col0 + col, row: placement.row0 + row, width: 32, height: 32 });
    const clean = await read(at(0, 0));
    expect(clean).toBeInstanceOf(Uint16Array);
    expect(Array.from(clean)).toEqual(Array.from(await side.readWindow(at(0, 0))));
    const saturated = await read(at(32, 32));
    expect(saturated).toBeInstanceOf(Float32Array);
    const expected = await side.readWindow(at(32, 32));
    expect(Array.from(saturated, (v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(Array.from(expected, (v) => (Number.isNaN(v) ? 'NaN' : v)));
    const n = 32 * 32;
    for (let b = 0; b < BANDS; b++) expect(saturated[b * n + 5]).toBeNaN(); // saturated in every band: unusable
    expect(saturated[9]).toBe(65535); // in one band only: still data
    // a chunk handed back is filled again, not reallocated
    const again = await read(at(0, 32), clean);
    expect(again).toBe(clean);
    expect(Array.from(again)).toEqual(Array.from(await side.readWindow(at(0, 32))));
  });

  it('reads some of its bands as a read of every band picks them: only those planes of the file (and the first band, which tells), every band where a pixel is saturated', async () => {
    const placement = placeRaster(raster.info.epsg, raster.info.geoTransform, W, H, 32);
    const asked: string[] = [];
    const kept: string[] = [];
    // the raster, recording the planes each native read asks for and the planes its block cache is told to keep
    const recorded: GeoTiffRaster = {
      info: raster.info,
      readWindow: (...args) => raster.readWindow(...args),
      readWindowNative: (...args) => (asked.push(args[6] === undefined ? 'all' : args[6].join(',')), raster.readWindowNative(...args)),
      readMaskWindow: (...args) => raster.readMaskWindow(...args),
      keepPlanes: (planes) => (kept.push(planes === null ? 'null' : planes.join(',')), raster.keepPlanes(planes)),
      close: () => raster.close(),
    };
    const shown = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : v));
    const at = (col: number, row: number, width = 32, height = 32) => ({ col: placement.col0 + col, row: placement.row0 + row, width, height });
    // every band in file order, and a view of two of them in another order (an epoch of another sensor)
    for (const planes of [null, [2, 0]]) {
      const side = maskedSide(recorded, placement, [...bands], {}, null, planes);
      const read = maskedChunkReader(recorded, placement, side, {}, null, [...bands], planes);
      for (const some of planes === null ? [[1], [0, 2], [2], [1, 2]] : [[0], [1], [0, 1]]) {
        const file = some.map((j) => (planes === null ? j : planes[j]!));
        // the first band decides whether a chunk is usable as read: it is read with the planes, never served
        const decoded = [...new Set([0, ...file])].sort((a, b) => a - b).join(',');
        for (const [w, type] of [
          [at(0, 0), Uint16Array],
          [at(32, 32), Float32Array], // a pixel saturated in every band
          [at(48, 48), Float32Array], // reaching beyond the file
        ] as const) {
          asked.length = 0;
          const got = await read(w, undefined, false, some);
          const want = pickBands(await side.readWindow(w), w.width * w.height, some);
          expect(got, `${JSON.stringify(some)} of ${planes} at ${w.col},${w.row}`).toBeInstanceOf(type);
          expect(shown(got)).toEqual(shown(want));
        }
        asked.length = 0;
        const clean = await read(at(0, 32), undefined, false, some);
        expect(asked).toEqual([decoded]);
        // a chunk handed back is filled again, not reallocated
        const again = await read(at(0, 0), clean, false, some);
        expect(again).toBe(clean);
        expect(shown(again)).toEqual(shown(pickBands(await side.readWindow(at(0, 0)), 32 * 32, some)));
        asked.length = 0;
        await read(at(32, 32), undefined, false, some);
        expect(asked).toEqual([decoded, 'all']);
        kept.length = 0;
        read.keepPlanes(some);
        expect(kept).toEqual([decoded]);
      }
    }
    raster.keepPlanes(null);
  });
});
