/**
 * Farmland and red-line layers delivered as ESRI shapefiles (.shp with its .prj, as ArcGIS writes them):
 * read as the GeoJSON GDAL makes of the same file, the CRS from the .prj (ESRI WKT without a code, matched
 * by its parameters); rings nested by containment whatever their winding; `shoutu detect` and `shoutu
 * masks` take them as they take GeoJSON; bad files refused naming the file and the field. The shapefiles
 * are written by GDAL (ogr) from the demo layers and from WKT.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLayerFile } from '@shoutu/shared';
import { parseMaskLayer, rasterizeMaskLayer } from '@shoutu/shared/masks/index.js';
import { shapefileToGeoJson } from '../../shared/src/masks/read-shapefile.js';
import { readDbf } from '../../shared/src/masks/read-dbf.js';
import { parseApprovalLayer } from '../../shared/src/approvals/approval-layer.js';
import { fixture } from '../support/fixtures.js';
import { runGdalScript } from '../support/gdal.js';
import { runShoutu } from '../support/cli.js';
import { countOutcomes, refusalOf } from '../support/refusals.js';
import { squaresLayer, writeShapefile } from '../support/shapefiles.js';

/**
 * A shapefile of polygons from WKT (one record each) in EPSG:4549; with "reversed", every ring's points in
 * the opposite order (the winding some writers use), written by rewriting the .shp's points.
 */
const FROM_WKT = `
import sys, struct
from osgeo import ogr, osr
out, reverse = sys.argv[1], sys.argv[2] == 'reversed'
srs = osr.SpatialReference(); srs.ImportFromEPSG(4549)
ds = ogr.GetDriverByName('ESRI Shapefile').CreateDataSource(out)
layer = ds.CreateLayer('parcels', srs, ogr.wkbPolygon)
for wkt in sys.argv[3:]:
    f = ogr.Feature(layer.GetLayerDefn()); f.SetGeometry(ogr.CreateGeometryFromWkt(wkt)); layer.CreateFeature(f)
ds = None
if reverse:
    data = bytearray(open(out, 'rb').read())
    at = 100
    while at < len(data):
        length = struct.unpack('>i', data[at + 4:at + 8])[0] * 2
        start = at + 8
        parts, points = struct.unpack('<ii', data[start + 36:start + 44])
        index = list(struct.unpack('<%di' % parts, data[start + 44:start + 44 + 4 * parts])) + [points]
        xy = start + 44 + 4 * parts
        for p in range(parts):
            a, b = index[p], index[p + 1]
            pts = [data[xy + 16 * i:xy + 16 * i + 16] for i in range(a, b)][::-1]
            data[xy + 16 * a:xy + 16 * b] = b''.join(pts)
        at = start + length
    open(out, 'wb').write(data)
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'shoutu-shp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shapefile = (layer: 'farmland' | 'redline', srs: string, encoding = 'UTF-8') => {
  const out = join(dir, `${layer}-${srs.replace(':', '')}-${encoding}.shp`);
  writeShapefile(fixture('masks', `${layer}.geojson`), out, srs, encoding);
  return out;
};
type Collection = { features: Array<{ properties: unknown }> };
const propertiesOf = (bytes: Uint8Array) => (JSON.parse(new TextDecoder().decode(bytes)) as Collection).features.map((f) => f.properties);
/** The attributes but the long note, which the .dbf cuts at 254 bytes: fewer characters in UTF-8 than in GBK. */
const shortProperties = (bytes: Uint8Array) => propertiesOf(bytes).map((p) => ({ ...(p as object), note: undefined }));
const polygonsOf = (layer: ReturnType<typeof parseMaskLayer>) => JSON.stringify(layer.polygons.map((p) => p.map((r) => Array.from(r))));

const refusal = (attempt: Promise<unknown> | (() => unknown), code: string, field: string) => refusalOf(attempt, code, { field });

describe('mask layers from shapefiles', () => {
  it('reads the polygons GDAL reads, in the CRS its .prj names: CGCS2000 Gauss-Krüger, CGCS2000 longitude/latitude, UTM, in ESRI WKT', async () => {
    // the demo layers are in EPSG:4490 (farmland) and EPSG:32651 (red line)
    for (const [srs, epsgs] of [['EPSG:4549', [4549, 4549]], ['same', [4490, 32651]]] as const) {
      for (const [k, layer] of (['farmland', 'redline'] as const).entries()) {
        const epsg = epsgs[k];
        const path = shapefile(layer, srs);
        expect(readFileSync(path.replace(/\.shp$/, '.prj'), 'utf8')).not.toContain('AUTHORITY'); // ArcGIS-style .prj: no code
        const file = await readLayerFile(path);
        expect(file.shapefileEpsg).toBe(epsg);
        expect(readFileSync(path.replace(/\.shp$/, '.cpg'), 'utf8')).toBe('UTF-8');
        const mine = parseMaskLayer(file.bytes, path);
        const gdal = parseMaskLayer(new Uint8Array(await readFile(path.replace(/\.shp$/, '.gdal.geojson'))), 'gdal.geojson');
        expect(mine.epsg).toBe(epsg);
        expect(gdal.epsg).toBe(epsg);
        expect(mine.featureCount).toBe(gdal.featureCount);
        expect(polygonsOf(mine)).toBe(polygonsOf(gdal));
        // the attributes too, Chinese text included (GDAL cut the long note to the .dbf's 254 bytes)
        expect(propertiesOf(file.bytes)).toEqual(propertiesOf(new Uint8Array(await readFile(path.replace(/\.shp$/, '.gdal.geojson')))));
      }
    }
    // not reprojected, the shapefile holds the fixture's own vertices (its rings wound the shapefile way):
    // the same pixels burnt
    const original = parseMaskLayer(new Uint8Array(await readFile(fixture('masks', 'farmland.geojson'))), 'farmland.geojson');
    const fromShapefile = parseMaskLayer((await readLayerFile(shapefile('farmland', 'same'))).bytes, 'x');
    const grid = { epsg: 4490, geoTransform: [119.8, 0.0005, 0, 32.6, 0, -0.0005] as [number, number, number, number, number, number], width: 600, height: 400 };
    const [a, b] = [original, fromShapefile].map((layer) => {
      const classes = new Uint8Array(grid.width * grid.height);
      rasterizeMaskLayer(layer, grid, 1, classes);
      return classes;
    });
    expect(a!.reduce((s, v) => s + v, 0)).toBeGreaterThan(1000);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(true);
  });

  it('nests rings by containment, not winding: holes, several parts, and an island in a hole come out the same either way', async () => {
    const wkts = [
      'POLYGON ((500000 3500000, 501000 3500000, 501000 3501000, 500000 3501000, 500000 3500000), (500200 3500200, 500800 3500200, 500800 3500800, 500200 3500800, 500200 3500200))',
      'MULTIPOLYGON (((502000 3500000, 503000 3500000, 503000 3501000, 502000 3501000, 502000 3500000), (502200 3500200, 502800 3500200, 502800 3500800, 502200 3500800, 502200 3500200)), ((502400 3500400, 502600 3500400, 502600 3500600, 502400 3500600, 502400 3500400)), ((504000 3500000, 504500 3500000, 504500 3500500, 504000 3500000)))',
    ];
    const layers = [];
    for (const order of ['as-written', 'reversed']) {
      const path = join(dir, `parcels-${order}.shp`);
      runGdalScript(FROM_WKT, [path, order, ...wkts]);
      const geojson = JSON.parse(new TextDecoder().decode((await readLayerFile(path)).bytes)) as { features: Array<{ geometry: { type: string; coordinates: number[][][] | number[][][][] } }> };
      const [first, second] = geojson.features.map((f) => f.geometry);
      expect(first!.type).toBe('Polygon');
      expect((first!.coordinates as number[][][]).length).toBe(2); // exterior and hole
      expect(second!.type).toBe('MultiPolygon');
      expect((second!.coordinates as number[][][][]).map((p) => p.length)).toEqual([2, 1, 1]); // with hole, the island, the triangle
      layers.push(parseMaskLayer((await readLayerFile(path)).bytes, path));
    }
    const grid = { epsg: 4549, geoTransform: [499900, 10, 0, 3501100, 0, -10] as [number, number, number, number, number, number], width: 500, height: 120 };
    const [a, b] = layers.map((layer) => {
      const classes = new Uint8Array(grid.width * grid.height);
      rasterizeMaskLayer(layer!, grid, 1, classes);
      return classes;
    });
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(true);
    const burnt = a!.reduce((s, v) => s + v, 0);
    // 100² − 60² + 100² − 60² + 20² + half of 50² pixels of 10 m, give or take the triangle's edge pixels
    expect(Math.abs(burnt - (2 * (10_000 - 3_600) + 400 + 1_250))).toBeLessThan(60);
  });

  it('decodes attributes as the .cpg names them (GBK too), else by the .dbf header\'s language driver', async () => {
    const utf8 = shortProperties((await readLayerFile(shapefile('farmland', 'same'))).bytes);
    expect(JSON.stringify(utf8)).toContain('演示农田 西北片');
    const gbk = shapefile('farmland', 'same', 'CP936');
    expect(readFileSync(gbk.replace(/\.shp$/, '.cpg'), 'utf8')).toBe('CP936');
    expect(shortProperties((await readLayerFile(gbk)).bytes)).toEqual(utf8);
    // the same .dbf without its .cpg, its header's language driver set to 0x4D (code page 936)
    const bare = join(dir, 'bare.shp');
    runGdalScript(
      `import sys, shutil\nstem, out = sys.argv[1][:-4], sys.argv[2][:-4]\nfor ext in ('shp', 'shx', 'prj'): shutil.copy(stem + '.' + ext, out + '.' + ext)\nd = bytearray(open(stem + '.dbf', 'rb').read()); d[29] = 0x4D; open(out + '.dbf', 'wb').write(d)`,
      [gbk, bare],
    );
    expect(shortProperties((await readLayerFile(bare)).bytes)).toEqual(utf8);
    // read as UTF-8 (no .cpg, no language driver) the GBK bytes are refused, naming the record and field
    runGdalScript(`import sys\nd = bytearray(open(sys.argv[1], 'rb').read()); d[29] = 0; open(sys.argv[1], 'wb').write(d)`, [bare.replace(/\.shp$/, '.dbf')]);
    const garbled = await refusal(readLayerFile(bare), 'mask_invalid', 'name');
    expect(garbled.message).toContain('record 1, field name: not utf-8 text');
    runGdalScript(`import sys\nopen(sys.argv[1], 'w').write('KOI8-R')`, [bare.replace(/\.shp$/, '.cpg')]);
    expect((await refusal(readLayerFile(bare), 'mask_invalid', 'cpg')).message).toContain('code page "KOI8-R"');
    // another layer's attribute table: the record counts differ
    runGdalScript(`import sys, shutil\nshutil.copy(sys.argv[1], sys.argv[2])`, [shapefile('redline', 'same').replace(/\.shp$/, '.dbf'), bare.replace(/\.shp$/, '.dbf')]);
    runGdalScript(`import os, sys\nos.remove(sys.argv[1])`, [bare.replace(/\.shp$/, '.cpg')]);
    expect((await refusal(readLayerFile(bare), 'mask_invalid', 'dbf')).message).toMatch(/the attribute table has \d+ records, the \.shp/);
  });

  it('an approval layer as a shapefile (GBK attributes, dates as dBASE dates) reads as the same approvals', async () => {
    const geojson = join(dir, 'approvals.geojson');
    await writeFile(
      geojson,
      squaresLayer([
        { number: '苏政地〔2024〕17号', kind: 'land_conversion', validFrom: '2024-03-01', validTo: null },
        { number: '泰临地〔2025〕3号', kind: 'temporary_use', validFrom: '2025-01-15', validTo: '2026-01-14' },
      ]),
    );
    const shp = join(dir, 'approvals.shp');
    writeShapefile(geojson, shp, 'same', 'CP936');
    const fromShapefile = parseApprovalLayer((await readLayerFile(shp)).bytes, 'approvals.shp');
    const fromGeojson = parseApprovalLayer(new Uint8Array(await readFile(geojson)), 'approvals.geojson');
    expect(fromShapefile.approvals).toEqual(fromGeojson.approvals);
    expect(fromShapefile.approvals[1]).toEqual({ number: '泰临地〔2025〕3号', kind: 'temporary_use', validFrom: '2025-01-15', validTo: '2026-01-14' });
    expect(fromShapefile.geometry.epsg).toBe(4549);
    const cli = runShoutu(['approvals', shp], { SHOUTU_DATA_DIR: join(dir, 'approvals-store') });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('(2 approval(s), sha256');
  });

  it('shoutu detect and shoutu masks take a shapefile as they take GeoJSON', async () => {
    const before = fixture('taizhou', '2000-03-17', 'scene.tif');
    const after = fixture('taizhou', '2003-02-06', 'scene.tif');
    const outGeojson = join(dir, 'detect-geojson');
    const outShp = join(dir, 'detect-shp');
    const geo = runShoutu(['detect', '--before', before, '--after', after, '--farmland', fixture('masks', 'farmland.geojson'), '--redline', fixture('masks', 'redline.geojson'), '--out', outGeojson]);
    const shp = runShoutu(['detect', '--before', before, '--after', after, '--farmland', shapefile('farmland', 'same'), '--redline', shapefile('redline', 'EPSG:4549'), '--out', outShp]);
    expect(geo.status).toBe(0);
    expect(shp.status, shp.stderr).toBe(0);
    const summary = async (out: string) => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { overlapMu: unknown; coverage: unknown; patches: number };
    const [g, s] = [await summary(outGeojson), await summary(outShp)];
    expect(s.patches).toBe(g.patches);
    expect(s.coverage).toEqual(g.coverage);
    // the red line came through a reprojection to Gauss-Krüger and back: its areas agree to a few pixels of 30 m
    expect(JSON.stringify(s.overlapMu)).not.toBe('{}');
    const store = join(dir, 'store');
    const masks = runShoutu(['masks', '--farmland', shapefile('farmland', 'EPSG:4549')], { SHOUTU_DATA_DIR: store });
    expect(masks.status, masks.stderr).toBe(0);
    expect(masks.stdout).toMatch(/^farmland: .*farmland-EPSG4549-UTF-8\.shp \(shapefile as GeoJSON, EPSG:4549 from its \.prj\) → /);
  });

  it('refuses a shapefile without its .prj, with a datum shoutu does not transform, or of points, naming the file and the field', async () => {
    const path = shapefile('farmland', 'EPSG:4549');
    const lonely = join(dir, 'lonely.shp');
    runGdalScript(`import sys, shutil\nshutil.copy(sys.argv[1], sys.argv[2])`, [path, lonely]);
    const missing = await refusal(readLayerFile(lonely), 'crs_unknown', 'prj');
    expect(missing.message).toContain('no lonely.prj beside it');
    const beijing = await refusal(readLayerFile(shapefile('redline', 'EPSG:2437')), 'crs_unknown', 'prj');
    expect(beijing.message).toContain('is not CGCS2000 or WGS 84');
    const points = join(dir, 'points.shp');
    runGdalScript(
      `import sys\nfrom osgeo import ogr, osr\nsrs = osr.SpatialReference(); srs.ImportFromEPSG(4549)\nds = ogr.GetDriverByName('ESRI Shapefile').CreateDataSource(sys.argv[1])\nl = ds.CreateLayer('p', srs, ogr.wkbPoint)\nf = ogr.Feature(l.GetLayerDefn()); f.SetGeometry(ogr.CreateGeometryFromWkt('POINT (500000 3500000)')); l.CreateFeature(f)\nds = None`,
      [points],
    );
    const pointsError = await refusal(readLayerFile(points), 'mask_invalid', 'shape type');
    expect(pointsError.message).toContain('shape type 1 is not a polygon');
    const bytes = new Uint8Array(readFileSync(path));
    await refusal(() => shapefileToGeoJson(bytes.subarray(0, 60), 4549, 'short.shp'), 'mask_invalid', 'header');
    await refusal(() => shapefileToGeoJson(bytes.subarray(0, bytes.length - 7), 4549, 'cut.shp'), 'mask_invalid', 'header');
    const swollen = bytes.slice();
    new DataView(swollen.buffer).setInt32(100 + 8 + 40, 1 << 28, true); // the first record's point count
    const tooMany = await refusal(() => shapefileToGeoJson(swollen, 4549, 'swollen.shp'), 'mask_invalid', 'record 1');
    expect(tooMany.message).toContain('which do not fit');
  });

  it('survives seeded damage to the .shp: GeoJSON that parses, or an error naming the file and a field', async () => {
    const original = new Uint8Array(readFileSync(shapefile('farmland', 'EPSG:4549')));
    const outcomes = await countOutcomes(300, 0x5af, 'damaged.shp', (random) => {
      const bytes = original.slice();
      const view = new DataView(bytes.buffer);
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * (bytes.length - 8));
        if (random() < 0.5) bytes[at] = Math.floor(random() * 256);
        else view.setInt32(at, [0, 1, -1, 3, 4, 5, 9994, 1 << 30, -(1 << 30)][Math.floor(random() * 9)]!, random() < 0.5);
      }
      parseMaskLayer(new TextEncoder().encode(shapefileToGeoJson(bytes, 4549, 'damaged.shp')), 'damaged.shp');
    });
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('mask_invalid') ?? 0).toBeGreaterThan(30);
  });

  it('survives seeded damage to the .dbf: attributes, or an error naming the file and a field', async () => {
    const original = new Uint8Array(readFileSync(shapefile('farmland', 'same', 'CP936').replace(/\.shp$/, '.dbf')));
    const outcomes = await countOutcomes(300, 0xdbf, 'damaged.dbf', (random) => {
      const bytes = original.slice();
      const view = new DataView(bytes.buffer);
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        // the header and field descriptors half the time, anywhere else the rest
        const at = random() < 0.5 ? Math.floor(random() * 200) : Math.floor(random() * (bytes.length - 4));
        if (random() < 0.5) bytes[at] = Math.floor(random() * 256);
        else view.setUint16(at, [0, 1, 0x0d0d, 0xffff, 32, 254][Math.floor(random() * 6)]!, true);
      }
      readDbf(bytes, random() < 0.5 ? 'CP936' : null, 'damaged.dbf');
    });
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('mask_invalid') ?? 0).toBeGreaterThan(30);
  });
});
