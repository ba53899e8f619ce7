/**
 * Mask layers (permanent basic farmland 永久基本农田, ecological red line 生态保护红线) from GeoJSON.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import { isGeographic, parseGeoJsonCrs } from '../geo/crs.js';
import { ringViews, SharedRingStore } from './shared-polygons.js';
import { splitFeatureCollection } from './split-feature-collection.js';

export interface MaskLayer {
  name: string;
  epsg: number;
  /**
   * per polygon, per ring, flat [x0,y0,x1,y1,...] in the layer CRS (first ring = exterior, closing vertex
   * dropped); as parsed, views on SharedArrayBuffers, each polygon's rings side by side (shared-polygons.ts)
   */
  polygons: Float64Array[][];
  /** sha256 (hex) of the raw bytes */
  sha256: string;
  featureCount: number;
  /** per polygon, the index of the feature it came from (0 for a bare geometry) */
  polygonFeatures: number[];
}

/** Upper bound on vertices in one layer (about 320 MB of coordinates). */
export const MAX_MASK_VERTICES = 20_000_000;

// --- schema -------------------------------------------------------------------------------------

// Coordinates are checked by checkCoordinates, not zod: a layer has millions of positions, and zod took four
// fifths of the parse of a 5-million-vertex layer (12 s against 2.4 s for JSON.parse).
const polygon = z.object({ type: z.literal('Polygon'), coordinates: z.unknown() });
const multiPolygon = z.object({ type: z.literal('MultiPolygon'), coordinates: z.unknown() });
const geometry = z.discriminatedUnion('type', [polygon, multiPolygon]);
const properties = z.record(z.string(), z.unknown()).nullable().optional();
const feature = z.object({ type: z.literal('Feature'), geometry: geometry.nullable(), properties });
const featureCollection = z.object({ type: z.literal('FeatureCollection'), features: z.array(feature) });

type Geometry = z.infer<typeof geometry>;
type Position = number[];
type PolygonCoordinates = Position[][];

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

// --- helpers ------------------------------------------------------------------------------------

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function invalid(name: string, path: string, message: string): InvalidInputError {
  return new InvalidInputError('mask_invalid', `${name}: ${path}: ${message}`, { file: name, field: path });
}

function zodFailure(name: string, root: unknown, issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): InvalidInputError {
  const issue = issues[0]!;
  const fullPath = [...prefix, ...issue.path];
  const last = fullPath[fullPath.length - 1];
  if (issue.code === 'invalid_union' && last === 'type') {
    const actual = valueAt(root, fullPath);
    const geometryPath = formatPath(fullPath.slice(0, -1));
    if (typeof actual === 'string' && GEOMETRY_TYPES.has(actual)) {
      return invalid(name, geometryPath, `${actual} geometries are not allowed in a mask layer (only Polygon and MultiPolygon)`);
    }
    return invalid(name, formatPath(fullPath), `geometry type ${JSON.stringify(actual)} is not Polygon or MultiPolygon`);
  }
  return invalid(name, formatPath(fullPath), issue.message);
}

/** The kind of a JSON value for messages, as zod names it. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return typeof v;
}

/**
 * A geometry's polygons (one for a Polygon), checked as GeoJSON positions: every ring an array of at least 3
 * positions, every position 2 or 3 finite numbers; else mask_invalid naming the JSON path (`at`: the
 * coordinates' own path).
 */
function checkCoordinates(name: string, g: Geometry, at: string): PolygonCoordinates[] {
  const array = (v: unknown, path: string): unknown[] => {
    if (!Array.isArray(v)) throw invalid(name, path, `Invalid input: expected array, received ${kindOf(v)}`);
    return v;
  };
  const polygonAt = (v: unknown, path: string): PolygonCoordinates => {
    const rings = array(v, path);
    if (rings.length < 1) throw invalid(name, path, 'a polygon needs an exterior ring');
    for (let k = 0; k < rings.length; k++) {
      const ring = array(rings[k], `${path}[${k}]`);
      if (ring.length < 3) throw invalid(name, `${path}[${k}]`, 'a ring needs at least 3 positions');
      for (let v = 0; v < ring.length; v++) {
        const position = array(ring[v], `${path}[${k}][${v}]`);
        if (position.length < 2) throw invalid(name, `${path}[${k}][${v}]`, 'a position needs x and y');
        if (position.length > 3) throw invalid(name, `${path}[${k}][${v}]`, 'a position has at most x, y, z');
        for (let c = 0; c < position.length; c++) {
          const x = position[c];
          if (typeof x !== 'number' || !Number.isFinite(x)) throw invalid(name, `${path}[${k}][${v}][${c}]`, `Invalid input: expected number, received ${kindOf(x)}`);
        }
      }
    }
    return rings as PolygonCoordinates;
  };
  if (g.type === 'Polygon') return [polygonAt(g.coordinates, at)];
  return array(g.coordinates, at).map((p, i) => polygonAt(p, `${at}[${i}]`));
}

// --- parsing ------------------------------------------------------------------------------------

/**
 * Parses a GeoJSON FeatureCollection (or single Feature / geometry) of Polygon / MultiPolygon; zod-validated;
 * errors name the file and the JSON path (e.g. 'features[3].geometry.coordinates'). Non-polygon geometries
 * are an error (code 'mask_invalid'); features with a null geometry contribute nothing. The CRS comes from
 * the GeoJSON `crs` member (absent -> EPSG:4326; geographic coordinates are lon, lat). sha256 of the raw bytes.
 *
 * A FeatureCollection is parsed one feature at a time (split-feature-collection.ts), so its memory is the
 * polygons' coordinates and one feature's objects, not the whole document's object graph. Anything that path
 * does not read cleanly — another root type, a feature that does not check — is parsed again as one document,
 * which gives the refusal, so a layer is refused with the same message whichever path met it first.
 */
export function parseMaskLayer(bytes: Uint8Array, name: string): MaskLayer {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return parseByFeature(bytes, name, sha256) ?? parseDocument(bytes, name, sha256);
}

/** Each feature's properties as written (null where it has none), kept while its geometry is read. */
type Properties = Record<string, unknown> | null;
interface PropertiesOf {
  values: Properties[];
  /** whether the root was a FeatureCollection (a bare Feature or geometry is one feature) */
  collection: boolean;
}

/**
 * The layer and its features' properties in the same read (approval layers, `shoutu info`): one entry per
 * feature, and whether the root was a FeatureCollection.
 */
export function parseMaskLayerWithProperties(bytes: Uint8Array, name: string): { layer: MaskLayer; properties: Properties[]; collection: boolean } {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let of: PropertiesOf = { values: [], collection: true };
  const layer = parseByFeature(bytes, name, sha256, of) ?? parseDocument(bytes, name, sha256, (of = { values: [], collection: false }));
  return { layer, properties: of.values, collection: of.collection };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The layer of a FeatureCollection read feature by feature, or null when it is not read cleanly that way. */
export function parseByFeature(bytes: Uint8Array, name: string, sha256: string, properties?: PropertiesOf): MaskLayer | null {
  const split = splitFeatureCollection(bytes);
  if (split === null) return null;
  try {
    const root = JSON.parse(decoder.decode(bytes.subarray(split.start, split.open + 1)) + decoder.decode(bytes.subarray(split.close))) as unknown;
    if (root === null || typeof root !== 'object' || (root as { type?: unknown }).type !== 'FeatureCollection') return null;
    const epsg = parseGeoJsonCrs((root as { crs?: unknown }).crs, { file: name, field: 'crs' });
    const geographic = isGeographic(epsg, { file: name, field: 'crs' });
    const builder = new PolygonBuilder(name, epsg, geographic, (root as { crs?: unknown }).crs !== undefined);
    const { spans } = split;
    for (let k = 0; k < spans.length; k += 2) {
      const i = k / 2;
      const parsed = feature.safeParse(JSON.parse(decoder.decode(bytes.subarray(spans[k]!, spans[k + 1]!))));
      if (!parsed.success) return null;
      properties?.values.push(parsed.data.properties ?? null);
      const g = parsed.data.geometry;
      if (g !== null) builder.add(g, checkCoordinates(name, g, `features[${i}].geometry.coordinates`), `features[${i}].geometry`, i);
    }
    return { name, epsg, polygons: builder.polygons, sha256, featureCount: spans.length / 2, polygonFeatures: builder.polygonFeatures };
  } catch (error) {
    if (error instanceof VertexCapError) throw error.refusal; // parsing the whole document again would cost what the cap exists to avoid
    return null;
  }
}

/** The whole document parsed at once: bare geometries and Features, and every refusal. */
function parseDocument(bytes: Uint8Array, name: string, sha256: string, properties?: PropertiesOf): MaskLayer {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new InvalidInputError('mask_invalid', `${name}: not UTF-8 text`, { file: name, field: '(file)', cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidInputError('mask_invalid', `${name}: not valid JSON (${detail})`, { file: name, field: '(json)', cause: error });
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw invalid(name, '(root)', 'a GeoJSON object (FeatureCollection, Feature, Polygon or MultiPolygon) is required');
  }
  const type = (root as { type?: unknown }).type;

  const geometries: { geometry: Geometry; path: string; feature: number }[] = [];
  let featureCount: number;
  if (type === 'FeatureCollection') {
    // feature by feature, stopping at the first bad one: zod on the whole array reports every bad feature,
    // and two million of them (`{},{},…`, 8 MB) took 16 s to refuse
    const features = (root as { features?: unknown }).features;
    if (!Array.isArray(features)) throw zodFailure(name, root, featureCollection.safeParse(root).error!.issues, []);
    features.forEach((f: unknown, i) => {
      const parsed = feature.safeParse(f);
      if (!parsed.success) throw zodFailure(name, root, parsed.error.issues, ['features', i]);
      properties?.values.push(parsed.data.properties ?? null);
      if (parsed.data.geometry !== null) geometries.push({ geometry: parsed.data.geometry, path: `features[${i}].geometry`, feature: i });
    });
    if (properties) properties.collection = true;
    featureCount = features.length;
  } else if (type === 'Feature') {
    const parsed = feature.safeParse(root);
    if (!parsed.success) throw zodFailure(name, root, parsed.error.issues, []);
    properties?.values.push(parsed.data.properties ?? null);
    if (parsed.data.geometry !== null) geometries.push({ geometry: parsed.data.geometry, path: 'geometry', feature: 0 });
    featureCount = 1;
  } else if (type === 'Polygon' || type === 'MultiPolygon') {
    const parsed = geometry.safeParse(root);
    if (!parsed.success) throw zodFailure(name, root, parsed.error.issues, []);
    properties?.values.push(null);
    geometries.push({ geometry: parsed.data, path: '(root)', feature: 0 });
    featureCount = 1;
  } else if (typeof type === 'string' && GEOMETRY_TYPES.has(type)) {
    throw invalid(name, 'type', `${type} geometries are not allowed in a mask layer (only Polygon and MultiPolygon)`);
  } else {
    throw invalid(name, 'type', `GeoJSON type ${JSON.stringify(type)} is not FeatureCollection, Feature, Polygon or MultiPolygon`);
  }

  const checked = geometries.map(({ geometry: g, path, feature: featureIndex }) => ({
    g,
    path,
    featureIndex,
    parts: checkCoordinates(name, g, path === '(root)' ? 'coordinates' : `${path}.coordinates`),
  }));

  const crs = (root as { crs?: unknown }).crs;
  const epsg = parseGeoJsonCrs(crs, { file: name, field: 'crs' });
  const builder = new PolygonBuilder(name, epsg, isGeographic(epsg, { file: name, field: 'crs' }), crs !== undefined);
  try {
    for (const { g, path, featureIndex, parts } of checked) builder.add(g, parts, path, featureIndex);
  } catch (error) {
    throw error instanceof VertexCapError ? error.refusal : error;
  }
  return { name, epsg, polygons: builder.polygons, sha256, featureCount, polygonFeatures: builder.polygonFeatures };
}

/** The layer passed MAX_MASK_VERTICES: refused at once, whichever path met it. */
class VertexCapError extends Error {
  constructor(readonly refusal: InvalidInputError) {
    super(refusal.message);
  }
}

/** Checked polygons turned into flat rings (closing vertex dropped) in shared memory, counting vertices against the cap. */
class PolygonBuilder {
  readonly polygons: Float64Array[][] = [];
  readonly polygonFeatures: number[] = [];
  private vertices = 0;
  private readonly store = new SharedRingStore();

  constructor(
    private readonly name: string,
    private readonly epsg: number,
    private readonly geographic: boolean,
    private readonly hasCrs: boolean,
  ) {}

  /** Adds geometry `g` (its parts as checkCoordinates returned them; `path` its JSON path) of feature `featureIndex`. */
  add(g: Geometry, parts: PolygonCoordinates[], path: string, featureIndex: number): void {
    const { name, epsg, geographic } = this;
    const coordinatesPath = path === '(root)' ? 'coordinates' : `${path}.coordinates`;
    parts.forEach((rings, p) => {
      const partPath = g.type === 'Polygon' ? coordinatesPath : `${coordinatesPath}[${p}]`;
      // positions per ring without the closing one, checked before any is written
      const lengths = rings.map((r, k) => {
        let n = r.length;
        const first = r[0]!;
        const last = r[n - 1]!;
        if (n > 1 && first[0] === last[0] && first[1] === last[1]) n--; // drop the closing vertex
        if (n < 3) throw invalid(name, `${partPath}[${k}]`, 'a ring needs at least 3 distinct positions');
        this.vertices += n;
        if (this.vertices > MAX_MASK_VERTICES) throw new VertexCapError(invalid(name, `${partPath}[${k}]`, `the layer has more than ${MAX_MASK_VERTICES} vertices`));
        return 2 * n;
      });
      const flat = this.store.reserve(lengths.reduce((a, b) => a + b, 0));
      let at = 0;
      rings.forEach((r, k) => {
        const n = lengths[k]! / 2;
        for (let v = 0; v < n; v++) {
          const x = r[v]![0]!;
          const y = r[v]![1]!;
          if (geographic && (x < -180 || x > 180 || y < -90 || y > 90)) {
            throw invalid(name, `${partPath}[${k}][${v}]`, `(${x}, ${y}) is not a longitude, latitude in EPSG:${epsg}` + (this.hasCrs ? '' : ' (projected coordinates need a "crs" member)'));
          }
          flat[at++] = x;
          flat[at++] = y;
        }
      });
      this.polygons.push(ringViews(flat, lengths));
      this.polygonFeatures.push(featureIndex);
    });
  }
}
