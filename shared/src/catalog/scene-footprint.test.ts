import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { placeRaster, type Placement } from '../grid/lattice.js';
import { coveredAreaM2, placementFootprint, windowAreaM2 } from './scene-footprint.js';

/** The Taizhou fixture scene: 400×400 pixels of 30 m in UTM 51N. */
const TAIZHOU = placeRaster(32651, [203325, 30, 0, 3604935, 0, -30], 400, 400, 512);
const extent = (p: Placement) => ({ col: p.col0, row: p.row0, width: p.width, height: p.height });

/** GDAL's area of a rectangle given in `epsg`, segmentised and measured in an Albers equal-area projection (m²). */
function gdalArea(epsg: number, x0: number, y0: number, x1: number, y1: number, step: number): number {
  const script = [
    'import json, sys',
    'from osgeo import ogr, osr',
    'c = json.loads(sys.argv[1])',
    'src = osr.SpatialReference(); src.ImportFromEPSG(c["epsg"]); src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)',
    'dst = osr.SpatialReference(); dst.ImportFromProj4("+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=120 +ellps=GRS80 +units=m")',
    'ring = ogr.Geometry(ogr.wkbLinearRing)',
    'for (x, y) in [(c["x0"], c["y0"]), (c["x1"], c["y0"]), (c["x1"], c["y1"]), (c["x0"], c["y1"]), (c["x0"], c["y0"])]:',
    '    ring.AddPoint_2D(x, y)',
    'poly = ogr.Geometry(ogr.wkbPolygon); poly.AddGeometry(ring); poly.Segmentize(c["step"])',
    'poly.Transform(osr.CoordinateTransformation(src, dst))',
    'print(poly.GetArea())',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify({ epsg, x0, y0, x1, y1, step })], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`GDAL (python3-gdal) is needed for this cross-check: ${run.stderr}`);
  return Number(run.stdout);
}

describe('scene footprints and ground areas', () => {
  it('a scene\'s true ground area agrees with GDAL\'s equal-area measure within 0.01 % (not the 144 km² of grid units)', () => {
    const ours = windowAreaM2(TAIZHOU.lattice, extent(TAIZHOU));
    const gdal = gdalArea(32651, 203325, 3604935, 215325, 3592935, 30);
    expect(Math.abs(ours / gdal - 1)).toBeLessThan(1e-4);
    expect(ours / 1e6).toBeCloseTo(143.82, 2); // UTM scale 1.0006 three degrees off the central meridian
  });

  it('a large Gauss–Krüger scene (CGCS2000 3° zone 40) too', () => {
    const gk = placeRaster(4528, [40_450_000, 2, 0, 3_600_000, 0, -2], 40_000, 30_000, 512);
    const ours = windowAreaM2(gk.lattice, extent(gk));
    expect(Math.abs(ours / gdalArea(4528, 40_450_000, 3_600_000, 40_530_000, 3_540_000, 500) - 1)).toBeLessThan(1e-4);
  });

  it('scenes on one grid count their overlap once; scenes on other grids are added', () => {
    const a = placeRaster(32651, [203325, 30, 0, 3604935, 0, -30], 400, 400, 512);
    const b = placeRaster(32651, [203325 + 200 * 30, 30, 0, 3604935 - 100 * 30, 0, -30], 400, 400, 512); // overlaps a by 200×300 px
    const area = (p: Placement) => windowAreaM2(p.lattice, extent(p));
    const overlap = windowAreaM2(a.lattice, { col: b.col0, row: b.row0, width: 200, height: 300 });
    const same = (x: number, y: number) => expect(Math.abs(x / y - 1)).toBeLessThan(1e-9);
    same(coveredAreaM2([a, b]), area(a) + area(b) - overlap);
    same(coveredAreaM2([a, a]), area(a));
    const otherGrid = placeRaster(32651, [203330, 10, 0, 3604935, 0, -10], 100, 100, 512);
    same(coveredAreaM2([a, otherGrid]), area(a) + area(otherGrid));
    expect(coveredAreaM2([])).toBe(0);
  });

  it('the WGS84 outline is a closed counter-clockwise ring whose bbox holds every vertex', () => {
    const { coordinates, bbox } = placementFootprint(TAIZHOU);
    const ring = coordinates[0]!;
    expect(ring).toHaveLength(33);
    expect(ring[0]).toEqual(ring[ring.length - 1]);
    let twiceArea = 0;
    for (let i = 0; i + 1 < ring.length; i++) twiceArea += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
    expect(twiceArea).toBeGreaterThan(0); // counter-clockwise (RFC 7946)
    for (const [lon, lat] of ring) {
      expect(lon).toBeGreaterThanOrEqual(bbox[0]);
      expect(lat).toBeGreaterThanOrEqual(bbox[1]);
      expect(lon).toBeLessThanOrEqual(bbox[2]);
      expect(lat).toBeLessThanOrEqual(bbox[3]);
    }
    // Taizhou, Jiangsu
    expect(bbox[0]).toBeGreaterThan(119.7);
    expect(bbox[2]).toBeLessThan(120.0);
    expect(bbox[1]).toBeGreaterThan(32.4);
    expect(bbox[3]).toBeLessThan(32.6);
  });
});
