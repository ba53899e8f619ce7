import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../kernels/test-random.js';
import type { GeoTransform } from './geotransform.js';
import { openGeoTiff } from './index.js';
import { sampleArrayType, TiledGeoTiffWriter, type TiledGeoTiffSpec, type TiledSampleArray } from './write-tiled-geotiff.js';

interface Case {
  name: string;
  spec: TiledGeoTiffSpec;
}

const GT: GeoTransform = [556_000, 10, 0, 3_466_000, 0, -10];
const CASES: Case[] = [
  { name: 'uint8-3band', spec: { width: 70, height: 45, bands: 3, sampleFormat: 'uint', bitsPerSample: 8, geoTransform: GT, epsg: 4549, nodata: 0, tileSize: 32 } },
  { name: 'int8', spec: { width: 17, height: 33, bands: 1, sampleFormat: 'int', bitsPerSample: 8, geoTransform: GT, epsg: 4549, nodata: -128, tileSize: 16 } },
  { name: 'uint16-4band', spec: { width: 300, height: 260, bands: 4, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: [203_325, 30, 0, 3_604_935, 0, -30], epsg: 32651, nodata: 65535 } },
  { name: 'int16-bigtiff', spec: { width: 40, height: 40, bands: 2, sampleFormat: 'int', bitsPerSample: 16, geoTransform: GT, epsg: 4549, nodata: -32768, tileSize: 16, bigTiff: true } },
  { name: 'uint32', spec: { width: 20, height: 19, bands: 1, sampleFormat: 'uint', bitsPerSample: 32, geoTransform: GT, epsg: 4549, nodata: null, tileSize: 16 } },
  { name: 'int32', spec: { width: 20, height: 19, bands: 2, sampleFormat: 'int', bitsPerSample: 32, geoTransform: GT, epsg: 4549, nodata: -2147483648, tileSize: 16 } },
  { name: 'float32-nan', spec: { width: 50, height: 21, bands: 2, sampleFormat: 'float', bitsPerSample: 32, geoTransform: [120.1, 0.0001, 0, 31.5, 0, -0.0001], epsg: 4490, nodata: Number.NaN, tileSize: 32 } },
  { name: 'float64', spec: { width: 33, height: 17, bands: 1, sampleFormat: 'float', bitsPerSample: 64, geoTransform: GT, epsg: 4549, nodata: -9999.5, tileSize: 16 } },
  { name: 'uint16-rle', spec: { width: 70, height: 45, bands: 2, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: GT, epsg: 4549, nodata: 0, tileSize: 32, deflateLevel: 1, deflateStrategy: 'rle' } },
  { name: 'uint16-uncompressed', spec: { width: 70, height: 45, bands: 3, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: GT, epsg: 4549, nodata: 0, tileSize: 32, compression: 'none' } },
  { name: 'float32-uncompressed', spec: { width: 50, height: 21, bands: 2, sampleFormat: 'float', bitsPerSample: 32, geoTransform: GT, epsg: 4549, nodata: -1, tileSize: 16, compression: 'none' } },
];

/** Seeded samples covering the type's range, planar, width × height × bands. */
function samples(spec: TiledGeoTiffSpec, seed: number): TiledSampleArray {
  const Type = sampleArrayType(spec.sampleFormat, spec.bitsPerSample);
  const n = spec.width * spec.height * spec.bands;
  const out = new Type(n);
  const random = mulberry32(seed);
  const bits = spec.bitsPerSample;
  for (let i = 0; i < n; i++) {
    const r = random();
    if (spec.sampleFormat === 'float') out[i] = (r - 0.5) * 1e4 * (i % 7 === 0 ? 1e-3 : 1);
    else if (spec.sampleFormat === 'uint') out[i] = Math.floor(r * 2 ** bits);
    else out[i] = Math.floor(r * 2 ** bits) - 2 ** (bits - 1);
  }
  return out;
}

/** Writes `data` (planar, full raster) tile by tile, padding edge tiles with 0. */
async function write(path: string, spec: TiledGeoTiffSpec, data: TiledSampleArray): Promise<void> {
  const writer = await TiledGeoTiffWriter.create(path, spec);
  const T = writer.tileSize;
  const Type = sampleArrayType(spec.sampleFormat, spec.bitsPerSample);
  for (let ty = 0; ty < writer.tilesDown; ty++) {
    for (let tx = 0; tx < writer.tilesAcross; tx++) {
      const tile = new Type(spec.bands * T * T);
      for (let b = 0; b < spec.bands; b++) {
        for (let y = 0; y < T; y++) {
          const gy = ty * T + y;
          if (gy >= spec.height) break;
          for (let x = 0; x < T; x++) {
            const gx = tx * T + x;
            if (gx >= spec.width) break;
            tile[b * T * T + y * T + x] = data[b * spec.width * spec.height + gy * spec.width + gx]!;
          }
        }
      }
      await writer.writeTile(tx, ty, tile);
    }
  }
  await writer.finish();
}

const dir = mkdtempSync(join(tmpdir(), 'shoutu-tiled-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import osgeo.gdal, numpy']).status === 0);

describe('TiledGeoTiffWriter', () => {
  beforeAll(() => {
    if (python === undefined) throw new Error('python3 with GDAL bindings is required for this cross-check: apt-get install -y gdal-bin python3-gdal');
  });

  CASES.forEach((c, k) => {
    it(`round-trips through shoutu's reader and GDAL reads the same samples: ${c.name}`, async () => {
      const data = samples(c.spec, 100 + k);
      const path = join(dir, `${c.name}.tif`);
      await write(path, c.spec, data);
      const raster = await openGeoTiff({ path }, c.name);
      expect(raster.info).toMatchObject({ width: c.spec.width, height: c.spec.height, bands: c.spec.bands, sampleFormat: c.spec.sampleFormat, bitsPerSample: c.spec.bitsPerSample, geoTransform: c.spec.geoTransform, epsg: c.spec.epsg });
      if (c.spec.nodata === null) expect(raster.info.nodata).toBeNull();
      else expect(Object.is(raster.info.nodata, c.spec.nodata) || (Number.isNaN(c.spec.nodata) && Number.isNaN(raster.info.nodata))).toBe(true);
      const back = await raster.readWindowNative(0, 0, c.spec.width, c.spec.height);
      await raster.close();
      expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(data.buffer, data.byteOffset, data.byteLength))).toBe(true);

      // GDAL: same geotransform, CRS and nodata, and the same samples band by band (SHA-256 of the little-endian values).
      const script = [
        'import sys, json, hashlib',
        'from osgeo import gdal',
        'ds = gdal.Open(sys.argv[1])',
        'b = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]',
        'print(json.dumps({"gt": list(ds.GetGeoTransform()), "epsg": int(ds.GetSpatialRef().GetAuthorityCode(None)), "nodata": [str(x.GetNoDataValue()) for x in b], "sha": [hashlib.sha256(x.ReadAsArray().astype(x.ReadAsArray().dtype.newbyteorder("<")).tobytes()).hexdigest() for x in b], "interleave": ds.GetMetadataItem("INTERLEAVE", "IMAGE_STRUCTURE"), "compression": ds.GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE")}))',
      ].join('\n');
      const gdal = JSON.parse(execFileSync(python!, ['-c', script, path], { encoding: 'utf8' })) as { gt: number[]; epsg: number; nodata: string[]; sha: string[]; interleave: string; compression: string };
      expect(gdal.gt).toEqual(c.spec.geoTransform);
      expect(gdal.epsg).toBe(c.spec.epsg);
      expect(gdal.interleave).toBe('BAND');
      // GDAL reports no COMPRESSION item for uncompressed files
      expect(gdal.compression ?? 'NONE').toBe(c.spec.compression === 'none' ? 'NONE' : 'DEFLATE');
      const plane = c.spec.width * c.spec.height;
      const size = data.BYTES_PER_ELEMENT;
      const ours = Array.from({ length: c.spec.bands }, (_, b) => createHash('sha256').update(Buffer.from(data.buffer, b * plane * size, plane * size)).digest('hex'));
      expect(gdal.sha).toEqual(ours);
      const nodataText = c.spec.nodata === null ? 'None' : Number.isNaN(c.spec.nodata) ? 'nan' : null;
      if (nodataText !== null) expect(gdal.nodata[0]).toBe(nodataText);
      else expect(Number(gdal.nodata[0])).toBe(c.spec.nodata);
    });
  });

  it('is deterministic and chooses BigTIFF only when asked or needed', async () => {
    const c = CASES[2]!;
    const data = samples(c.spec, 7);
    const [a, b] = [join(dir, 'a.tif'), join(dir, 'b.tif')];
    await write(a, c.spec, data);
    await write(b, c.spec, data);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).readUInt16LE(2)).toBe(42);
    expect(readFileSync(join(dir, 'int16-bigtiff.tif')).readUInt16LE(2)).toBe(43);
  });

  for (const compression of ['none', 'deflate'] as const) {
    it(`leaves skipped tiles out (sparse), read as nodata by shoutu's reader and GDAL: ${compression}`, async () => {
      const spec: TiledGeoTiffSpec = { width: 40, height: 40, bands: 2, sampleFormat: 'uint', bitsPerSample: 16, geoTransform: GT, epsg: 4549, nodata: 9, tileSize: 16, compression };
      const path = join(dir, `sparse-${compression}.tif`);
      const writer = await TiledGeoTiffWriter.create(path, spec);
      const tile = new Uint16Array(2 * 16 * 16);
      const skipped = new Set(['0,0', '2,1', '1,2']);
      for (let ty = 0; ty < 3; ty++) {
        for (let tx = 0; tx < 3; tx++) {
          if (skipped.has(`${tx},${ty}`)) {
            writer.skipTile(tx, ty);
            continue;
          }
          for (let i = 0; i < tile.length; i++) tile[i] = 1000 + ty * 100 + tx * 10 + (i >> 8);
          await writer.writeTile(tx, ty, tile);
        }
      }
      await writer.finish();
      // 6 of 9 tiles stored, 2 bands of 512 bytes each when uncompressed
      if (compression === 'none') expect(readFileSync(path).length).toBeLessThan(6 * 2 * 512 + 2048);
      const expected = (b: number, x: number, y: number) => {
        const [tx, ty] = [Math.floor(x / 16), Math.floor(y / 16)];
        return skipped.has(`${tx},${ty}`) ? 9 : 1000 + ty * 100 + tx * 10 + b;
      };
      const raster = await openGeoTiff({ path }, 'sparse');
      const back = (await raster.readWindowNative(0, 0, 40, 40)) as Uint16Array;
      await raster.close();
      const want = new Uint16Array(2 * 40 * 40);
      for (let b = 0; b < 2; b++) for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) want[b * 1600 + y * 40 + x] = expected(b, x, y);
      expect(Array.from(back)).toEqual(Array.from(want));
      const script = ['import sys, hashlib', 'from osgeo import gdal', 'ds = gdal.Open(sys.argv[1])', 'print(" ".join(hashlib.sha256(ds.GetRasterBand(i + 1).ReadAsArray().astype("<u2").tobytes()).hexdigest() for i in range(ds.RasterCount)))'].join('\n');
      const gdal = execFileSync(python!, ['-c', script, path], { encoding: 'utf8' }).trim().split(' ');
      const ours = [0, 1].map((b) => createHash('sha256').update(Buffer.from(want.buffer, b * 3200, 3200)).digest('hex'));
      expect(gdal).toEqual(ours);
    });
  }

  it('refuses tiles out of order, wrong sizes and unsupported types', async () => {
    const spec = CASES[0]!.spec;
    const writer = await TiledGeoTiffWriter.create(join(dir, 'bad.tif'), spec);
    const T = writer.tileSize;
    await expect(writer.writeTile(1, 0, new Uint8Array(3 * T * T))).rejects.toThrow(/out of order/);
    await expect(writer.writeTile(0, 0, new Uint8Array(5))).rejects.toThrow(RangeError);
    await expect(writer.writeTile(0, 0, new Uint16Array(3 * T * T))).rejects.toThrow(RangeError);
    await expect(writer.finish()).rejects.toThrow(/tiles written/);
    await writer.abort();
    await expect(TiledGeoTiffWriter.create(join(dir, 'bad2.tif'), { ...spec, bitsPerSample: 12 })).rejects.toThrow(RangeError);
    await expect(TiledGeoTiffWriter.create(join(dir, 'bad3.tif'), { ...spec, tileSize: 20 })).rejects.toThrow(/multiple of 16/);
    await expect(TiledGeoTiffWriter.create(join(dir, 'bad4.tif'), { ...spec, geoTransform: [0, 1, 0, 0, 0, 1] })).rejects.toThrow(/north-up/);
  });
});
