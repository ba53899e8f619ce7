/**
 * The polygons of an ESRI shapefile (.shp; ESRI Shapefile Technical Description, July 1998) as a GeoJSON
 * FeatureCollection, so that a farmland or red-line layer delivered as a shapefile — the form county and
 * provincial land data usually take — is stored, pinned and rasterised like a GeoJSON layer. Each record
 * becomes one feature, its properties the record's attributes (read-dbf.ts), or `record`: its number when
 * there is no attribute table; its rings are nested by containment (a ring inside
 * an odd number of the record's other rings is a hole of the smallest one around it), not by their winding,
 * which writers do not all keep. The file is untrusted: every length and offset is checked before it is read.
 */
import { InvalidInputError } from '../errors.js';
import { MAX_MASK_VERTICES } from './parse-mask-layer.js';
import type { DbfRecord } from './read-dbf.js';

const FILE_CODE = 9994;
const VERSION = 1000;
const HEADER_BYTES = 100;
/** Polygon, PolygonZ, PolygonM: the same 2-D rings; Z and M values follow them and are not read. */
const POLYGON_TYPES = new Set([5, 15, 25]);
const NULL_SHAPE = 0;
/** Most rings in one record: nesting compares every pair of them (a multipart parcel has a few). */
const MAX_RECORD_PARTS = 20_000;

type Ring = number[][];

/**
 * GeoJSON text of the shapefile's polygons, with the `crs` member naming `epsg`; `attributes`: the .dbf's
 * records (one per .shp record, in order), or null.
 */
export function shapefileToGeoJson(shp: Uint8Array, epsg: number, name: string, attributes: DbfRecord[] | null = null): string {
  const fail = (field: string, why: string) => new InvalidInputError('mask_invalid', `${name}: ${why}`, { file: name, field });
  if (shp.length < HEADER_BYTES) throw fail('header', `${shp.length} bytes is shorter than a shapefile header (100)`);
  const view = new DataView(shp.buffer, shp.byteOffset, shp.byteLength);
  if (view.getInt32(0, false) !== FILE_CODE) throw fail('header', 'not a shapefile (.shp): no file code 9994');
  if (view.getInt32(28, true) !== VERSION) throw fail('header', `shapefile version ${view.getInt32(28, true)} is not 1000`);
  const declared = view.getInt32(24, false) * 2;
  if (declared < HEADER_BYTES || declared > shp.length) throw fail('header', `the header declares ${declared} bytes, the file holds ${shp.length}`);
  const shapeType = view.getInt32(32, true);
  if (shapeType !== NULL_SHAPE && !POLYGON_TYPES.has(shapeType)) throw fail('shape type', `shape type ${shapeType} is not a polygon (5, 15 or 25): a mask layer is areas`);

  const features: string[] = [];
  let index = 0;
  let vertices = 0;
  let at = HEADER_BYTES;
  while (at < declared) {
    if (at + 8 > declared) throw fail('record', `a record header at byte ${at} runs past the file's end`);
    const number = view.getInt32(at, false);
    const length = view.getInt32(at + 4, false) * 2;
    const start = at + 8;
    if (length < 4 || start + length > declared) throw fail(`record ${number}`, `record ${number} at byte ${at} declares ${length} bytes, past the file's end`);
    at = start + length;
    const properties = attributes === null ? { record: number } : attributes[index];
    index++;
    if (properties === undefined) throw fail('dbf', `the attribute table has ${attributes!.length} records, the .shp more`);
    const type = view.getInt32(start, true);
    if (type === NULL_SHAPE) continue;
    if (type !== shapeType) throw fail(`record ${number}`, `record ${number} is shape type ${type} in a file of type ${shapeType}`);
    if (length < 44) throw fail(`record ${number}`, `record ${number} is too short for a polygon (${length} bytes)`);
    const parts = view.getInt32(start + 36, true);
    const points = view.getInt32(start + 40, true);
    if (parts > MAX_RECORD_PARTS) throw fail(`record ${number}`, `record ${number} has ${parts} parts, more than ${MAX_RECORD_PARTS}; split it (ogr2ogr -explodecollections)`);
    if (parts < 1 || points < 4 || 44 + 4 * parts + 16 * points > length) {
      throw fail(`record ${number}`, `record ${number} declares ${parts} part(s) and ${points} point(s), which do not fit its ${length} bytes`);
    }
    vertices += points;
    if (vertices > MAX_MASK_VERTICES) throw fail(`record ${number}`, `more than ${MAX_MASK_VERTICES} vertices`);
    const xy = start + 44 + 4 * parts;
    const rings: Ring[] = [];
    for (let p = 0; p < parts; p++) {
      const from = view.getInt32(start + 44 + 4 * p, true);
      const to = p + 1 < parts ? view.getInt32(start + 48 + 4 * p, true) : points;
      if ((p === 0 && from !== 0) || to <= from || to > points) throw fail(`record ${number}`, `record ${number}: part ${p} spans points ${from}…${to} of ${points}`);
      if (to - from < 4) throw fail(`record ${number}`, `record ${number}: ring ${p} has ${to - from} points, a closed ring needs 4`);
      const ring: Ring = [];
      for (let i = from; i < to; i++) {
        const x = view.getFloat64(xy + 16 * i, true);
        const y = view.getFloat64(xy + 16 * i + 8, true);
        if (!Number.isFinite(x) || !Number.isFinite(y)) throw fail(`record ${number}`, `record ${number}: point ${i} is not finite`);
        ring.push([x, y]);
      }
      rings.push(ring);
    }
    const polygons = nestRings(rings);
    const geometry = polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
    features.push(JSON.stringify({ type: 'Feature', properties, geometry }));
  }
  if (attributes !== null && index !== attributes.length) throw fail('dbf', `the attribute table has ${attributes.length} records, the .shp ${index}`);
  return `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:${epsg}"}},"features":[${features.join(',')}]}`;
}

/**
 * The record's rings as polygons: a ring inside an even number of the other rings is an exterior, one inside
 * an odd number a hole of the smallest ring around it that is an exterior. Order: exteriors in file order,
 * each followed by its holes in file order.
 */
function nestRings(rings: Ring[]): Ring[][] {
  if (rings.length === 1) return [rings];
  const area = rings.map((r) => Math.abs(signedArea(r)));
  const box = rings.map(bounds);
  const around = rings.map((r, i) => {
    const [x, y] = r[0]!;
    return rings.map((_, j) => j).filter((j) => j !== i && area[j]! > area[i]! && x! >= box[j]![0] && x! <= box[j]![2] && y! >= box[j]![1] && y! <= box[j]![3] && inside(r[0]!, rings[j]!));
  });
  // a ring around which no exterior lies (a writer's odd nesting) is an exterior itself
  const exterior = around.map((a) => a.length % 2 === 0);
  around.forEach((a, i) => {
    if (!exterior[i] && !a.some((j) => exterior[j])) exterior[i] = true;
  });
  const polygons = new Map<number, Ring[]>();
  rings.forEach((ring, i) => {
    if (exterior[i]) polygons.set(i, [ring]);
  });
  rings.forEach((ring, i) => {
    if (exterior[i]) return;
    const owner = around[i]!.filter((j) => exterior[j]).sort((a, b) => area[a]! - area[b]!)[0]!;
    polygons.get(owner)!.push(ring);
  });
  return [...polygons.values()];
}

function bounds(ring: Ring): [number, number, number, number] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x!);
    y0 = Math.min(y0, y!);
    x1 = Math.max(x1, x!);
    y1 = Math.max(y1, y!);
  }
  return [x0, y0, x1, y1];
}

function signedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) s += (ring[j]![0]! - ring[i]![0]!) * (ring[j]![1]! + ring[i]![1]!);
  return s / 2;
}

/** Even-odd ray casting. */
function inside([x, y]: number[], ring: Ring): boolean {
  let odd = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > y! !== yj! > y! && x! < ((xj! - xi!) * (y! - yi!)) / (yj! - yi!) + xi!) odd = !odd;
  }
  return odd;
}
