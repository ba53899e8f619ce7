import { describe, expect, it } from 'vitest';
import { isValidOn, parseApprovalLayer, validApprovals } from './approval-layer.js';

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 32], [x + 0.01, 32], [x + 0.01, 32.01], [x, 32.01], [x, 32]]] });
const layer = (features: unknown[]) => new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', features }));
const feature = (properties: unknown, x = 120) => ({ type: 'Feature', properties, geometry: square(x) });

describe('approval layers', () => {
  it('reads number, kind and validity per feature, and keeps each polygon with its approval', () => {
    const parsed = parseApprovalLayer(
      layer([
        feature({ number: 'A-1', kind: 'land_conversion', validFrom: '2024-01-01', validTo: '2024-12-31' }),
        { type: 'Feature', properties: { number: 'B-2', kind: 'temporary_use', validFrom: '2024-06-01' }, geometry: { type: 'MultiPolygon', coordinates: [square(121).coordinates, square(122).coordinates] } },
      ]),
      'approvals.geojson',
    );
    expect(parsed.approvals).toEqual([
      { number: 'A-1', kind: 'land_conversion', validFrom: '2024-01-01', validTo: '2024-12-31' },
      { number: 'B-2', kind: 'temporary_use', validFrom: '2024-06-01', validTo: null },
    ]);
    expect(parsed.geometry.polygonFeatures).toEqual([0, 1, 1]);
    expect(validApprovals(parsed, '2024-03-01').features).toEqual([0]);
    expect(validApprovals(parsed, '2024-03-01').geometry.polygons).toHaveLength(1);
    expect(validApprovals(parsed, '2025-03-01').features).toEqual([1]);
    expect(validApprovals(parsed, '2025-03-01').geometry.polygons).toHaveLength(2);
  });

  it('reads the same approvals feature by feature as from the whole document', () => {
    const features = [
      feature({ number: 'A-1', kind: '农转用', validFrom: '2024/1/1', note: '含 ] 和 } 的备注' }),
      feature({ number: 'B-2', kind: 'temporary_use', validFrom: '20240601', validTo: '2025-06-01' }, 121),
    ];
    const text = JSON.stringify({ type: 'FeatureCollection', features });
    // an escaped member name is left to the whole-document parse
    const whole = new TextEncoder().encode(text.replace('"features"', '"feat\\u0075res"'));
    const byFeature = parseApprovalLayer(new TextEncoder().encode(text), 'a.geojson');
    expect(byFeature.approvals.map((a) => a.number)).toEqual(['A-1', 'B-2']);
    expect(byFeature.approvals).toEqual(parseApprovalLayer(whole, 'a.geojson').approvals);
    expect(() => parseApprovalLayer(new TextEncoder().encode(text.replace('"B-2"', '""')), 'a.geojson')).toThrow('a.geojson: features[1].properties.number');
  });

  it('counts both ends of the validity period as valid', () => {
    const a = { number: 'x', kind: 'land_supply' as const, validFrom: '2024-01-01', validTo: '2024-01-31' };
    expect([isValidOn(a, '2023-12-31'), isValidOn(a, '2024-01-01'), isValidOn(a, '2024-01-31'), isValidOn(a, '2024-02-01')]).toEqual([false, true, true, false]);
  });

  it.each([
    [{ kind: 'land_conversion', validFrom: '2024-01-01' }, 'features[0].properties.number'],
    [{ number: 'A', kind: 'permit', validFrom: '2024-01-01' }, 'features[0].properties.kind'],
    [{ number: 'A', kind: 'land_supply', validFrom: '2024-13-01' }, 'features[0].properties.validFrom'],
    [{ number: 'A', kind: 'land_supply', validFrom: '2024-05-01', validTo: '2024-04-30' }, 'features[0].properties.validTo'],
  ])('names the bad field: %j', (properties, field) => {
    expect(() => parseApprovalLayer(layer([feature(properties)]), 'a.geojson')).toThrow(expect.objectContaining({ code: 'approvals_invalid', field, message: expect.stringContaining(`a.geojson: ${field}`) }));
  });

  it('refuses geometry problems the way mask layers do, naming the file', () => {
    const bad = layer([{ type: 'Feature', properties: { number: 'A', kind: 'land_supply', validFrom: '2024-01-01' }, geometry: { type: 'Point', coordinates: [120, 32] } }]);
    expect(() => parseApprovalLayer(bad, 'a.geojson')).toThrow(/a\.geojson: features\[0\]\.geometry/);
  });
});
