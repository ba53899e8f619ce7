import type { Lattice } from '../grid/lattice.js';
import { isGeographic } from '../geo/crs.js';

/** Authalic radius of the WGS84/GRS80 ellipsoid (m), for areas of geographic-CRS pixels. */
const AUTHALIC_RADIUS_M = 6371007.18;

/**
 * Ground area of one lattice pixel in m². Projected CRSs (metre units) give pixelWidth × pixelHeight;
 * geographic ones give the spherical area of the pixel at the given global row, using
 * A = R² · Δλ · |sin φ₁ − sin φ₂| (area of a latitude–longitude cell on a sphere).
 */
export function pixelAreaM2(lattice: Lattice, globalRow: number): number {
  if (!isGeographic(lattice.epsg)) return lattice.pixelWidth * lattice.pixelHeight;
  const toRad = Math.PI / 180;
  const top = lattice.phaseY - Math.floor(globalRow) * lattice.pixelHeight;
  const bottom = top - lattice.pixelHeight;
  return AUTHALIC_RADIUS_M * AUTHALIC_RADIUS_M * lattice.pixelWidth * toRad * Math.abs(Math.sin(top * toRad) - Math.sin(bottom * toRad));
}
