import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { parseMaskLayer } from './index.js';

const fixture = (rel: string) => fileURLToPath(new URL(`../../../fixtures/${rel}`, import.meta.url));
const bytesOf = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function expectMaskError(value: unknown, code: string, field: string, message?: RegExp): InvalidInputError {
  let error: unknown;
  try {
    parseMaskLayer(value instanceof Uint8Array ? value : bytesOf(value), 'layer.geojson');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidInputError);
  const e = error as InvalidInputError;
  expect(e.code).toBe(code);
  expect(e.file).toBe('layer.geojson');
  expect(e.field).toBe(field);
  expect(e.message).toContain('layer.geojson');
  if (message) expect(e.message).toMatch(message);
  return e;
}

const square = [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]];
const fc = (...geometries: unknown[]) => ({
  type: 'FeatureCollection',
  features: geometries.map((geometry) => ({ type: 'Feature', properties: {}, geometry })),
});

describe('parseMaskLayer: fixtures', () => {
  it('parses the demo farmland layer (EPSG:4490)', () => {
    const bytes = new Uint8Array(readFileSync(fixture('masks/farmland.geojson')));
    const layer = parseMaskLayer(bytes, 'farmland.geojson');
    expect(layer.name).toBe('farmland.geojson');
    expect(layer.epsg).toBe(4490);
    expect(layer.featureCount).toBe(3);
    expect(layer.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    // NW polygon, SW polygon with a hole, and the two parts of the east MultiPolygon
    expect(layer.polygons.map((p) => p.map((r) => r.length / 2))).toEqual([[6], [6, 4], [5], [4]]);
    const [lon, lat] = [layer.polygons[0]![0]![0]!, layer.polygons[0]![0]![1]!];
    expect(lon).toBeCloseTo(119.8484966, 7);
    expect(lat).toBeCloseTo(32.5299088, 7);
  });

  it('parses the demo red-line layer (EPSG:32651)', () => {
    const layer = parseMaskLayer(new Uint8Array(readFileSync(fixture('masks/redline.geojson'))), 'redline.geojson');
    expect(layer.epsg).toBe(32651);
    expect(layer.featureCount).toBe(2);
    expect(layer.polygons).toHaveLength(2);
    expect(Array.from(layer.polygons[0]![0]!)).toEqual([205395, 3601935, 206235, 3601935, 205056, 3592635, 204216, 3592635]);
  });

  it('marks every demo feature as demonstration data', () => {
    for (const file of ['masks/farmland.geojson', 'masks/redline.geojson']) {
      const json = JSON.parse(readFileSync(fixture(file), 'utf8')) as { features: { properties: { demo: boolean; note: string } }[] };
      for (const f of json.features) {
        expect(f.properties.demo).toBe(true);
        expect(f.properties.note).toContain('演示数据');
        expect(f.properties.note).toContain('not an official layer');
      }
    }
  });
});

describe('parseMaskLayer: accepted shapes', () => {
  it('accepts a single Feature, a bare Polygon and a bare MultiPolygon', () => {
    const feature = parseMaskLayer(bytesOf({ type: 'Feature', properties: null, geometry: { type: 'Polygon', coordinates: square } }), 'f');
    expect(feature).toMatchObject({ epsg: 4326, featureCount: 1 });
    expect(Array.from(feature.polygons[0]![0]!)).toEqual([0, 0, 10, 0, 10, 10, 0, 10]);
    expect(parseMaskLayer(bytesOf({ type: 'Polygon', coordinates: square }), 'p').polygons).toHaveLength(1);
    expect(parseMaskLayer(bytesOf({ type: 'MultiPolygon', coordinates: [square, square, square] }), 'm').polygons).toHaveLength(3);
  });

  it('keeps rings without a closing vertex and 3-D positions', () => {
    const layer = parseMaskLayer(bytesOf({ type: 'Polygon', coordinates: [[[0, 0, 5], [1, 0, 5], [1, 1, 5]]] }), 'p');
    expect(Array.from(layer.polygons[0]![0]!)).toEqual([0, 0, 1, 0, 1, 1]);
  });

  it('skips features without geometry but counts them', () => {
    const value = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: null }, { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: square } }] };
    const layer = parseMaskLayer(bytesOf(value), 'l');
    expect(layer.featureCount).toBe(2);
    expect(layer.polygons).toHaveLength(1);
  });

  it('reads the crs member and ignores a UTF-8 BOM', () => {
    const value = { ...fc({ type: 'Polygon', coordinates: [[[500000, 3600000], [500100, 3600000], [500100, 3600100]]] }), crs: { type: 'name', properties: { name: 'EPSG:4549' } } };
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(value)]);
    expect(parseMaskLayer(bytes, 'l').epsg).toBe(4549);
  });
});

describe('parseMaskLayer: errors name the file and the JSON path', () => {
  it('invalid JSON and non-UTF-8 bytes', () => {
    expectMaskError('{"type": "FeatureCollection", "features": [', 'mask_invalid', '(json)', /not valid JSON/);
    expectMaskError(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'mask_invalid', '(file)');
    expectMaskError('[1, 2]', 'mask_invalid', '(root)');
  });

  it('non-polygon geometries', () => {
    expectMaskError(fc({ type: 'Polygon', coordinates: square }, { type: 'Point', coordinates: [1, 2] }), 'mask_invalid', 'features[1].geometry', /Point geometries are not allowed/);
    expectMaskError(fc({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }), 'mask_invalid', 'features[0].geometry', /LineString/);
    expectMaskError({ type: 'GeometryCollection', geometries: [] }, 'mask_invalid', 'type', /GeometryCollection/);
    expectMaskError({ type: 'Topology' }, 'mask_invalid', 'type');
    expectMaskError(fc({ type: 'Circle', coordinates: [] }), 'mask_invalid', 'features[0].geometry.type');
  });

  it('bad coordinates', () => {
    const bad = fc(
      { type: 'Polygon', coordinates: square },
      { type: 'Polygon', coordinates: square },
      { type: 'Polygon', coordinates: square },
      { type: 'Polygon', coordinates: [[[0, 0], [1, 'x'], [1, 1]]] },
    );
    expectMaskError(bad, 'mask_invalid', 'features[3].geometry.coordinates[0][1][1]', /expected number/);
    expectMaskError(fc({ type: 'Polygon', coordinates: [[[0, 0], [1, 1]]] }), 'mask_invalid', 'features[0].geometry.coordinates[0]', /at least 3/);
    expectMaskError(fc({ type: 'Polygon', coordinates: [] }), 'mask_invalid', 'features[0].geometry.coordinates', /exterior ring/);
    expectMaskError(fc({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }), 'mask_invalid', 'features[0].geometry.coordinates[0]', /3 distinct/);
    expectMaskError(fc({ type: 'MultiPolygon', coordinates: [square, [[[0], [1, 1], [2, 2]]]] }), 'mask_invalid', 'features[0].geometry.coordinates[1][0][0]');
    expectMaskError(bytesOf('{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1e999]]]}'), 'mask_invalid', 'coordinates[0][2][1]');
  });

  it('structure errors', () => {
    expectMaskError({ type: 'FeatureCollection' }, 'mask_invalid', 'features');
    expectMaskError({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: 'x', geometry: null }] }, 'mask_invalid', 'features[0].properties');
    expectMaskError({ type: 'FeatureCollection', features: [{ type: 'Thing', geometry: null }] }, 'mask_invalid', 'features[0].type');
  });

  it('projected coordinates without a crs member', () => {
    const e = expectMaskError(fc({ type: 'Polygon', coordinates: [[[203325, 3604935], [203355, 3604935], [203355, 3604905]]] }), 'mask_invalid', 'features[0].geometry.coordinates[0][0]');
    expect(e.message).toMatch(/"crs" member/);
  });

  it('unknown or unsupported crs', () => {
    expectMaskError({ ...fc({ type: 'Polygon', coordinates: square }), crs: { type: 'name', properties: { name: 'EPSG:2193' } } }, 'crs_unknown', 'crs');
    expectMaskError({ ...fc({ type: 'Polygon', coordinates: square }), crs: { type: 'link', properties: { href: 'x' } } }, 'crs_unknown', 'crs');
  });
});
