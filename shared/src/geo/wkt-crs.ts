/**
 * The EPSG code of a CRS written as WKT 1 — the ESRI dialect of a shapefile's .prj, or OGC WKT — among
 * the CRSs shoutu knows: its AUTHORITY["EPSG", code] when it has one, else the code whose parameters it
 * matches (identify-crs.ts). Shapefiles of permanent basic farmland and red-line parcels written by ArcGIS
 * carry `PROJCS["CGCS2000_3_Degree_GK_CM_120E", …]` and no code. WKT 1: OGC 01-009.
 */
import { InvalidInputError } from '../errors.js';
import { crsDefinition, type CrsErrorContext } from './crs.js';
import { datumOfEllipsoid, describeParameters, epsgOfParameters, type CrsParameters, type Datum } from './identify-crs.js';

interface WktNode {
  keyword: string;
  args: Array<string | number | WktNode>;
}

/** WKT longer than this is not a CRS definition (a .prj holds a few hundred bytes). */
const MAX_WKT_LENGTH = 64 * 1024;
const MAX_DEPTH = 16;

export interface WktCrs {
  epsg: number;
  /** what the WKT holds, when the code was found by its parameters */
  parameters?: string;
}

/** The EPSG code of `text`, or InvalidInputError 'crs_unknown' naming the file and what does not match. */
export function epsgOfWkt(text: string, context: CrsErrorContext = {}): WktCrs {
  const fail = (why: string) =>
    new InvalidInputError('crs_unknown', `${context.file !== undefined ? `${context.file}: ` : ''}${why}`, { ...(context.file !== undefined ? { file: context.file } : {}), field: context.field ?? 'crs' });
  const root = parseWkt(text.trim(), fail);
  if (root.keyword !== 'PROJCS' && root.keyword !== 'GEOGCS') throw fail(`${root.keyword}[…] is not a WKT 1 PROJCS or GEOGCS`);
  const authority = child(root, 'AUTHORITY');
  if (authority && String(authority.args[0]).toUpperCase() === 'EPSG') {
    const code = Number(authority.args[1]);
    crsDefinition(code, context);
    return { epsg: code };
  }
  const geogcs = root.keyword === 'GEOGCS' ? root : child(root, 'GEOGCS');
  if (!geogcs) throw fail('PROJCS has no GEOGCS');
  const datum = datumOf(geogcs, fail);
  let parameters: CrsParameters;
  if (root.keyword === 'GEOGCS') parameters = { kind: 'geographic', datum };
  else {
    const projection = normalized(String(child(root, 'PROJECTION')?.args[0] ?? ''));
    if (projection !== 'transversemercator' && projection !== 'gausskruger') {
      throw fail(`projection ${JSON.stringify(child(root, 'PROJECTION')?.args[0] ?? 'none')} is not Transverse Mercator (Gauss-Krüger), the method of every projected CRS shoutu knows`);
    }
    const unit = child(root, 'UNIT');
    if (unit && Number(unit.args[1]) !== 1) throw fail(`linear unit ${JSON.stringify(unit.args[0])} is not the metre`);
    const values = new Map<string, number>();
    for (const node of root.args) {
      if (typeof node === 'object' && node.keyword === 'PARAMETER') values.set(normalized(String(node.args[0])), Number(node.args[1]));
    }
    const pick = (names: string[], fallback: number) => names.map((n) => values.get(n)).find((v) => v !== undefined) ?? fallback;
    const centralMeridian = pick(['centralmeridian', 'longitudeofcenter', 'longitudeoforigin', 'longitudeofnaturalorigin'], NaN);
    if (!Number.isFinite(centralMeridian)) throw fail('the Transverse Mercator projection has no central meridian');
    parameters = {
      kind: 'transverse_mercator',
      datum,
      centralMeridian,
      latitudeOfOrigin: pick(['latitudeoforigin', 'latitudeofcenter', 'latitudeofnaturalorigin'], 0),
      scale: pick(['scalefactor', 'scalefactoratnaturalorigin'], 1),
      falseEasting: pick(['falseeasting'], 0),
      falseNorthing: pick(['falsenorthing'], 0),
    };
  }
  const epsg = epsgOfParameters(parameters);
  const described = describeParameters(parameters);
  if (epsg === null) throw fail(`the CRS (${described}) is none that shoutu knows (CGCS2000 Gauss-Krüger zones, UTM, longitude/latitude); reproject the layer to one (ogr2ogr -t_srs EPSG:xxxx)`);
  return { epsg, parameters: described };
}

/**
 * The datum by its SPHEROID: names vary from writer to writer (D_China_2000, China_2000, China Geodetic
 * Coordinate System 2000), the axes do not, and the two datums shoutu knows are one to it (identify-crs.ts).
 */
function datumOf(geogcs: WktNode, fail: (why: string) => InvalidInputError): Datum {
  const primem = child(geogcs, 'PRIMEM');
  if (primem && Number(primem.args[1]) !== 0) throw fail(`prime meridian ${JSON.stringify(primem.args[0])} is not Greenwich`);
  const datum = child(geogcs, 'DATUM');
  if (!datum) throw fail('GEOGCS has no DATUM');
  const spheroid = child(datum, 'SPHEROID');
  const a = Number(spheroid?.args[1]);
  const rf = Number(spheroid?.args[2]);
  const known = Number.isFinite(a) && Number.isFinite(rf) ? datumOfEllipsoid(a, { rf }) : null;
  if (known !== null) return known;
  throw fail(
    `datum ${JSON.stringify(datum.args[0])} on ellipsoid a = ${a} m, 1/f = ${rf} is not CGCS2000 or WGS 84 (Beijing 1954 and Xian 1980 grids lie tens of metres to over 100 m off CGCS2000, a shift shoutu does not apply)`,
  );
}

const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

function child(node: WktNode, keyword: string): WktNode | undefined {
  for (const a of node.args) if (typeof a === 'object' && a.keyword === keyword) return a;
  return undefined;
}

/** A recursive-descent parse of WKT 1: KEYWORD[arg, …] with quoted strings, numbers and nested nodes. */
function parseWkt(text: string, fail: (why: string) => InvalidInputError): WktNode {
  if (text.length > MAX_WKT_LENGTH) throw fail(`WKT of ${text.length} characters is not a CRS definition`);
  let at = 0;
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  /** A bare word that is not a keyword, as AXIS["Northing",NORTH] holds; null, reading nothing, for a keyword. */
  const bareWord = (): string | null => {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at, at + 64));
    if (!m) return null;
    let after = at + m[0].length;
    while (after < text.length && /\s/.test(text[after]!)) after++;
    if (text[after] === '[' || text[after] === '(') return null;
    at += m[0].length;
    return m[0];
  };
  const node = (depth: number): WktNode => {
    if (depth > MAX_DEPTH) throw fail('WKT nests too deep');
    space();
    const start = at;
    while (at < text.length && /[A-Za-z0-9_]/.test(text[at]!)) at++;
    const keyword = text.slice(start, at).toUpperCase();
    space();
    const open = text[at];
    if (keyword === '' || (open !== '[' && open !== '(')) throw fail(`WKT is malformed at character ${at + 1}`);
    const close = open === '[' ? ']' : ')';
    at++;
    const args: WktNode['args'] = [];
    for (;;) {
      space();
      const c = text[at];
      if (c === undefined) throw fail('WKT ends inside a bracket');
      if (c === '"') {
        const end = text.indexOf('"', at + 1);
        if (end < 0) throw fail('WKT ends inside a string');
        args.push(text.slice(at + 1, end));
        at = end + 1;
      } else if (/[-+.0-9]/.test(c)) {
        const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(at, at + 64));
        if (!m) throw fail(`WKT has a malformed number at character ${at + 1}`);
        args.push(Number(m[0]));
        at += m[0].length;
      } else {
        const word = bareWord();
        args.push(word ?? node(depth + 1));
      }
      space();
      if (at >= text.length) throw fail('WKT ends inside a bracket');
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === close) {
        at++;
        return { keyword, args };
      }
      throw fail(`WKT is malformed at character ${at + 1}`);
    }
  };
  const root = node(0);
  space();
  if (at !== text.length) throw fail(`WKT has text after its end at character ${at + 1}`);
  return root;
}
