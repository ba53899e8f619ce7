/**
 * What shoutu reads from a polygon layer (`shoutu info` on a farmland, red-line or approval layer): its CRS,
 * how many features, polygons, rings and vertices, its extent in its own CRS and in CGCS2000 longitude and
 * latitude, and the properties its features carry, so that an operator can check a county's delivery — and
 * find the field names an approval mapping needs — before setting it.
 */
import { parseMaskLayerWithProperties } from './parse-mask-layer.js';
import { maskLayerInCrs } from './shared-polygons.js';

export type PropertyKind = 'text' | 'number' | 'boolean' | 'object' | 'null';

export interface LayerDescription {
  /** sha256 of the GeoJSON shoutu stores (for a shapefile or an archive, of the GeoJSON read from it) */
  sha256: string;
  epsg: number;
  features: number;
  polygons: number;
  rings: number;
  vertices: number;
  /** [minX, minY, maxX, maxY] in the layer's CRS, and in CGCS2000 longitude and latitude (EPSG:4490); null when empty */
  extent: [number, number, number, number] | null;
  lonLatExtent: [number, number, number, number] | null;
  /** Each property name in order of first appearance: the kinds of value it holds and how many features give it a value. */
  properties: Array<{ name: string; kinds: PropertyKind[]; present: number }>;
}

const kindOf = (v: unknown): PropertyKind => (v === null ? 'null' : typeof v === 'string' ? 'text' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'object');

function extentOf(polygons: Float64Array[][]): [number, number, number, number] | null {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygons) {
    for (const r of rings) {
      for (let i = 0; i < r.length; i += 2) {
        minX = Math.min(minX, r[i]!);
        maxX = Math.max(maxX, r[i]!);
        minY = Math.min(minY, r[i + 1]!);
        maxY = Math.max(maxY, r[i + 1]!);
      }
    }
  }
  return minX <= maxX ? [minX, minY, maxX, maxY] : null;
}

/** Describes the GeoJSON layer `bytes` (as parseMaskLayer reads it; its refusals name the file and field). */
export function describeLayer(bytes: Uint8Array, name: string): LayerDescription {
  const { layer, properties: featureProperties } = parseMaskLayerWithProperties(bytes, name);
  let rings = 0;
  let vertices = 0;
  for (const p of layer.polygons) {
    rings += p.length;
    for (const r of p) vertices += r.length / 2;
  }
  const properties = new Map<string, { kinds: Set<PropertyKind>; present: number }>();
  const note = (own: unknown) => {
    if (own === null || typeof own !== 'object') return;
    for (const [key, value] of Object.entries(own)) {
      const entry = properties.get(key) ?? { kinds: new Set<PropertyKind>(), present: 0 };
      entry.kinds.add(kindOf(value));
      if (value !== null) entry.present++;
      properties.set(key, entry);
    }
  };
  for (const own of featureProperties) note(own);
  const extent = extentOf(layer.polygons);
  return {
    sha256: layer.sha256,
    epsg: layer.epsg,
    features: layer.featureCount,
    polygons: layer.polygons.length,
    rings,
    vertices,
    extent,
    lonLatExtent: extent === null ? null : extentOf(maskLayerInCrs(layer, 4490).polygons),
    properties: [...properties].map(([key, p]) => ({ name: key, kinds: [...p.kinds].sort(), present: p.present })),
  };
}
