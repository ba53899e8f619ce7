/**
 * `shoutu info` on a polygon layer: the CRS, counts, extent and properties GDAL reads from the same layer
 * (a GeoJSON fixture, and a county's approval register as a zipped GBK shapefile), and whether it reads as
 * an approval layer; GeoTIFFs are still described as rasters.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../support/fixtures.js';
import { runShoutu } from '../support/cli.js';
import { runGdalScript } from '../support/gdal.js';
import { squaresLayer, writeCountyRegister } from '../support/shapefiles.js';

/** GDAL's reading of a layer: CRS code, feature count, extent in its CRS and in EPSG:4490, field names. */
const OGR_FACTS = `
import sys, json
from osgeo import ogr, osr
ogr.UseExceptions(); osr.UseExceptions()
ds = ogr.Open(sys.argv[1]); layer = ds.GetLayer(0)
srs = layer.GetSpatialRef(); srs.AutoIdentifyEPSG()
minx, maxx, miny, maxy = layer.GetExtent()
to = osr.SpatialReference(); to.ImportFromEPSG(4490)
for s in (srs, to): s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
t = osr.CoordinateTransformation(srs, to)
lons, lats = [], []
for f in layer:
    g = f.GetGeometryRef().Clone(); g.Transform(t)
    e = g.GetEnvelope(); lons += [e[0], e[1]]; lats += [e[2], e[3]]
defn = layer.GetLayerDefn()
json.dump({'epsg': int(srs.GetAuthorityCode(None)), 'features': layer.GetFeatureCount(), 'extent': [minx, miny, maxx, maxy],
           'lonLat': [min(lons), min(lats), max(lons), max(lats)], 'fields': [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]},
          open(sys.argv[2], 'w'))
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-info-layer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Info {
  file: string;
  archiveEntry?: string;
  shapefileEpsg?: number;
  layer: { epsg: number; features: number; polygons: number; rings: number; vertices: number; extent: number[]; lonLatExtent: number[]; properties: Array<{ name: string; kinds: string[]; present: number }> };
  approvals: { count: number; kinds: Record<string, number>; validFrom: string; validTo: string | null } | { refused: string };
}
const infoOf = (path: string): Info => {
  const run = runShoutu(['info', path, '--json']);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Info;
};
const ogrFacts = (path: string) => {
  const out = join(dir, 'facts.json');
  runGdalScript(OGR_FACTS, [path, out]);
  return JSON.parse(readFileSync(out, 'utf8')) as { epsg: number; features: number; extent: number[]; lonLat: number[]; fields: string[] };
};

describe('shoutu info on a polygon layer', () => {
  it('reads the CRS, counts, extent and properties GDAL reads, for a projected GeoJSON layer', () => {
    const path = fixture('masks', 'redline.geojson');
    const info = infoOf(path);
    const gdal = ogrFacts(path);
    expect(info.layer.epsg).toBe(gdal.epsg);
    expect(info.layer.features).toBe(gdal.features);
    expect(info.layer.extent).toEqual(gdal.extent);
    info.layer.lonLatExtent.forEach((v, i) => expect(Math.abs(v - gdal.lonLat[i]!)).toBeLessThan(1e-9));
    expect(info.layer.properties.map((p) => p.name)).toEqual(gdal.fields);
    expect(info.approvals).toHaveProperty('refused');
    // and in words: a GeoTIFF is still a raster
    const words = runShoutu(['info', path]).stdout;
    expect(words).toContain(`${path} (polygon layer: GeoJSON)`);
    expect(words).toContain('as approvals   no: features[0].properties.number');
    expect(runShoutu(['info', fixture('taizhou', '2000-03-17', 'scene.tif')]).stdout).toContain('band SHA-256 of samples');
  });

  it("describes a county's register in a zipped GBK shapefile: its own field names, and what an approval layer needs", () => {
    const { zip, shp } = writeCountyRegister(dir);
    const info = infoOf(zip);
    const gdal = ogrFacts(shp);
    expect(info.archiveEntry).toBe(`${zip}:批文/用地批文.shp`);
    expect(info.shapefileEpsg).toBe(4549);
    expect(info.layer).toMatchObject({ epsg: gdal.epsg, features: 2, polygons: 2, rings: 2, vertices: 8, extent: gdal.extent });
    expect(info.layer.properties).toEqual([
      { name: 'PZWH', kinds: ['text'], present: 2 },
      { name: 'YDLX', kinds: ['text'], present: 2 },
      { name: 'PZRQ', kinds: ['text'], present: 2 },
      { name: 'YXQZ', kinds: ['null', 'text'], present: 1 },
    ]);
    expect((info.approvals as { refused: string }).refused).toContain('features[0].properties.number');

    // the same register with shoutu's field names reads as approvals
    const named = join(dir, 'named.geojson');
    writeFileSync(named, squaresLayer([{ number: 'A-1', kind: '农转用', validFrom: '2024/3/1' }, { number: 'B-2', kind: 'temporary_use', validFrom: '2025-01-15', validTo: '2026-01-14' }]));
    expect(infoOf(named).approvals).toEqual({ count: 2, kinds: { land_conversion: 1, temporary_use: 1 }, validFrom: '2024-03-01', validTo: null });
    expect(runShoutu(['info', named]).stdout).toContain('as approvals   2 approval(s) (land_conversion 1, temporary_use 1), valid from 2024-03-01 to no end');
  });

  it('refuses a damaged layer naming the file and the field, exit 2', () => {
    const bad = join(dir, 'bad.geojson');
    writeFileSync(bad, '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120,32]}}]}');
    const run = runShoutu(['info', bad]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${bad}: features[0].geometry: Point geometries are not allowed`);
  });
});
