/**
 * ESRI Shapefile (ESRI Shapefile Technical Description, July 1998; dBase III table) of polygons in
 * WGS84, zipped: `.shp`, `.shx`, `.dbf`, `.prj` (ESRI WKT of GCS_WGS_1984) and `.cpg` ("UTF-8", so GDAL,
 * QGIS and ArcGIS decode Chinese text as UTF-8 rather than the system code page).
 *
 * Shapefile rules that matter here: exterior rings clockwise and holes counter-clockwise (GeoJSON has
 * them the other way round), attribute names at most 10 bytes, text fields at most 254 bytes (cut at a
 * UTF-8 character boundary, never inside one), numbers as fixed-width decimal text.
 * The zip is deterministic: entries in a fixed order with a fixed timestamp.
 */
import { zipSync } from 'fflate';
import { checkColumns, formatValue, polygonsOf, type ExportColumn, type ExportTable, type Position } from './export-table.js';

const SHAPE_NULL = 0;
const SHAPE_POLYGON = 5;
const HEADER_BYTES = 100;
const MAX_TEXT_BYTES = 254;
const NUMBER_WIDTH = 19; // digits, sign and point of any value a number field holds (dBase N max 20)

export const WGS84_ESRI_WKT =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';

/** Twice the signed area of a ring (shoelace); positive when counter-clockwise in lon/lat. */
function signedArea2(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return sum;
}

function closed(ring: Position[]): Position[] {
  const first = ring[0]!;
  const last = ring[ring.length - 1]!;
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

/** Rings of a row in shapefile order and orientation. */
function shapefileRings(geometry: ExportTable['rows'][number]['geometry']): Position[][] {
  if (!geometry) return [];
  const rings: Position[][] = [];
  for (const polygon of polygonsOf(geometry)) {
    polygon.forEach((raw, index) => {
      if (raw.length < 3) return;
      const ring = closed(raw);
      const clockwise = signedArea2(ring) < 0;
      const wantClockwise = index === 0;
      rings.push(clockwise === wantClockwise ? ring : [...ring].reverse());
    });
  }
  return rings;
}

function shxAndShp(table: ExportTable): { shp: Uint8Array; shx: Uint8Array } {
  const records = table.rows.map((row) => shapefileRings(row.geometry));
  const contentBytes = records.map((rings) => (rings.length === 0 ? 4 : 44 + 4 * rings.length + 16 * rings.reduce((n, r) => n + r.length, 0)));
  const shpLength = HEADER_BYTES + contentBytes.reduce((n, c) => n + 8 + c, 0);
  const shxLength = HEADER_BYTES + 8 * records.length;
  const shp = new DataView(new ArrayBuffer(shpLength));
  const shx = new DataView(new ArrayBuffer(shxLength));

  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity;
  for (const rings of records) {
    for (const ring of rings) {
      for (const p of ring) {
        xmin = Math.min(xmin, p[0]!); xmax = Math.max(xmax, p[0]!);
        ymin = Math.min(ymin, p[1]!); ymax = Math.max(ymax, p[1]!);
      }
    }
  }
  if (xmin === Infinity) xmin = ymin = xmax = ymax = 0;
  for (const [view, length] of [[shp, shpLength], [shx, shxLength]] as const) {
    view.setInt32(0, 9994, false);
    view.setInt32(24, length / 2, false);
    view.setInt32(28, 1000, true);
    view.setInt32(32, SHAPE_POLYGON, true);
    view.setFloat64(36, xmin, true);
    view.setFloat64(44, ymin, true);
    view.setFloat64(52, xmax, true);
    view.setFloat64(60, ymax, true);
  }

  let at = HEADER_BYTES;
  records.forEach((rings, index) => {
    shx.setInt32(HEADER_BYTES + 8 * index, at / 2, false);
    shx.setInt32(HEADER_BYTES + 8 * index + 4, contentBytes[index]! / 2, false);
    shp.setInt32(at, index + 1, false);
    shp.setInt32(at + 4, contentBytes[index]! / 2, false);
    at += 8;
    if (rings.length === 0) {
      shp.setInt32(at, SHAPE_NULL, true);
      at += 4;
      return;
    }
    const points = rings.flat();
    shp.setInt32(at, SHAPE_POLYGON, true);
    shp.setFloat64(at + 4, Math.min(...points.map((p) => p[0]!)), true);
    shp.setFloat64(at + 12, Math.min(...points.map((p) => p[1]!)), true);
    shp.setFloat64(at + 20, Math.max(...points.map((p) => p[0]!)), true);
    shp.setFloat64(at + 28, Math.max(...points.map((p) => p[1]!)), true);
    shp.setInt32(at + 36, rings.length, true);
    shp.setInt32(at + 40, points.length, true);
    at += 44;
    let start = 0;
    for (const ring of rings) {
      shp.setInt32(at, start, true);
      at += 4;
      start += ring.length;
    }
    for (const p of points) {
      shp.setFloat64(at, p[0]!, true);
      shp.setFloat64(at + 8, p[1]!, true);
      at += 16;
    }
  });
  return { shp: new Uint8Array(shp.buffer), shx: new Uint8Array(shx.buffer) };
}

/** UTF-8 bytes of `text`, cut to at most `max` bytes without splitting a character. */
function utf8Within(text: string, max: number): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return bytes.subarray(0, end);
}

interface DbfField {
  column: ExportColumn;
  type: 'C' | 'N';
  width: number;
  decimals: number;
}

function dbfFields(table: ExportTable): DbfField[] {
  return table.columns.map((column) => {
    if (column.type === 'string') {
      const width = Math.max(1, ...table.rows.map((r) => utf8Within(formatValue(column, r.values[column.key]), MAX_TEXT_BYTES).length));
      return { column, type: 'C' as const, width, decimals: 0 };
    }
    return { column, type: 'N' as const, width: NUMBER_WIDTH, decimals: column.type === 'number' ? column.decimals! : 0 };
  });
}

/** dBase III table. `date` (YYYY-MM-DD) goes in the header's last-update field. */
function dbf(table: ExportTable, date: string): Uint8Array {
  const fields = dbfFields(table);
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + fields.reduce((n, f) => n + f.width, 0);
  const out = new Uint8Array(headerLength + recordLength * table.rows.length + 1);
  const view = new DataView(out.buffer);
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  out[0] = 0x03;
  out[1] = year - 1900;
  out[2] = month;
  out[3] = day;
  view.setUint32(4, table.rows.length, true);
  view.setUint16(8, headerLength, true);
  view.setUint16(10, recordLength, true);
  fields.forEach((f, i) => {
    const at = 32 + 32 * i;
    out.set(new TextEncoder().encode(f.column.dbfName.toUpperCase()), at);
    out[at + 11] = f.type.charCodeAt(0);
    out[at + 16] = f.width;
    out[at + 17] = f.decimals;
  });
  out[headerLength - 1] = 0x0d;
  let at = headerLength;
  const space = 0x20;
  for (const row of table.rows) {
    out[at++] = space; // not deleted
    for (const f of fields) {
      out.fill(space, at, at + f.width);
      const text = formatValue(f.column, row.values[f.column.key]);
      if (f.type === 'C') {
        out.set(utf8Within(text, f.width), at);
      } else if (text !== '') {
        if (text.length > f.width) throw new Error(`export column ${f.column.key}: ${text} does not fit a ${f.width}-character number field`);
        out.set(new TextEncoder().encode(text), at + f.width - text.length); // right-aligned
      }
      at += f.width;
    }
  }
  out[at] = 0x1a;
  return out;
}

export interface ShapefileOptions {
  /** Base name of the files inside the zip (ASCII, no extension). */
  name: string;
  /** Last-update date written in the .dbf header (YYYY-MM-DD); part of the output, so pass the data's date. */
  date: string;
}

/** Fixed entry time: outputs must not depend on the clock (zip stores local DOS time from 1980). */
const ZIP_TIME = new Date(1980, 0, 1, 0, 0, 0);

export function writeShapefileZip(table: ExportTable, options: ShapefileOptions): Uint8Array {
  checkColumns(table.columns);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.name)) throw new Error(`shapefile name "${options.name}" must be 1–64 ASCII letters, digits, _ or -`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new Error(`shapefile date "${options.date}" must be YYYY-MM-DD`);
  const { shp, shx } = shxAndShp(table);
  const text = (s: string) => new TextEncoder().encode(s);
  const entry = (data: Uint8Array): [Uint8Array, { mtime: Date }] => [data, { mtime: ZIP_TIME }];
  return zipSync({
    [`${options.name}.shp`]: entry(shp),
    [`${options.name}.shx`]: entry(shx),
    [`${options.name}.dbf`]: entry(dbf(table, options.date)),
    [`${options.name}.prj`]: entry(text(WGS84_ESRI_WKT)),
    [`${options.name}.cpg`]: entry(text('UTF-8')),
  });
}
