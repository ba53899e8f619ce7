import { describe, expect, it } from 'vitest';
import { knownDefinitions } from './crs.js';
import { describeParameters, epsgOfParameters, parametersOfDefinition, type CrsParameters } from './identify-crs.js';

const tm = (datum: 'cgcs2000' | 'wgs84', centralMeridian: number, falseEasting: number, scale = 1, falseNorthing = 0): CrsParameters => ({
  kind: 'transverse_mercator',
  datum,
  centralMeridian,
  latitudeOfOrigin: 0,
  scale,
  falseEasting,
  falseNorthing,
});

describe('epsgOfParameters', () => {
  it('finds every known code from its own definition, the 6-degree Gauss-Krüger codes without prefix as the 3-degree ones of the same meridian', () => {
    let checked = 0;
    for (const [code, definition] of knownDefinitions()) {
      const parameters = parametersOfDefinition(definition);
      if (code === 3857) {
        expect(parameters).toBeNull();
        continue;
      }
      // EPSG:4502..4512 are CM 75E..135E every 6 degrees: the same grids as EPSG:4534 + 2i
      const expected = code >= 4502 && code <= 4512 ? 4534 + 2 * (code - 4502) : code;
      expect(epsgOfParameters(parameters!), `EPSG:${code}`).toBe(expected);
      checked++;
    }
    expect(checked).toBe(2 + 120 + 11 + 11 + 21 + 21);
  });

  it('reads the Gauss-Krüger zones by central meridian and false easting', () => {
    expect(epsgOfParameters(tm('cgcs2000', 120, 500_000))).toBe(4549); // 3-degree CM 120E
    expect(epsgOfParameters(tm('cgcs2000', 120, 40_500_000))).toBe(4528); // 3-degree zone 40
    expect(epsgOfParameters(tm('cgcs2000', 117, 20_500_000))).toBe(4498); // 6-degree zone 20
    expect(epsgOfParameters(tm('cgcs2000', 117, 500_000))).toBe(4548); // 3-degree CM 117E (also the 6-degree EPSG:4509)
  });

  it('reads UTM zones north and south', () => {
    expect(epsgOfParameters(tm('wgs84', 123, 500_000, 0.9996))).toBe(32651);
    expect(epsgOfParameters(tm('wgs84', -75, 500_000, 0.9996, 10_000_000))).toBe(32718);
  });

  it('takes a grid on the other of the two datums as the one that exists (crs.ts treats them as one)', () => {
    expect(epsgOfParameters(tm('cgcs2000', 123, 500_000, 0.9996))).toBe(32651);
    expect(epsgOfParameters(tm('wgs84', 120, 500_000))).toBe(4549);
    expect(epsgOfParameters({ kind: 'geographic', datum: 'cgcs2000' })).toBe(4490);
    expect(epsgOfParameters({ kind: 'geographic', datum: 'wgs84' })).toBe(4326);
  });

  it('matches nothing when any parameter differs', () => {
    expect(epsgOfParameters(tm('cgcs2000', 120, 500_000, 0.9999))).toBeNull();
    expect(epsgOfParameters(tm('cgcs2000', 120.5, 500_000))).toBeNull();
    expect(epsgOfParameters(tm('cgcs2000', 120, 500_001))).toBeNull();
    expect(epsgOfParameters(tm('cgcs2000', 120, 500_000, 1, 1))).toBeNull();
    expect(epsgOfParameters({ ...tm('cgcs2000', 120, 500_000), latitudeOfOrigin: 1 } as CrsParameters)).toBeNull();
    expect(epsgOfParameters(tm('cgcs2000', 120, 41_500_000))).toBeNull(); // zone 41's prefix on zone 40's meridian
  });

  it('describes the parameters for messages', () => {
    expect(describeParameters(tm('cgcs2000', 120, 500_000))).toBe(
      'Transverse Mercator on CGCS2000 (GRS 1980 ellipsoid): central meridian 120°, latitude of origin 0°, scale 1, false easting 500000 m, false northing 0 m',
    );
    expect(describeParameters({ kind: 'geographic', datum: 'wgs84' })).toBe('longitude/latitude on WGS 84');
  });
});
