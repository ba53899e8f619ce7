import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCsv } from './csv.js';
import { writeKml } from './kml.js';
import { writeShapefileZip } from './shapefile.js';
import type { ExportColumn, ExportTable } from './export-table.js';

const COLUMNS: ExportColumn[] = [
  { key: 'id', en: 'Patch ID', zh: '图斑编号', dbfName: 'TBBH', type: 'string' },
  { key: 'county', en: 'County', zh: '县(区)', dbfName: 'XZQMC', type: 'string' },
  { key: 'areaMu', en: 'Area (mu)', zh: '面积(亩)', dbfName: 'MJ_MU', type: 'number', decimals: 2 },
  { key: 'pixels', en: 'Pixels', zh: '像元数', dbfName: 'XYS', type: 'integer' },
  { key: 'note', en: 'Note', zh: '备注', dbfName: 'BZ', type: 'string' },
];

// A square with a square hole (GeoJSON orientation: exterior counter-clockwise), a two-part
// multipolygon, and a row without geometry.
const TABLE: ExportTable = {
  columns: COLUMNS,
  rows: [
    {
      values: { id: '321202-2026-11-0001', county: '海陵区', areaMu: 12.345, pixels: 137, note: '推土, "新建"\n厂房' },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [[119.9, 32.5], [119.91, 32.5], [119.91, 32.51], [119.9, 32.51], [119.9, 32.5]],
          [[119.903, 32.503], [119.903, 32.506], [119.906, 32.506], [119.906, 32.503], [119.903, 32.503]],
        ],
      },
    },
    {
      values: { id: '321202-2026-11-0002', county: '高港区', areaMu: 0.5, pixels: 6, note: '=HYPERLINK("x")' },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [[[120.0, 32.4], [120.001, 32.4], [120.001, 32.401], [120.0, 32.4]]],
          [[[120.01, 32.41], [120.011, 32.41], [120.011, 32.411], [120.01, 32.41]]],
        ],
      },
    },
    { values: { id: '321202-2026-11-0003', county: '海陵区', areaMu: null, pixels: 0, note: '长'.repeat(100) }, geometry: null },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'shoutu-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasOgr = spawnSync('ogr2ogr', ['--version']).status === 0;
function ogrToGeoJson(source: string): { features: { properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } | null }[] } {
  if (!hasOgr) throw new Error('GDAL command-line tools are required for this cross-check: apt-get install -y gdal-bin');
  const run = spawnSync('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', source], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

describe('Shapefile export', () => {
  const zip = writeShapefileZip(TABLE, { name: 'tuban', date: '2026-11-29' });
  const path = join(dir, 'tuban.zip');
  writeFileSync(path, zip);

  it('is byte-identical for the same table', () => {
    expect(Buffer.from(writeShapefileZip(TABLE, { name: 'tuban', date: '2026-11-29' })).equals(Buffer.from(zip))).toBe(true);
  });

  it('opens in GDAL as WGS84 with Chinese attribute text intact and fields within 10 bytes', () => {
    if (!hasOgr) throw new Error('GDAL command-line tools are required for this cross-check: apt-get install -y gdal-bin');
    const info = spawnSync('ogrinfo', ['-so', '-al', `/vsizip/${path}/tuban.shp`], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(info.stdout).toMatch(/Geometry: Polygon/);
    expect(info.stdout).toMatch(/Feature Count: 3/);
    expect(info.stdout).toMatch(/GEOGCRS\["WGS 84"/);
    expect(info.stdout).toMatch(/TBBH: String \(19\.0\)/);
    expect(info.stdout).toMatch(/MJ_MU: Real \(19\.2\)/);
    const read = ogrToGeoJson(`/vsizip/${path}/tuban.shp`);
    expect(read.features.map((f) => f.properties.TBBH)).toEqual(['321202-2026-11-0001', '321202-2026-11-0002', '321202-2026-11-0003']);
    expect(read.features.map((f) => f.properties.XZQMC)).toEqual(['海陵区', '高港区', '海陵区']);
    expect(read.features[0]!.properties.BZ).toBe('推土, "新建"\n厂房');
    expect(read.features.map((f) => f.properties.MJ_MU)).toEqual([12.35, 0.5, null]);
    expect(read.features.map((f) => f.properties.XYS)).toEqual([137, 6, 0]);
    // 254 bytes of a 3-byte character: cut at a character boundary (84 characters), never inside one.
    expect(read.features[2]!.properties.BZ).toBe('长'.repeat(84));
  });

  it('keeps rings, holes and parts, and a row without geometry stays a row', () => {
    const read = ogrToGeoJson(`/vsizip/${path}/tuban.shp`);
    const first = read.features[0]!.geometry as { type: string; coordinates: number[][][] };
    expect(first.type).toBe('Polygon');
    expect(first.coordinates).toHaveLength(2);
    const outer = first.coordinates[0]!.map(([x, y]) => `${x},${y}`).sort();
    expect(outer).toEqual(TABLE.rows[0]!.geometry!.coordinates[0]!.map(([x, y]) => `${x},${y}`).sort());
    expect(read.features[1]!.geometry!.type).toBe('MultiPolygon');
    expect(read.features[2]!.geometry).toBeNull();
  });

  it('refuses bad column definitions and names, naming them', () => {
    expect(() => writeShapefileZip({ columns: [{ ...COLUMNS[0]!, dbfName: '图斑编号' }], rows: [] }, { name: 'x', date: '2026-11-29' })).toThrow(/export column id: dbfName "图斑编号"/);
    expect(() => writeShapefileZip({ columns: [COLUMNS[0]!, { ...COLUMNS[1]!, dbfName: 'tbbh' }], rows: [] }, { name: 'x', date: '2026-11-29' })).toThrow(/used twice/);
    expect(() => writeShapefileZip(TABLE, { name: '../x', date: '2026-11-29' })).toThrow(/shapefile name/);
  });
});

describe('CSV export', () => {
  it('starts with a UTF-8 BOM, quotes what needs quoting and neutralises formulas', () => {
    const bytes = writeCsv(TABLE, 'zh');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.subarray(3));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('图斑编号,县(区),面积(亩),像元数,备注');
    expect(lines[1]).toBe('321202-2026-11-0001,海陵区,12.35,137,"推土, ""新建""\n厂房"');
    expect(lines[2]).toBe(`321202-2026-11-0002,高港区,0.50,6,"'=HYPERLINK(""x"")"`);
    expect(lines[3]).toBe(`321202-2026-11-0003,海陵区,,0,${'长'.repeat(100)}`);
    expect(new TextDecoder().decode(writeCsv(TABLE, 'en').subarray(3)).split('\r\n')[0]).toBe('Patch ID,County,Area (mu),Pixels,Note');
  });

  it('GDAL reads the same values back', () => {
    const path = join(dir, 'tuban.csv');
    writeFileSync(path, writeCsv(TABLE, 'en'));
    const read = ogrToGeoJson(path);
    expect(read.features.map((f) => f.properties['Patch ID'])).toEqual(['321202-2026-11-0001', '321202-2026-11-0002', '321202-2026-11-0003']);
    expect(read.features[0]!.properties.Note).toBe('推土, "新建"\n厂房');
  });
});

describe('KML export', () => {
  it('GDAL reads placemarks with their names, Chinese attributes and polygons with holes', () => {
    const path = join(dir, 'tuban.kml');
    writeFileSync(path, writeKml(TABLE, { name: '图斑 <2026-11>', nameColumn: 'id' }));
    const read = ogrToGeoJson(path);
    expect(read.features.map((f) => f.properties.Name)).toEqual(['321202-2026-11-0001', '321202-2026-11-0002', '321202-2026-11-0003']);
    expect(read.features[0]!.properties.XZQMC).toBe('海陵区');
    expect(read.features[0]!.properties.BZ).toBe('推土, "新建"\n厂房');
    expect((read.features[0]!.geometry as { coordinates: unknown[] }).coordinates).toHaveLength(2);
    expect(read.features[1]!.geometry!.type).toMatch(/MultiPolygon|GeometryCollection/);
  });
});
