import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { applyApprovalMapping, parseApprovalMapping } from './approval-fields.js';
import { parseApprovalLayer } from './approval-layer.js';
import { approvalDateOf, approvalKindOf } from './approval-values.js';

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 32], [x + 0.01, 32], [x + 0.01, 32.01], [x, 32.01], [x, 32]]] });
const layer = (properties: unknown[]) =>
  new TextEncoder().encode(JSON.stringify({ type: 'FeatureCollection', features: properties.map((p, i) => ({ type: 'Feature', properties: p, geometry: square(120 + i) })) }));
const OPTIONS = { fields: '--fields', kind: '--kind' };
const refusal = (attempt: () => unknown) => {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected a refusal');
};

describe('approval values as registers write them', () => {
  it('reads dates in the written forms, as calendar dates only', () => {
    const forms = ['2024-03-05', '2024-3-5', '2024/3/5', '2024/03/05', '2024.3.5', '20240305', 20240305, '2024年3月5日', ' 2024年03月05日 ', '2024-03-05T08:00:00', '2024-03-05 08:00', '2024-03-05T23:30:00+08:00'];
    for (const form of forms) expect(approvalDateOf(form), String(form)).toBe('2024-03-05');
    for (const bad of ['2024-02-30', '2023/2/29', '20241301', '2024年13月1日', '05/03/2024', '2024-03', '', null, 2024.5, true, '2024-03-05x']) expect(approvalDateOf(bad), String(bad)).toBeNull();
    expect(approvalDateOf('2024/2/29')).toBe('2024-02-29');
  });

  it('reads kinds by shoutu\'s names and the Chinese ones', () => {
    expect(['land_conversion', '农用地转用', '农转用', ' 农转用 '].map(approvalKindOf)).toEqual(Array(4).fill('land_conversion'));
    expect(['供地', '土地供应', '设施农用地', '设施农业用地', '临时用地'].map(approvalKindOf)).toEqual(['land_supply', 'land_supply', 'facility_agriculture', 'facility_agriculture', 'temporary_use']);
    expect(['permit', '农用地', '', 3, null].map(approvalKindOf)).toEqual([null, null, null, null, null]);
  });

  it('reads a layer written with Chinese kinds, written dates, numeric numbers and empty end dates', () => {
    const parsed = parseApprovalLayer(layer([{ number: 20240017, kind: '农转用', validFrom: '2024年3月1日', validTo: '' }, { number: ' 泰临地〔2025〕3号 ', kind: '临时用地', validFrom: 20250115, validTo: '2026/1/14' }]), 'a.geojson');
    expect(parsed.approvals).toEqual([
      { number: '20240017', kind: 'land_conversion', validFrom: '2024-03-01', validTo: null },
      { number: '泰临地〔2025〕3号', kind: 'temporary_use', validFrom: '2025-01-15', validTo: '2026-01-14' },
    ]);
  });
});

describe('approval field mapping', () => {
  it('parses FIELD=PROPERTY pairs and one kind, refusing what is not one', () => {
    expect(parseApprovalMapping('number=PZWH, validFrom=PZRQ,validTo=YXQZ', '供地', OPTIONS)).toEqual({ fields: { number: 'PZWH', validFrom: 'PZRQ', validTo: 'YXQZ' }, kind: 'land_supply' });
    expect(parseApprovalMapping(undefined, undefined, OPTIONS)).toEqual({ fields: {} });
    const cases: [string | undefined, string | undefined, string, string][] = [
      ['number', undefined, '--fields', '"number" is not FIELD=PROPERTY'],
      ['number=', undefined, '--fields', '"number=" is not FIELD=PROPERTY'],
      ['numero=PZWH', undefined, '--fields', '"numero" is not one of number, kind, validFrom, validTo'],
      ['number=A,number=B', undefined, '--fields', 'number is mapped twice'],
      [undefined, 'permit', '--kind', '"permit" is not an approval kind'],
      ['kind=YDLX', 'land_supply', '--kind', "the layer's kind is given both as --kind and as the property YDLX"],
    ];
    for (const [fields, kind, field, message] of cases) {
      const e = refusal(() => parseApprovalMapping(fields, kind, OPTIONS));
      expect(e.field).toBe(field);
      expect(e.message).toContain(`${field}: ${message}`);
    }
  });

  it('sets the fields shoutu reads from the mapped properties, keeping the layer\'s own', () => {
    const county = layer([{ PZWH: 'A-1', PZRQ: '2024/1/1', YXQZ: '2024/12/31', BZ: '备注' }, { PZWH: 'B-2', PZRQ: '2024/6/1' }]);
    const mapped = applyApprovalMapping(county, parseApprovalMapping('number=PZWH,validFrom=PZRQ,validTo=YXQZ', '设施农用地', OPTIONS), 'county.geojson');
    const parsed = parseApprovalLayer(mapped, 'mapped');
    expect(parsed.approvals).toEqual([
      { number: 'A-1', kind: 'facility_agriculture', validFrom: '2024-01-01', validTo: '2024-12-31' },
      { number: 'B-2', kind: 'facility_agriculture', validFrom: '2024-06-01', validTo: null },
    ]);
    const properties = (JSON.parse(new TextDecoder().decode(mapped)) as { features: { properties: object }[] }).features.map((f) => f.properties);
    expect(properties[0]).toEqual({ PZWH: 'A-1', PZRQ: '2024/1/1', YXQZ: '2024/12/31', BZ: '备注', number: 'A-1', validFrom: '2024/1/1', validTo: '2024/12/31', kind: 'facility_agriculture' });
    // the geometry is unchanged, number for number
    expect(parseApprovalLayer(mapped, 'm').geometry.polygons).toEqual(parseApprovalLayer(layer([{ number: 'x', kind: 'land_supply', validFrom: '2024-01-01' }, { number: 'y', kind: 'land_supply', validFrom: '2024-01-01' }]), 'g').geometry.polygons);
    // no mapping: the bytes as they were
    expect(applyApprovalMapping(county, { fields: {} }, 'county.geojson')).toBe(county);
  });

  it('refuses a property no feature has, listing the ones there are, and a value that does not read, naming its property', () => {
    const county = layer([{ PZWH: 'A-1', PZRQ: '2024/1/1' }, { PZWH: 'B-2', PZRQ: '2024/2/30' }]);
    const missing = refusal(() => applyApprovalMapping(county, parseApprovalMapping('number=WH', 'land_supply', OPTIONS), 'county.geojson'));
    expect(missing.message).toBe("county.geojson: no feature has the property WH (mapped to number); the layer's properties are PZRQ, PZWH");
    expect(missing.field).toBe('number');
    const bad = refusal(() => applyApprovalMapping(county, parseApprovalMapping('number=PZWH,validFrom=PZRQ', 'land_supply', OPTIONS), 'county.geojson'));
    expect(bad.field).toBe('features[1].properties.validFrom');
    expect(bad.message).toBe('county.geojson: features[1].properties.validFrom (the layer\'s property PZRQ): "2024/2/30" is not a calendar date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD or YYYY年M月D日)');
    expect(refusal(() => applyApprovalMapping(new TextEncoder().encode('{"type":'), { fields: { number: 'A' } }, 'x.geojson')).message).toMatch(/^x\.geojson: not UTF-8 GeoJSON/);
  });
});
