/**
 * Where the pixels of an analysis grid fall in a source raster, for resampling: source pixel coordinates
 * (u, v) — (0, 0) is the outer corner of the source's top-left pixel, so pixel (i, j) spans
 * [i, i+1) × [j, j+1) — of grid pixel centres, and the reverse footprint of a source raster on the grid.
 *
 * Between different CRSs every row of grid pixels is transformed the way GDAL's approximate transformer
 * does it (gdalwarp -et): transform the two ends and the middle of a run exactly with proj4; if the
 * straight line between the ends is within `maxErrorPx` source pixels of the exact middle, interpolate the
 * whole run linearly, else split it in two and repeat. Map projections are smooth, so the interpolation
 * error along a run is close to a parabola that peaks at the middle: the bound checked there holds for the
 * run (the tests measure it against the exact transform). In one CRS the mapping is affine and exact.
 */
import type { Lattice, LatticeWindow } from '../grid/lattice.js';
import type { GeoTransform } from '../raster/geotransform.js';
import { crsDefinition, transformCoords } from './crs.js';

/** Default approximation bound in source pixels: GDAL's default (gdalwarp -et 0.125). */
export const APPROX_MAX_ERROR_PX = 0.125;

export interface GridToSource {
  /** True when grid and source share a CRS: the mapping is affine and computed exactly. */
  readonly affine: boolean;
  /**
   * Source (u, v) of the centres of grid pixels (col + i + 0.5, row + 0.5), i < count, written to
   * out[offset + 2i], out[offset + 2i + 1]; NaN where proj4 cannot transform the point.
   */
  row(col: number, row: number, count: number, out: Float64Array, offset?: number): void;
}

/**
 * The grid → source pixel mapping. `maxErrorPx` 0 transforms every pixel exactly (slow; for
 * references). Throws InvalidInputError 'crs_unknown' when either CRS is not in shoutu's table.
 */
export function gridToSource(lattice: Lattice, sourceEpsg: number, sourceGeoTransform: GeoTransform, maxErrorPx = APPROX_MAX_ERROR_PX): GridToSource {
  const [ox, pw, , oy, , ph] = sourceGeoTransform;
  const { phaseX, phaseY, pixelWidth, pixelHeight } = lattice;
  if (lattice.epsg === sourceEpsg) {
    return {
      affine: true,
      row(col, row, count, out, offset = 0) {
        const v = (phaseY - (row + 0.5) * pixelHeight - oy) / ph;
        for (let i = 0; i < count; i++) {
          out[offset + 2 * i] = (phaseX + (col + i + 0.5) * pixelWidth - ox) / pw;
          out[offset + 2 * i + 1] = v;
        }
      },
    };
  }
  crsDefinition(lattice.epsg, { field: 'grid.epsg' });
  crsDefinition(sourceEpsg);
  const point = new Float64Array(2);
  /** Exact source (u, v) of grid pixel centre (c + 0.5, row + 0.5), into out at index i. */
  const exact = (c: number, row: number, out: Float64Array, at: number) => {
    point[0] = phaseX + (c + 0.5) * pixelWidth;
    point[1] = phaseY - (row + 0.5) * pixelHeight;
    transformCoords(lattice.epsg, sourceEpsg, point);
    out[at] = (point[0] - ox) / pw;
    out[at + 1] = (point[1] - oy) / ph;
  };
  return {
    affine: false,
    row(col, row, count, out, offset = 0) {
      if (count <= 0) return;
      exact(col, row, out, offset);
      if (count === 1) return;
      exact(col + count - 1, row, out, offset + 2 * (count - 1));
      // Runs [a, b] (indices into the row) whose ends are known; an explicit stack, no recursion depth limit.
      const stack: number[] = [0, count - 1];
      while (stack.length > 0) {
        const b = stack.pop()!;
        const a = stack.pop()!;
        if (b - a < 2) continue;
        const m = (a + b) >> 1;
        const pa = offset + 2 * a;
        const pb = offset + 2 * b;
        const pm = offset + 2 * m;
        exact(col + m, row, out, pm);
        if (maxErrorPx > 0) {
          const t = (m - a) / (b - a);
          const du = out[pa]! + t * (out[pb]! - out[pa]!) - out[pm]!;
          const dv = out[pa + 1]! + t * (out[pb + 1]! - out[pa + 1]!) - out[pm + 1]!;
          // NaN (an untransformable point) fails the test and is refined point by point.
          if (Math.hypot(du, dv) <= maxErrorPx) {
            const ua = out[pa]!, va = out[pa + 1]!, ub = out[pb]!, vb = out[pb + 1]!;
            for (let i = a + 1; i < b; i++) {
              const s = (i - a) / (b - a);
              out[offset + 2 * i] = ua + s * (ub - ua);
              out[offset + 2 * i + 1] = va + s * (vb - va);
            }
            continue;
          }
        }
        stack.push(a, m, m, b);
      }
    },
  };
}

/**
 * The grid pixels a north-up source raster may cover: the bounding window of its outline (each edge
 * transformed at up to 64 points, plus one pixel of margin for the curvature between them), or null when
 * no point of the outline can be transformed into the grid's CRS.
 */
export function sourceFootprint(lattice: Lattice, sourceEpsg: number, sourceGeoTransform: GeoTransform, width: number, height: number): LatticeWindow | null {
  const [ox, pw, , oy, , ph] = sourceGeoTransform;
  const steps = (n: number) => Math.max(1, Math.min(64, n));
  const sx = steps(width);
  const sy = steps(height);
  const points: number[] = [];
  for (let i = 0; i <= sx; i++) {
    const u = (width * i) / sx;
    points.push(ox + u * pw, oy, ox + u * pw, oy + height * ph);
  }
  for (let j = 0; j <= sy; j++) {
    const v = (height * j) / sy;
    points.push(ox, oy + v * ph, ox + width * pw, oy + v * ph);
  }
  const coords = Float64Array.from(points);
  transformCoords(sourceEpsg, lattice.epsg, coords);
  let minC = Infinity, maxC = -Infinity, minR = Infinity, maxR = -Infinity;
  for (let i = 0; i < coords.length; i += 2) {
    const x = coords[i]!;
    const y = coords[i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const c = (x - lattice.phaseX) / lattice.pixelWidth;
    const r = (lattice.phaseY - y) / lattice.pixelHeight;
    minC = Math.min(minC, c);
    maxC = Math.max(maxC, c);
    minR = Math.min(minR, r);
    maxR = Math.max(maxR, r);
  }
  if (minC === Infinity) return null;
  const affine = lattice.epsg === sourceEpsg;
  const margin = affine ? 0 : 1;
  const col = Math.floor(minC + 1e-9) - margin;
  const row = Math.floor(minR + 1e-9) - margin;
  return { col, row, width: Math.ceil(maxC - 1e-9) + margin - col, height: Math.ceil(maxR - 1e-9) + margin - row };
}
