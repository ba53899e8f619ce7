import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import {
  crsDefinition,
  isGeographic,
  isGeographicEpsg,
  lonLatOf,
  parseGeoJsonCrs,
  supportedEpsgCodes,
  transformCoords,
} from './crs.js';

function transformed(from: number, to: number, x: number, y: number): [number, number] {
  const c = new Float64Array([x, y]);
  transformCoords(from, to, c);
  return [c[0]!, c[1]!];
}

function expectClose(actual: [number, number], expected: [number, number], tolerance: number): void {
  expect(Math.abs(actual[0] - expected[0]), `x ${actual[0]} vs ${expected[0]}`).toBeLessThanOrEqual(tolerance);
  expect(Math.abs(actual[1] - expected[1]), `y ${actual[1]} vs ${expected[1]}`).toBeLessThanOrEqual(tolerance);
}

describe('crs definitions', () => {
  it('knows the documented EPSG codes', () => {
    const codes = supportedEpsgCodes();
    expect(codes).toContain(4326);
    expect(codes).toContain(4490);
    expect(codes).toContain(3857);
    for (let z = 1; z <= 60; z++) {
      expect(codes).toContain(32600 + z);
      expect(codes).toContain(32700 + z);
    }
    for (let c = 4491; c <= 4554; c++) expect(codes).toContain(c);
    expect(codes).toHaveLength(3 + 120 + 64);
  });

  it('builds the CGCS2000 Gauss-Kruger families', () => {
    expect(crsDefinition(4491)).toBe('+proj=tmerc +lat_0=0 +lon_0=75 +k=1 +x_0=13500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4501)).toBe('+proj=tmerc +lat_0=0 +lon_0=135 +k=1 +x_0=23500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4502)).toBe('+proj=tmerc +lat_0=0 +lon_0=75 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4513)).toBe('+proj=tmerc +lat_0=0 +lon_0=75 +k=1 +x_0=25500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4533)).toBe('+proj=tmerc +lat_0=0 +lon_0=135 +k=1 +x_0=45500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4549)).toBe('+proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
    expect(crsDefinition(4554)).toBe('+proj=tmerc +lat_0=0 +lon_0=135 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs');
  });

  it('rejects unknown codes with crs_unknown', () => {
    for (const code of [0, 2193, 4555, 32661, 4326.5]) {
      expect(() => crsDefinition(code)).toThrow(InvalidInputError);
    }
    try {
      crsDefinition(2193, { file: 'mask.geojson', field: 'crs' });
    } catch (e) {
      expect(e).toMatchObject({ code: 'crs_unknown', file: 'mask.geojson', field: 'crs' });
      expect((e as Error).message).toContain('mask.geojson');
    }
    expect(() => transformCoords(2193, 4326, new Float64Array(2))).toThrow(InvalidInputError);
  });

  it('says which codes are geographic', () => {
    expect(isGeographic(4326)).toBe(true);
    expect(isGeographic(4490)).toBe(true);
    expect(isGeographic(32651)).toBe(false);
    expect(isGeographic(4549)).toBe(false);
    expect(() => isGeographic(2193)).toThrow(InvalidInputError);
    expect(isGeographicEpsg(2193)).toBeNull();
    expect(isGeographicEpsg(3857)).toBe(false);
  });
});

// expected values from `gdaltransform -output_xy` (GDAL 3.6.2 / PROJ 9, traditional lon/lat order)
describe('transformCoords', () => {
  it('UTM 51N <-> WGS 84 lon/lat', () => {
    expectClose(transformed(32651, 4326, 203325, 3604935), [119.841043594, 32.542162647], 1e-6);
    expectClose(lonLatOf(32651, 203325, 3604935), [119.841043594, 32.542162647], 1e-6);
    expectClose(transformed(4326, 32651, 120.5, 31.0), [261299.024823244, 3432285.13269609], 1e-3);
    const back = transformed(4326, 32651, ...transformed(32651, 4326, 209325, 3598935));
    expectClose(back, [209325, 3598935], 1e-6);
  });

  it('CGCS2000 Gauss-Kruger zones', () => {
    expectClose(transformed(4490, 4549, 119.84, 32.5), [484963.710034552, 3597309.3130218], 1e-3); // 3-degree CM 120E
    expectClose(transformed(4490, 4527, 119.84, 32.5), [39766940.544684596, 3600854.46367504], 1e-3); // 3-degree zone 39
    expectClose(transformed(4490, 4498, 119.84, 32.5), [20766940.5446846, 3600854.46367504], 1e-3); // 6-degree zone 20
    expectClose(transformed(4490, 4513, 75.5, 30), [25548243.448606201, 3320218.65041027], 1e-3);
    expectClose(transformed(4490, 4554, 134.2, 45.1), [437032.353580829, 4996369.04760996], 1e-3);
    expectClose(transformed(4549, 4490, 500000, 3600000), [120, 32.524364918], 1e-8);
    expectClose(transformed(32651, 4549, 203325, 3604935), [485068.757525064, 3601984.8415946], 1e-3);
  });

  it('UTM south and web mercator', () => {
    expectClose(transformed(4326, 32750, 117.5, -8.25), [555066.180581183, 9088029.6155168], 1e-3);
    expectClose(transformed(4326, 3857, 119.84, 32.5), [13340527.7766659, 3829123.83702844], 1e-3);
  });

  it('transforms many points in place and leaves same-CRS input alone', () => {
    const pts = new Float64Array([203325, 3604935, 215325, 3592935, 209325, 3598935]);
    const copy = pts.slice();
    transformCoords(32651, 32651, pts);
    expect(pts).toEqual(copy);
    transformCoords(32651, 4490, pts);
    transformCoords(4490, 32651, pts);
    for (let i = 0; i < pts.length; i++) expect(Math.abs(pts[i]! - copy[i]!)).toBeLessThan(1e-6);
    expect(() => transformCoords(4326, 32651, new Float64Array(3))).toThrow(RangeError);
  });
});

describe('parseGeoJsonCrs', () => {
  it('defaults to EPSG:4326', () => {
    expect(parseGeoJsonCrs(undefined)).toBe(4326);
    expect(parseGeoJsonCrs(null)).toBe(4326);
  });

  it('accepts the usual names', () => {
    const named = (name: string) => ({ type: 'name', properties: { name } });
    expect(parseGeoJsonCrs(named('EPSG:4490'))).toBe(4490);
    expect(parseGeoJsonCrs(named('epsg:32651'))).toBe(32651);
    expect(parseGeoJsonCrs(named('urn:ogc:def:crs:EPSG::4490'))).toBe(4490);
    expect(parseGeoJsonCrs(named('urn:ogc:def:crs:EPSG:6.6:4549'))).toBe(4549);
    expect(parseGeoJsonCrs(named('urn:ogc:def:crs:OGC:1.3:CRS84'))).toBe(4326);
    expect(parseGeoJsonCrs(named('urn:ogc:def:crs:OGC::CRS84'))).toBe(4326);
    expect(parseGeoJsonCrs(named('http://www.opengis.net/def/crs/EPSG/0/4490'))).toBe(4490);
  });

  it('rejects what it does not understand, naming file and field', () => {
    const bad = [
      'EPSG:4490',
      { type: 'link', properties: { href: 'http://example.com/crs' } },
      { type: 'name', properties: {} },
      { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::2193' } },
      { type: 'name', properties: { name: 'WGS84' } },
      { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS83' } },
    ];
    for (const crs of bad) {
      let error: unknown;
      try {
        parseGeoJsonCrs(crs, { file: 'layer.geojson' });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(crs)).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: 'crs_unknown', file: 'layer.geojson', field: 'crs' });
    }
  });
});

const hasGdalSrsInfo = spawnSync('gdalsrsinfo', ['--version']).status === 0;

// GDAL is the reference for GeoTIFF and CRS correctness; the README and .ci/run install it.
describe('crs definitions match gdalsrsinfo', () => {
  beforeAll(() => {
    if (!hasGdalSrsInfo) throw new Error('GDAL command-line tools are required for this cross-check: apt-get install -y gdal-bin python3-gdal');
  });
  it.each([4326, 4490, 3857, 32601, 32651, 32660, 32701, 32760, 4491, 4497, 4501, 4502, 4512, 4513, 4527, 4533, 4534, 4549, 4554])(
    'EPSG:%i',
    (code) => {
      const out = execFileSync('gdalsrsinfo', [`EPSG:${code}`, '-o', 'proj4'], { encoding: 'utf8' }).trim().replace(/^'|'$/g, '');
      expect(crsDefinition(code)).toBe(out.trim());
    },
  );
});
