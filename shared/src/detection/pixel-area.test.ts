import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Lattice } from '../grid/lattice.js';
import { lonLatPolygonAreaM2, pixelAreaM2 } from './pixel-area.js';

const lattice = (epsg: number, pixel: number, phaseX = 0, phaseY = 0): Lattice => ({ gridId: 'test', epsg, pixelWidth: pixel, pixelHeight: pixel, phaseX, phaseY, tileSize: 512 });

// GRS80, for the independent closed forms below.
const A = 6378137;
const F = 1 / 298.257222101;
const E2 = F * (2 - F);

describe('ground area of lattice pixels (equal-area, on the ellipsoid)', () => {
  it('geographic pixels: the ellipsoidal cell area M·N·cosφ·dφ·dλ', () => {
    const degree = 0.0001;
    // Pixel centred on 32.5°N: global row such that its centre sits there.
    const row = (90 - 32.5) / degree;
    const area = pixelAreaM2(lattice(4490, degree, 0, 90), 1_200_000, row);
    const phi = (32.5 * Math.PI) / 180;
    const w = 1 - E2 * Math.sin(phi) ** 2;
    const m = (A * (1 - E2)) / w ** 1.5;
    const n = A / Math.sqrt(w);
    const expected = m * n * Math.cos(phi) * ((degree * Math.PI) / 180) ** 2;
    expect(Math.abs(area / expected - 1)).toBeLessThan(1e-6);
  });

  it('UTM: a 10 m pixel on the central meridian is larger than 100 m² by 1/k0²', () => {
    // EPSG:32651 (UTM 51N), x = 500 000 m is the central meridian, k0 = 0.9996.
    const area = pixelAreaM2(lattice(32651, 10, 0, 0), 50_000, -360_000);
    expect(Math.abs(area / (100 / 0.9996 ** 2) - 1)).toBeLessThan(2e-6);
  });

  it('Gauss–Krüger (CGCS2000 3° zone, central meridian 120°E): scale 1 on the meridian', () => {
    // EPSG:4549: false easting 500 000 m.
    const area = pixelAreaM2(lattice(4549, 2, 0, 0), 250_000, -1_800_000);
    expect(Math.abs(area / 4 - 1)).toBeLessThan(2e-6);
  });

  it('Web Mercator: grid area shrinks by cos²φ on the ground', () => {
    // y of 32.5°N in EPSG:3857.
    const phi = (32.5 * Math.PI) / 180;
    const y = 6378137 * Math.log(Math.tan(Math.PI / 4 + phi / 2));
    const area = pixelAreaM2(lattice(3857, 1, 0, y), 13_000_000, 0.5);
    // The sphere-based projection on the ellipsoid: true area = cos²φ scaled by the ellipsoid's radii; check ±0.7 %.
    expect(area / Math.cos(phi) ** 2).toBeGreaterThan(0.99);
    expect(area / Math.cos(phi) ** 2).toBeLessThan(1.01);
    expect(area).toBeLessThan(0.75); // far from the 1 m² a grid-unit area would claim
  });

  it('agrees with GDAL’s area in an Albers equal-area projection within 0.1 % for squares in UTM, GK and Web Mercator', () => {
    const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import osgeo']).status === 0);
    if (!python) throw new Error('GDAL python bindings are required for this cross-check: apt-get install -y python3-gdal');
    const cases: { epsg: number; x: number; y: number; pixel: number; n: number }[] = [
      { epsg: 32651, x: 620_000, y: 3_600_000, pixel: 10, n: 100 },
      { epsg: 4549, x: 440_000, y: 3_590_000, pixel: 2, n: 250 },
      { epsg: 3857, x: 13_350_000, y: 3_830_000, pixel: 5, n: 200 },
    ];
    const script = [
      'import json, sys',
      'from osgeo import ogr, osr',
      'out = []',
      'for c in json.loads(sys.argv[1]):',
      '    src = osr.SpatialReference(); src.ImportFromEPSG(c["epsg"]); src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)',
      '    dst = osr.SpatialReference(); dst.ImportFromProj4("+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=120 +ellps=GRS80 +units=m")',
      '    s = c["pixel"] * c["n"]',
      '    ring = ogr.Geometry(ogr.wkbLinearRing)',
      '    for (dx, dy) in [(0, 0), (s, 0), (s, -s), (0, -s), (0, 0)]:',
      '        ring.AddPoint_2D(c["x"] + dx, c["y"] + dy)',
      '    poly = ogr.Geometry(ogr.wkbPolygon); poly.AddGeometry(ring); poly.Segmentize(c["pixel"])',
      '    poly.Transform(osr.CoordinateTransformation(src, dst))',
      '    out.append(poly.GetArea())',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync(python, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const gdalAreas = JSON.parse(run.stdout) as number[];
    cases.forEach((c, i) => {
      const l = lattice(c.epsg, c.pixel, c.x, c.y);
      const ours = c.n * c.n * pixelAreaM2(l, c.n / 2, c.n / 2);
      expect(Math.abs(ours / gdalAreas[i]! - 1), `EPSG:${c.epsg}`).toBeLessThan(0.001);
    });
  });

  it('lonLatPolygonAreaM2 ignores ring orientation', () => {
    const square = [120, 32, 120.01, 32, 120.01, 32.01, 120, 32.01];
    const reversed = [120, 32.01, 120.01, 32.01, 120.01, 32, 120, 32];
    expect(lonLatPolygonAreaM2(square)).toBeCloseTo(lonLatPolygonAreaM2(reversed), 6);
    expect(lonLatPolygonAreaM2(square)).toBeGreaterThan(1.0e6);
  });
});
