/**
 * The coordinate reference systems shoutu knows, as proj4 definitions (checked against
 * `gdalsrsinfo EPSG:xxxx -o proj4`, GDAL 3.6 / PROJ 9), and coordinate transforms between them.
 *
 * Axis order: geographic CRSs (EPSG:4326, EPSG:4490) are always lon, lat (x = longitude), as in
 * GeoJSON and in GDAL's traditional GIS order — never the EPSG-registry lat, lon order.
 *
 * CGCS2000 and WGS 84 are treated as identical datums (no shift), as PROJ does by default.
 */
import proj4 from 'proj4';
import { InvalidInputError } from '../errors.js';

export interface CrsErrorContext {
  /** file or key the CRS came from, for error messages */
  file?: string;
  /** field (e.g. 'crs', 'epsg') */
  field?: string;
}

const GEOGRAPHIC = new Set([4326, 4490]);

function buildDefinitions(): Map<number, string> {
  const defs = new Map<number, string>();
  defs.set(4326, '+proj=longlat +datum=WGS84 +no_defs');
  defs.set(4490, '+proj=longlat +ellps=GRS80 +no_defs'); // CGCS2000 geographic
  defs.set(
    3857,
    '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs',
  );
  for (let zone = 1; zone <= 60; zone++) {
    defs.set(32600 + zone, `+proj=utm +zone=${zone} +datum=WGS84 +units=m +no_defs`);
    defs.set(32700 + zone, `+proj=utm +zone=${zone} +south +datum=WGS84 +units=m +no_defs`);
  }
  const gk = (lon0: number, x0: number) => `+proj=tmerc +lat_0=0 +lon_0=${lon0} +k=1 +x_0=${x0} +y_0=0 +ellps=GRS80 +units=m +no_defs`;
  // CGCS2000 / Gauss-Kruger 6-degree zones 13..23 (false easting carries the zone prefix): EPSG:4491..4501
  for (let zone = 13; zone <= 23; zone++) defs.set(4491 + zone - 13, gk(6 * zone - 3, zone * 1_000_000 + 500_000));
  // CGCS2000 / Gauss-Kruger CM 75E..135E, 6-degree, no prefix: EPSG:4502..4512
  for (let i = 0; i <= 10; i++) defs.set(4502 + i, gk(75 + 6 * i, 500_000));
  // CGCS2000 / 3-degree Gauss-Kruger zones 25..45 (with prefix): EPSG:4513..4533
  for (let zone = 25; zone <= 45; zone++) defs.set(4513 + zone - 25, gk(3 * zone, zone * 1_000_000 + 500_000));
  // CGCS2000 / 3-degree Gauss-Kruger CM 75E..135E, no prefix: EPSG:4534..4554
  for (let i = 0; i <= 20; i++) defs.set(4534 + i, gk(75 + 3 * i, 500_000));
  return defs;
}

const DEFINITIONS = buildDefinitions();
let registered = false;

/** Registers every known definition with proj4 under 'EPSG:<code>' (idempotent). */
export function registerCrsDefinitions(): void {
  if (registered) return;
  for (const [code, def] of DEFINITIONS) proj4.defs(`EPSG:${code}`, def);
  registered = true;
}

/** Every known definition: EPSG code → proj4 definition. */
export function knownDefinitions(): ReadonlyMap<number, string> {
  return DEFINITIONS;
}

/** The EPSG codes shoutu can transform between. */
export function supportedEpsgCodes(): number[] {
  return [...DEFINITIONS.keys()].sort((a, b) => a - b);
}

/** proj4 definition string for an EPSG code; InvalidInputError 'crs_unknown' for codes shoutu does not know. */
export function crsDefinition(epsg: number, context: CrsErrorContext = {}): string {
  const def = Number.isInteger(epsg) ? DEFINITIONS.get(epsg) : undefined;
  if (def === undefined) {
    const where = context.file !== undefined ? `${context.file}: ` : '';
    throw new InvalidInputError(
      'crs_unknown',
      `${where}EPSG:${String(epsg)} is not supported (supported: 4326, 4490, 3857, 32601-32660, 32701-32760, 4491-4554)`,
      { ...(context.file !== undefined ? { file: context.file } : {}), field: context.field ?? 'epsg' },
    );
  }
  return def;
}

/** true for geographic (lon/lat) codes, false for projected ones, null when shoutu does not know the code. */
export function isGeographicEpsg(epsg: number): boolean | null {
  if (!DEFINITIONS.has(epsg)) return null;
  return GEOGRAPHIC.has(epsg);
}

/** true for geographic (lon/lat degree) CRSs; InvalidInputError 'crs_unknown' for codes shoutu does not know. */
export function isGeographic(epsg: number, context: CrsErrorContext = {}): boolean {
  crsDefinition(epsg, context);
  return GEOGRAPHIC.has(epsg);
}

const converters = new Map<string, proj4.Converter>();

function converter(fromEpsg: number, toEpsg: number): proj4.Converter {
  const key = `${fromEpsg}>${toEpsg}`;
  let c = converters.get(key);
  if (c === undefined) {
    registerCrsDefinitions();
    c = proj4(crsDefinition(fromEpsg), crsDefinition(toEpsg));
    converters.set(key, c);
  }
  return c;
}

/**
 * Transforms x,y pairs in place from one EPSG CRS to another (geographic = lon, lat in degrees).
 * Points proj4 cannot transform become NaN (callers check Number.isFinite).
 */
export function transformCoords(fromEpsg: number, toEpsg: number, coords: Float64Array): void {
  if (coords.length % 2 !== 0) throw new RangeError('transformCoords: coords must hold x,y pairs');
  if (fromEpsg === toEpsg) {
    crsDefinition(fromEpsg);
    return;
  }
  const c = converter(fromEpsg, toEpsg);
  const p: [number, number] = [0, 0];
  for (let i = 0; i < coords.length; i += 2) {
    p[0] = coords[i]!;
    p[1] = coords[i + 1]!;
    let r: number[];
    try {
      r = c.forward(p);
    } catch {
      r = [Number.NaN, Number.NaN];
    }
    const x = r[0]!;
    const y = r[1]!;
    const ok = Number.isFinite(x) && Number.isFinite(y);
    coords[i] = ok ? x : Number.NaN;
    coords[i + 1] = ok ? y : Number.NaN;
  }
}

/** Longitude, latitude (WGS 84 degrees) of a point given in any known CRS. */
export function lonLatOf(epsg: number, x: number, y: number): [number, number] {
  const xy = new Float64Array([x, y]);
  transformCoords(epsg, 4326, xy);
  return [xy[0]!, xy[1]!];
}

const EPSG_NAME_PATTERNS: RegExp[] = [
  /^EPSG:(\d+)$/i,
  /^urn:ogc:def:crs:EPSG:[^:]*:(\d+)$/i,
  /^https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/[^/]+\/(\d+)$/i,
];
const CRS84_NAMES = [/^urn:ogc:def:crs:OGC:[^:]*:CRS84$/i, /^CRS84$/i, /^https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/[^/]+\/CRS84$/i];

/**
 * The EPSG code of a GeoJSON (2008) `crs` member. Absent or null -> 4326 (RFC 7946 default).
 * Accepts {"type": "name", "properties": {"name": N}} with N like 'EPSG:4490', 'urn:ogc:def:crs:EPSG::4490',
 * 'urn:ogc:def:crs:OGC:1.3:CRS84' (-> 4326). Unknown or unsupported CRSs throw InvalidInputError 'crs_unknown'.
 */
export function parseGeoJsonCrs(crsMember: unknown, context: CrsErrorContext = {}): number {
  if (crsMember === undefined || crsMember === null) return 4326;
  const field = context.field ?? 'crs';
  const where = context.file !== undefined ? `${context.file}: ` : '';
  const bad = (why: string) =>
    new InvalidInputError('crs_unknown', `${where}${why}`, { ...(context.file !== undefined ? { file: context.file } : {}), field });
  if (typeof crsMember !== 'object' || Array.isArray(crsMember)) throw bad('"crs" must be an object');
  const m = crsMember as { type?: unknown; properties?: unknown };
  if (m.type !== 'name') throw bad(`"crs" of type ${JSON.stringify(m.type)} is not supported (use {"type": "name", ...})`);
  const props = m.properties;
  const name = typeof props === 'object' && props !== null ? (props as { name?: unknown }).name : undefined;
  if (typeof name !== 'string') throw bad('"crs".properties.name must be a string');
  const trimmed = name.trim();
  if (CRS84_NAMES.some((re) => re.test(trimmed))) return 4326;
  for (const re of EPSG_NAME_PATTERNS) {
    const match = re.exec(trimmed);
    if (match !== null) {
      const code = Number(match[1]);
      crsDefinition(code, { ...context, field });
      return code;
    }
  }
  throw bad(`CRS name ${JSON.stringify(trimmed.slice(0, 100))} is not understood (expected e.g. "EPSG:4490" or "urn:ogc:def:crs:EPSG::4490")`);
}
