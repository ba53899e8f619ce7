/**
 * Where scenes lie on the ground: a scene's outline in WGS84 longitude/latitude (for STAC geometry and
 * bbox, and catalog queries) and true ground areas (km² in the operator's report).
 *
 * A scene is a rectangle of its lattice; its straight edges in a projected CRS are curves in lon/lat, so
 * outlines are densified. Areas are computed like the 图斑 areas (detection/pixel-area.ts): on the
 * GRS80/CGCS2000 ellipsoid in an equal-area projection, never from grid units.
 */
import { transformCoords } from '../geo/crs.js';
import { lonLatPolygonAreaM2 } from '../detection/pixel-area.js';
import type { Lattice, LatticeWindow, Placement } from '../grid/lattice.js';
import { round } from '../util/round.js';

/** Segments per edge of an outline for STAC geometry (a 100 km UTM edge then deviates < 1 m from its curve). */
export const OUTLINE_SEGMENTS = 8;
/** Segments per edge when measuring areas. */
const AREA_SEGMENTS = 64;
/** Decimals of stored lon/lat (1e-7° ≈ 1 cm), as in alert geometry. */
const LONLAT_DECIMALS = 7;

/**
 * The outline of a lattice window in lon/lat: a closed ring, counter-clockwise (RFC 7946), `segments`
 * points per edge, flat [lon, lat, …]. Throws if the CRS cannot be transformed.
 */
export function windowOutlineLonLat(lattice: Lattice, window: LatticeWindow, segments: number): Float64Array {
  const x0 = lattice.phaseX + window.col * lattice.pixelWidth;
  const x1 = x0 + window.width * lattice.pixelWidth;
  const y0 = lattice.phaseY - window.row * lattice.pixelHeight;
  const y1 = y0 - window.height * lattice.pixelHeight;
  // top-left → bottom-left → bottom-right → top-right → top-left: counter-clockwise with north up
  const corners: Array<[number, number]> = [[x0, y0], [x0, y1], [x1, y1], [x1, y0]];
  const ring = new Float64Array((4 * segments + 1) * 2);
  let k = 0;
  for (let e = 0; e < 4; e++) {
    const [ax, ay] = corners[e]!;
    const [bx, by] = corners[(e + 1) % 4]!;
    for (let s = 0; s < segments; s++) {
      ring[k++] = ax + ((bx - ax) * s) / segments;
      ring[k++] = ay + ((by - ay) * s) / segments;
    }
  }
  ring[k++] = x0;
  ring[k++] = y0;
  transformCoords(lattice.epsg, 4326, ring);
  if (ring.some((v) => !Number.isFinite(v))) throw new Error(`the outline of a window of ${lattice.gridId} cannot be transformed to WGS84`);
  return ring;
}

/** A scene's WGS84 outline as GeoJSON polygon coordinates and its bbox [minLon, minLat, maxLon, maxLat]. */
export function placementFootprint(placement: Placement): { coordinates: Array<Array<[number, number]>>; bbox: [number, number, number, number] } {
  return windowFootprint(placement.lattice, { col: placement.col0, row: placement.row0, width: placement.width, height: placement.height });
}

/** A lattice window's WGS84 outline as GeoJSON polygon coordinates (7 decimals) and its bbox. */
export function windowFootprint(lattice: Lattice, window: LatticeWindow): { coordinates: Array<Array<[number, number]>>; bbox: [number, number, number, number] } {
  const flat = windowOutlineLonLat(lattice, window, OUTLINE_SEGMENTS);
  const ring: Array<[number, number]> = [];
  const bbox: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < flat.length; i += 2) {
    const lon = round(flat[i]!, LONLAT_DECIMALS);
    const lat = round(flat[i + 1]!, LONLAT_DECIMALS);
    ring.push([lon, lat]);
    bbox[0] = Math.min(bbox[0], lon);
    bbox[1] = Math.min(bbox[1], lat);
    bbox[2] = Math.max(bbox[2], lon);
    bbox[3] = Math.max(bbox[3], lat);
  }
  return { coordinates: [ring], bbox };
}

/** True ground area (m²) of a lattice window. */
export function windowAreaM2(lattice: Lattice, window: LatticeWindow): number {
  const ring = windowOutlineLonLat(lattice, window, AREA_SEGMENTS);
  return lonLatPolygonAreaM2(ring.subarray(0, ring.length - 2)); // the closing point repeats the first
}

/**
 * Ground area (m²) covered by the placements: scenes on the same lattice (a mosaic of drone blocks, or
 * overlapping scenes of one sensor) count their overlap once — the union of their rectangles, cut into
 * disjoint rectangles by rows —; scenes on different lattices are added.
 */
export function coveredAreaM2(placements: readonly Placement[]): number {
  const byGrid = new Map<string, Placement[]>();
  for (const p of placements) byGrid.set(p.lattice.gridId, [...(byGrid.get(p.lattice.gridId) ?? []), p]);
  let total = 0;
  for (const grid of [...byGrid.keys()].sort()) {
    const group = byGrid.get(grid)!;
    const lattice = group[0]!.lattice;
    const rows = [...new Set(group.flatMap((p) => [p.row0, p.row0 + p.height]))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < rows.length; i++) {
      const top = rows[i]!;
      const bottom = rows[i + 1]!;
      const spans = group
        .filter((p) => p.row0 <= top && p.row0 + p.height >= bottom)
        .map((p) => [p.col0, p.col0 + p.width] as [number, number])
        .sort((a, b) => a[0] - b[0]);
      let current: [number, number] | null = null;
      const flush = () => {
        if (current) total += windowAreaM2(lattice, { col: current[0], row: top, width: current[1] - current[0], height: bottom - top });
      };
      for (const span of spans) {
        if (current !== null && span[0] <= current[1]) current[1] = Math.max(current[1], span[1]);
        else {
          flush();
          current = [span[0], span[1]];
        }
      }
      flush();
    }
  }
  return total;
}
