import type { Lattice } from '../grid/lattice.js';
import { isGeographic, transformCoords } from '../geo/crs.js';

/**
 * Ground areas of lattice pixels, in m² on the GRS80/CGCS2000 ellipsoid (WGS84 differs by less than
 * 1e-9), computed in an equal-area projection, never from degrees or from projected grid units:
 * a pixel is mapped to geodetic lon/lat and then to the Lambert cylindrical equal-area projection of the
 * ellipsoid, x = a·λ, y = a·q(φ)/2 (Snyder 1987, "Map Projections — A Working Manual", USGS PP 1395,
 * eqs. 3-12 and 10-15), where areas are true. Projected lattices (UTM, Gauss–Krüger, Web Mercator) have a
 * scale factor that varies across the zone (UTM ±0.1 %, Web Mercator sec²φ), which this removes.
 */
const A = 6378137; // GRS80 semi-major axis (m)
const F = 1 / 298.257222101; // GRS80 flattening
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const RAD = Math.PI / 180;

/** Snyder's q(φ): twice the equal-area cylindrical y coordinate over a (authalic function). */
function q(latitudeRad: number): number {
  const s = Math.sin(latitudeRad);
  return (1 - E2) * (s / (1 - E2 * s * s) - (1 / (2 * E)) * Math.log((1 - E * s) / (1 + E * s)));
}

/** Area (m²) of a polygon given as geodetic lon/lat degrees, flat [lon0, lat0, lon1, lat1, …], in the equal-area projection. */
export function lonLatPolygonAreaM2(lonLat: ArrayLike<number>): number {
  const n = lonLat.length / 2;
  if (n < 3) return 0;
  // Coordinates relative to the first vertex: projected values are ~10⁷ m, pixels ~1 m, and the
  // shoelace products would otherwise cancel away the digits that matter.
  const lon0 = lonLat[0]!;
  const y0 = (A * q(lonLat[1]! * RAD)) / 2;
  const x = (k: number) => A * (lonLat[2 * k]! - lon0) * RAD;
  const y = (k: number) => (A * q(lonLat[2 * k + 1]! * RAD)) / 2 - y0;
  let sum = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) sum += x(j) * y(i) - x(i) * y(j);
  return Math.abs(sum) / 2;
}

/**
 * Ground area (m²) of a pixel-sized square centred on lattice point (col, row), in corner-based pixel
 * coordinates (pixel i spans [i, i + 1)), e.g. a patch centroid. The scale of every supported projection varies slowly enough that a
 * patch's area is its pixel count times the area of a pixel at its centroid (relative error below 1e-6
 * for patches up to several kilometres).
 */
export function pixelAreaM2(lattice: Lattice, col: number, row: number): number {
  // A pixel-sized square centred on (col, row): its corners in lattice CRS coordinates.
  const x0 = lattice.phaseX + (col - 0.5) * lattice.pixelWidth;
  const x1 = x0 + lattice.pixelWidth;
  const y0 = lattice.phaseY - (row - 0.5) * lattice.pixelHeight;
  const y1 = y0 - lattice.pixelHeight;
  const corners = new Float64Array([x0, y0, x1, y0, x1, y1, x0, y1]);
  if (!isGeographic(lattice.epsg)) transformCoords(lattice.epsg, 4326, corners);
  return lonLatPolygonAreaM2(corners);
}
