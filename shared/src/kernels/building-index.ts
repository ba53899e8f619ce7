/**
 * Morphological building index (MBI; Huang & Zhang 2011, 2012) of an intensity raster, with plain
 * (not reconstructive) openings. Layout: `intensity`, `out` Float32Array(width*height), row-major.
 *
 *   out = ¼ Σ_d [ open_d,short(intensity) − open_d,long(intensity) ]   over the four directions d,
 *
 * open_d,s the opening by a line segment of s pixels in direction d (line-opening.ts). Huang & Zhang
 * average the differential profile |WTH(d, s + Δs) − WTH(d, s)| of the white top-hat over the scales
 * between short and long; for openings that are ordered by length (a longer segment never opens higher)
 * that sum telescopes to the difference of the two end scales, computed here directly. The value is
 * ≥ 0: high on bright structures wider than `short` but narrower than `long` in most directions
 * (roofs), low on structures long in some direction (roads keep their value along their own direction),
 * on wide flat areas and on fine texture.
 *
 * Why plain openings, not openings by reconstruction as in the papers: reconstruction floods along
 * bright connections (driveways, roads) without a bound, so a pixel would depend on the whole scene; plain
 * openings are local (depend on pixels up to long − 1 away: a halo makes tiles independent), and on the
 * labelled 0.5 m pairs they separated building change better (docs/detection.md).
 *
 * Arithmetic: float32; the four differences are added to `out` in direction order, then × 0.25.
 * `scratch`: Float32Array of at least 5·width·height (unused when the WebAssembly SIMD path runs:
 * line-opening-simd.ts buildingIndexSimd, same bytes, its intermediates in linear memory).
 */

import { requireDimensions, requireLength, requireNoOverlap } from './argument-checks.js';
import { openAlongLine, type LineDirection } from './line-opening.js';
import { buildingIndexSimd } from './line-opening-simd.js';

export function buildingIndex(intensity: Float32Array, width: number, height: number, short: number, long: number, scratch: Float32Array, out: Float32Array): void {
  requireDimensions(width, height);
  if (!(short <= long)) throw new RangeError(`short (${short}) must not exceed long (${long})`);
  const n = width * height;
  requireLength('intensity', intensity, n);
  requireLength('out', out, n);
  requireLength('scratch', scratch, 5 * n);
  requireNoOverlap('intensity', intensity, 'out', out);
  if (n === 0) return;
  if (buildingIndexSimd(intensity, width, height, short, long, out)) return;
  const openShort = scratch.subarray(0, n);
  const openLong = scratch.subarray(n, 2 * n);
  const lines = scratch.subarray(2 * n);
  out.fill(0, 0, n);
  for (let d = 0; d < 4; d++) {
    openAlongLine(intensity, width, height, d as LineDirection, short, lines, openShort);
    openAlongLine(intensity, width, height, d as LineDirection, long, lines, openLong);
    for (let i = 0; i < n; i++) out[i] = out[i]! + (openShort[i]! - openLong[i]!);
  }
  for (let i = 0; i < n; i++) out[i] = out[i]! * 0.25;
}
