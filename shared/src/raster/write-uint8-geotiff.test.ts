import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeoTransform } from './geotransform.js';
import { openGeoTiff } from './index.js';
import { encodeUint8GeoTiff } from './write-uint8-geotiff.js';

function pattern(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 31 + y * 17 + ((x * y) >> 3)) & 0xff;
  return data;
}

interface Case {
  name: string;
  width: number;
  height: number;
  geoTransform: GeoTransform;
  epsg: number;
  nodata?: number;
  compress: 'none' | 'deflate';
}

const CASES: Case[] = [
  { name: 'utm-none', width: 37, height: 23, geoTransform: [203325, 30, 0, 3604935, 0, -30], epsg: 32651, compress: 'none' },
  { name: 'utm-deflate-strips', width: 300, height: 500, geoTransform: [206445, 30, 0, 3597255, 0, -30], epsg: 32651, nodata: 255, compress: 'deflate' },
  { name: 'cgcs2000-nodata', width: 64, height: 40, geoTransform: [119.9, 0.0003, 0, 32.5, 0, -0.0003], epsg: 4490, nodata: 0, compress: 'none' },
  { name: 'gk-deflate', width: 1, height: 1, geoTransform: [40_500_000.5, 2, 0, 3_600_000.25, 0, -2], epsg: 4528, compress: 'deflate' },
  { name: 'wide-one-row-strips', width: 70_000, height: 3, geoTransform: [0, 1, 0, 0, 0, -1], epsg: 3857, compress: 'deflate' },
];

describe('encodeUint8GeoTiff', () => {
  for (const c of CASES) {
    it(`round-trips through openGeoTiff: ${c.name}`, async () => {
      const data = pattern(c.width, c.height);
      const bytes = encodeUint8GeoTiff({ ...c, data });
      const r = await openGeoTiff({ bytes }, `${c.name}.tif`);
      expect(r.info).toEqual({
        width: c.width,
        height: c.height,
        bands: 1,
        sampleFormat: 'uint',
        bitsPerSample: 8,
        geoTransform: c.geoTransform,
        epsg: c.epsg,
        nodata: c.nodata ?? null,
        bandDescriptions: [null],
        metadata: {},
        alphaBand: null,
        internalMask: false,
      });
      const back = await r.readWindow(0, 0, c.width, c.height);
      expect(Buffer.from(Float32Array.from(data)).equals(Buffer.from(back))).toBe(true);
      await r.close();
    });
  }

  it('is deterministic', () => {
    for (const c of CASES) {
      const data = pattern(c.width, c.height);
      expect(Buffer.from(encodeUint8GeoTiff({ ...c, data })).equals(Buffer.from(encodeUint8GeoTiff({ ...c, data })))).toBe(true);
    }
    // pinned bytes of the uncompressed case (no zlib involved)
    const c = CASES[0]!;
    const sha = createHash('sha256').update(encodeUint8GeoTiff({ ...c, data: pattern(c.width, c.height) })).digest('hex');
    expect(sha).toBe(PINNED_SHA256);
  });

  it('compresses with deflate', () => {
    const data = new Uint8Array(512 * 512);
    const raw = encodeUint8GeoTiff({ width: 512, height: 512, data, geoTransform: [0, 1, 0, 0, 0, -1], epsg: 32651 });
    const z = encodeUint8GeoTiff({ width: 512, height: 512, data, geoTransform: [0, 1, 0, 0, 0, -1], epsg: 32651, compress: 'deflate' });
    expect(raw.length).toBeGreaterThan(512 * 512);
    expect(z.length).toBeLessThan(4096);
  });

  it('rejects bad arguments', () => {
    const ok = { width: 2, height: 2, data: new Uint8Array(4), geoTransform: [0, 1, 0, 0, 0, -1] as GeoTransform, epsg: 32651 };
    expect(() => encodeUint8GeoTiff({ ...ok, data: new Uint8Array(3) })).toThrow(RangeError);
    expect(() => encodeUint8GeoTiff({ ...ok, width: 0 })).toThrow(RangeError);
    expect(() => encodeUint8GeoTiff({ ...ok, geoTransform: [0, 1, 0.5, 0, 0, -1] })).toThrow(/north-up/);
    expect(() => encodeUint8GeoTiff({ ...ok, geoTransform: [0, 1, 0, 0, 0, 1] })).toThrow(/north-up/);
    expect(() => encodeUint8GeoTiff({ ...ok, nodata: 256 })).toThrow(/nodata/);
    expect(() => encodeUint8GeoTiff({ ...ok, epsg: 2193 })).toThrow(/crsType/);
    expect(encodeUint8GeoTiff({ ...ok, epsg: 2193, crsType: 'projected' }).length).toBeGreaterThan(0);
  });
});

const hasGdal = spawnSync('gdalinfo', ['--version']).status === 0;
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import osgeo.gdal']).status === 0);

// GDAL is the reference for GeoTIFF and CRS correctness; the README and .ci/run install it.
describe('encodeUint8GeoTiff: GDAL reads the output (gdalinfo, python GDAL)', () => {
  beforeAll(() => {
    if (!hasGdal) throw new Error('GDAL command-line tools are required for this cross-check: apt-get install -y gdal-bin python3-gdal');
  });
  const dir = mkdtempSync(join(tmpdir(), 'shoutu-writer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES.filter((k) => k.width * k.height <= 1_000_000 && k.width < 10_000)) {
    it(`GDAL agrees: ${c.name}`, () => {
      const data = pattern(c.width, c.height);
      const file = join(dir, `${c.name}.tif`);
      writeFileSync(file, encodeUint8GeoTiff({ ...c, data }));
      const info = JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' })) as {
        size: number[];
        geoTransform: number[];
        stac?: { 'proj:epsg'?: number };
        coordinateSystem: { wkt: string };
        bands: { type: string; noDataValue?: number }[];
        metadata: Record<string, Record<string, string>>;
      };
      expect(info.size).toEqual([c.width, c.height]);
      expect(info.geoTransform).toEqual(c.geoTransform);
      expect(info.coordinateSystem.wkt).toMatch(new RegExp(`ID\\["EPSG",${c.epsg}\\]\\]\\s*$`));
      expect(info.bands).toHaveLength(1);
      expect(info.bands[0]!.type).toBe('Byte');
      expect(info.bands[0]!.noDataValue).toBe(c.nodata);
      expect(info.metadata['']?.['AREA_OR_POINT']).toBe('Area');
      if (python !== undefined) {
        const hex = execFileSync(
          python,
          ['-c', 'import sys; from osgeo import gdal; ds = gdal.Open(sys.argv[1]); sys.stdout.write(ds.GetRasterBand(1).ReadRaster().hex())', file],
          { encoding: 'utf8', maxBuffer: 64 << 20 },
        );
        expect(hex).toBe(Buffer.from(data).toString('hex'));
      } else {
        const raw = join(dir, `${c.name}.raw`);
        execFileSync('gdal_translate', ['-q', '-of', 'ENVI', file, raw]);
        expect(Buffer.from(readFileSync(raw)).equals(Buffer.from(data))).toBe(true);
      }
    });
  }
});

const PINNED_SHA256 = '8e55bdce1eefd952a58602aed2d4596c9d2b5ce78a4f9abc0cb9d123650dcdde';
