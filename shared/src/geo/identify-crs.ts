/**
 * The EPSG code of a coordinate reference system given by its parameters instead of a code, among the
 * CRSs shoutu knows (crs.ts). GeoTIFF writers that do not look codes up (GDAL itself, given a PROJ
 * string or an ESRI WKT it cannot identify; other GIS and photogrammetry tools) store a CGCS2000 Gauss-Krüger or a UTM grid as "user-defined" GeoKeys:
 * datum or ellipsoid, projection method and its parameters. Such a file is the same grid as the coded one
 * when every parameter is the same, and is then read as that code.
 */
import { knownDefinitions } from './crs.js';

/**
 * The datums shoutu knows. crs.ts treats them as one (CGCS2000 and WGS 84 agree within centimetres, and
 * PROJ applies no shift between them by default); their ellipsoids differ by 0.1 mm in the semi-minor axis.
 */
export type Datum = 'cgcs2000' | 'wgs84';

export type CrsParameters =
  | { kind: 'geographic'; datum: Datum }
  | {
      kind: 'transverse_mercator';
      datum: Datum;
      /** degrees east */
      centralMeridian: number;
      /** degrees north */
      latitudeOfOrigin: number;
      scale: number;
      /** metres */
      falseEasting: number;
      falseNorthing: number;
    };

/** Semi-major axis (both), inverse flattening and semi-minor axis of GRS 1980 (= CGCS2000's) and WGS 84. */
const ELLIPSOIDS: ReadonlyArray<{ datum: Datum; a: number; rf: number; b: number }> = [
  { datum: 'cgcs2000', a: 6378137, rf: 298.257222101, b: 6356752.314140356 },
  { datum: 'wgs84', a: 6378137, rf: 298.257223563, b: 6356752.314245179 },
];

/**
 * The datum whose ellipsoid has semi-major axis `a` and inverse flattening `rf` (or semi-minor axis `b`),
 * or null: an unnamed datum on GRS 1980 is taken as CGCS2000's (in China it is), on WGS 84 as WGS 84.
 */
export function datumOfEllipsoid(a: number, axis: { rf: number } | { b: number }): Datum | null {
  const match = ELLIPSOIDS.find((e) => Math.abs(a - e.a) <= 1e-6 && ('rf' in axis ? Math.abs(axis.rf - e.rf) <= 1e-9 : Math.abs(axis.b - e.b) <= 1e-5));
  return match?.datum ?? null;
}

/** Angles within 1e-9° (0.1 mm on the ground) and lengths within 1e-6 m, scale within 1e-12, count as equal. */
const ANGLE_TOLERANCE = 1e-9;
const LENGTH_TOLERANCE = 1e-6;
const SCALE_TOLERANCE = 1e-12;

/** The 3-degree Gauss-Krüger codes without zone prefix (CGCS2000, CM 75E…135E). */
const THREE_DEGREE_GK = { from: 4534, to: 4554 };

/**
 * The EPSG code whose definition has these parameters, or null. A definition on the same datum wins over
 * one on the other (they are one datum here); among equal definitions the 3-degree Gauss-Krüger code wins
 * (without zone prefix a 6-degree zone's central meridian, 75°E … 135°E, is also a 3-degree zone's:
 * EPSG:4502–4512 against 4534–4554; the 3-degree zones are the grid of large-scale mapping, 1:10,000 and
 * larger), then the smallest code.
 */
export function epsgOfParameters(p: CrsParameters): number | null {
  let best: { code: number; rank: number } | null = null;
  for (const [code, known] of knownParameters()) {
    if (!sameGrid(known, p)) continue;
    const rank = (known.datum === p.datum ? 2 : 0) + (code >= THREE_DEGREE_GK.from && code <= THREE_DEGREE_GK.to ? 1 : 0);
    if (best === null || rank > best.rank || (rank === best.rank && code < best.code)) best = { code, rank };
  }
  return best === null ? null : best.code;
}

/** The parameters for messages and records, e.g. "Transverse Mercator on CGCS2000: central meridian 120°E, …". */
export function describeParameters(p: CrsParameters): string {
  const datum = p.datum === 'cgcs2000' ? 'CGCS2000 (GRS 1980 ellipsoid)' : 'WGS 84';
  if (p.kind === 'geographic') return `longitude/latitude on ${datum}`;
  return (
    `Transverse Mercator on ${datum}: central meridian ${p.centralMeridian}°, latitude of origin ${p.latitudeOfOrigin}°, ` +
    `scale ${p.scale}, false easting ${p.falseEasting} m, false northing ${p.falseNorthing} m`
  );
}

let parsed: Array<[number, CrsParameters]> | null = null;

/** The parameters of every known definition that has them, in code order (parsed once). */
function knownParameters(): Array<[number, CrsParameters]> {
  parsed ??= [...knownDefinitions()]
    .map(([code, definition]): [number, CrsParameters | null] => [code, parametersOfDefinition(definition)])
    .filter((entry): entry is [number, CrsParameters] => entry[1] !== null)
    .sort((a, b) => a[0] - b[0]);
  return parsed;
}

function sameGrid(a: CrsParameters, b: CrsParameters): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'geographic' || b.kind === 'geographic') return true;
  return (
    Math.abs(a.centralMeridian - b.centralMeridian) <= ANGLE_TOLERANCE &&
    Math.abs(a.latitudeOfOrigin - b.latitudeOfOrigin) <= ANGLE_TOLERANCE &&
    Math.abs(a.scale - b.scale) <= SCALE_TOLERANCE &&
    Math.abs(a.falseEasting - b.falseEasting) <= LENGTH_TOLERANCE &&
    Math.abs(a.falseNorthing - b.falseNorthing) <= LENGTH_TOLERANCE
  );
}

/** The parameters of one of crs.ts's proj4 definitions, or null for a kind this module does not match (Web Mercator). */
export function parametersOfDefinition(definition: string): CrsParameters | null {
  const params = new Map<string, string>();
  for (const token of definition.split(/\s+/)) {
    const m = /^\+([a-z_0-9]+)(?:=(.*))?$/.exec(token);
    if (m) params.set(m[1]!, m[2] ?? '');
  }
  const datum: Datum | null = params.get('datum') === 'WGS84' ? 'wgs84' : params.get('ellps') === 'GRS80' ? 'cgcs2000' : null;
  if (datum === null) return null;
  const num = (key: string, fallback: number) => (params.has(key) ? Number(params.get(key)) : fallback);
  switch (params.get('proj')) {
    case 'longlat':
      return { kind: 'geographic', datum };
    case 'utm': {
      const zone = num('zone', NaN);
      return { kind: 'transverse_mercator', datum, centralMeridian: 6 * zone - 183, latitudeOfOrigin: 0, scale: 0.9996, falseEasting: 500_000, falseNorthing: params.has('south') ? 10_000_000 : 0 };
    }
    case 'tmerc':
      return { kind: 'transverse_mercator', datum, centralMeridian: num('lon_0', 0), latitudeOfOrigin: num('lat_0', 0), scale: num('k', 1), falseEasting: num('x_0', 0), falseNorthing: num('y_0', 0) };
    default:
      return null;
  }
}
