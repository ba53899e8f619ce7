import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../errors.js';
import { hashBands, MAX_RASTER_BANDS, openGeoTiff, type GeoTiffRaster } from './index.js';
import { encodeUint8GeoTiff } from './write-uint8-geotiff.js';

const fixture = (rel: string) => fileURLToPath(new URL(`../../../fixtures/${rel}`, import.meta.url));
const BEFORE = 'taizhou/2000-03-17/scene.tif';
const AFTER = 'taizhou/2003-02-06/scene.tif';

/** Rasters the tests opened from files, closed after each test (closing twice is harmless). */
const opened: GeoTiffRaster[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});

async function open(rel: string): Promise<GeoTiffRaster> {
  const raster = await openGeoTiff({ path: fixture(rel) }, rel);
  opened.push(raster);
  return raster;
}

/** Asserts that `promise` rejects with InvalidInputError of `code` naming `name` (and `field` if given). */
async function expectInvalid(promise: Promise<unknown>, code: string, name: string, field?: string): Promise<InvalidInputError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error, `expected InvalidInputError ${code}`).toBeInstanceOf(InvalidInputError);
  const e = error as InvalidInputError;
  expect(e.code).toBe(code);
  expect(e.file).toBe(name);
  expect(e.message).toContain(name);
  if (field !== undefined) expect(e.field).toBe(field);
  return e;
}

/** Value of band b at (x, y) of a planar window of width w, height h. */
const at = (data: Float32Array, w: number, h: number, b: number, x: number, y: number) => data[b * w * h + y * w + x];

describe('openGeoTiff: Taizhou scenes', () => {
  it('reads the scene info', async () => {
    const r = await open(BEFORE);
    expect(r.info).toEqual({
      width: 400,
      height: 400,
      bands: 6,
      sampleFormat: 'uint',
      bitsPerSample: 8,
      geoTransform: [203325, 30, 0, 3604935, 0, -30],
      epsg: 32651,
      nodata: null,
      bandDescriptions: [
        'TM/ETM+ band 1 (0.482500 um)',
        'TM/ETM+ band 2 (0.565000 um)',
        'TM/ETM+ band 3 (0.660000 um)',
        'TM/ETM+ band 4 (0.825000 um)',
        'TM/ETM+ band 5 (1.650000 um)',
        'TM/ETM+ band 7 (2.220000 um)',
      ],
      metadata: { DATE: '2000-03-17' },
      alphaBand: null,
      internalMask: false,
    });
    await r.close();
    const a = await open(AFTER);
    expect(a.info.metadata).toEqual({ DATE: '2003-02-06' });
    await a.close();
    const t = await open('taizhou/truth.tif');
    expect(t.info).toMatchObject({ width: 400, height: 400, bands: 1, nodata: 255, epsg: 32651, geoTransform: [203325, 30, 0, 3604935, 0, -30] });
    await t.close();
  });

  // expected values from `gdallocationinfo -valonly <file> x y` (GDAL 3.6.2)
  const GDAL_VALUES: Record<string, Record<string, number[]>> = {
    [BEFORE]: {
      '0,0': [96, 75, 68, 68, 75, 52],
      '399,399': [97, 74, 67, 59, 67, 47],
      '123,45': [97, 75, 72, 56, 71, 49],
      '250,317': [101, 77, 75, 53, 70, 56],
      '399,0': [94, 72, 64, 70, 66, 43],
      '0,399': [91, 70, 59, 67, 66, 40],
      '200,19': [96, 74, 66, 72, 62, 38],
      '200,20': [96, 72, 65, 74, 64, 37],
    },
    [AFTER]: {
      '0,0': [70, 54, 51, 63, 51, 32],
      '399,399': [74, 57, 54, 62, 52, 38],
      '123,45': [71, 52, 49, 65, 50, 31],
      '250,317': [79, 60, 64, 49, 52, 45],
      '399,0': [71, 53, 49, 51, 46, 36],
      '0,399': [71, 53, 49, 46, 43, 34],
      '200,19': [73, 56, 55, 55, 51, 42],
      '200,20': [72, 55, 56, 56, 50, 42],
    },
  };

  for (const [file, values] of Object.entries(GDAL_VALUES)) {
    it(`pixel values of ${file} match GDAL`, async () => {
      const r = await open(file);
      for (const [key, expected] of Object.entries(values)) {
        const [x, y] = key.split(',').map(Number) as [number, number];
        expect(Array.from(await r.readWindow(x, y, 1, 1)), key).toEqual(expected);
      }
      // the same pixels inside one larger window that spans several strips (strips are 20 rows)
      const w = await r.readWindow(100, 15, 160, 310);
      for (const key of ['123,45', '250,317', '200,19', '200,20']) {
        const [x, y] = key.split(',').map(Number) as [number, number];
        const got = [0, 1, 2, 3, 4, 5].map((b) => at(w, 160, 310, b, x - 100, y - 15));
        expect(got, key).toEqual(values[key]);
      }
      await r.close();
    });
  }

  it('windows agree with the full read, across strip boundaries', async () => {
    const r = await open(AFTER);
    const full = await r.readWindow(0, 0, 400, 400);
    expect(full.length).toBe(6 * 400 * 400);
    for (const [x0, y0, w, h] of [[0, 0, 1, 1], [37, 19, 51, 3], [390, 380, 10, 20], [0, 0, 400, 1], [5, 0, 1, 400]] as const) {
      const win = await r.readWindow(x0, y0, w, h);
      for (let b = 0; b < 6; b++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            if (at(win, w, h, b, x, y) !== full[b * 160000 + (y0 + y) * 400 + x0 + x]) {
              throw new Error(`mismatch band ${b} at ${x0 + x},${y0 + y} in window ${x0},${y0} ${w}x${h}`);
            }
          }
        }
      }
    }
    await r.close();
  });

  it('opens from bytes the same way as from a path', async () => {
    const bytes = new Uint8Array(readFileSync(fixture(AFTER)));
    const r = await openGeoTiff({ bytes }, 'after-bytes.tif');
    const p = await open(AFTER);
    expect(r.info).toEqual(p.info);
    expect(Array.from(await r.readWindow(120, 37, 9, 44))).toEqual(Array.from(await p.readWindow(120, 37, 9, 44)));
    await r.close();
    await p.close();
  });

  it('works with a Uint8Array that views part of a larger buffer', async () => {
    const file = readFileSync(fixture('raster/uint8-band-interleaved.tif'));
    const big = new Uint8Array(file.length + 100);
    big.set(file, 37);
    const r = await openGeoTiff({ bytes: big.subarray(37, 37 + file.length) }, 'offset.tif');
    const p = await open('raster/uint8-band-interleaved.tif');
    expect(Array.from(await r.readWindow(0, 0, 32, 24))).toEqual(Array.from(await p.readWindow(0, 0, 32, 24)));
  });

  it('rejects windows outside the raster', async () => {
    const r = await open(AFTER);
    for (const [x, y, w, h] of [[-1, 0, 1, 1], [0, 0, 401, 1], [399, 399, 2, 1], [0, 0, 0, 1], [1.5, 0, 1, 1], [0, 0, 1, Number.NaN]]) {
      await expectInvalid(r.readWindow(x!, y!, w!, h!), 'window_out_of_bounds', AFTER, 'window');
    }
    await r.close();
  });
});

describe('openGeoTiff: layouts, sample types and compressions', () => {
  const W = 32;
  const H = 24;
  let base: Float32Array;

  it('reads the plain uint8 crop, equal to the same window of the Taizhou scene', async () => {
    const r = await open('raster/uint8-band-interleaved.tif');
    expect(r.info).toMatchObject({ width: W, height: H, bands: 6, epsg: 32651, geoTransform: [206445, 30, 0, 3597255, 0, -30], metadata: { DATE: '2003-02-06' } });
    base = await r.readWindow(0, 0, W, H);
    const scene = await open(AFTER);
    expect(Array.from(base)).toEqual(Array.from(await scene.readWindow(104, 256, W, H)));
  });

  const variants: [string, 'uint' | 'int' | 'float', number, (v: number) => number][] = [
    ['uint8-pixel-interleaved.tif', 'uint', 8, (v) => v],
    ['uint16-lzw-predictor2.tif', 'uint', 16, (v) => v * 257],
    ['int16-deflate-predictor2.tif', 'int', 16, (v) => v * 100 - 12800],
    ['float32-tiled-deflate-predictor3.tif', 'float', 32, (v) => v / 4 - 10.5],
    ['uint8-tiled-packbits.tif', 'uint', 8, (v) => v],
    ['uint8-lzw-bigtiff.tif', 'uint', 8, (v) => v],
  ];
  for (const [file, format, bits, fn] of variants) {
    it(`reads ${file}`, async () => {
      const r = await open(`raster/${file}`);
      expect(r.info).toMatchObject({ width: W, height: H, bands: 6, sampleFormat: format, bitsPerSample: bits, epsg: 32651 });
      expect(r.info.geoTransform).toEqual([206445, 30, 0, 3597255, 0, -30]);
      const all = await r.readWindow(0, 0, W, H);
      expect(Array.from(all)).toEqual(Array.from(base, fn));
      // an inner window crossing strip/tile boundaries
      const win = await r.readWindow(5, 3, 20, 17);
      for (let b = 0; b < 6; b++) {
        for (let y = 0; y < 17; y++) {
          for (let x = 0; x < 20; x++) expect(at(win, 20, 17, b, x, y)).toBe(at(all, W, H, b, x + 5, y + 3));
        }
      }
      await r.close();
    });
  }

  it('matches GDAL values for the int16 and float32 variants', async () => {
    // gdallocationinfo -valonly <file> 17 19  and  31 23
    const f = await open('raster/float32-tiled-deflate-predictor3.tif');
    expect(Array.from(await f.readWindow(17, 19, 1, 1))).toEqual([7.5, 3.25, 2.5, 4.25, 2, -1.5]);
    expect(f.info.nodata).toBe(-3.25);
    const i = await open('raster/int16-deflate-predictor2.tif');
    expect(Array.from(await i.readWindow(31, 23, 1, 1))).toEqual([-3800, -5200, -4500, -5200, -4000, -4900]);
  });

  it('decodes a long LZW strip (12-bit codes, CLEAR codes)', async () => {
    const r = await open('raster/uint8-lzw-one-strip.tif');
    expect(r.info).toMatchObject({ width: 400, height: 400, bands: 1, epsg: 32651, geoTransform: [203325, 30, 0, 3604935, 0, -30] });
    const scene = await open(AFTER);
    const nir = (await scene.readWindow(0, 0, 400, 400)).subarray(3 * 160000, 4 * 160000);
    expect(Array.from(await r.readWindow(0, 0, 400, 400))).toEqual(Array.from(nir));
  });

  it('shifts PixelIsPoint rasters by half a pixel, as GDAL does', async () => {
    const r = await open('raster/uint8-pixel-is-point.tif');
    // gdalinfo: Origin = (206445, 3597255), AREA_OR_POINT=Point; the file's tie point is the pixel centre
    expect(r.info.geoTransform).toEqual([206445, 30, 0, 3597255, 0, -30]);
    expect(r.info.nodata).toBe(0);
    expect(Array.from(await r.readWindow(0, 0, W, H))).toEqual(Array.from(base.subarray(3 * W * H, 4 * W * H)));
  });

  it('reads an RGB JPEG in strips exactly as GDAL does', async () => {
    const r = await open('raster/jpeg.tif');
    expect(r.info).toMatchObject({ width: W, height: H, bands: 3, sampleFormat: 'uint', bitsPerSample: 8, epsg: 32651 });
    // sha256 of each band as GDAL reads it (ReadAsArray), and gdallocationinfo -valonly jpeg.tif 17 19 / 31 23
    expect(await hashBands(r)).toEqual([
      '71a15b622db96fb0939afc08defb48749524984802fe6b56d6a032791b783a5b',
      '48072ac93850041627e1eab69a912600982bfe87e7b43d935ff901a14fe379a8',
      '2d7075a2a72b40a4032e27adc2c03ef6aae0731076599c622194f291531d1069',
    ]);
    expect(Array.from(await r.readWindow(17, 19, 1, 1))).toEqual([70, 53, 53]);
    expect(Array.from(await r.readWindowNative(31, 23, 1, 1))).toEqual([91, 78, 87]);
    await r.close();
  });

  it('reads a geographic (EPSG:4490) raster', async () => {
    const r = await open('raster/uint8-epsg4490.tif');
    expect(r.info.epsg).toBe(4490);
    expect(r.info.geoTransform).toEqual([119.9, 0.0003, 0, 32.5, 0, -0.0003]);
  });

  const rejected: [string, string, string][] = [
    ['uint8-1bit.tif', 'unsupported_raster', 'BitsPerSample'],
    ['rotated.tif', 'unsupported_raster', 'ModelTransformationTag'],
    ['gcps.tif', 'unsupported_raster', 'ModelTiepointTag'],
    ['user-defined-crs.tif', 'not_georeferenced', 'ProjectedCSTypeGeoKey'],
    ['no-crs.tif', 'not_georeferenced', 'GeoKeyDirectoryTag'],
  ];
  for (const [file, code, field] of rejected) {
    it(`rejects ${file} (${code}, ${field})`, async () => {
      await expectInvalid(open(`raster/${file}`), code, `raster/${file}`, field);
    });
  }
});

describe('openGeoTiff: bad batch fixtures', () => {
  it('rejects a PNG named .tif', async () => {
    await expectInvalid(open('bad/not-geotiff/scene.tif'), 'not_geotiff', 'bad/not-geotiff/scene.tif', 'header');
  });
  it('rejects a TIFF without georeferencing', async () => {
    await expectInvalid(open('bad/ungeoreferenced/scene.tif'), 'not_georeferenced', 'bad/ungeoreferenced/scene.tif', 'ModelTiepointTag');
  });
  it('reads the 3-band GeoTIFF of band-mismatch (the band check is the manifest\'s)', async () => {
    const r = await open('bad/band-mismatch/scene.tif');
    expect(r.info).toMatchObject({ bands: 3, width: 32, height: 32, epsg: 32651, geoTransform: [203325, 30, 0, 3604935, 0, -30] });
  });
  it('mixed: reads the good crop on the Taizhou grid and rejects the text file', async () => {
    const good = await open('bad/mixed/good.tif');
    expect(good.info).toMatchObject({ width: 64, height: 64, bands: 6, epsg: 32651, geoTransform: [206445, 30, 0, 3597255, 0, -30] });
    const scene = await open(AFTER);
    expect(Array.from(await good.readWindow(0, 0, 64, 64))).toEqual(Array.from(await scene.readWindow(104, 256, 64, 64)));
    await expectInvalid(open('bad/mixed/broken.tif'), 'not_geotiff', 'bad/mixed/broken.tif');
  });
  it('throws NotFoundError for a missing path', async () => {
    await expect(openGeoTiff({ path: fixture('nope/missing.tif') }, 'missing.tif')).rejects.toBeInstanceOf(NotFoundError);
  });
  it('rejects a directory', async () => {
    await expectInvalid(openGeoTiff({ path: fixture('bad') }, 'bad'), 'not_geotiff', 'bad');
  });
});

// --- hostile files -------------------------------------------------------------------------------

/** A valid small GeoTIFF (single band, strips) to corrupt. */
function sample(width = 20, height = 10, compress: 'none' | 'deflate' = 'none'): Uint8Array {
  const data = new Uint8Array(width * height).map((_, i) => (i * 7) % 256);
  return encodeUint8GeoTiff({ width, height, data, geoTransform: [500000, 10, 0, 3600000, 0, -10], epsg: 32651, compress });
}

/** Offset of the IFD entry for `tag` in a classic little-endian TIFF. */
function entryOffset(bytes: Uint8Array, tag: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = v.getUint32(4, true);
  const n = v.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    const p = ifd + 2 + i * 12;
    if (v.getUint16(p, true) === tag) return p;
  }
  throw new Error(`tag ${tag} not found`);
}

function patch(bytes: Uint8Array, tag: number, change: { tag?: number; type?: number; count?: number; value?: number }): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const p = entryOffset(out, tag);
  if (change.tag !== undefined) v.setUint16(p, change.tag, true);
  if (change.type !== undefined) v.setUint16(p + 2, change.type, true);
  if (change.count !== undefined) v.setUint32(p + 4, change.count, true);
  if (change.value !== undefined) {
    const type = v.getUint16(p + 2, true);
    if (type === 3) v.setUint16(p + 8, change.value, true);
    else v.setUint32(p + 8, change.value, true);
  }
  return out;
}

const fromBytes = (bytes: Uint8Array, name = 'hostile.tif') => openGeoTiff({ bytes }, name);

describe('openGeoTiff: hostile bytes', () => {
  it('accepts the unmodified sample', async () => {
    const r = await fromBytes(sample());
    expect(r.info).toMatchObject({ width: 20, height: 10, bands: 1, epsg: 32651 });
  });

  it('rejects empty, tiny and non-TIFF inputs', async () => {
    await expectInvalid(fromBytes(new Uint8Array(0)), 'not_geotiff', 'hostile.tif', 'header');
    await expectInvalid(fromBytes(new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0])), 'not_geotiff', 'hostile.tif', 'header');
    await expectInvalid(fromBytes(new TextEncoder().encode('GIF89a and more bytes')), 'not_geotiff', 'hostile.tif', 'header');
    await expectInvalid(fromBytes(new Uint8Array([0x49, 0x49, 44, 0, 8, 0, 0, 0, 0, 0])), 'not_geotiff', 'hostile.tif', 'header');
  });

  it('rejects an IFD offset outside the file', async () => {
    const b = sample();
    new DataView(b.buffer).setUint32(4, b.length + 10, true);
    await expectInvalid(fromBytes(b), 'not_geotiff', 'hostile.tif', 'IFD');
  });

  it('rejects a truncated file', async () => {
    const b = sample(64, 64);
    await expectInvalid(fromBytes(b.subarray(0, 300)), 'not_geotiff', 'hostile.tif');
    const scene = new Uint8Array(readFileSync(fixture(AFTER)));
    await expectInvalid(fromBytes(scene.subarray(0, 200_000), 'cut.tif'), 'not_geotiff', 'cut.tif', 'StripOffsets');
  });

  it('rejects huge tag counts without allocating them', async () => {
    await expectInvalid(fromBytes(patch(sample(), 273, { count: 0xfffffff0 })), 'not_geotiff', 'hostile.tif', 'StripOffsets');
    await expectInvalid(fromBytes(patch(sample(), 34735, { count: 2_000_000 })), 'not_geotiff', 'hostile.tif', 'GeoKeyDirectoryTag');
  });

  it('rejects unknown field types and repeated tags', async () => {
    await expectInvalid(fromBytes(patch(sample(), 258, { type: 99 })), 'not_geotiff', 'hostile.tif', 'BitsPerSample');
    await expectInvalid(fromBytes(patch(sample(), 262, { tag: 259 })), 'not_geotiff', 'hostile.tif', 'Compression');
  });

  it('rejects bad dimensions', async () => {
    await expectInvalid(fromBytes(patch(sample(), 256, { value: 0 })), 'not_geotiff', 'hostile.tif', 'ImageWidth');
    await expectInvalid(fromBytes(patch(sample(), 257, { value: 200_000 })), 'unsupported_raster', 'hostile.tif', 'ImageLength');
    await expectInvalid(fromBytes(patch(sample(), 277, { value: MAX_RASTER_BANDS + 1 })), 'unsupported_raster', 'hostile.tif', 'SamplesPerPixel');
    // more rows than the strip table covers
    await expectInvalid(fromBytes(patch(sample(), 257, { value: 90_000 })), 'not_geotiff', 'hostile.tif', 'StripOffsets');
  });

  it('rejects strips that point outside the file or are implausibly large', async () => {
    await expectInvalid(fromBytes(patch(sample(), 273, { value: 1_000_000 })), 'not_geotiff', 'hostile.tif', 'StripOffsets');
    await expectInvalid(fromBytes(patch(sample(), 279, { value: 1_000_000 })), 'not_geotiff', 'hostile.tif', 'StripByteCounts');
  });

  it('rejects unsupported compression, planar configuration and predictor values', async () => {
    await expectInvalid(fromBytes(patch(sample(), 259, { value: 50001 })), 'unsupported_raster', 'hostile.tif', 'Compression');
    await expectInvalid(fromBytes(patch(sample(), 284, { value: 3 })), 'not_geotiff', 'hostile.tif', 'PlanarConfiguration');
    await expectInvalid(fromBytes(patch(sample(20, 10, 'deflate'), 262, { tag: 317, value: 3 })), 'unsupported_raster', 'hostile.tif', 'Predictor');
  });

  it('rejects a bad GeoKeyDirectory and a missing EPSG key', async () => {
    const b = sample();
    const v = new DataView(b.buffer);
    const p = entryOffset(b, 34735);
    const keys = v.getUint32(p + 8, true);
    const broken = b.slice();
    new DataView(broken.buffer).setUint16(keys, 2, true); // version 2
    await expectInvalid(fromBytes(broken), 'not_georeferenced', 'hostile.tif', 'GeoKeyDirectoryTag');
    const noEpsg = b.slice();
    new DataView(noEpsg.buffer).setUint16(keys + 2 * 12, 4099, true); // key 3 (ProjectedCSTypeGeoKey) -> an unrelated key
    await expectInvalid(fromBytes(noEpsg), 'not_georeferenced', 'hostile.tif', 'ProjectedCSTypeGeoKey');
  });

  it('rejects a non-north-up pixel scale', async () => {
    const b = sample();
    const p = entryOffset(b, 33550);
    const at = new DataView(b.buffer).getUint32(p + 8, true);
    new DataView(b.buffer).setFloat64(at + 8, -10, true);
    await expectInvalid(fromBytes(b), 'unsupported_raster', 'hostile.tif', 'ModelPixelScaleTag');
  });

  it('rejects a non-numeric GDAL_NODATA', async () => {
    const b = encodeUint8GeoTiff({ width: 4, height: 4, data: new Uint8Array(16), geoTransform: [0, 1, 0, 0, 0, -1], epsg: 32651, nodata: 7 });
    const p = entryOffset(b, 42113);
    b[p + 8] = 'x'.charCodeAt(0);
    await expectInvalid(fromBytes(b), 'not_geotiff', 'hostile.tif', 'GDAL_NODATA');
  });

  it('reports undecodable pixel data as corrupt_raster when a window is read', async () => {
    // a deflate strip that is not a zlib stream
    const b = sample(20, 10, 'deflate');
    const at = new DataView(b.buffer).getUint32(entryOffset(b, 273) + 8, true);
    b.fill(0xff, at, at + 4);
    const r = await fromBytes(b);
    await expectInvalid(r.readWindow(0, 0, 20, 10), 'corrupt_raster', 'hostile.tif', 'StripOffsets');
  });

  it('stops a decompression bomb at one block', async () => {
    // 20x10 raster whose single strip inflates to 10 MB
    const bomb = deflateSync(new Uint8Array(10_000_000));
    const b = sample(20, 10, 'deflate');
    const out = new Uint8Array(b.length + bomb.length);
    out.set(b);
    out.set(bomb, b.length);
    const v = new DataView(out.buffer);
    v.setUint32(entryOffset(out, 273) + 8, b.length, true);
    v.setUint32(entryOffset(out, 279) + 8, bomb.length, true);
    // the bomb's stored size (about 10 kB) is implausible for a 200-byte block
    await expectInvalid(fromBytes(out), 'not_geotiff', 'hostile.tif', 'StripByteCounts');
    // a bomb that fits the size check still only inflates to one block and then fails
    const small = deflateSync(new Uint8Array(1_000_000), { level: 9 });
    expect(small.length).toBeLessThan(2 * 200 + 4096);
    const out2 = new Uint8Array(b.length + small.length);
    out2.set(b);
    out2.set(small, b.length);
    const v2 = new DataView(out2.buffer);
    v2.setUint32(entryOffset(out2, 273) + 8, b.length, true);
    v2.setUint32(entryOffset(out2, 279) + 8, small.length, true);
    const r = await fromBytes(out2);
    await expectInvalid(r.readWindow(0, 0, 20, 10), 'corrupt_raster', 'hostile.tif');
  });

  it('survives random corruption: only InvalidInputError (or success)', async () => {
    const originals = [
      sample(40, 30),
      sample(40, 30, 'deflate'),
      new Uint8Array(readFileSync(fixture('raster/uint16-lzw-predictor2.tif'))),
      new Uint8Array(readFileSync(fixture('raster/uint8-tiled-packbits.tif'))),
      new Uint8Array(readFileSync(fixture('raster/uint8-lzw-bigtiff.tif'))),
    ];
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const ITERATIONS = 2000;
    let opened = 0;
    let rejected = 0;
    for (let iter = 0; iter < ITERATIONS; iter++) {
      const original = originals[iter % originals.length]!;
      const b = original.slice();
      const flips = 1 + Math.floor(rand() * 8);
      // bias the damage towards the header and IFD, where it matters most
      for (let k = 0; k < flips; k++) {
        const pos = rand() < 0.7 ? Math.floor(rand() * Math.min(b.length, 600)) : Math.floor(rand() * b.length);
        b[pos] = Math.floor(rand() * 256);
      }
      try {
        const r = await fromBytes(b, `fuzz-${iter}.tif`);
        opened++;
        const { width, height } = r.info;
        await r.readWindow(0, 0, Math.min(width, 64), Math.min(height, 64)).catch((e: unknown) => {
          if (!(e instanceof InvalidInputError)) throw e;
        });
      } catch (e) {
        if (!(e instanceof InvalidInputError)) throw new Error(`iteration ${iter}: ${String(e)}`);
        expect(e.message).toContain(`fuzz-${iter}.tif`);
        rejected++;
      }
    }
    expect(opened + rejected).toBe(ITERATIONS);
    expect(opened).toBeGreaterThan(ITERATIONS / 10);
    expect(rejected).toBeGreaterThan(ITERATIONS / 10);
  });
});
